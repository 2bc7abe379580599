//! The GIF export's Web Worker: `begin` (width, height, delay in hundredths of a second), then
//! one `frame` message per frame (RGBA bytes, transferred), then `end`; `cancel` drops the
//! export. It answers `ready` once listening, `{progress: frames}` after each frame, `{done:
//! bytes, frames}` with the file, or `{error: why}`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::gif_export::GifExport;

fn reply(scope: &DedicatedWorkerGlobalScope, key: &str, value: &JsValue, extra: Option<(&str, JsValue)>) {
    let m = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&m, &key.into(), value);
    if let Some((k, v)) = extra {
        let _ = js_sys::Reflect::set(&m, &k.into(), &v);
    }
    let _ = scope.post_message(&m);
}

/// Starts the worker.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let export: Rc<RefCell<Option<GifExport>>> = Rc::default();
    let s = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let data = ev.data();
        let get = |k: &str| js_sys::Reflect::get(&data, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let num = |k: &str| get(k).as_f64().unwrap_or(0.0);
        let mut slot = export.borrow_mut();
        match get("type").as_string().as_deref() {
            Some("begin") => match GifExport::new(num("width") as u32, num("height") as u32, num("delay_cs") as u16) {
                Ok(g) => *slot = Some(g),
                Err(e) => reply(&s, "error", &e.to_string().into(), None),
            },
            Some("frame") => {
                let Some(g) = slot.as_mut() else { return };
                let rgba = js_sys::Uint8Array::new(&get("rgba")).to_vec();
                match g.push(&rgba) {
                    Ok(()) => reply(&s, "progress", &f64::from(g.frames()).into(), None),
                    Err(e) => {
                        *slot = None;
                        reply(&s, "error", &e.to_string().into(), None);
                    }
                }
            }
            Some("end") => {
                let Some(g) = slot.take() else { return };
                let frames = f64::from(g.frames());
                match g.finish() {
                    Ok(bytes) => reply(
                        &s,
                        "done",
                        &js_sys::Uint8Array::from(bytes.as_slice()).into(),
                        Some(("frames", frames.into())),
                    ),
                    Err(e) => reply(&s, "error", &e.to_string().into(), None),
                }
            }
            Some("cancel") => *slot = None,
            _ => {}
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&crate::worker::READY.into());
}
