//! Light and dark themes. By default the app follows the system colour scheme (CSS
//! `prefers-color-scheme`); the header's toggle can pin light or dark, remembered across reloads.

use leptos::prelude::*;

const STORAGE_KEY: &str = "strata.theme";

/// The user's theme choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Follow the operating system's light/dark setting.
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// The value stored in local storage and in `<html data-theme>`.
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }
    /// Parses a stored value; anything unknown means [`ThemeChoice::System`].
    pub fn parse(s: &str) -> Self {
        match s {
            "light" => ThemeChoice::Light,
            "dark" => ThemeChoice::Dark,
            _ => ThemeChoice::System,
        }
    }
    /// The next choice in the toggle's cycle: system -> light -> dark -> system.
    pub fn next(self) -> Self {
        match self {
            ThemeChoice::System => ThemeChoice::Light,
            ThemeChoice::Light => ThemeChoice::Dark,
            ThemeChoice::Dark => ThemeChoice::System,
        }
    }
}

/// The theme handle components get from context.
#[derive(Clone, Copy, Debug)]
pub struct Theme(pub RwSignal<ThemeChoice>);

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Reads the saved choice, provides it as context, and keeps `<html data-theme>` and local
/// storage in step with it.
pub fn provide_theme() -> Theme {
    let saved = storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .map(|v| ThemeChoice::parse(&v))
        .unwrap_or(ThemeChoice::System);
    let theme = Theme(RwSignal::new(saved));
    Effect::new(move |_| {
        let choice = theme.0.get();
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", choice.as_str());
        }
        if let Some(s) = storage() {
            // Storage can be unavailable (private mode, quota): the theme still applies.
            let _ = s.set_item(STORAGE_KEY, choice.as_str());
        }
    });
    provide_context(theme);
    theme
}

/// The theme from context (falls back to a fresh one outside the app, e.g. in tests).
pub fn use_theme() -> Theme {
    use_context::<Theme>().unwrap_or_else(provide_theme)
}
