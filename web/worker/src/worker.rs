//! The engine's Web Worker: receives [`Command`]s, pumps a [`Session`] in slices of wall time
//! (yielding to the worker's event loop between them, so commands are handled promptly) and
//! posts each frame with its particle segments in a transferred `Float64Array`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::answers::{self, Answer};
use crate::protocol::Command;
use crate::session::{Frame, Session};

/// Wall time one pump may work, ms: the worker answers a command within about this long.
const SLICE_MS: f64 = 12.0;

/// The message the worker posts once it listens (commands sent before it would be lost).
pub const READY: &str = "ready";

/// The key of an [`Answer`] in the worker's message (frames carry `header` and `segments`).
pub const ANSWER: &str = "answer";

/// The pump, shared by the message handler and by itself (to schedule the next slice).
type Pump = Rc<Closure<dyn FnMut()>>;

struct Worker {
    scope: DedicatedWorkerGlobalScope,
    session: Session,
    /// A pump is scheduled.
    scheduled: bool,
}

fn post(scope: &DedicatedWorkerGlobalScope, frame: Frame) {
    let Ok(header) = serde_wasm_bindgen::to_value(&frame.header) else { return };
    let segments = js_sys::Float64Array::from(frame.segments.as_slice());
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"header".into(), &header);
    let _ = js_sys::Reflect::set(&message, &"segments".into(), &segments);
    let transfer = js_sys::Array::of1(&segments.buffer());
    if let Err(e) = scope.post_message_with_transfer(&message, &transfer) {
        web_sys::console::error_2(&"strata worker: a frame could not be posted".into(), &e);
    }
}

fn post_answer(scope: &DedicatedWorkerGlobalScope, answer: &Answer) {
    let Ok(value) = serde_wasm_bindgen::to_value(answer) else { return };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &ANSWER.into(), &value);
    if let Err(e) = scope.post_message(&message) {
        web_sys::console::error_2(&"strata worker: an answer could not be posted".into(), &e);
    }
}

fn schedule(state: &Rc<RefCell<Worker>>, pump: &Pump, delay_ms: f64) {
    let mut w = state.borrow_mut();
    if w.scheduled {
        return;
    }
    w.scheduled = true;
    let f: &js_sys::Function = pump.as_ref().as_ref().unchecked_ref();
    let _ = w.scope.set_timeout_with_callback_and_timeout_and_arguments_0(f, delay_ms.round() as i32);
}

/// Starts the worker: installs the message handler and says it is ready.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(Worker { scope: scope.clone(), session: Session::new(), scheduled: false }));
    // The pump needs a handle on itself to schedule the next slice.
    let slot: Rc<RefCell<Option<Pump>>> = Rc::new(RefCell::new(None));
    let pump = {
        let state = state.clone();
        let slot = slot.clone();
        Rc::new(Closure::<dyn FnMut()>::new(move || {
            let pumped = {
                let mut w = state.borrow_mut();
                w.scheduled = false;
                let mut clock = js_sys::Date::now;
                w.session.pump(&mut clock, SLICE_MS)
            };
            if let Some(frame) = pumped.frame {
                post(&state.borrow().scope, frame);
            }
            if let (Some(delay), Some(pump)) = (pumped.again_ms, slot.borrow().clone()) {
                schedule(&state, &pump, delay);
            }
        }))
    };
    *slot.borrow_mut() = Some(pump.clone());
    let on_message = {
        let state = state.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match serde_wasm_bindgen::from_value::<Command>(ev.data()) {
                Ok(Command::Ask { id, design, question }) => {
                    let answer = Answer { id, reply: answers::answer(&design, &question) };
                    post_answer(&state.borrow().scope, &answer);
                    return;
                }
                Ok(cmd) => state.borrow_mut().session.handle(cmd),
                Err(e) => {
                    web_sys::console::error_1(&format!("strata worker: a command could not be read: {e}").into());
                    return;
                }
            }
            schedule(&state, &pump, 0.0);
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page: its handlers are never dropped.
    on_message.forget();
    let _ = scope.post_message(&READY.into());
}
