//! The viewer's engine worker. The viewer's page and its engine are one WebAssembly module: the
//! page posts the module it has compiled (`wasm_bindgen::module()`) and the address of its
//! JavaScript glue to a module worker made from [`SCRIPT`], which imports the glue, starts the
//! module from what it was given (no second download or compile, whatever the server's cache
//! headers) and calls `start_engine`. The files keep their hashed names.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, Url, Worker, WorkerOptions, WorkerType};

use crate::js;

/// The worker's script: waits for the glue's address and the module, starts the engine, and
/// says why if it cannot (`{engine_error}`: an exception in a module worker's promise reaches no
/// `error` handler of the page).
const SCRIPT: &str = "onmessage = async (e) => { onmessage = null; try { const m = await import(e.data.glue); \
await m.default({ module_or_path: e.data.module }); m.start_engine(); } \
catch (err) { postMessage({ engine_error: String(err) }); } };";

/// The key of the worker's message saying the engine could not start.
pub(super) const ENGINE_ERROR: &str = "engine_error";

/// The glue's address: the page's module preload of it (Trunk writes it into `viewer.html`).
fn glue_url(document: &web_sys::Document) -> Result<String, String> {
    let link = document
        .query_selector(r#"link[rel="modulepreload"][href*="strata-viewer"]"#)
        .ok()
        .flatten()
        .and_then(|l| l.dyn_into::<web_sys::HtmlLinkElement>().ok())
        .ok_or("the page does not name its script")?;
    Ok(link.href())
}

/// Starts the engine's worker.
pub(super) fn spawn(document: &web_sys::Document) -> Result<Worker, String> {
    let fail = |e: JsValue| format!("the engine cannot start: {}", js::error_text(&e));
    let glue = glue_url(document)?;
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&SCRIPT.into()), &options).map_err(fail)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(&url, &options);
    let _ = Url::revoke_object_url(&url);
    let worker = worker.map_err(fail)?;
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"glue".into(), &glue.into());
    let _ = js_sys::Reflect::set(&message, &"module".into(), &wasm_bindgen::module());
    worker.post_message(&message).map_err(fail)?;
    Ok(worker)
}
