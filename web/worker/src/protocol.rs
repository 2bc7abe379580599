//! The messages between the page and the engine's Web Worker. Commands and frame headers are
//! structured values (carried by `serde_wasm_bindgen`); the particle stream travels beside the
//! header as a transferred `Float64Array` of [`SEGMENT_STRIDE`] numbers per [`Segment`].

use serde::{Deserialize, Serialize};
use strata_core::layers::launch::{LaunchPhase, Layer};
use strata_core::sim::ErrorCause;

use crate::answers::Question;
use crate::drill::DrillView;

use crate::figures::{NodeUpdate, Summary};

/// How fast simulated time passes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Speed {
    /// Simulated seconds per wall-clock second.
    Times(f64),
    /// As fast as the engine can go (the page still never blocks: the engine is in the worker).
    Max,
}

impl Speed {
    /// The speeds offered, slowest first.
    pub const CHOICES: [Speed; 8] = [
        Speed::Times(0.1),
        Speed::Times(0.5),
        Speed::Times(1.0),
        Speed::Times(10.0),
        Speed::Times(60.0),
        Speed::Times(600.0),
        Speed::Times(3600.0),
        Speed::Max,
    ];

    /// Its label, e.g. `10×` or `max`.
    pub fn label(self) -> String {
        match self {
            Speed::Times(x) => format!("{x}×"),
            Speed::Max => "max".into(),
        }
    }

    /// The value of its option in a `<select>`.
    pub fn key(self) -> String {
        match self {
            Speed::Times(x) => x.to_string(),
            Speed::Max => "max".into(),
        }
    }

    /// Parses [`Speed::key`].
    pub fn from_key(s: &str) -> Option<Speed> {
        match s {
            "max" => Some(Speed::Max),
            _ => s.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0).map(Speed::Times),
        }
    }
}

/// What the page asks of the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Start a new run of `design` (a topology document as JSON), replacing any other.
    Start {
        /// The document.
        design: String,
        /// The seed.
        seed: u64,
        /// The document's experiment to play, by name.
        experiment: Option<String>,
        /// Where the run ends, in simulated seconds.
        duration_s: f64,
        /// Pace.
        speed: Speed,
        /// Start paused at 0 s (e.g. after an edit made while paused).
        paused: bool,
    },
    /// Let simulated time pass.
    Play,
    /// Stop at the next whole millisecond.
    Pause,
    /// Change the pace.
    SetSpeed {
        /// The new pace.
        speed: Speed,
    },
    /// Advance exactly `ms` simulated milliseconds, then pause.
    Step {
        /// How far.
        ms: u64,
    },
    /// Go to `ms` (backward too: the run is replayed from its start), then pause.
    Seek {
        /// Simulated time, ms.
        ms: u64,
    },
    /// Inject a failure now: the action starts at the next whole millisecond (its `start_s` is
    /// ignored). It joins the run's experiment, so the run stays a pure function of the design,
    /// the seed and the experiment: it is replayed to now with the action added.
    Inject {
        /// What happens, to what, for how long: an experiment action as JSON, in the document's
        /// own format (the page already writes documents; no second encoding of actions).
        action: String,
    },
    /// Follow one instance in the drill-down (its host, neighbours, slice, network and volumes
    /// come with every refresh of the figures), or stop following (`None`).
    Inspect {
        /// The component and the instance's slot in it (0 for an EC2 component).
        target: Option<(String, u32)>,
    },
    /// Draw the charts beside the run at this size and theme (twice a second while time passes,
    /// and whenever it stops), or stop drawing them (`None`).
    Charts {
        /// Size and theme, or `None` while the charts are hidden.
        view: Option<crate::charts::ChartView>,
    },
    /// Trace one request of the run (its number, as the tooltips and the log name it): the
    /// next frame carries its waterfall.
    Trace {
        /// Request number.
        request: u64,
    },
    /// End the run.
    Stop,
    /// Start a study beside the run (an A/B comparison or the resilience report card), replacing
    /// any other: its progress and result come as [`StudyUpdate`](crate::study::StudyUpdate)s
    /// numbered `id`. The live run goes on meanwhile.
    Study {
        /// The study's number.
        id: u32,
        /// What to study.
        job: crate::study::StudyJob,
        /// How to draw its charts.
        charts: crate::charts::ChartView,
    },
    /// Stop the study numbered `id` (nothing more is posted for it).
    CancelStudy {
        /// The study's number.
        id: u32,
    },
    /// Ask something about a design, not about the run: answered at once, beside the run, with
    /// an [`Answer`](crate::answers::Answer) numbered `id`.
    Ask {
        /// The question's number.
        id: u32,
        /// The design, a topology document as JSON.
        design: String,
        /// What to answer.
        question: Question,
    },
}

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlayState {
    /// Time passes at the chosen speed.
    Playing,
    /// Time stands still.
    Paused,
    /// Working towards a seek target as fast as possible.
    Seeking,
    /// The run reached its end.
    Finished,
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    /// Simulated time, ns.
    pub time_ns: u64,
    /// The component it names, if one.
    pub component: Option<String>,
    /// In words.
    pub text: String,
    /// A fault or failure (shown in red) rather than a recovery or a routine step.
    pub bad: bool,
}

/// One phase of an instance launch (through the layers), sent when its simulated time comes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchStep {
    /// When the phase completed, simulated ns.
    pub time_ns: u64,
    /// The group it launches for (none: an instance outside the design's components).
    pub component: Option<String>,
    /// The instance's name, e.g. `web-3`.
    pub instance: String,
    /// The phase.
    pub phase: LaunchPhase,
    /// The layer that did it.
    pub layer: Layer,
    /// What happened, in words.
    pub detail: String,
    /// The launch failed here.
    pub failed: bool,
    /// The host chosen (from the placement phase on).
    pub host: Option<String>,
    /// The private IP (from the network phase on).
    pub private_ip: Option<String>,
    /// The root volume (from the storage phase on).
    pub volume: Option<String>,
}

/// The structured part of a frame from the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The run this frame belongs to (frames of an older run are ignored).
    pub run: u32,
    /// The engine's clock, ns.
    pub time_ns: u64,
    /// The run's end, ns.
    pub duration_ns: u64,
    /// Where the run stands.
    pub state: PlayState,
    /// The pace.
    pub speed: Speed,
    /// The engine cannot keep up with the speed: the clock runs slower (results unchanged).
    pub behind: bool,
    /// While seeking: the target, ns.
    pub seek_target_ns: Option<u64>,
    /// The seed.
    pub seed: u64,
    /// Component ids in engine order (the indices particles use); on a run's first frame.
    pub components: Option<Vec<String>>,
    /// One particle stands for this many requests (every n-th request is drawn; 0: none).
    pub sample_every: u64,
    /// Fresh strip figures, at `summary.time_ns` (not on every frame).
    pub summary: Option<Summary>,
    /// Fresh badge figures with the summary: every component's, or those that changed.
    pub nodes: Option<NodeUpdate>,
    /// New event log lines since the last frame.
    pub log: Vec<LogLine>,
    /// Launch phases that happened since the last frame, oldest first.
    pub launches: Vec<LaunchStep>,
    /// The instance followed in the drill-down, with the figures (`Err`: why it cannot be shown).
    pub drill: Option<Result<DrillView, String>>,
    /// The charts, freshly drawn (only while the page shows them; `Err`: why one could not be).
    pub charts: Option<Vec<Result<crate::charts::Chart, String>>>,
    /// Sampled client requests that failed, or were slow, since they were last named (to pick one
    /// to trace): while time passes, at most once a second.
    pub notable: Vec<NotableRequest>,
    /// A traced request's waterfall (`Err`: why it could not be traced), once, after
    /// [`Command::Trace`].
    pub trace: Option<Result<crate::trace::Trace, String>>,
    /// Why the run could not start or stopped.
    pub problem: Option<String>,
    /// Why an injected failure was refused (the run goes on unchanged).
    pub refused: Option<String>,
    /// Failures injected into this run from the page: a JSON array of experiment actions in the
    /// document's format (empty string: none).
    pub injected_json: String,
    /// The same, in words, one line each.
    pub injected_text: Vec<String>,
    /// The run went back in time (a seek backward): drop the particles and the log shown.
    pub rewound: bool,
}

/// A sampled client request worth tracing: one that failed, or one slower than its population's
/// p99 so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotableRequest {
    /// Request number.
    pub request: u64,
    /// The client population.
    pub client: String,
    /// Why it is listed, in words: the failure's cause as the client saw it (`timeout`,
    /// `5xx from dependency`...), or `slow`.
    pub cause: String,
    /// How long the client waited for its answer, ms.
    pub latency_ms: f64,
    /// When the client had its answer, simulated ns.
    pub time_ns: u64,
}

/// Numbers per particle segment in a frame: see [`Segment`].
pub const SEGMENT_STRIDE: usize = 9;

/// What a particle segment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentKind {
    /// A call on its way to its callee.
    Request = 0,
    /// A successful answer on its way back.
    Response = 1,
    /// A failed answer on its way back (it failed at the segment's `from`).
    Failure = 2,
}

impl SegmentKind {
    /// From its number in a frame.
    pub fn from_code(x: f64) -> SegmentKind {
        match x as u8 {
            0 => SegmentKind::Request,
            1 => SegmentKind::Response,
            _ => SegmentKind::Failure,
        }
    }
}

/// One hop of a sampled call drawn as a dot: the call on its way, or its answer on the way back.
/// A frame carries segments as [`SEGMENT_STRIDE`] numbers each ([`Segment::write`],
/// [`Segment::read`]), in this order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// Engine index of the component it leaves.
    pub from: u32,
    /// Engine index of the component it heads for.
    pub to: u32,
    /// Departure, simulated ns (for a failure: when it failed).
    pub t0: f64,
    /// Arrival, simulated ns.
    pub t1: f64,
    /// Call, answer or failed answer.
    pub kind: SegmentKind,
    /// Request type index.
    pub request_type: u16,
    /// The engine's request number: the call's stable id in the run (`strata-sim run --journey`).
    pub request: u64,
    /// Why it failed (failures only), sent as its index in [`ErrorCause::ALL`] (-1: none).
    pub cause: Option<ErrorCause>,
    /// The callee's instance (group), replica (RDS) or node (cache), if it has them (-1: none).
    pub instance: Option<u32>,
}

impl Segment {
    /// Appends its numbers to a frame's stream.
    pub fn write(&self, out: &mut Vec<f64>) {
        let cause = self.cause.map_or(-1.0, |c| f64::from(c as u8));
        let instance = self.instance.map_or(-1.0, f64::from);
        out.extend_from_slice(&[
            f64::from(self.from),
            f64::from(self.to),
            self.t0,
            self.t1,
            f64::from(self.kind as u8),
            f64::from(self.request_type),
            self.request as f64,
            cause,
            instance,
        ]);
    }

    /// Reads one segment's [`SEGMENT_STRIDE`] numbers.
    pub fn read(s: &[f64]) -> Segment {
        Segment {
            from: s[0] as u32,
            to: s[1] as u32,
            t0: s[2],
            t1: s[3],
            kind: SegmentKind::from_code(s[4]),
            request_type: s[5] as u16,
            request: s[6] as u64,
            cause: if s[7] < 0.0 { None } else { ErrorCause::ALL.get(s[7] as usize).copied() },
            instance: (s[8] >= 0.0).then_some(s[8] as u32),
        }
    }
}
