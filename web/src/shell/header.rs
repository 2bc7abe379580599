use leptos::prelude::*;

use crate::theme::{use_theme, ThemeChoice};

/// The top bar: product name, document title, and the theme toggle.
#[component]
pub fn Header() -> impl IntoView {
    let theme = use_theme();
    let label = move || match theme.0.get() {
        ThemeChoice::System => "Theme: system",
        ThemeChoice::Light => "Theme: light",
        ThemeChoice::Dark => "Theme: dark",
    };
    view! {
        <header class="header" data-testid="header">
            <div class="brand">
                <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M3 7l9-4 9 4-9 4z" class="layer layer-top"/>
                    <path d="M3 12l9 4 9-4" class="layer"/>
                    <path d="M3 17l9 4 9-4" class="layer"/>
                </svg>
                <h1 class="brand-name">"Strata"</h1>
                <span class="brand-tag">"cloud architecture, all the way down"</span>
            </div>
            <div class="header-actions">
                <button
                    class="btn btn-ghost"
                    data-testid="theme-toggle"
                    title="Switch between system, light and dark themes"
                    on:click=move |_| theme.0.update(|t| *t = t.next())
                >
                    {label}
                </button>
            </div>
        </header>
    }
}
