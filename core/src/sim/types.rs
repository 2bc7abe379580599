//! The engine's public vocabulary: component indices, error causes, configuration, faults,
//! journey events, scaling activities and the audit and memory figures.

use crate::time::{Duration, SimTime};
use crate::validate::Diagnostic;
use serde::Serialize;

/// Calls deeper than this fail with [`ErrorCause::HopLimit`] (guards cycles).
pub const MAX_HOPS: u8 = 64;

/// Dense index of a component, in document order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ComponentIdx(pub u32);

/// Why a call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCause {
    /// Took longer than the component's or client's timeout.
    Timeout,
    /// Refused: the queue (or connection limit, or backlog) was full.
    QueueFull,
    /// A callee answered with an error (HTTP 5xx from a dependency).
    Dependency,
    /// Refused by a rate or concurrency limit (S3 503 SlowDown, DynamoDB, Lambda 429).
    Throttled,
    /// No healthy target or route for the request.
    NoHealthyTarget,
    /// The name could not be resolved.
    DnsFailure,
    /// The component (or its instance) is down.
    Unavailable,
    /// The request went through more than [`MAX_HOPS`] components (a cycle).
    HopLimit,
    /// The network layer (route tables, NACLs, security groups) drops the connection; the
    /// report's `layers.blocked_paths` names the first hop that blocks and why.
    NetworkBlocked,
    /// The component answered with a server error of its own (HTTP 500): a bad configuration
    /// pushed to it (the `config-push` action).
    ServerError,
    /// The caller's circuit breaker for the connection is open: the call was not made.
    CircuitOpen,
}

impl ErrorCause {
    /// Every cause, in report order.
    pub const ALL: [ErrorCause; N_CAUSES] = [
        ErrorCause::Timeout,
        ErrorCause::QueueFull,
        ErrorCause::Dependency,
        ErrorCause::Throttled,
        ErrorCause::NoHealthyTarget,
        ErrorCause::DnsFailure,
        ErrorCause::Unavailable,
        ErrorCause::HopLimit,
        ErrorCause::NetworkBlocked,
        ErrorCause::ServerError,
        ErrorCause::CircuitOpen,
    ];

    /// Its name as people say it, e.g. `queue full` (the live view's strip, its tooltips and
    /// `strata-sim run --journey`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorCause::Timeout => "timeout",
            ErrorCause::QueueFull => "queue full",
            ErrorCause::Dependency => "5xx from dependency",
            ErrorCause::Throttled => "throttled",
            ErrorCause::NoHealthyTarget => "no healthy target",
            ErrorCause::DnsFailure => "DNS failure",
            ErrorCause::Unavailable => "unavailable",
            ErrorCause::HopLimit => "hop limit",
            ErrorCause::NetworkBlocked => "network blocked",
            ErrorCause::ServerError => "server error",
            ErrorCause::CircuitOpen => "circuit open",
        }
    }
}
/// Number of causes (the length of per-cause counters, indexed by `cause as usize`).
pub(super) const N_CAUSES: usize = 11;

/// How a run is configured. The seed is configuration, never drawn from entropy.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    /// Seed of the one random generator.
    pub seed: u64,
    /// Width of a time-series bucket.
    pub metrics_resolution: Duration,
    /// Buckets kept per component (older ones are overwritten).
    pub series_capacity: usize,
    /// Record the journey of every n-th request (0: none).
    pub journey_sample_every: u64,
    /// Journey events buffered until drained (older ones are dropped).
    pub journey_buffer: usize,
    /// Statistics restart at this time (the warm-up is discarded).
    pub warmup: Duration,
    /// Calls alive at once; beyond it new calls fail with [`ErrorCause::QueueFull`].
    pub max_calls: usize,
    /// The document's experiment to play, by name (`None`: no failures are injected).
    pub experiment: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            metrics_resolution: Duration::from_secs(1),
            series_capacity: 3600,
            journey_sample_every: 0,
            journey_buffer: 65_536,
            warmup: Duration::ZERO,
            max_calls: 1_000_000,
            experiment: None,
        }
    }
}

impl SimConfig {
    /// The default configuration with `seed`.
    pub fn with_seed(seed: u64) -> Self {
        SimConfig { seed, ..Default::default() }
    }
}

/// Why a simulation could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The topology has validation errors.
    #[error("the topology has {} error(s); first: {}", .diagnostics.len(), .diagnostics.first().map(|d| d.to_string()).unwrap_or_default())]
    Invalid {
        /// The errors (warnings are not included).
        diagnostics: Vec<Diagnostic>,
    },
    /// A configuration value makes no sense.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The configuration names an experiment the document does not have.
    #[error("the document has no experiment `{name}` (it has: {known})")]
    UnknownExperiment {
        /// The name asked for.
        name: String,
        /// The names it has, comma-separated (or "none").
        known: String,
    },
}

/// Why a fault could not be scheduled.
#[derive(Debug, thiserror::Error)]
pub enum FaultError {
    /// No component with that id.
    #[error("no component `{0}`")]
    UnknownComponent(String),
    /// No AZ with that id.
    #[error("no availability zone `{0}`")]
    UnknownAz(String),
    /// The component has no instance with that number.
    #[error("component `{0}` has no instance {1}")]
    UnknownInstance(String, u32),
}

/// A failure or operator action, applied at a scheduled time.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum Fault {
    /// The component stops answering ([`ErrorCause::Unavailable`]); on Route 53 this is a DNS
    /// failure: cached answers keep working until their TTL, new lookups fail.
    ComponentDown {
        /// Component id.
        component: String,
    },
    /// The component answers again.
    ComponentUp {
        /// Component id.
        component: String,
    },
    /// One instance of an EC2 component or Auto Scaling group fails; its queued requests fail.
    InstanceDown {
        /// Component id.
        component: String,
        /// Instance slot number (0-based).
        instance: u32,
    },
    /// The instance comes back.
    InstanceUp {
        /// Component id.
        component: String,
        /// Instance slot number.
        instance: u32,
    },
    /// Everything placed in the AZ fails.
    AzDown {
        /// AZ container id.
        az: String,
    },
    /// The AZ comes back.
    AzUp {
        /// AZ container id.
        az: String,
    },
}

/// What one hop of a sampled journey did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "cause", rename_all = "snake_case")]
pub enum HopKind {
    /// The call reached the component.
    Arrive,
    /// The call started service (left the queue).
    Start,
    /// The component answered successfully.
    Done,
    /// The component answered with an error.
    Error(ErrorCause),
}

/// One step of a sampled request, for animation and waterfalls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct JourneyEvent {
    /// Request number (unique in the run).
    pub request: u64,
    /// When.
    pub time: SimTime,
    /// Where.
    pub component: ComponentIdx,
    /// The caller that sent this call (`None` for a client's own request).
    pub from: Option<ComponentIdx>,
    /// One-way network latency between the caller and this component, ns: the call left the
    /// caller this long before it arrived, and its answer reaches the caller this long after it.
    pub link_ns: u32,
    /// Instance (groups), replica (RDS) or node (cache); `u32::MAX` when not applicable.
    pub instance: u32,
    /// Request type index into `Topology::request_types`.
    pub request_type: u16,
    /// What happened.
    pub kind: HopKind,
}

/// What an Auto Scaling group did, for the activity history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalingAction {
    /// The policy decided to add instances.
    ScaleOut,
    /// The policy decided to remove instances.
    ScaleIn,
    /// A launched instance started serving.
    InstanceReady,
    /// A launch failed in the layers (e.g. insufficient capacity); what it reserved was released.
    LaunchFailed,
}

/// One entry of a group's scaling history.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ScalingActivity {
    /// When.
    pub time: SimTime,
    /// Which group.
    pub component: ComponentIdx,
    /// What happened.
    pub action: ScalingAction,
    /// Instance slot (for `InstanceReady`), else `u32::MAX`.
    pub instance: u32,
    /// Instances in service or launching before the action.
    pub capacity_before: u32,
    /// Capacity the policy asked for.
    pub desired: u32,
    /// Average CPU of warmed-up instances the decision was based on (0..1).
    pub cpu: f64,
}

/// Result of [`Simulation::audit`](super::Simulation::audit): independent recount of live requests against the counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Audit {
    /// Per component: (arrivals − completions − errors, live calls counted by scanning).
    pub per_component: Vec<(u64, u64)>,
    /// Calls alive in the slab.
    pub live_calls: usize,
    /// Whether every component's figures agree.
    pub consistent: bool,
}

/// Internal memory in use, for bounded-memory checks.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MemoryUse {
    /// Slots in the call slab (grows to the peak number of concurrent calls, then stays).
    pub call_slots: usize,
    /// Event heap capacity.
    pub event_capacity: usize,
    /// Largest time-series ring capacity.
    pub series_capacity: usize,
    /// Journey buffer capacity.
    pub journey_capacity: usize,
    /// Sum of every queue's capacity (instances, nodes, SQS backlog).
    pub queue_capacity: usize,
}
