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
use crate::study::{Study, StudyUpdate};

/// Wall time one pump may work, ms: the worker answers a command within about this long.
const SLICE_MS: f64 = 12.0;

/// The message the worker posts once it listens (commands sent before it would be lost).
pub const READY: &str = "ready";

/// The key of an [`Answer`] in the worker's message (frames carry `header` and `segments`).
pub const ANSWER: &str = "answer";

/// The key of a [`StudyUpdate`] in the worker's message.
pub const STUDY: &str = "study";

/// Least wall time between two progress updates of a study, ms.
const PROGRESS_MS: f64 = 100.0;

/// The pump, shared by the message handler and by itself (to schedule the next slice).
type Pump = Rc<Closure<dyn FnMut()>>;

struct Worker {
    scope: DedicatedWorkerGlobalScope,
    session: Session,
    /// A pump is scheduled.
    scheduled: bool,
    /// The study under way, with when its progress was last posted.
    study: Option<(Study, f64)>,
    /// A slice of the study is scheduled.
    study_scheduled: bool,
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

/// Posts `value` under `key` (an answer, a study's progress).
fn post_keyed(scope: &DedicatedWorkerGlobalScope, key: &str, value: &impl serde::Serialize) {
    let Ok(value) = serde_wasm_bindgen::to_value(value) else { return };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &key.into(), &value);
    if let Err(e) = scope.post_message(&message) {
        web_sys::console::error_2(&format!("strata worker: a message ({key}) could not be posted").into(), &e);
    }
}

/// Runs the study for one slice; posts its progress (at most every [`PROGRESS_MS`]) or its
/// result. Returns whether it needs another slice.
fn study_slice(state: &Rc<RefCell<Worker>>) -> bool {
    let mut w = state.borrow_mut();
    w.study_scheduled = false;
    let Some((study, posted)) = w.study.as_mut() else { return false };
    let mut clock = js_sys::Date::now;
    let update = study.work(&mut clock, SLICE_MS);
    let now = js_sys::Date::now();
    let finished = update.result.is_some();
    if finished || now - *posted >= PROGRESS_MS {
        *posted = now;
        post_keyed(&w.scope, STUDY, &update);
    }
    if finished {
        w.study = None;
    }
    !finished
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

fn schedule_study(state: &Rc<RefCell<Worker>>, pump: &Pump) {
    let mut w = state.borrow_mut();
    if w.study_scheduled {
        return;
    }
    w.study_scheduled = true;
    let f: &js_sys::Function = pump.as_ref().as_ref().unchecked_ref();
    let _ = w.scope.set_timeout_with_callback_and_timeout_and_arguments_0(f, 0);
}

/// Starts the app's worker: installs the message handler and says it is ready.
pub fn start() {
    run::<true>();
}

/// Starts the embeddable viewer's worker: the live run only (no questions about the design, no
/// studies), so none of their code is in its build.
pub fn start_viewer() {
    run::<false>();
}

/// The worker; with `STUDIO`, it also answers questions and runs studies.
fn run<const STUDIO: bool>() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let state = Rc::new(RefCell::new(Worker {
        scope: scope.clone(),
        session: Session::new(),
        scheduled: false,
        study: None,
        study_scheduled: false,
    }));
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
    // The study's pump: a slice at a time, the live run's slices and commands in between (only
    // in the app's worker: the viewer's build links no study).
    let study_pump = STUDIO.then(|| {
        let study_slot: Rc<RefCell<Option<Pump>>> = Rc::new(RefCell::new(None));
        let state = state.clone();
        let slot = study_slot.clone();
        let pump = Rc::new(Closure::<dyn FnMut()>::new(move || {
            if study_slice(&state) {
                if let Some(pump) = slot.borrow().clone() {
                    schedule_study(&state, &pump);
                }
            }
        }));
        *study_slot.borrow_mut() = Some(pump.clone());
        pump
    });
    let on_message = {
        let state = state.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            match serde_wasm_bindgen::from_value::<Command>(ev.data()) {
                Ok(Command::Ask { id, design, question }) if STUDIO => {
                    let answer = Answer { id, reply: answers::answer(&design, &question) };
                    post_keyed(&state.borrow().scope, ANSWER, &answer);
                    return;
                }
                Ok(Command::Study { id, job, charts }) if STUDIO => {
                    let kind = job.kind();
                    match Study::start(id, job, charts) {
                        Ok(study) => {
                            state.borrow_mut().study = Some((study, f64::NEG_INFINITY));
                            if let Some(pump) = &study_pump {
                                schedule_study(&state, pump);
                            }
                        }
                        Err(why) => {
                            state.borrow_mut().study = None;
                            let update =
                                StudyUpdate { id, kind, progress: 0.0, doing: String::new(), result: Some(Err(why)) };
                            post_keyed(&state.borrow().scope, STUDY, &update);
                        }
                    }
                    return;
                }
                Ok(Command::CancelStudy { id }) if STUDIO => {
                    let mut w = state.borrow_mut();
                    if w.study.as_ref().is_some_and(|(s, _)| s.id() == id) {
                        w.study = None;
                    }
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
