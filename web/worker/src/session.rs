//! The engine's side of a live run, as the Web Worker drives it: commands in, frames out. Pure
//! (the caller passes the wall clock), so it is tested natively.
//!
//! Pacing never changes results: the run advances a *target* simulated time by the wall-clock
//! time that passed times the speed, in whole milliseconds, and the engine works towards it for a
//! bounded slice of wall time per pump, so a heavy design falls behind (and says so) instead of
//! blocking. Pauses, steps and seeks land on whole milliseconds, so a paused run can be compared
//! with `strata-sim run --duration <ms>ms` on the same design and seed.
//!
//! Same design + same seed = same run, so a seek re-simulates rather than remembers: the run
//! keeps [`Keyframes`] (clones of the engine taken as it advances) and a seek backward goes to
//! the latest keyframe at or before its time and re-simulates from there, in the same slices as
//! play.

use std::collections::HashMap;

use strata_core::experiment::{check_action, check_timing, Action, Experiment};
use strata_core::layers::launch::LaunchPhase;
use strata_core::sim::{
    HopKind, JourneyEvent, LifecycleEvent, Observation, ObservationKind, Observed, ScalingAction, ScalingActivity,
    SimConfig, Simulation, StreamCursor,
};
use strata_core::time::{Duration, SimTime};
use strata_core::topology::{ComponentSpec, Topology};
use strata_core::validate::{validate, Severity};

use crate::charts::{render, ChartView};
use crate::drill::{present, DrillView};
use crate::figures::{node_figures, NodeFigures, NodeUpdate, Summary};
use crate::protocol::{
    Command, Header, LaunchStep, LogLine, NotableRequest, PlayState, Segment, SegmentKind, Speed, SEGMENT_STRIDE,
};

/// Events processed between two looks at the wall clock.
const CHUNK: u64 = 4_000;
/// Wall time between two frames while time passes, ms.
const FRAME_MS: f64 = 50.0;
/// Wall time between two refreshes of the figures while time passes, ms.
const FIGURES_MS: f64 = 100.0;
/// Wall time between two drawings of the charts while time passes, ms.
const CHARTS_MS: f64 = 500.0;
/// How far the pacing target may run ahead of a lagging engine, in wall ms of play.
const MAX_LEAD_WALL_MS: f64 = 250.0;
/// Sampled requests drawn per wall-clock second at most (each is one dot per hop).
const DOTS_PER_WALL_S: f64 = 2_500.0;
/// Segments carried by one frame at most.
const MAX_SEGMENTS: usize = 20_000;
/// Failed or slow requests named by one frame at most (the newest).
const MAX_FAILED: usize = 50;
/// Wall time between two lists of failed or slow requests while time passes, ms: at 100,000
/// requests/s each frame would name dozens, and a list changing twenty times a second can be
/// neither read nor clicked.
const NOTABLE_MS: f64 = 1000.0;
/// Sampled requests in flight whose sending time is kept (to tell slow answers) at most.
const MAX_IN_FLIGHT: usize = 100_000;

const MS: u64 = 1_000_000;

/// Simulated time between two keyframes at first, ms.
const KEYFRAME_SPACING_MS: u64 = 5_000;
/// Keyframes kept at most (the one at 0 s included).
const MAX_KEYFRAMES: usize = 32;
/// Memory the keyframes may hold at most, bytes (as [`Simulation::heap_bytes`] estimates it).
const KEYFRAME_BYTES: usize = 64 << 20;

/// One keyframe: the engine as it was at `at`.
#[derive(Debug)]
struct Keyframe {
    at: SimTime,
    sim: Simulation,
    bytes: usize,
}

/// Clones of a run's engine taken as it advances, to seek from.
///
/// Policy: one at 0 s, then one each time the run passes a multiple of the spacing (5 s of
/// simulated time at first) it has none for. At most 32 keyframes and 64 MB (the engine's own
/// estimate of a clone): when a new one would go over either, the spacing doubles (10 s, 20 s,
/// ...) and only the keyframes on the new spacing stay (every other one; 0 s always). So a run
/// of length L keeps 16 to 32 keyframes (fewer when they are large: a three-tier run's are about
/// 0.75 MB at 600 s) and a seek re-simulates at most one spacing, L/31 to L/16 of simulated time
/// (a 600 s run: 20 s; 6 hours: 1,280 s), instead of up to L.
///
/// Keyframes are only valid for the run they were taken from: a new start (design, seed,
/// experiment or length) makes a new set; an injected failure drops those at or after its
/// start and joins the failure into the others' experiment (see [`Simulation::join_experiment`]).
#[derive(Debug)]
struct Keyframes {
    /// By time.
    frames: Vec<Keyframe>,
    spacing: u64,
    bytes: usize,
}

impl Keyframes {
    fn new(start: &Simulation) -> Keyframes {
        let mut k = Keyframes { frames: Vec::new(), spacing: KEYFRAME_SPACING_MS * MS, bytes: 0 };
        k.insert(start.clone());
        k
    }

    /// Where the run should stop next to offer a keyframe: the next multiple of the spacing.
    fn next_after(&self, t: SimTime) -> SimTime {
        SimTime((t.0 / self.spacing + 1).saturating_mul(self.spacing))
    }

    /// Keeps a clone of `sim` if it stands on the spacing and there is no keyframe there yet.
    fn offer(&mut self, sim: &Simulation) {
        let at = sim.now();
        if !at.0.is_multiple_of(self.spacing) || self.latest(at).is_some_and(|k| k.at == at) {
            return;
        }
        self.insert(sim.clone());
        // Over the cap: double the spacing, keeping every other keyframe.
        while (self.frames.len() > MAX_KEYFRAMES || self.bytes > KEYFRAME_BYTES) && self.frames.len() > 1 {
            self.spacing = self.spacing.saturating_mul(2);
            let spacing = self.spacing;
            self.retain(|k| k.at.0.is_multiple_of(spacing));
        }
    }

    fn insert(&mut self, sim: Simulation) {
        let at = sim.now();
        let bytes = sim.heap_bytes();
        let i = self.frames.partition_point(|k| k.at < at);
        self.frames.insert(i, Keyframe { at, sim, bytes });
        self.bytes += bytes;
    }

    fn retain(&mut self, mut keep: impl FnMut(&mut Keyframe) -> bool) {
        self.frames.retain_mut(|k| keep(k));
        self.bytes = self.frames.iter().map(|k| k.bytes).sum();
    }

    /// The latest keyframe at or before `t`.
    fn latest(&self, t: SimTime) -> Option<&Keyframe> {
        self.frames.iter().rev().find(|k| k.at <= t)
    }

    /// The run's experiment gained actions (`fresh`: the run built anew with them), starting at
    /// `from` at the earliest: keyframes from then on are dropped, the others join them.
    fn join(&mut self, from: SimTime, fresh: &Simulation) {
        self.retain(|k| k.at < from && k.sim.join_experiment(fresh));
        if self.frames.first().is_none_or(|k| k.at != SimTime::ZERO) {
            self.insert(fresh.clone());
        }
    }
}

/// A frame for the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The structured part.
    pub header: Header,
    /// Particle segments, [`SEGMENT_STRIDE`] numbers each.
    pub segments: Vec<f64>,
}

/// What a pump produced and when to pump again.
#[derive(Clone, Debug, PartialEq)]
pub struct Pumped {
    /// A frame to post, if one is due.
    pub frame: Option<Frame>,
    /// Pump again after this many wall ms (`None`: wait for a command).
    pub again_ms: Option<f64>,
}

/// One run and its pacing.
#[derive(Debug)]
struct Run {
    design: Topology,
    seed: u64,
    experiment: Option<String>,
    duration: SimTime,
    sim: Simulation,
    keyframes: Keyframes,
    /// Events the engine processed for this run, re-simulated ones included.
    events_simulated: u64,
    /// Simulated time the engine works towards.
    target: SimTime,
    /// Where a seek, step or pause lands (then the run pauses).
    stop_at: Option<SimTime>,
    speed: Speed,
    state: PlayState,
    /// Wall clock of the last pacing step.
    last_wall: Option<f64>,
    /// Simulated ns owed to the target, below one millisecond.
    carry_ns: f64,
    behind: bool,
    /// Requests per second the clients send at the start (for the particle sampling).
    base_rate: f64,
    /// How far the engine's stream has been read (a fresh cursor after a rewind reads the
    /// log and the scaling history again from the start, for a page that cleared its log).
    cursor: StreamCursor,
    /// Log lines read from the stream and not sent yet, in time order.
    log: Vec<LogLine>,
    /// Every launch phase drained from the engine, in time order. A keyframe is taken right
    /// after a drain, so a run sent back to one re-produces exactly the phases after it; those
    /// already here are not added twice.
    launch_history: Vec<LaunchStep>,
    /// Phases up to this time have been sent (none since the last rewind: `None`).
    launches_sent_to: Option<u64>,
    segments: Vec<f64>,
    last_frame_wall: f64,
    last_figures_wall: f64,
    /// The time of the last figures sent (none yet: `None`).
    figures_at: Option<u64>,
    /// The badge figures last sent, in engine order (what the page has).
    nodes_sent: Vec<NodeFigures>,
    /// A traced request to send in the next frame.
    trace: Option<Result<crate::trace::Trace, String>>,
    /// Sampled client requests that failed or were slow since they were last sent (the newest
    /// [`MAX_FAILED`]).
    notable: Vec<NotableRequest>,
    /// When each sampled client request in flight was sent, ns (to know how long it took).
    sent: HashMap<u64, u64>,
    /// Each client population's p99 latency so far, ms, by engine index (none: too few answers
    /// yet, or not a client); what "slow" means, read once per collection.
    slow_ms: Vec<Option<f64>>,
    last_charts_wall: f64,
    /// When failed or slow requests were last named (wall ms).
    last_notable_wall: f64,
    /// The time of the last charts sent (none yet, or to be drawn again: `None`).
    charts_at: Option<u64>,
    first_frame: bool,
    /// Something must be said in a frame even though time stands still.
    frame_owed: bool,
    rewound: bool,
    /// Play on when the current seek lands (a replay after an injection, or Play asked while
    /// seeking).
    resume: bool,
    /// Failures injected from the page, in order.
    injected: Vec<Action>,
    /// The document's experiment the run started with.
    base_experiment: Option<String>,
    refused: Option<String>,
    /// The instance followed in the drill-down: component id and slot.
    inspect: Option<(String, u32)>,
}

/// The name of the experiment that carries failures injected from the page.
pub const INJECTED: &str = "injected from the live view";

/// The worker's state: at most one run.
#[derive(Debug, Default)]
pub struct Session {
    run_id: u32,
    run: Option<Run>,
    /// A problem to report in the next frame (a run that could not start).
    problem: Option<String>,
    /// The page shows the charts, at this size and theme (hidden: `None`); for every run.
    chart_view: Option<ChartView>,
}

/// Checks that a document can run; says why not.
pub fn can_run(t: &Topology) -> Result<(), String> {
    if t.components.is_empty() {
        return Err("Add components to run a simulation.".into());
    }
    let v = validate(t);
    let errors: Vec<_> = v.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    match errors.first() {
        None => Ok(()),
        Some(first) => Err(crate::answers::fix_first(errors.len(), &first.message)),
    }
}

fn build(t: &Topology, seed: u64, experiment: &Option<String>) -> Result<Simulation, String> {
    can_run(t)?;
    Simulation::new(t, SimConfig { seed, experiment: experiment.clone(), ..SimConfig::with_seed(seed) })
        .map_err(|e| e.to_string())
}

/// Reads a design and builds its simulation for a run of `duration_s`, or says why it cannot
/// run: unreadable, invalid, an impossible length, or an experiment that does not fit it.
pub fn prepare(
    design: &str,
    seed: u64,
    experiment: &Option<String>,
    duration_s: f64,
) -> Result<(Topology, Simulation), String> {
    let t = Topology::from_json(design).map_err(|e| format!("The design could not be read: {e}"))?;
    if !(duration_s.is_finite() && duration_s > 0.0 && duration_s <= 30.0 * 86_400.0) {
        return Err(format!("A run lasts between 1 ms and 30 days, not {duration_s} s."));
    }
    let sim = build(&t, seed, experiment)?;
    // An action that starts after the run ends would never happen: say so instead.
    if let Some(e) = experiment.as_ref().and_then(|n| t.experiment(n)) {
        if let Some(d) = check_timing(&e, duration_s).first() {
            return Err(format!("Experiment {}: {}", e.name, d.message));
        }
    }
    Ok((t, sim))
}

/// Whole milliseconds at or after `t`.
fn ceil_ms(t: SimTime) -> SimTime {
    SimTime(t.0.div_ceil(MS) * MS)
}

impl Run {
    fn sample_every(&self) -> u64 {
        match self.speed {
            Speed::Max => 0,
            _ if self.state != PlayState::Playing => 0,
            Speed::Times(x) => ((self.base_rate * x / DOTS_PER_WALL_S).ceil() as u64).max(1),
        }
    }

    fn resample(&mut self) {
        let n = self.sample_every();
        self.sim.set_journey_sampling(n);
    }

    fn set_state(&mut self, state: PlayState) {
        self.state = state;
        self.last_wall = None;
        self.resample();
    }

    /// Stops at `at` (clamped to the run). From the latest keyframe at or before it when it lies
    /// in the past, or in the future beyond a keyframe; else from where the run is.
    fn go_to(&mut self, at: SimTime) {
        let at = SimTime(at.0.min(self.duration.0));
        let now = self.sim.now();
        if let Some(k) = self.keyframes.latest(at).filter(|k| at < now || k.at > now) {
            self.sim = k.sim.clone();
            self.segments.clear();
            self.figures_at = None;
            self.charts_at = None;
            if at < now {
                self.cursor = StreamCursor::default();
                self.log.clear();
                self.launches_sent_to = None;
                self.rewound = true;
                self.sent.clear();
                self.notable.clear(); // held back, and now in the future
            }
        }
        self.stop_at = Some(at);
        self.target = at;
        self.set_state(PlayState::Seeking);
    }

    /// Adds a failure starting at the next whole millisecond and re-simulates the run to now with
    /// it, from the latest keyframe before that.
    fn inject(&mut self, mut action: Action) -> Result<(), String> {
        let at = ceil_ms(self.sim.now());
        action.start_s = at.0 as f64 / 1e9;
        let problems = check_action(&self.design, &action);
        if let Some(first) = problems.first() {
            return Err(format!("{} on {} cannot be injected: {first}", action.action.name(), action.target));
        }
        if at >= self.duration {
            return Err("The run has ended: restart it to inject a failure.".into());
        }
        // The run's experiment becomes the document's (if one was chosen) plus what was injected.
        let base = self.base_experiment.as_ref().and_then(|n| self.design.experiment(n));
        let mut live = Experiment {
            name: INJECTED.into(),
            description: "Failures injected while the run played.".into(),
            actions: base.as_ref().map(|e| e.actions.clone()).unwrap_or_default(),
            stop_conditions: base.map(|e| e.stop_conditions).unwrap_or_default(),
        };
        live.actions.extend(self.injected.iter().cloned());
        live.actions.push(action.clone());
        let mut design = self.design.clone();
        design.edit_experiments(|l| {
            l.retain(|e| e.name != INJECTED);
            l.push(live);
        });
        let experiment = Some(INJECTED.to_string());
        let fresh = build(&design, self.seed, &experiment)?;
        self.injected.push(action);
        self.design = design;
        self.experiment = experiment;
        // Keyframes before the failure's start take it into their experiment (as if it had been
        // there from the start); the run goes back to the latest of them and re-simulates to now.
        self.keyframes.join(at, &fresh);
        let k = self.keyframes.latest(at).expect("the keyframes start at 0 s");
        self.sim = k.sim.clone();
        self.cursor = StreamCursor::default();
        self.log.clear();
        self.launches_sent_to = None;
        self.segments.clear();
        self.sent.clear();
        self.notable.clear();
        self.rewound = true;
        self.figures_at = None;
        self.charts_at = None;
        self.resume = self.state == PlayState::Playing;
        self.go_to(at);
        Ok(())
    }

    /// Reads what the engine did since the last read, from its one stream: sampled calls
    /// become particle segments, launch phases go to the history, log lines and scaling
    /// decisions wait for the next frame.
    fn collect(&mut self) {
        // What counts as slow now: beyond the population's p99 so far (after 100 answers).
        self.slow_ms.clear();
        self.slow_ms.resize(self.sim.component_count(), None);
        for c in self.sim.client_totals() {
            if let Some(i) = self.design.components.iter().position(|x| x.id == c.id) {
                self.slow_ms[i] = (c.successes >= 100).then_some(c.latency.p99_ms);
            }
        }
        if self.sent.len() > MAX_IN_FLIGHT {
            self.sent.clear(); // only the latency of requests already in flight is lost
        }
        let Run { sim, cursor, segments, launch_history, log, design, notable, sent, slow_ms, .. } = self;
        let layered = sim.has_layers();
        sim.observe(cursor, |o| match o {
            Observed::Call(e) => {
                if e.from.is_none() {
                    let at = e.component.0 as usize;
                    let since = match e.kind {
                        HopKind::Arrive => {
                            sent.insert(e.request, e.time.0);
                            None
                        }
                        HopKind::Start => None,
                        _ => sent.remove(&e.request),
                    };
                    let latency_ms = since.map_or(0.0, |t| e.time.0.saturating_sub(t) as f64 / 1e6);
                    let cause = match e.kind {
                        HopKind::Error(cause) => Some(cause.name()),
                        HopKind::Done if since.is_some() && slow_ms[at].is_some_and(|p99| latency_ms > p99) => {
                            Some("slow")
                        }
                        _ => None,
                    };
                    if let Some(cause) = cause {
                        if notable.len() >= MAX_FAILED {
                            notable.remove(0); // the newest are named
                        }
                        notable.push(NotableRequest {
                            request: e.request,
                            client: design.components[at].id.clone(),
                            cause: cause.into(),
                            latency_ms,
                            time_ns: e.time.0,
                        });
                    }
                }
                add_segment(segments, &e)
            }
            Observed::Launch(e) => add_launch(launch_history, design, e),
            Observed::Scaling(a) => log.extend(scaling_line(design, &a, layered)),
            Observed::Note(n) => log.push(note_line(design, n)),
        });
    }

    /// The launch phases to send: those up to now not sent since the last rewind (the history
    /// is in time order, so a slice of it).
    fn new_launch_steps(&mut self) -> Vec<LaunchStep> {
        self.collect();
        let now = self.sim.now().0;
        let h = &self.launch_history;
        let from = self.launches_sent_to.map_or(0, |f| h.partition_point(|s| s.time_ns <= f));
        let to = h.partition_point(|s| s.time_ns <= now);
        self.launches_sent_to = Some(now);
        h[from..to.max(from)].to_vec()
    }

    /// Replays a request from the latest keyframe before it was sent (see [`crate::trace`]).
    fn trace_request(&self, request: u64) -> Result<crate::trace::Trace, String> {
        let sent = self.sim.requests_sent();
        if request > sent {
            return Err(format!("Request #{request} has not been sent yet: the run has sent {sent} so far."));
        }
        let from = self.keyframes.frames.iter().rev().find(|k| k.sim.requests_sent() < request);
        let from = from.map_or_else(|| self.keyframes.frames[0].sim.clone(), |k| k.sim.clone());
        crate::trace::trace(from, request, self.duration)
    }

    /// The drill-down of the instance followed, if one is.
    fn drill(&self) -> Option<Result<DrillView, String>> {
        let (component, slot) = self.inspect.clone()?;
        let Some(c) = self.sim.component_index(&component) else {
            return Some(Err(format!("{component} is not in this run.")));
        };
        // A pod: where it runs and why there.
        if let Some(d) = self.sim.pod_detail(c, slot) {
            return Some(Ok(crate::drill::present_pod(&d, &component, slot)));
        }
        if !self.sim.has_layers() {
            return Some(Err("This design models no layers under its instances: give it an `infrastructure` (hosts, VPC, volumes) to see them, as the noisy-neighbour and scale-out templates do.".into()));
        }
        Some(match self.sim.instance_detail(c, slot) {
            Some(d) => Ok(present(&d, &component, slot)),
            None => Err(format!("{component}[{slot}] has no instance now.")),
        })
    }

    /// The event log lines since the last frame: what the stream said, and the beginnings and
    /// ends of the `launches` this frame carries.
    fn new_log_lines(&mut self, launches: &[LaunchStep]) -> Vec<LogLine> {
        let mut lines: Vec<LogLine> = launches.iter().filter_map(launch_line).chain(self.log.drain(..)).collect();
        lines.sort_by_key(|l| l.time_ns);
        lines
    }
}

/// Adds a sampled hop to the frame's particle segments (up to [`MAX_SEGMENTS`]), with its
/// request number and, for a failure, the cause and the instance where it failed.
fn add_segment(segments: &mut Vec<f64>, e: &JourneyEvent) {
    let Some(from) = e.from else { return };
    let t = e.time.0 as f64;
    let link = f64::from(e.link_ns);
    let (a, b, t0, t1, kind, cause) = match e.kind {
        HopKind::Arrive => (from.0, e.component.0, t - link, t, SegmentKind::Request, None),
        HopKind::Done => (e.component.0, from.0, t, t + link, SegmentKind::Response, None),
        HopKind::Error(c) => (e.component.0, from.0, t, t + link, SegmentKind::Failure, Some(c)),
        HopKind::Start => return,
    };
    if segments.len() < MAX_SEGMENTS * SEGMENT_STRIDE {
        Segment {
            from: a,
            to: b,
            t0,
            t1,
            kind,
            request_type: e.request_type,
            request: e.request,
            cause,
            instance: (e.instance != u32::MAX).then_some(e.instance),
        }
        .write(segments);
    }
}

/// Adds a launch phase to the history, in time order. The engine hands each phase out once, but
/// a run sent back to a keyframe hands out again those after it: those already here are not
/// added twice.
fn add_launch(history: &mut Vec<LaunchStep>, design: &Topology, e: LifecycleEvent) {
    let step = LaunchStep {
        time_ns: e.time.0,
        component: e.component.map(|c| design.components[c.0 as usize].id.clone()),
        instance: e.instance,
        phase: e.phase,
        layer: e.layer,
        detail: e.detail,
        failed: e.failed,
        host: e.host,
        private_ip: e.private_ip,
        volume: e.volume,
    };
    let known = history.iter().rev().take_while(|h| h.time_ns >= step.time_ns).any(|h| *h == step);
    if !known {
        let i = history.partition_point(|h| h.time_ns <= step.time_ns);
        history.insert(i, step);
    }
}

/// A line of the engine's observation log, marked bad when something broke.
fn note_line(design: &Topology, o: &Observation) -> LogLine {
    LogLine {
        time_ns: o.time_ns,
        component: named_component(design, &o.text),
        text: o.text.clone(),
        bad: matches!(
            o.kind,
            ObservationKind::ActionStarted
                | ObservationKind::ExperimentStopped
                | ObservationKind::InstanceDied
                | ObservationKind::InstanceStopped
                | ObservationKind::InstanceRebooted
                | ObservationKind::TargetUnhealthy
                | ObservationKind::RecordUnhealthy
                | ObservationKind::LaunchFailed
                | ObservationKind::CanaryHalted
                | ObservationKind::BreakerOpened
                | ObservationKind::ZoneLost
                | ObservationKind::PodPending
                | ObservationKind::PodStopped
        ),
    }
}

/// The log line for an Auto Scaling decision, e.g. `web scales out from 2 to 4 instances
/// (average CPU 81%)`. An instance entering service is said only for designs without layers
/// (with layers, its launch's `running` line says it); a failed launch is in the observation
/// log already.
fn scaling_line(design: &Topology, a: &ScalingActivity, layered: bool) -> Option<LogLine> {
    let id = &design.components[a.component.0 as usize].id;
    let cpu = a.cpu * 100.0;
    let text = match a.action {
        ScalingAction::ScaleOut => {
            format!("{id} scales out from {} to {} instances (average CPU {cpu:.0}%)", a.capacity_before, a.desired)
        }
        ScalingAction::ScaleIn => {
            format!("{id} scales in from {} to {} instances (average CPU {cpu:.0}%)", a.capacity_before, a.desired)
        }
        ScalingAction::InstanceReady if !layered => format!("{id}[{}] in service", a.instance),
        ScalingAction::InstanceReady | ScalingAction::LaunchFailed => return None,
    };
    Some(LogLine { time_ns: a.time.0, component: Some(id.clone()), text, bad: false })
}

/// The log line for a launch's request, its end or its failure (the phases in between are in
/// the run panel).
fn launch_line(s: &LaunchStep) -> Option<LogLine> {
    let target = s.component.as_ref().map(|c| format!(" for {c}")).unwrap_or_default();
    let text = if s.failed {
        format!("{} launch{target} failed: {}", s.instance, s.detail)
    } else {
        match s.phase {
            LaunchPhase::RequestAccepted => format!("{} launch{target} accepted by the EC2 API", s.instance),
            LaunchPhase::Running => format!(
                "{} running{target} on {} with IP {}",
                s.instance,
                s.host.as_deref().unwrap_or("a host"),
                s.private_ip.as_deref().unwrap_or("none")
            ),
            _ => return None,
        }
    };
    Some(LogLine { time_ns: s.time_ns, component: s.component.clone(), text, bad: s.failed })
}

/// An injected failure in words, e.g. `az-outage on AZ use1-az1 at 30.000 s for 120 s`.
fn describe(a: &Action) -> String {
    let lasting = a.duration_s.map(|d| format!(" for {d} s")).unwrap_or_default();
    format!("{} on {} at {:.3} s{lasting}", a.action.name(), a.target, a.start_s)
}

/// The component a log line is about: the first word of the text (split at anything but
/// letters, digits, `-` and `_`, so `web[2]` names `web`) that is a component id of the design.
fn named_component(design: &Topology, text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .find(|w| !w.is_empty() && design.components.iter().any(|c| c.id == *w))
        .map(str::to_string)
}

impl Session {
    /// A session with no run.
    pub fn new() -> Session {
        Session::default()
    }

    /// Simulated time of the current run.
    pub fn now(&self) -> Option<SimTime> {
        self.run.as_ref().map(|r| r.sim.now())
    }

    /// Where the current run stands.
    pub fn state(&self) -> Option<PlayState> {
        self.run.as_ref().map(|r| r.state)
    }

    /// Events the engine processed for the current run, re-simulated ones included (what seeks
    /// cost).
    pub fn events_simulated(&self) -> Option<u64> {
        self.run.as_ref().map(|r| r.events_simulated)
    }

    /// The times of the current run's keyframes, ns.
    pub fn keyframe_times(&self) -> Option<Vec<u64>> {
        self.run.as_ref().map(|r| r.keyframes.frames.iter().map(|k| k.at.0).collect())
    }

    /// The memory the current run's keyframes hold, bytes (as the engine estimates it).
    pub fn keyframe_bytes(&self) -> Option<usize> {
        self.run.as_ref().map(|r| r.keyframes.bytes)
    }

    /// The current run's trace hash (for determinism checks).
    pub fn trace_hash(&self) -> Option<u64> {
        self.run.as_ref().map(|r| r.sim.trace_hash())
    }

    /// Applies a command.
    pub fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Start { design, seed, experiment, duration_s, speed, paused } => {
                self.run_id = self.run_id.wrapping_add(1);
                self.run = None;
                self.problem = None;
                match Self::start(&design, seed, experiment, duration_s, speed, paused) {
                    Ok(run) => self.run = Some(run),
                    Err(why) => self.problem = Some(why),
                }
            }
            Command::Stop => {
                self.run_id = self.run_id.wrapping_add(1);
                self.run = None;
            }
            // Questions and studies are the worker's, not the run's (see `answers`, `study`).
            Command::Ask { .. } | Command::Study { .. } | Command::CancelStudy { .. } => {}
            Command::Charts { view } => {
                self.chart_view = view;
                if let Some(run) = self.run.as_mut() {
                    run.charts_at = None; // drawn now, at the new size or theme
                    run.frame_owed = true;
                }
            }
            other => {
                let Some(run) = self.run.as_mut() else { return };
                let result = match other {
                    // Asked while a seek is under way: time passes from where the seek lands.
                    Command::Play if run.state == PlayState::Seeking => {
                        run.resume = true;
                        Ok(())
                    }
                    Command::Play if run.state != PlayState::Finished => {
                        run.stop_at = None;
                        run.target = run.sim.now();
                        run.set_state(PlayState::Playing);
                        Ok(())
                    }
                    Command::Pause if matches!(run.state, PlayState::Playing | PlayState::Seeking) => {
                        run.resume = false;
                        run.go_to(ceil_ms(run.sim.now()));
                        Ok(())
                    }
                    Command::SetSpeed { speed } => {
                        run.speed = speed;
                        run.last_wall = None;
                        run.resample();
                        Ok(())
                    }
                    Command::Step { ms } => {
                        run.go_to(run.sim.now() + Duration::from_millis(ms));
                        Ok(())
                    }
                    Command::Seek { ms } => {
                        run.go_to(SimTime(ms.saturating_mul(MS)));
                        Ok(())
                    }
                    Command::Inject { action } => {
                        let parsed = serde_json::from_str::<Action>(&action)
                            .map_err(|e| format!("The failure could not be read: {e}"));
                        if let Err(why) = parsed.and_then(|a| run.inject(a)) {
                            run.refused = Some(why);
                            run.frame_owed = true; // say so in the next frame
                        }
                        Ok(())
                    }
                    Command::Trace { request } => {
                        run.trace = Some(run.trace_request(request));
                        run.frame_owed = true;
                        Ok(())
                    }
                    Command::Inspect { target } => {
                        run.inspect = target;
                        run.figures_at = None; // a frame with fresh figures and the drill-down now
                        run.frame_owed = true;
                        Ok(())
                    }

                    _ => Ok(()),
                };
                if let Err(why) = result {
                    self.problem = Some(why);
                    self.run = None;
                }
            }
        }
    }

    fn start(
        design: &str,
        seed: u64,
        experiment: Option<String>,
        duration_s: f64,
        speed: Speed,
        paused: bool,
    ) -> Result<Run, String> {
        let (t, sim) = prepare(design, seed, &experiment, duration_s)?;
        let base_rate = t
            .components
            .iter()
            .map(|c| match &c.spec {
                ComponentSpec::Client(p) => p.arrival.rate_at(0.0),
                _ => 0.0,
            })
            .sum();
        let mut run = Run {
            design: t,
            seed,
            base_experiment: experiment.clone(),
            experiment,
            duration: SimTime(((duration_s * 1e3).round() as u64).max(1) * MS),
            keyframes: Keyframes::new(&sim),
            events_simulated: 0,
            sim,
            target: SimTime::ZERO,
            stop_at: None,
            speed,
            state: PlayState::Paused,
            last_wall: None,
            carry_ns: 0.0,
            behind: false,
            base_rate,
            cursor: StreamCursor::default(),
            log: Vec::new(),
            launch_history: Vec::new(),
            launches_sent_to: None,
            segments: Vec::new(),
            last_frame_wall: f64::NEG_INFINITY,
            last_figures_wall: f64::NEG_INFINITY,
            figures_at: None,
            nodes_sent: Vec::new(),
            trace: None,
            notable: Vec::new(),
            sent: HashMap::new(),
            slow_ms: Vec::new(),
            last_charts_wall: f64::NEG_INFINITY,
            last_notable_wall: f64::NEG_INFINITY,
            charts_at: None,
            first_frame: true,
            frame_owed: false,
            rewound: false,
            resume: false,
            injected: Vec::new(),
            refused: None,
            inspect: None,
        };
        run.set_state(if paused { PlayState::Paused } else { PlayState::Playing });
        Ok(run)
    }

    /// Does up to `slice_ms` of work (reading the wall clock through `clock`, in ms), then
    /// returns a frame if one is due and when to pump again.
    pub fn pump(&mut self, clock: &mut dyn FnMut() -> f64, slice_ms: f64) -> Pumped {
        let wall = clock();
        let Some(run) = self.run.as_mut() else {
            return Pumped { frame: self.problem.take().map(|p| self.problem_frame(p)), again_ms: None };
        };
        // Move the target.
        if run.state == PlayState::Playing {
            match run.speed {
                Speed::Max => run.target = run.duration,
                Speed::Times(x) => {
                    if let Some(last) = run.last_wall {
                        run.carry_ns += (wall - last).max(0.0) * 1e6 * x;
                        let whole_ms = (run.carry_ns / 1e6).floor();
                        run.carry_ns -= whole_ms * 1e6;
                        run.target += Duration::from_millis(whole_ms as u64);
                        // A lagging engine: the clock slows down instead of the target racing away.
                        let lead = Duration::from_nanos((MAX_LEAD_WALL_MS * 1e6 * x) as u64);
                        if run.target.since(run.sim.now()) > lead {
                            run.target = ceil_ms(run.sim.now() + lead);
                        }
                    }
                    run.last_wall = Some(wall);
                }
            }
            run.target = SimTime(run.target.0.min(run.duration.0));
        }
        // Work towards it.
        let started = wall;
        let mut state_changed = false;
        while run.sim.now() < run.target {
            // Stop on the keyframes' spacing on the way.
            let until = run.keyframes.next_after(run.sim.now()).min(run.target);
            let events = run.sim.events_processed();
            let reached = run.sim.step_until_budget(until, CHUNK);
            run.events_simulated += run.sim.events_processed() - events;
            run.collect(); // before a keyframe's clone: it holds only what comes later
            if reached {
                run.keyframes.offer(&run.sim);
            }
            if (reached && until == run.target) || clock() - started >= slice_ms {
                break;
            }
        }
        let now = run.sim.now();
        run.behind = run.state == PlayState::Playing && now < run.target;
        if run.stop_at.is_some_and(|at| now >= at) {
            run.stop_at = None;
            let resume = std::mem::take(&mut run.resume);
            run.set_state(if resume { PlayState::Playing } else { PlayState::Paused });
            state_changed = true;
        }
        if now >= run.duration && run.state != PlayState::Finished {
            run.set_state(PlayState::Finished);
            state_changed = true;
        }
        let wall = clock();
        let moving = matches!(run.state, PlayState::Playing | PlayState::Seeking);
        let frame_due = run.first_frame
            || std::mem::take(&mut run.frame_owed)
            || state_changed
            || (moving && wall - run.last_frame_wall >= FRAME_MS);
        let frame = frame_due.then(|| {
            let figures_due = state_changed
                || run.figures_at.is_none()
                || (run.figures_at != Some(now.0) && wall - run.last_figures_wall >= FIGURES_MS);
            run.last_frame_wall = wall;
            let (summary, nodes, drill) = if figures_due {
                run.last_figures_wall = wall;
                run.figures_at = Some(now.0);
                let all = node_figures(&run.sim);
                // Every badge when the page starts over or the run stops; else only those whose
                // figures changed (on a large design most components are idle).
                let complete = state_changed || run.first_frame || run.rewound || run.nodes_sent.len() != all.len();
                let update = NodeUpdate::between(&run.nodes_sent, &all, complete);
                run.nodes_sent = all;
                (Some(Summary::now(&run.sim)), Some(update), run.drill())
            } else {
                (None, None, None)
            };
            let charts_due = self.chart_view.is_some()
                && (state_changed
                    || run.charts_at.is_none()
                    || (run.charts_at != Some(now.0) && wall - run.last_charts_wall >= CHARTS_MS));
            let charts = match self.chart_view {
                Some(view) if charts_due => {
                    run.last_charts_wall = wall;
                    run.charts_at = Some(now.0);
                    Some(crate::charts::charts(&run.sim, &run.design).iter().map(|d| render(d, view)).collect())
                }
                _ => None,
            };
            let components = run
                .first_frame
                .then(|| (0..run.sim.component_count()).map(|i| run.design.components[i].id.clone()).collect());
            let launches = run.new_launch_steps();
            let header = Header {
                run: self.run_id,
                time_ns: now.0,
                duration_ns: run.duration.0,
                state: run.state,
                speed: run.speed,
                behind: run.behind,
                seek_target_ns: run.stop_at.map(|t| t.0),
                seed: run.seed,
                components,
                sample_every: run.sim.journey_sampling(),
                summary,
                nodes,
                log: run.new_log_lines(&launches),
                launches,
                drill,
                charts,
                trace: run.trace.take(),
                notable: if run.state != PlayState::Playing || wall - run.last_notable_wall >= NOTABLE_MS {
                    run.last_notable_wall = wall;
                    std::mem::take(&mut run.notable)
                } else {
                    Vec::new()
                },
                problem: None,
                refused: run.refused.take(),
                injected_json: if run.injected.is_empty() {
                    String::new()
                } else {
                    serde_json::to_string(&run.injected).unwrap_or_default()
                },
                injected_text: run.injected.iter().map(describe).collect(),
                rewound: std::mem::take(&mut run.rewound),
            };
            run.first_frame = false;
            Frame { header, segments: std::mem::take(&mut run.segments) }
        });
        let again_ms = match run.state {
            PlayState::Seeking => Some(0.0),
            PlayState::Playing if run.behind || run.speed == Speed::Max => Some(0.0),
            PlayState::Playing => Some(16.0),
            PlayState::Paused | PlayState::Finished => None,
        };
        Pumped { frame, again_ms }
    }

    fn problem_frame(&self, problem: String) -> Frame {
        Frame {
            header: Header {
                run: self.run_id,
                time_ns: 0,
                duration_ns: 0,
                state: PlayState::Finished,
                speed: Speed::Times(1.0),
                behind: false,
                seek_target_ns: None,
                seed: 0,
                components: None,
                sample_every: 0,
                summary: None,
                nodes: None,
                log: Vec::new(),
                launches: Vec::new(),
                drill: None,
                charts: None,
                trace: None,
                notable: Vec::new(),
                problem: Some(problem),
                refused: None,
                injected_json: String::new(),
                injected_text: Vec::new(),
                rewound: false,
            },
            segments: Vec::new(),
        }
    }
}
