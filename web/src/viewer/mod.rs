//! The embeddable viewer (`viewer.html`, its own build): one design played read-only, for blog
//! posts and tutorials. No editor, palette, inspector or exports, and no UI framework: the
//! markup is in `viewer.html`, this module fills it in and wires it to its engine's worker (the
//! viewer's own module started as the engine, the live run only: see `viewer_main.rs`).
//!
//! - The diagram is the editor's SVG export (`svg_export`), in the host's light or dark palette;
//!   sampled requests travel over it on a canvas (`live::paint`, as in the app), or, with
//!   reduced motion, each connection is drawn as thick as its traffic.
//! - Play, pause, restart (same seed: the same run), seek, speed, the document's experiments; the
//!   first client population's requests and success share beside the clock.
//! - A document's walkthrough (`walk`): its steps with next and previous (the arrows, Page
//!   Up/Down), each highlighting, framing and running its part; presenter mode (`p`: full
//!   screen, large type, space for the next step, `l` a laser pointer, `r` the first step again,
//!   the same run).
//! - A GIF or WebM of the run (`capture`): 10 s from the time shown at 800 x 500, with progress
//!   and cancel.
//! - The document comes from `?src=` (fetched), from a share link's fragment (`#share=1.`), or
//!   from the embedding page (`load` message).
//! - Embedded (`?embed=<id>`), it talks to `public/embed.js` with `postMessage`: it says `ready`,
//!   its `size` and every `frame`'s time, state and step, and takes `load`, `play`, `pause`,
//!   `restart`, `seek`, `next` and `prev` from its parent only.

mod capture;
mod engine;
mod host;
mod run;
mod walk;

use std::cell::RefCell;
use std::rc::Rc;

use crate::editor::share;
use crate::js;
use host::Params;
use run::Viewer;

/// Starts the viewer on the page's markup.
pub fn start() {
    let Some(window) = web_sys::window() else { return };
    let params = Params::read(&window.location());
    let viewer = match Viewer::new(params.clone()) {
        Ok(v) => Rc::new(RefCell::new(v)),
        Err(e) => {
            // Said on the page and to the embedding page, as any other problem.
            let text = format!("The viewer cannot start: {e}");
            if let Some(p) = window.document().and_then(|d| d.get_element_by_id("sv-problem")) {
                p.set_text_content(Some(&text));
                let _ = p.remove_attribute("hidden");
            }
            host::post(params.embed.as_deref(), "error", &[("message", text.as_str().into())]);
            return;
        }
    };
    run::wire(&viewer);
    host::listen(&viewer);
    // The document: from `?src=`, a share link, or (no other) the embedding page.
    let hash = window.location().hash().unwrap_or_default();
    if params.src.is_none() && !hash.starts_with(share::PREFIX) {
        if params.embed.is_none() {
            viewer.borrow().problem("No design to show: give one with ?src=design.json or a share link.");
        }
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let text = match &params.src {
            Some(src) => fetched(src).await,
            None => shared(&hash).await,
        };
        match text {
            Ok(text) => run::load(&viewer, text),
            Err(e) => viewer.borrow().problem(&e),
        }
    });
}

/// The text at `src` (http and https only).
async fn fetched(src: &str) -> Result<String, String> {
    let url = host::checked_url(src)?;
    let text = js::fetch_text(&url).await.map_err(|e| format!("{src} could not be fetched: {}", js::error_text(&e)))?;
    text.as_string().ok_or_else(|| format!("{src} is not text"))
}

/// The document in a share fragment.
async fn shared(hash: &str) -> Result<String, String> {
    let bytes = share::payload(hash).map_err(|e| e.to_string())?;
    let text = js::decompress(&bytes, share::MAX_DOCUMENT as f64)
        .await
        .map_err(|e| format!("this share link cannot be opened: {}", js::error_text(&e)))?;
    text.as_string().ok_or_else(|| "this share link holds no text".to_string())
}
