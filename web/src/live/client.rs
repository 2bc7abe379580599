//! The page's handle on the engine's Web Worker: sends [`Command`]s, and turns the frames it
//! receives into Leptos signals (figures, badges, the event log) and a particle store the
//! canvas draws from. Live state lives here, outside the editor's document and undo history.

use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use strata_worker::answers::{Answer, Question, Reply};
use strata_worker::charts::Chart;
use strata_worker::drill::DrillView;
use strata_worker::figures::{NodeFigures, Summary};
use strata_worker::protocol::{Command, Header, LogLine, NotableRequest, PlayState, Speed};
use strata_worker::study::{Replay, StudyJob, StudyUpdate};
use strata_worker::trace::Trace;
use strata_worker::worker::{ANSWER, READY, STUDY};

use super::launches::Launches;
use super::particles::Particles;

/// The worker's script (Trunk's loader for the `strata-worker` binary), next to the page.
const WORKER_URL: &str = "./strata-worker_loader.js";
/// Event log lines kept.
const LOG_KEEP: usize = 500;
/// Failed requests offered for tracing, and as many slow ones.
const NOTABLE_KEEP: usize = 6;
/// A dot stays on screen at least this long (wall ms) whatever the speed.
const DOT_MIN_WALL_MS: f64 = 400.0;

/// What to do with the answer to a question asked of the worker.
type OnAnswer = Box<dyn FnOnce(Reply)>;

/// Where the particles' clock was at the last frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClockSync {
    /// Simulated ns at the frame.
    pub time_ns: f64,
    /// `performance.now()` when the frame arrived.
    pub wall_ms: f64,
    /// Simulated ns per wall ms while time passes (0 otherwise).
    pub ns_per_ms: f64,
}

impl ClockSync {
    /// The simulated time to draw at wall time `wall_ms`: the frame's time moved on at the
    /// speed, never more than one frame interval ahead of the data.
    pub fn at(&self, wall_ms: f64) -> f64 {
        self.time_ns + (wall_ms - self.wall_ms).clamp(0.0, 80.0) * self.ns_per_ms
    }
}

/// The live run as the page sees it.
#[derive(Clone, Copy)]
pub struct Live {
    /// The latest frame header (without its figures).
    pub header: RwSignal<Option<Header>>,
    /// The latest strip figures.
    pub summary: RwSignal<Option<Summary>>,
    /// The latest badge figures by component id.
    pub nodes: RwSignal<HashMap<String, NodeFigures>>,
    /// Each component's figures on their own, as its badge shows them (see [`Live::figures_of`]).
    node_cells: StoredValue<HashMap<String, ArcRwSignal<Option<NodeFigures>>>, LocalStorage>,
    /// The event log, oldest first.
    pub log: RwSignal<Vec<LogLine>>,
    /// Instance launches through the layers, newest first.
    pub launches: RwSignal<Launches>,
    /// The instance followed in the drill-down (component id, slot).
    pub inspecting: RwSignal<Option<(String, u32)>>,
    /// Its latest drill-down (`Err`: why it cannot be shown).
    pub drill: RwSignal<Option<Result<DrillView, String>>>,
    /// The charts beside the run, as last drawn (`Err`: why one could not be).
    pub charts: RwSignal<Vec<Result<Chart, String>>>,
    /// The charts drawer is open.
    pub charts_open: RwSignal<bool>,
    /// The request traced last (`Err`: why it could not be), and whether one is being traced.
    pub trace: RwSignal<Option<Result<Trace, String>>>,
    /// A trace was asked for and has not come back yet.
    pub tracing: RwSignal<bool>,
    /// Sampled client requests that failed or were slow lately, newest first (to trace one).
    pub notable: RwSignal<Vec<NotableRequest>>,
    /// Why the run could not start (or the worker could not).
    pub problem: RwSignal<Option<String>>,
    /// Why the last injected failure was refused.
    pub refused: RwSignal<Option<String>>,
    /// The seed runs (and studies) use, as the strip sets it.
    pub seed: RwSignal<u64>,
    /// How long a run lasts, simulated s, as the strip sets it (an A/B comparison runs as long).
    pub length_s: RwSignal<u32>,
    /// The document's experiment runs play, as the strip sets it (none: no failures).
    pub experiment: RwSignal<Option<String>>,
    /// The study under way or last finished (an A/B comparison or the report card), as the
    /// worker last reported it.
    pub study: RwSignal<Option<StudyUpdate>>,
    /// The report card row played as the live run, once chosen (the strip starts it, and
    /// forgets it when the design, the seed, the experiment or the length changes).
    pub replay: RwSignal<Option<Replay>>,
    /// The last study's number.
    last_study: StoredValue<u32>,
    /// The failure panel is open (aimed at a component, or not).
    pub inject_open: RwSignal<Option<Option<String>>>,
    /// Component ids in engine order.
    pub components: StoredValue<Vec<String>, LocalStorage>,
    /// Particles in flight.
    pub particles: StoredValue<Particles, LocalStorage>,
    /// The particles' clock.
    pub clock: StoredValue<ClockSync>,
    /// Bumped at every frame (the canvas layer redraws on it when it is not animating).
    pub frames: RwSignal<u64>,
    worker: StoredValue<Option<Worker>, LocalStorage>,
    ready: StoredValue<bool>,
    /// Questions asked and not yet answered, by number, with what to do with the answer.
    asked: StoredValue<Vec<(u32, OnAnswer)>, LocalStorage>,
    /// The last question's number.
    last_question: StoredValue<u32>,
    queued: StoredValue<Vec<Command>>,
    /// Runs started or stopped: the worker numbers its runs the same way.
    expected_run: StoredValue<u32>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").finish_non_exhaustive()
    }
}

impl Live {
    fn new() -> Live {
        Live {
            header: RwSignal::new(None),
            summary: RwSignal::new(None),
            nodes: RwSignal::new(HashMap::new()),
            node_cells: StoredValue::new_local(HashMap::new()),
            log: RwSignal::new(Vec::new()),
            launches: RwSignal::new(Launches::default()),
            inspecting: RwSignal::new(None),
            drill: RwSignal::new(None),
            charts: RwSignal::new(Vec::new()),
            charts_open: RwSignal::new(false),
            trace: RwSignal::new(None),
            tracing: RwSignal::new(false),
            notable: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            refused: RwSignal::new(None),
            seed: RwSignal::new(1),
            length_s: RwSignal::new(600),
            experiment: RwSignal::new(None),
            study: RwSignal::new(None),
            replay: RwSignal::new(None),
            last_study: StoredValue::new(0),
            inject_open: RwSignal::new(None),
            components: StoredValue::new_local(Vec::new()),
            particles: StoredValue::new_local(Particles::default()),
            clock: StoredValue::new(ClockSync::default()),
            frames: RwSignal::new(0),
            worker: StoredValue::new_local(None),
            ready: StoredValue::new(false),
            asked: StoredValue::new_local(Vec::new()),
            last_question: StoredValue::new(0),
            queued: StoredValue::new(Vec::new()),
            expected_run: StoredValue::new(0),
        }
    }

    /// Sends a command (queued until the worker listens).
    pub fn send(self, cmd: Command) {
        if matches!(cmd, Command::Start { .. } | Command::Stop) {
            self.expected_run.update_value(|n| *n = n.wrapping_add(1));
            self.clear();
        }
        self.ensure_worker();
        if !self.ready.get_value() {
            self.queued.update_value(|q| q.push(cmd));
            return;
        }
        self.post(&cmd);
    }

    /// Injects a failure (or an operator action) into the run at its current time, written as
    /// the document writes experiment actions.
    pub fn inject(self, action: &strata_core::experiment::Action) -> Result<(), String> {
        let json = serde_json::to_string_pretty(action).map_err(|e| format!("The action could not be written: {e}"))?;
        self.send(Command::Inject { action: json });
        Ok(())
    }

    /// Asks the worker `question` about `design` (a topology document as JSON); `reply` gets the
    /// answer. Answered beside any run, whose state it does not touch.
    pub fn ask(self, design: String, question: Question, reply: impl FnOnce(Reply) + 'static) {
        let id = self.last_question.get_value().wrapping_add(1);
        self.last_question.set_value(id);
        self.asked.update_value(|a| a.push((id, Box::new(reply))));
        self.send(Command::Ask { id, design, question });
    }

    fn answered(self, value: JsValue) {
        let answer = match serde_wasm_bindgen::from_value::<Answer>(value) {
            Ok(a) => a,
            Err(e) => {
                web_sys::console::error_1(&format!("strata: an answer from the worker could not be read: {e}").into());
                return;
            }
        };
        let reply = self.asked.try_update_value(|a| {
            let at = a.iter().position(|(id, _)| *id == answer.id)?;
            Some(a.swap_remove(at).1)
        });
        if let Some(Some(reply)) = reply {
            reply(answer.reply);
        }
    }

    /// Starts a study beside the run (replacing any other): its progress and result arrive in
    /// [`Live::study`].
    pub fn start_study(self, job: StudyJob, charts: strata_worker::charts::ChartView) {
        self.cancel_study();
        let id = self.last_study.get_value().wrapping_add(1);
        self.last_study.set_value(id);
        let kind = job.kind();
        self.study.set(Some(StudyUpdate { id, kind, progress: 0.0, doing: "starting".into(), result: None }));
        self.send(Command::Study { id, job, charts });
    }

    /// Stops the study under way, if one is (a finished one is only forgotten).
    pub fn cancel_study(self) {
        let running = self.study.with_untracked(|s| s.as_ref().filter(|s| s.result.is_none()).map(|s| s.id));
        if let Some(id) = running {
            self.send(Command::CancelStudy { id });
        }
        self.study.set(None);
    }

    fn studied(self, value: JsValue) {
        match serde_wasm_bindgen::from_value::<StudyUpdate>(value) {
            // Updates of a study since replaced or cancelled are dropped.
            Ok(u) if self.study.with_untracked(|s| s.as_ref().is_some_and(|s| s.id == u.id && s.result.is_none())) => {
                self.study.set(Some(u))
            }
            Ok(_) => {}
            Err(e) => {
                web_sys::console::error_1(&format!("strata: a study's progress could not be read: {e}").into());
            }
        }
    }

    /// Component `id`'s figures as its badge shows them (without the window's end, the same for
    /// every badge): a signal of its own, set only when they change. A thousand badges each
    /// following the whole map made every refresh quadratic in the reactive graph (each memo
    /// leaving the map's list of subscribers as it ran again): 30 ms of a frame at 1,000
    /// components.
    pub fn figures_of(self, id: &str) -> ArcRwSignal<Option<NodeFigures>> {
        if let Some(cell) = self.node_cells.with_value(|m| m.get(id).cloned()) {
            return cell;
        }
        let cell = ArcRwSignal::new(self.nodes.with_untracked(|m| m.get(id).map(badge_figures)));
        self.node_cells.update_value(|m| {
            m.insert(id.to_string(), cell.clone());
        });
        cell
    }

    /// Brings the badges' own signals up to date: those of `ids`, or all of them.
    fn refresh_cells(self, ids: Option<&[String]>) {
        self.node_cells.with_value(|cells| {
            self.nodes.with_untracked(|figures| {
                let refresh = |id: &str, cell: &ArcRwSignal<Option<NodeFigures>>| {
                    let now = figures.get(id).map(badge_figures);
                    if cell.with_untracked(|shown| *shown != now) {
                        cell.set(now);
                    }
                };
                match ids {
                    Some(ids) => ids.iter().for_each(|id| {
                        if let Some(cell) = cells.get(id) {
                            refresh(id, cell);
                        }
                    }),
                    None => cells.iter().for_each(|(id, cell)| refresh(id, cell)),
                }
            })
        });
    }

    /// Traces one request of the run: its waterfall comes with a coming frame.
    pub fn trace_request(self, request: u64) {
        self.tracing.set(true);
        self.send(Command::Trace { request });
    }

    /// Follows an instance in the drill-down (or nothing).
    pub fn inspect(self, target: Option<(String, u32)>) {
        if self.inspecting.get_untracked() == target {
            return;
        }
        self.inspecting.set(target.clone());
        if target.is_none() {
            self.drill.set(None);
        }
        self.send(Command::Inspect { target });
    }

    fn post(self, cmd: &Command) {
        let Ok(value) = serde_wasm_bindgen::to_value(cmd) else { return };
        self.worker.with_value(|w| {
            if let Some(w) = w {
                let _ = w.post_message(&value);
            }
        });
    }

    /// Forgets what the last run showed.
    fn clear(self) {
        self.header.set(None);
        self.summary.set(None);
        self.nodes.set(HashMap::new());
        self.refresh_cells(None);
        self.log.set(Vec::new());
        self.launches.set(Launches::default());
        self.inspecting.set(None);
        self.drill.set(None);
        self.charts.set(Vec::new());
        self.trace.set(None);
        self.tracing.set(false);
        self.notable.set(Vec::new());
        self.problem.set(None);
        self.refused.set(None);
        self.particles.update_value(Particles::clear);
        self.clock.set_value(ClockSync::default());
    }

    fn ensure_worker(self) {
        if self.worker.with_value(Option::is_some) {
            return;
        }
        let worker = match Worker::new(WORKER_URL) {
            Ok(w) => w,
            Err(_) => {
                self.problem.set(Some("The browser could not start the simulation worker.".into()));
                return;
            }
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| self.receive(ev));
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            self.problem.set(Some("The simulation worker stopped with an error; reload the page to run again.".into()));
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        self.worker.set_value(Some(worker));
    }

    fn receive(self, ev: MessageEvent) {
        let data = ev.data();
        if data.as_string().as_deref() == Some(READY) {
            self.ready.set_value(true);
            for cmd in self.queued.try_update_value(std::mem::take).unwrap_or_default() {
                self.post(&cmd);
            }
            return;
        }
        if let Ok(answer) = js_sys::Reflect::get(&data, &ANSWER.into()) {
            if !answer.is_undefined() {
                return self.answered(answer);
            }
        }
        if let Ok(study) = js_sys::Reflect::get(&data, &STUDY.into()) {
            if !study.is_undefined() {
                return self.studied(study);
            }
        }
        let Ok(header) = js_sys::Reflect::get(&data, &"header".into()) else { return };
        let mut header = match serde_wasm_bindgen::from_value::<Header>(header) {
            Ok(h) => h,
            Err(e) => {
                web_sys::console::error_1(
                    &format!("strata: a frame from the simulation worker could not be read: {e}").into(),
                );
                return;
            }
        };
        if header.run != self.expected_run.get_value() {
            return; // a frame of a run that has since been replaced
        }
        if let Some(problem) = header.problem.take() {
            self.problem.set(Some(problem));
            self.header.set(None);
            return;
        }
        let segments = js_sys::Reflect::get(&data, &"segments".into())
            .ok()
            .and_then(|s| s.dyn_into::<js_sys::Float64Array>().ok())
            .map(|a| a.to_vec())
            .unwrap_or_default();
        if let Some(why) = header.refused.take() {
            self.refused.set(Some(why));
        } else if !header.injected_text.is_empty() {
            self.refused.set(None);
        }
        if header.rewound {
            // Requests that failed (or were slow) after the run's new point may not now.
            self.notable.set(Vec::new());
            self.particles.update_value(Particles::clear);
            self.log.set(Vec::new());
            self.launches.set(Launches::default());
        }
        if let Some(ids) = header.components.take() {
            self.components.set_value(ids);
        }
        let ns_per_ms = match (header.state, header.speed) {
            (PlayState::Playing, Speed::Times(x)) => x * 1e6,
            _ => 0.0,
        };
        let wall = crate::js::now_ms();
        self.clock.set_value(ClockSync { time_ns: header.time_ns as f64, wall_ms: wall, ns_per_ms });
        let min_span = match header.speed {
            Speed::Times(x) => DOT_MIN_WALL_MS * 1e6 * x,
            Speed::Max => 0.0,
        };
        self.particles.update_value(|p| {
            // Kept a simulated second back: the reduced-motion view counts calls over it.
            p.forget_before(header.time_ns as f64 - 1e9);
            p.add(&segments, min_span);
        });
        if let Some(s) = header.summary.take() {
            self.summary.set(Some(s));
        }
        if let Some(update) = header.nodes.take() {
            let changed: Option<Vec<String>> =
                (!update.complete).then(|| update.nodes.iter().map(|n| n.id.clone()).collect());
            self.nodes.update(|figures| update.apply(figures));
            self.refresh_cells(changed.as_deref());
        }
        let lines = std::mem::take(&mut header.log);
        if !lines.is_empty() {
            self.log.update(|log| {
                log.extend(lines);
                let extra = log.len().saturating_sub(LOG_KEEP);
                log.drain(..extra);
            });
        }
        if let Some(drill) = header.drill.take() {
            self.drill.set(Some(drill));
        }
        if let Some(charts) = header.charts.take() {
            self.charts.set(charts);
        }
        if let Some(trace) = header.trace.take() {
            self.trace.set(Some(trace));
            self.tracing.set(false);
        }
        let notable = std::mem::take(&mut header.notable);
        if !notable.is_empty() {
            self.notable.update(|list| {
                list.splice(0..0, notable.into_iter().rev());
                // The newest of each: slow answers are not crowded out by a burst of failures.
                let (mut slow, mut failed) = (0, 0);
                list.retain(|r| {
                    let n = if r.cause == "slow" { &mut slow } else { &mut failed };
                    *n += 1;
                    *n <= NOTABLE_KEEP
                });
            });
        }
        let steps = std::mem::take(&mut header.launches);
        if !steps.is_empty() {
            self.launches.update(|l| l.add(steps));
        }
        self.header.set(Some(header));
        self.frames.update(|n| *n += 1);
    }
}

/// Figures as a badge shows them: every badge covers the same window, said once by the layer.
fn badge_figures(f: &NodeFigures) -> NodeFigures {
    NodeFigures { window_end_s: 0.0, ..f.clone() }
}

/// Makes the live run available to the app.
pub fn provide_live() -> Live {
    let live = Live::new();
    provide_context(live);
    live
}

/// The app's live run.
pub fn use_live() -> Live {
    use_context::<Live>().unwrap_or_else(provide_live)
}
