//! The viewer's run: its engine worker, the diagram, the dots, the controls and the figures.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlCanvasElement, HtmlInputElement, HtmlSelectElement, MessageEvent, Worker};

use super::capture::{self, Capture, Format};
use super::host::{self, Params, Theme};
use super::walk::{self, Walk};
use crate::editor::geom::{Point, Rect, Viewport};
use crate::editor::model::doc_from_json;
use crate::editor::scene::{self, Scene};
use crate::editor::svg_export::{self, SvgOptions};
use crate::js;
use crate::live::client::ClockSync;
use crate::live::paint::{self, Geometry, Look};
use crate::live::particles::Particles;
use crate::live::raster::Raster;

/// Margin around the diagram, world units.
const MARGIN: f64 = 24.0;
/// How long a run lasts, simulated seconds.
const DURATION_S: f64 = 600.0;

/// How long a walkthrough's run goes on after its last step's time, s.
const AFTER_LAST_STEP_S: f64 = 300.0;
/// A dot is on screen at least this long, wall ms (as in the app).
const DOT_MIN_WALL_MS: f64 = 400.0;
/// Least wall time between two `frame` messages to the embedding page, ms.
const FRAME_POST_MS: f64 = 100.0;

/// The page's elements the viewer fills in.
struct Dom {
    root: Element,
    diagram: Element,
    canvas: HtmlCanvasElement,
    play: Element,
    seek: HtmlInputElement,
    clock: Element,
    speed: HtmlSelectElement,
    experiment: HtmlSelectElement,
    figures: Element,
    problem: Element,
    walk: Element,
    walk_count: Element,
    walk_title: Element,
    walk_layer: Element,
    walk_text: Element,
    laser: Element,
    export: Element,
}

impl Dom {
    fn find(d: &Document) -> Result<Dom, String> {
        let get = |id: &str| d.get_element_by_id(id).ok_or_else(|| format!("the page has no #{id}"));
        Ok(Dom {
            root: get("sv")?,
            diagram: get("sv-diagram")?,
            canvas: get("sv-dots")?.dyn_into().map_err(|_| "#sv-dots is not a canvas")?,
            play: get("sv-play")?,
            seek: get("sv-seek")?.dyn_into().map_err(|_| "#sv-seek is not an input")?,
            clock: get("sv-clock")?,
            speed: get("sv-speed")?.dyn_into().map_err(|_| "#sv-speed is not a select")?,
            experiment: get("sv-experiment")?.dyn_into().map_err(|_| "#sv-experiment is not a select")?,
            figures: get("sv-figures")?,
            problem: get("sv-problem")?,
            walk: get("sv-walk")?,
            walk_count: get("sv-walk-count")?,
            walk_title: get("sv-walk-title")?,
            walk_layer: get("sv-walk-layer")?,
            walk_text: get("sv-walk-text")?,
            laser: get("sv-laser")?,
            export: get("sv-export")?,
        })
    }
}

/// The viewer's state.
pub(super) struct Viewer {
    pub(super) params: Params,
    dom: Dom,
    worker: Worker,
    worker_ready: bool,
    /// The document's text, once loaded.
    design: Option<String>,
    /// The run was started (its frames are drawn).
    started: bool,
    /// What to do once the run starts: play, and go to this time (ms).
    want_play: bool,
    want_seek: Option<u64>,
    scene: Option<Scene>,
    /// The diagram's SVG, without a highlight.
    svg: String,
    /// The diagram's world box (with its margin), and the part the camera shows.
    whole: Rect,
    world: Rect,
    /// The document's walkthrough, at its step.
    walk: Option<Walk>,
    /// Presenter mode: full screen, large type, steps on the arrows.
    presenting: bool,
    /// The diagram's size on screen, CSS px, measured once after each change of layout (a
    /// paint never asks: that would force a layout every display frame).
    size: Option<(f64, f64)>,
    /// A GIF export under way, and the last one stopped (kept until the next begins: its
    /// handlers may be running when it stops).
    capture: Option<Capture>,
    retired: Option<Capture>,
    /// Time may pass without the reader asking: `?autoplay`, or once they played, stepped or
    /// sought (a walkthrough's first step waits for them otherwise).
    moving: bool,
    dark: bool,
    reduced: bool,
    components: Vec<String>,
    geo: Geometry,
    particles: Particles,
    clock: ClockSync,
    playing: bool,
    time_ns: u64,
    sample_every: u64,
    raster: Raster,
    scratch: BTreeMap<Look, Vec<(f64, f64)>>,
    counts: Vec<u32>,
    last_post_ms: f64,
    /// A display frame is requested.
    animating: bool,
    frame_cb: Option<Rc<Closure<dyn FnMut()>>>,
}

impl Viewer {
    pub(super) fn new(params: Params) -> Result<Viewer, String> {
        let window = web_sys::window().ok_or("no window")?;
        let document = window.document().ok_or("no document")?;
        let dom = Dom::find(&document)?;
        let matches = |q: &str| window.match_media(q).ok().flatten().is_some_and(|m| m.matches());
        let dark = match params.theme {
            Theme::Dark => true,
            Theme::Light => false,
            Theme::Auto => matches("(prefers-color-scheme: dark)"),
        };
        let _ = dom.root.set_attribute("data-theme", if dark { "dark" } else { "light" });
        let worker = super::engine::spawn(&document)?;
        Ok(Viewer {
            want_play: params.autoplay,
            moving: params.autoplay,
            params,
            dom,
            worker,
            worker_ready: false,
            design: None,
            started: false,
            want_seek: None,
            scene: None,
            svg: String::new(),
            whole: Rect { x: 0.0, y: 0.0, w: 1.0, h: 1.0 },
            world: Rect { x: 0.0, y: 0.0, w: 1.0, h: 1.0 },
            walk: None,
            presenting: false,
            size: None,
            capture: None,
            retired: None,
            dark,
            reduced: matches("(prefers-reduced-motion: reduce)"),
            components: Vec::new(),
            geo: Geometry::default(),
            particles: Particles::default(),
            clock: ClockSync { time_ns: 0.0, wall_ms: 0.0, ns_per_ms: 0.0 },
            playing: false,
            time_ns: 0,
            sample_every: 1,
            raster: Raster::default(),
            scratch: BTreeMap::new(),
            counts: Vec::new(),
            last_post_ms: f64::NEG_INFINITY,
            animating: false,
            frame_cb: None,
        })
    }

    /// Shows why the viewer cannot play (and tells the embedding page).
    pub(super) fn problem(&self, text: &str) {
        self.dom.problem.set_text_content(Some(text));
        let _ = self.dom.problem.remove_attribute("hidden");
        let _ = self.dom.root.set_attribute("data-state", "error");
        host::post(self.params.embed.as_deref(), "error", &[("message", text.into())]);
    }

    fn send(&self, fields: &[(&str, JsValue)]) {
        let message = js_sys::Object::new();
        for (k, v) in fields {
            let _ = js_sys::Reflect::set(&message, &(*k).into(), v);
        }
        let _ = self.worker.post_message(&message);
    }

    /// The pace chosen, as the worker reads it.
    fn speed(&self) -> JsValue {
        match self.dom.speed.value().parse::<f64>() {
            Ok(x) if x > 0.0 => {
                let o = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&o, &"Times".into(), &x.into());
                o.into()
            }
            _ => "Max".into(),
        }
    }

    /// Starts the run from 0 s once both the document and the worker are there (at its
    /// walkthrough's step, when it has one).
    fn start(&mut self) {
        if let Some(k) = self.walk.as_ref().map(|w| w.step) {
            return self.apply_step(k);
        }
        self.start_run();
    }

    /// How long the run lasts, s: [`DURATION_S`], or longer for a walkthrough with a later step
    /// (until [`AFTER_LAST_STEP_S`] past its last step's time).
    fn duration_s(&self) -> f64 {
        let last = self.walk.as_ref().map_or(0.0, |w| w.w.steps.iter().filter_map(|s| s.at_s).fold(0.0, f64::max));
        DURATION_S.max(last + AFTER_LAST_STEP_S)
    }

    /// Starts the run from 0 s with the experiment chosen.
    fn start_run(&mut self) {
        let (Some(design), true) = (self.design.clone(), self.worker_ready) else { return };
        let experiment = Some(self.dom.experiment.value()).filter(|e| !e.is_empty());
        self.send(&[
            ("type", "start".into()),
            ("design", design.into()),
            ("seed", (self.params.seed as f64).into()),
            ("experiment", experiment.map_or(JsValue::NULL, JsValue::from)),
            ("duration_s", self.duration_s().into()),
            ("speed", self.speed()),
            ("paused", (!self.want_play || self.want_seek.is_some()).into()),
        ]);
        self.started = true;
        self.particles.clear();
        if let Some(ms) = self.want_seek.take() {
            self.send(&[("type", "seek".into()), ("ms", (ms as f64).into())]);
            if self.want_play {
                self.send(&[("type", "play".into())]);
            }
        }
    }

    /// Plays (`true`) or pauses.
    pub(super) fn play(&mut self, on: bool) {
        self.moving |= on;
        self.want_play = on;
        if self.started {
            self.send(&[("type", if on { "play" } else { "pause" }.into())]);
        }
    }

    /// The same run again from 0 s (same seed and experiment: the same figures), playing; with
    /// a walkthrough, its first step.
    pub(super) fn restart(&mut self) {
        self.moving = true;
        self.want_play = true;
        if let Some(w) = self.walk.as_mut() {
            w.step = 0;
        }
        self.start();
    }

    /// Goes `by` steps forward (or back) in the walkthrough.
    pub(super) fn step_by(&mut self, by: isize) {
        self.moving = true;
        if let Some(k) = self.walk.as_ref().map(|w| w.clamp(w.step as isize + by)) {
            self.apply_step(k);
        }
    }

    /// Shows step `k` of the walkthrough and runs it: the experiment in force restarted, the
    /// step's time, its speed, then time passing if it plays, until its condition holds. The
    /// same step always shows the same figures.
    pub(super) fn apply_step(&mut self, k: usize) {
        let Some(w) = self.walk.as_mut() else { return };
        let k = w.clamp(k as isize);
        w.step = k;
        let step = w.w.steps[k].clone();
        let run = w.w.run_at(k);
        w.until = step.until.clone();
        let count = w.w.steps.len();
        self.dom.walk_count.set_text_content(Some(&format!("{} / {count}", k + 1)));
        self.dom.walk_title.set_text_content(Some(&step.title));
        self.dom.walk_layer.set_text_content(step.layer.map(|l| l.label()));
        self.dom.walk_text.set_text_content(Some(&step.narration));
        let _ = self.dom.walk.set_attribute("data-step", &k.to_string());
        let _ = self.dom.root.remove_attribute("data-until");
        if let Some(s) = &self.scene {
            let accent = if self.dark { "#6ea0ff" } else { "#2f6fdb" };
            let svg =
                self.svg.replacen("</svg>", &format!("{}</svg>", walk::highlight_svg(s, &step.highlight, accent)), 1);
            self.dom.diagram.set_inner_html(&svg);
            self.world = walk::camera(s, &step.focus, self.whole);
            let r = self.world;
            if let Some(svg) = self.dom.diagram.first_element_child() {
                let _ = svg.set_attribute("viewBox", &format!("{:.1} {:.1} {:.1} {:.1}", r.x, r.y, r.w, r.h));
            }
        }
        self.dom.experiment.set_value(run.experiment.as_deref().unwrap_or(""));
        if let Some(x) = step.speed {
            self.dom.speed.set_value(&x.to_string());
            if self.dom.speed.value().is_empty() {
                // A pace the menu does not offer: offered for this step.
                let o = format!(r#"<option value="{x}">{x}×</option>"#);
                let _ = self.dom.speed.insert_adjacent_html("beforeend", &o);
                self.dom.speed.set_value(&x.to_string());
            }
        }
        self.want_play = step.play && self.moving;
        // A time the embedding page asked for before the run started wins over the step's.
        let asked = self.want_seek.take().filter(|_| !self.started);
        self.want_seek = asked.or((run.at_s > 0.0).then_some((run.at_s * 1000.0).round() as u64));
        self.start_run();
    }

    /// The walkthrough's condition, read from a client's row of the figures: once it holds, the
    /// run pauses there.
    fn check_until(&mut self, clients: &JsValue) {
        let Some(until) = self.walk.as_ref().and_then(|w| w.until.as_ref()) else { return };
        let at = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let row = js_sys::Array::from(clients)
            .iter()
            .find(|r| at(r, "id").as_string().as_deref() == Some(until.component.as_str()));
        let Some(row) = row else { return };
        let requests = at(&row, "requests").as_f64().unwrap_or(0.0) as u64;
        let success = at(&row, "success").as_f64();
        let p99 = at(&row, "p99_ms").as_f64().unwrap_or(0.0);
        if until.holds(requests, success, p99) {
            if let Some(w) = self.walk.as_mut() {
                w.until = None;
            }
            let _ = self.dom.root.set_attribute("data-until", "reached");
            self.play(false);
        }
    }

    /// Shows the export's progress (or result) under the controls.
    fn export_status(&self, text: &str, attrs: &[(&str, String)]) {
        let _ = self.dom.export.remove_attribute("hidden");
        if let Some(t) = self.dom.export.first_element_child() {
            t.set_text_content(Some(text));
        }
        for (k, v) in attrs {
            let _ = self.dom.export.set_attribute(k, v);
        }
    }

    /// The encoder and the diagram's image are ready: the first frame, at the time shown.
    fn begin_capture(&mut self) {
        let Some(c) = self.capture.as_mut().filter(|c| c.ready() && c.taken == 0) else { return };
        c.begin();
        c.next_ns = self.time_ns;
        self.take_frame();
    }

    /// Takes the frame of the time shown, then steps the run to the next one (or ends the
    /// clip). A recording holds each frame 100 ms of wall time before the next step.
    fn take_frame(&mut self) {
        self.paint();
        let dots = self.dom.canvas.clone();
        let Some(c) = self.capture.as_mut() else { return };
        c.take(&dots);
        let (taken, format) = (c.taken, c.format);
        if taken >= capture::FRAMES {
            c.end();
        } else if format == Format::Gif {
            self.step_capture();
        } else {
            let worker = self.worker.clone();
            let step = Closure::once_into_js(move || {
                let _ = worker.post_message(&step_command());
            });
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    step.unchecked_ref(),
                    capture::STEP_MS as i32,
                );
            }
        }
        self.capture_progress();
    }

    /// Steps the run to the clip's next frame.
    fn step_capture(&self) {
        let _ = self.worker.post_message(&step_command());
    }

    /// The export's progress in words.
    fn capture_progress(&self) {
        let Some(c) = self.capture.as_ref() else { return };
        let text = match c.format {
            Format::Gif => format!("GIF: frame {} of {} taken, {} encoded", c.taken, capture::FRAMES, c.encoded),
            Format::Webm => format!("WebM: frame {} of {} recorded", c.taken, capture::FRAMES),
        };
        self.export_status(&text, &[]);
    }

    /// The export is done: `blob` offered as a file, and what it is said (and kept in `data-`
    /// attributes for tests).
    fn capture_done(&mut self, blob: &web_sys::Blob, frames: f64) {
        let Some(format) = self.capture.as_ref().map(|c| c.format) else { return };
        let ms = self.capture.as_ref().map_or(0.0, |c| js::now_ms() - c.started_ms);
        if let Some(c) = self.capture.take() {
            c.stop();
            self.retired = Some(c);
        }
        let size = blob.size();
        let _ = capture::download(blob, format.file().0);
        self.export_status(
            &format!(
                "{} saved: {frames} frames, {} x {}, {:.2} MB, made in {:.1} s",
                format.label(),
                capture::WIDTH,
                capture::HEIGHT,
                size / 1e6,
                ms / 1e3
            ),
            &[
                ("data-state", "done".into()),
                ("data-format", format.label().to_lowercase()),
                ("data-bytes", size.to_string()),
                ("data-frames", frames.to_string()),
                ("data-ms", format!("{ms:.0}")),
            ],
        );
    }

    /// The recorder stopped: the video is complete.
    fn on_recorded(&mut self) {
        let Some((video, frames)) = self.capture.as_ref().and_then(|c| Some((c.video()?, c.taken))) else { return };
        self.capture_done(&video, f64::from(frames));
    }

    /// A message of the GIF worker: ready, progress, the file or an error.
    fn on_gif(&mut self, data: &JsValue) {
        let get = |k: &str| js_sys::Reflect::get(data, &k.into()).unwrap_or(JsValue::UNDEFINED);
        if data.as_string().as_deref() == Some(strata_worker::worker::READY) {
            if let Some(c) = self.capture.as_mut() {
                c.sink_ready = true;
            }
            return self.begin_capture();
        }
        if let Some(n) = get("progress").as_f64() {
            if let Some(c) = self.capture.as_mut() {
                c.encoded = n as u32;
            }
            self.capture_progress();
        } else if let Some(why) = get("error").as_string() {
            self.cancel_capture();
            self.export_status(&format!("The GIF could not be made: {why}"), &[("data-state", "error".into())]);
        } else if get("done").is_object() {
            let frames = get("frames").as_f64().unwrap_or(0.0);
            match capture::gif_blob(&js_sys::Uint8Array::new(&get("done"))) {
                Ok(blob) => self.capture_done(&blob, frames),
                Err(e) => {
                    self.cancel_capture();
                    let why = js::error_text(&e);
                    self.export_status(
                        &format!("The GIF could not be saved: {why}"),
                        &[("data-state", "error".into())],
                    );
                }
            }
        }
    }

    /// Stops an export under way (nothing is kept).
    pub(super) fn cancel_capture(&mut self) {
        if let Some(c) = self.capture.take() {
            c.stop();
            let label = c.format.label();
            self.retired = Some(c);
            self.export_status(&format!("{label} export cancelled."), &[("data-state", "cancelled".into())]);
        }
    }

    /// Presenter mode on or off: full screen (where the browser allows), large type.
    pub(super) fn present(&mut self, on: bool) {
        self.presenting = on;
        self.size = None;
        let _ = self.dom.root.class_list().toggle_with_force("present", on);
        let document = web_sys::window().and_then(|w| w.document());
        if on {
            let _ = self.dom.root.request_fullscreen();
        } else if let Some(d) = document.filter(|d| d.fullscreen_element().is_some()) {
            d.exit_fullscreen();
        }
    }

    /// Goes to `ms` simulated milliseconds (paused there).
    pub(super) fn seek(&mut self, ms: u64) {
        if self.started {
            self.send(&[("type", "seek".into()), ("ms", (ms as f64).into())]);
        } else {
            self.want_seek = Some(ms);
        }
    }

    /// Shows the document: its diagram, its experiments; then starts the run.
    fn show(&mut self, text: String) {
        let doc = match doc_from_json(&text) {
            Ok(d) => d,
            Err(e) => return self.problem(&format!("This design cannot be shown: {e}")),
        };
        let s = scene::build(&doc);
        let opts = SvgOptions { background: None, dark: self.dark, margin: MARGIN };
        let (svg, w, h) = svg_export::render(&s, &opts);
        let b = s.bounds.unwrap_or_default().inflate(MARGIN);
        self.whole = Rect { x: b.x, y: b.y, w, h };
        self.world = self.whole;
        self.dom.diagram.set_inner_html(&svg);
        self.svg = svg;
        self.size = None;
        self.walk = match doc.topology.walkthrough() {
            Some(Ok(w)) if !w.steps.is_empty() => {
                let step = self.params.step.min(w.steps.len() - 1);
                Some(Walk { w, step, until: None })
            }
            Some(Err(e)) => {
                self.problem(&format!("The walkthrough cannot be played: {e}"));
                None
            }
            _ => None,
        };
        let _ = if self.walk.is_some() {
            self.dom.walk.remove_attribute("hidden")
        } else {
            self.dom.walk.set_attribute("hidden", "")
        };
        let title = doc.topology.name.trim();
        let _ = self.dom.root.set_attribute("aria-label", if title.is_empty() { "Strata live diagram" } else { title });
        let names = doc.topology.experiment_names();
        let mut options = String::from(r#"<option value="">No experiment</option>"#);
        for n in &names {
            let n = strata_worker::html::escape(n);
            options.push_str(&format!(r#"<option value="{n}">{n}</option>"#));
        }
        self.dom.experiment.set_inner_html(&options);
        if let Some(e) = self.params.experiment.as_ref().filter(|e| names.contains(e)) {
            self.dom.experiment.set_value(e);
        }
        let _ = if names.is_empty() {
            self.dom.experiment.set_attribute("hidden", "")
        } else {
            self.dom.experiment.remove_attribute("hidden")
        };
        self.scene = Some(s);
        self.design = Some(text);
        self.post_size();
        self.start();
    }

    /// Tells the embedding page the height its width needs (diagram and controls).
    fn post_size(&self) {
        let Some(window) = web_sys::window() else { return };
        let width = window.inner_width().ok().and_then(|w| w.as_f64()).unwrap_or(1.0).max(1.0);
        let bar =
            self.dom.root.get_bounding_client_rect().height() - self.dom.diagram.get_bounding_client_rect().height();
        let aspect = self.whole.h / self.whole.w + bar.max(0.0) / width;
        host::post(self.params.embed.as_deref(), "size", &[("aspect", aspect.into())]);
    }

    /// A frame from the worker.
    fn on_frame(&mut self, header: &JsValue, segments: Option<js_sys::Float64Array>) {
        let get = |k: &str| js_sys::Reflect::get(header, &k.into()).unwrap_or(JsValue::UNDEFINED);
        if let Some(p) = get("problem").as_string() {
            self.problem(&p);
        }
        if get("rewound").as_bool() == Some(true) {
            self.particles.clear();
        }
        let ids = get("components");
        if ids.is_array() {
            self.components = js_sys::Array::from(&ids).iter().filter_map(|x| x.as_string()).collect();
            if let Some(s) = &self.scene {
                self.geo = Geometry::new(&s.edges, &self.components);
            }
        }
        let time_ns = get("time_ns").as_f64().unwrap_or(0.0);
        let duration_ns = get("duration_ns").as_f64().unwrap_or(0.0);
        let state = get("state").as_string().unwrap_or_default();
        let speed = js_sys::Reflect::get(&get("speed"), &"Times".into()).ok().and_then(|x| x.as_f64());
        self.sample_every = get("sample_every").as_f64().unwrap_or(1.0) as u64;
        self.playing = state == "playing";
        self.time_ns = time_ns as u64;
        let ns_per_ms = if self.playing { speed.unwrap_or(0.0) * 1e6 } else { 0.0 };
        self.clock = ClockSync { time_ns, wall_ms: js::now_ms(), ns_per_ms };
        if let Some(seg) = segments {
            self.particles.forget_before(time_ns - 1e9);
            self.particles.add(&seg.to_vec(), speed.map_or(0.0, |x| DOT_MIN_WALL_MS * 1e6 * x));
        }
        // The controls and the figures.
        let _ = self.dom.root.set_attribute("data-state", &state);
        let _ = self.dom.root.set_attribute("data-time-ns", &self.time_ns.to_string());
        // The worker's number for the run (a step, a restart or an experiment starts another).
        let _ = self.dom.root.set_attribute("data-run", &get("run").as_f64().unwrap_or(0.0).to_string());
        self.dom.play.set_text_content(Some(if self.playing { "Pause" } else { "Play" }));
        self.dom.seek.set_max(&format!("{}", (duration_ns / 1e6).round()));
        self.dom.seek.set_value(&format!("{}", (time_ns / 1e6).round()));
        self.dom.clock.set_text_content(Some(&crate::shell::run_panel::stamp(self.time_ns)));
        if self.capture.as_ref().is_some_and(|c| c.taken > 0 && c.next_ns == self.time_ns) && state == "paused" {
            self.take_frame();
        }
        let summary = get("summary");
        if summary.is_object() {
            self.show_figures(&summary);
            self.check_until(&js_sys::Reflect::get(&summary, &"clients".into()).unwrap_or(JsValue::UNDEFINED));
        }
        let now = js::now_ms();
        if now - self.last_post_ms >= FRAME_POST_MS || !self.playing {
            self.last_post_ms = now;
            host::post(
                self.params.embed.as_deref(),
                "frame",
                &[
                    ("timeNs", time_ns.into()),
                    ("durationNs", duration_ns.into()),
                    ("state", state.into()),
                    ("step", self.walk.as_ref().map_or(JsValue::NULL, |w| (w.step as f64).into())),
                ],
            );
        }
    }

    /// The first client population's requests and success share, as the engine counts them.
    fn show_figures(&self, summary: &JsValue) {
        let at = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let clients = at(summary, "clients");
        let first = js_sys::Array::from(&clients).get(0);
        if !first.is_object() {
            return;
        }
        let requests = at(&first, "requests").as_f64().unwrap_or(0.0);
        let success = at(&first, "success").as_f64();
        let _ =
            self.dom.figures.set_attribute("data-time-ns", &at(summary, "time_ns").as_f64().unwrap_or(0.0).to_string());
        let _ = self.dom.figures.set_attribute("data-requests", &requests.to_string());
        let text = match success {
            Some(s) => format!("{requests:.0} requests · {:.2}% answered", s * 100.0),
            None => format!("{requests:.0} requests"),
        };
        self.dom.figures.set_text_content(Some(&text));
    }

    /// Draws the dots for now.
    fn paint(&mut self) {
        let diagram = &self.dom.diagram;
        let (w, h) = *self.size.get_or_insert_with(|| {
            let r = diagram.get_bounding_client_rect();
            (r.width().max(1.0), r.height().max(1.0))
        });
        let canvas = &self.dom.canvas;
        let dpr = if self.reduced { web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()) } else { 1.0 };
        let Some(ctx) = paint::sized_context(canvas, w, h, dpr) else { return };
        let zoom = w / self.world.w;
        let vp = Viewport { pan: Point::new(-self.world.x * zoom, -self.world.y * zoom), zoom };
        self.counts.resize(self.geo.paths.len(), 0);
        if self.reduced {
            let sample = self.sample_every;
            paint::draw_still(
                &ctx,
                &self.particles,
                (self.clock.time_ns, sample),
                &self.geo,
                (w, h, vp, dpr),
                &mut self.counts,
            );
        } else {
            let t = self.clock.at(js::now_ms());
            paint::draw(
                &mut self.raster,
                &self.particles,
                t,
                &self.geo,
                (w, h, vp),
                &mut self.scratch,
                &mut self.counts,
                None,
            );
            paint::put(&ctx, &self.raster);
        }
        let total: u32 = self.counts.iter().sum();
        let _ = canvas.set_attribute("data-dots", &total.to_string());
    }
}

/// Loads the document `text` into the viewer.
pub(super) fn load(viewer: &Rc<RefCell<Viewer>>, text: String) {
    viewer.borrow_mut().show(text);
    request_frame(viewer);
}

/// Asks for a display frame (one at a time).
fn request_frame(viewer: &Rc<RefCell<Viewer>>) {
    let mut v = viewer.borrow_mut();
    if v.animating {
        return;
    }
    let Some(cb) = v.frame_cb.clone() else { return };
    v.animating = true;
    if let Some(w) = web_sys::window() {
        let _ = w.request_animation_frame(cb.as_ref().as_ref().unchecked_ref());
    }
}

/// Wires the worker, the display frames and the controls to the viewer.
pub(super) fn wire(viewer: &Rc<RefCell<Viewer>>) {
    // Display frames: one paint each, again while the run plays.
    let frame = {
        let v = viewer.clone();
        Rc::new(Closure::<dyn FnMut()>::new(move || {
            let again = {
                let mut x = v.borrow_mut();
                x.animating = false;
                x.paint();
                x.playing
            };
            if again {
                request_frame(&v);
            }
        }))
    };
    viewer.borrow_mut().frame_cb = Some(frame);
    let on_message = {
        let v = viewer.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            if data.as_string().as_deref() == Some(strata_worker::worker::READY) {
                let mut x = v.borrow_mut();
                x.worker_ready = true;
                x.start();
                return;
            }
            if let Some(why) =
                js_sys::Reflect::get(&data, &super::engine::ENGINE_ERROR.into()).ok().and_then(|w| w.as_string())
            {
                return v.borrow_mut().problem(&format!("The engine could not start: {why}"));
            }
            let header = js_sys::Reflect::get(&data, &"header".into()).unwrap_or(JsValue::UNDEFINED);
            if header.is_object() {
                let segments = js_sys::Reflect::get(&data, &"segments".into()).ok().and_then(|s| s.dyn_into().ok());
                v.borrow_mut().on_frame(&header, segments);
                request_frame(&v);
            }
        })
    };
    viewer.borrow().worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The worker failed: its script could not be loaded (a plain event: say, a
    // Content-Security-Policy without `worker-src blob:`) or it threw (an error event).
    let on_error = {
        let v = viewer.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            let why = js_sys::Reflect::get(&ev, &"message".into()).ok().and_then(|m| m.as_string());
            v.borrow_mut().problem(&match why {
                Some(m) => format!("The engine stopped: {m}"),
                None => "The engine could not start: its script was refused (does a Content-Security-Policy allow worker-src blob:?)".into(),
            });
        })
    };
    viewer.borrow().worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    let on = |el: &Element, event: &str, f: Box<dyn FnMut(web_sys::Event)>| {
        let c = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        let _ = el.add_event_listener_with_callback(event, c.as_ref().unchecked_ref());
        c.forget();
    };
    let dom = {
        let x = viewer.borrow();
        (x.dom.play.clone(), x.dom.seek.clone(), x.dom.speed.clone(), x.dom.experiment.clone(), x.dom.root.clone())
    };
    let v = viewer.clone();
    on(
        &dom.0,
        "click",
        Box::new(move |_| {
            let playing = v.borrow().playing;
            v.borrow_mut().play(!playing);
        }),
    );
    let v = viewer.clone();
    if let Some(restart) = by_id("sv-restart") {
        on(&restart, "click", Box::new(move |_| v.borrow_mut().restart()));
    }
    let v = viewer.clone();
    let seek = dom.1.clone();
    on(
        &dom.1,
        "change",
        Box::new(move |_| {
            if let Ok(ms) = seek.value().parse::<f64>() {
                v.borrow_mut().seek(ms as u64);
            }
        }),
    );
    let v = viewer.clone();
    on(
        &dom.2,
        "change",
        Box::new(move |_| {
            let x = v.borrow();
            let speed = x.speed();
            x.send(&[("type", "set_speed".into()), ("speed", speed)]);
        }),
    );
    let v = viewer.clone();
    on(&dom.3, "change", Box::new(move |_| v.borrow_mut().restart()));
    // Space plays and pauses; Home restarts.
    let v = viewer.clone();
    on(
        &dom.4,
        "keydown",
        Box::new(move |ev| {
            let Some(k) = ev.dyn_ref::<web_sys::KeyboardEvent>() else { return };
            let on_control = k
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .is_some_and(|e| matches!(e.tag_name().as_str(), "SELECT" | "INPUT" | "BUTTON"));
            if on_control || k.ctrl_key() || k.meta_key() || k.alt_key() {
                return;
            }
            let (presenting, walking) = {
                let x = v.borrow();
                (x.presenting, x.walk.is_some())
            };
            match k.key().as_str() {
                // Presenter remotes send the arrows, Page Up/Down and space.
                "ArrowRight" | "PageDown" if walking => v.borrow_mut().step_by(1),
                " " if walking && presenting => v.borrow_mut().step_by(1),
                "ArrowLeft" | "PageUp" if walking => v.borrow_mut().step_by(-1),
                " " => {
                    let playing = v.borrow().playing;
                    v.borrow_mut().play(!playing);
                }
                "Home" | "r" => v.borrow_mut().restart(),
                "p" => v.borrow_mut().present(!presenting),
                "Escape" if presenting => v.borrow_mut().present(false),
                "l" => {
                    let laser = v.borrow().dom.laser.clone();
                    let _ = laser.toggle_attribute("hidden");
                }
                _ => return,
            }
            ev.prevent_default();
        }),
    );
    for (id, by) in [("sv-walk-prev", -1), ("sv-walk-next", 1)] {
        let v = viewer.clone();
        if let Some(b) = by_id(id) {
            on(&b, "click", Box::new(move |_| v.borrow_mut().step_by(by)));
        }
    }
    let v = viewer.clone();
    if let Some(b) = by_id("sv-present") {
        on(
            &b,
            "click",
            Box::new(move |_| {
                let on = !v.borrow().presenting;
                v.borrow_mut().present(on);
            }),
        );
    }
    // The GIF export: 10 s from the time shown; Cancel stops it.
    let v = viewer.clone();
    if let Some(b) = by_id("sv-gif") {
        on(&b, "click", Box::new(move |_| start_capture(&v, Format::Gif)));
    }
    // A WebM where the browser's MediaRecorder records a canvas.
    let v = viewer.clone();
    if let Some(b) = by_id("sv-webm") {
        if capture::webm_supported() {
            let _ = b.remove_attribute("hidden");
        }
        on(&b, "click", Box::new(move |_| start_capture(&v, Format::Webm)));
    }
    let v = viewer.clone();
    if let Some(b) = by_id("sv-export-cancel") {
        on(&b, "click", Box::new(move |_| v.borrow_mut().cancel_capture()));
    }
    // The laser pointer follows the pointer over the viewer.
    let laser = viewer.borrow().dom.laser.clone();
    on(
        &dom.4,
        "pointermove",
        Box::new(move |ev| {
            if let Some(p) = ev.dyn_ref::<web_sys::PointerEvent>() {
                let _ = laser.set_attribute("style", &format!("left:{}px;top:{}px", p.client_x(), p.client_y()));
            }
        }),
    );
    // The embedding page learns the new height when the width changes.
    let v = viewer.clone();
    let resized = Closure::<dyn FnMut()>::new(move || {
        let mut x = v.borrow_mut();
        x.size = None;
        x.post_size();
        drop(x);
        request_frame(&v);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("resize", resized.as_ref().unchecked_ref());
    }
    resized.forget();
}

/// The worker's command for one step of a clip.
fn step_command() -> JsValue {
    let m = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&m, &"type".into(), &"step".into());
    let _ = js_sys::Reflect::set(&m, &"ms".into(), &(capture::STEP_MS as f64).into());
    m.into()
}

/// Starts an export of the run from the time shown as `format` (the run pauses for it).
fn start_capture(viewer: &Rc<RefCell<Viewer>>, format: Format) {
    if viewer.borrow().capture.is_some() || !viewer.borrow().started {
        return;
    }
    viewer.borrow_mut().play(false);
    let (svg, dark, from) = {
        let v = viewer.borrow();
        (v.dom.diagram.inner_html(), v.dark, v.time_ns)
    };
    let v = viewer.clone();
    let on_sink = Box::new(move |ev: web_sys::Event| match ev.dyn_ref::<MessageEvent>() {
        Some(m) => v.borrow_mut().on_gif(&m.data()),
        None => v.borrow_mut().on_recorded(),
    });
    let v = viewer.clone();
    let on_image = Box::new(move |_| {
        if let Some(c) = v.borrow_mut().capture.as_mut() {
            c.image_ready = true;
        }
        v.borrow_mut().begin_capture();
    });
    let label = format.label();
    match Capture::new(&svg, dark, from, format, on_sink, on_image) {
        Ok(c) => {
            let mut x = viewer.borrow_mut();
            x.retired = None;
            x.capture = Some(c);
            x.export_status(&format!("{label}: starting…"), &[("data-state", "capturing".into())]);
        }
        Err(e) => viewer
            .borrow()
            .export_status(&format!("The {label} could not be made: {e}"), &[("data-state", "error".into())]),
    }
}

/// The page's element with this id.
fn by_id(id: &str) -> Option<Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}
