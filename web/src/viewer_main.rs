//! Entry point of the embeddable viewer: one WebAssembly module for its page and its engine's
//! worker, so the engine, serde and the document's types are downloaded once. On the page (a
//! window) `main` fills in `viewer.html`'s markup and plays its design; the engine's worker
//! (`viewer::engine`) starts the module the page posts it and calls [`start_engine`].

use wasm_bindgen::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    // The worker has no window: it starts the engine through `start_engine` instead.
    if web_sys::window().is_some() {
        strata_web::viewer::start();
    }
}

/// Starts the viewer's engine (the live run only: no studies, no questions about the design) in
/// the worker that called it.
#[wasm_bindgen]
pub fn start_engine() {
    console_error_panic_hook::set_once();
    strata_worker::worker::start_viewer();
}
