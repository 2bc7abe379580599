//! The viewer's page address and its embedding page: what the address asks for, and the
//! messages exchanged with `public/embed.js`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::run::{self, Viewer};

/// The palette the diagram is drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Theme {
    Light,
    Dark,
    /// The system's preference (`prefers-color-scheme`).
    Auto,
}

/// What the viewer's address asks for.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Params {
    /// The document's address.
    pub src: Option<String>,
    /// Embedded by `embed.js` under this id (messages carry it).
    pub embed: Option<String>,
    pub theme: Theme,
    /// The document's experiment to play.
    pub experiment: Option<String>,
    pub seed: u64,
    /// Play at once.
    pub autoplay: bool,
    /// The walkthrough's step to open at (counted from 0; the last one at most).
    pub step: usize,
}

impl Params {
    /// Reads the query string (`src`, `embed`, `theme`, `experiment`, `seed`, `autoplay`, `step`).
    pub(super) fn read(location: &web_sys::Location) -> Params {
        let query = location.search().unwrap_or_default();
        let q = web_sys::UrlSearchParams::new_with_str(&query).ok();
        let get = |k: &str| q.as_ref().and_then(|q| q.get(k)).filter(|v| !v.trim().is_empty());
        Params {
            src: get("src"),
            embed: get("embed"),
            theme: match get("theme").as_deref() {
                Some("dark") => Theme::Dark,
                Some("light") => Theme::Light,
                _ => Theme::Auto,
            },
            experiment: get("experiment"),
            seed: get("seed").and_then(|s| s.parse().ok()).unwrap_or(1),
            autoplay: get("autoplay").is_some_and(|a| a == "1" || a == "true"),
            step: get("step").and_then(|s| s.parse().ok()).unwrap_or(0),
        }
    }
}

/// `src` resolved against the viewer's address; only `http:` and `https:` are fetched.
pub(super) fn checked_url(src: &str) -> Result<String, String> {
    let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    let url = web_sys::Url::new_with_base(src, &base).map_err(|_| format!("{src} is not an address"))?;
    match url.protocol().as_str() {
        "http:" | "https:" => Ok(url.href()),
        p => Err(format!("{src} is refused: only http and https addresses are fetched, not {p}")),
    }
}

/// Posts `{strata: kind, id, ...fields}` to the embedding page (nothing when not embedded).
pub(super) fn post(embed: Option<&str>, kind: &str, fields: &[(&str, JsValue)]) {
    let (Some(id), Some(window)) = (embed, web_sys::window()) else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"strata".into(), &kind.into());
    let _ = js_sys::Reflect::set(&message, &"id".into(), &id.into());
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&message, &(*k).into(), v);
    }
    // Times and states only: nothing the host page may not see.
    let _ = parent.post_message(&message, "*");
}

/// Takes the embedding page's commands: only from the parent window, only for this embed.
pub(super) fn listen(viewer: &Rc<RefCell<Viewer>>) {
    let Some(id) = viewer.borrow().params.embed.clone() else { return };
    let Some(window) = web_sys::window() else { return };
    let parent = window.parent().ok().flatten();
    let v = viewer.clone();
    let ready = id.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        // The parent's window is of another realm: compared by identity, not by type.
        let from_parent = match (ev.source(), &parent) {
            (Some(s), Some(p)) => js_sys::Object::is(&s, p),
            _ => false,
        };
        let data = ev.data();
        let field = |k: &str| js_sys::Reflect::get(&data, &k.into()).ok();
        if !from_parent || field("id").and_then(|x| x.as_string()).as_deref() != Some(id.as_str()) {
            return;
        }
        match field("strata").and_then(|x| x.as_string()).as_deref() {
            Some("load") => {
                if let Some(doc) = field("doc").and_then(|x| x.as_string()) {
                    run::load(&v, doc);
                }
            }
            Some("play") => v.borrow_mut().play(true),
            Some("pause") => v.borrow_mut().play(false),
            Some("restart") => v.borrow_mut().restart(),
            Some("next") => v.borrow_mut().step_by(1),
            Some("prev") => v.borrow_mut().step_by(-1),
            Some("seek") => {
                if let Some(ms) = field("ms").and_then(|x| x.as_f64()).filter(|m| m.is_finite() && *m >= 0.0) {
                    v.borrow_mut().seek(ms as u64);
                }
            }
            _ => {}
        }
    });
    window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref()).ok();
    // Lives as long as the page.
    on_message.forget();
    post(Some(&ready), "ready", &[]);
}
