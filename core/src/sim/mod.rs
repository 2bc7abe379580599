//! The discrete-event engine.
//!
//! A [`Simulation`] is built from a [`Topology`] and a [`SimConfig`] and then driven by its
//! caller: [`Simulation::step_until`] processes every event up to a time the caller chooses, and
//! the caller reads metrics ([`Simulation::report`], [`Simulation::series`]) and drains sampled
//! request journeys ([`Simulation::drain_journeys`]). The engine never reads a clock and never
//! does I/O (sans-IO): the browser drives it from `requestAnimationFrame`, the CLI in one call.
//!
//! ## Model
//! - Time is integer nanoseconds. Events sit in a binary heap ordered by (time, sequence), so
//!   simultaneous events run in the order they were scheduled.
//! - One ChaCha8 generator, seeded from [`SimConfig::seed`], feeds every random draw.
//! - A request is a tree of *calls*: the client's root call, the call it makes to its entry
//!   point, the calls that component makes, and so on. Calls live in a slab with a free list, so
//!   the hot path does not allocate.
//! - Each component kind reacts to a call arriving, to its service or delay finishing and to the
//!   responses of the calls it made (see `catalog::Outgoing` for how kinds use connections).
//! - A call ends exactly once: with success or one [`ErrorCause`]. A component that sees an error
//!   from a callee answers with [`ErrorCause::Dependency`]; the client records the root cause.
//!
//! ## The layers underneath
//! A topology with an `infrastructure` runs on [`crate::layers`] (see the `layered` module):
//! host CPU contention stretches service times, disk steps run on EBS volumes, blocked network
//! paths fail with [`ErrorCause::NetworkBlocked`], Auto Scaling launches go through the
//! layered launch ([`Simulation::drain_lifecycle_events`], [`Simulation::api_log`]).
//! Without one, these hooks set the same effects by hand:
//! - [`Simulation::set_service_time_multiplier`]: per-instance CPU slow-down (noisy neighbour).
//! - [`Simulation::set_disk_iops`]: per-instance disk step (EBS IOPS limit, burst balance).
//! - [`Simulation::schedule_fault`]: failures as ordinary scheduled events.

mod journey;
mod layered;
mod queue;
mod report;
pub mod stats;
#[cfg(test)]
mod unvalidated_tests;

pub use journey::{assemble_journeys, Hop, Journey};
pub use layered::{BlockedPath, InstanceLayers, LayersReport, LifecycleEvent, VolumeLayers};
pub use report::{ClientReport, ComponentReport, ErrorCounts, Report, SeriesPoint, TypeReport};

use crate::catalog;
use crate::rng::{derive_seed, rng_from_seed, SimRng};
use crate::time::{Duration, SimTime};
use crate::topology::{
    Arrival, ComponentKind, ComponentSpec, ContainerKind, Dist, LbAlgorithm, RoutingPolicy, Topology,
};
use crate::validate::{validate, Diagnostic};
use queue::{Ev, EventQueue};
use rand::Rng;
use rand_distr::{Exp1, StandardNormal};
use serde::Serialize;
use stats::{Histogram, Ring, TimeWeighted};
use std::collections::{BTreeMap, VecDeque};

const NONE: u32 = u32::MAX;
const NONE16: u16 = u16::MAX;
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
    ];
    fn code(self) -> u8 {
        self as u8 + 1
    }
    fn from_code(c: u8) -> ErrorCause {
        ErrorCause::ALL[(c - 1) as usize]
    }
}
const N_CAUSES: usize = 9;

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

#[derive(Clone, Copy, Debug)]
enum FaultAction {
    Component(u32, bool),
    Instance(u32, u32, bool),
    Az(u16, bool),
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

/// Result of [`Simulation::audit`]: independent recount of live requests against the counters.
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

// ---------------------------------------------------------------------------------------------
// Internal model

#[derive(Clone, Copy, Debug)]
enum Sampler {
    Const(u64),
    Exp(f64),
    LogN { mu: f64, sigma: f64 },
    Unif { lo: f64, span: f64 },
}

impl Sampler {
    fn of(d: &Dist) -> Self {
        const NS: f64 = 1e6;
        match *d {
            Dist::Constant { ms } => Sampler::Const((ms * NS).round().max(0.0) as u64),
            Dist::Exponential { mean_ms } => Sampler::Exp(mean_ms * NS),
            Dist::LogNormal { mean_ms, cv } => {
                if cv <= 0.0 || mean_ms <= 0.0 {
                    return Sampler::Const((mean_ms * NS).round().max(0.0) as u64);
                }
                let s2 = libm::log(1.0 + cv * cv);
                Sampler::LogN { mu: libm::log(mean_ms * NS) - s2 / 2.0, sigma: libm::sqrt(s2) }
            }
            Dist::Uniform { min_ms, max_ms } => Sampler::Unif { lo: min_ms * NS, span: (max_ms - min_ms) * NS },
        }
    }
    #[inline]
    fn sample(&self, rng: &mut SimRng) -> u64 {
        match *self {
            Sampler::Const(v) => v,
            Sampler::Exp(mean) => {
                let x: f64 = rng.sample(Exp1);
                (x * mean + 0.5) as u64
            }
            Sampler::LogN { mu, sigma } => {
                let z: f64 = rng.sample(StandardNormal);
                (libm::exp(mu + sigma * z) + 0.5) as u64
            }
            Sampler::Unif { lo, span } => (lo + span * rng.random::<f64>() + 0.5) as u64,
        }
    }
}

const F_SAMPLED: u8 = 1;
const F_COUNTED: u8 = 2;
const F_WRITE: u8 = 4;
const F_DONE: u8 = 8;
const F_ACTIVE: u8 = 16;
const F_DELIVERY: u8 = 32;
const F_ARRIVED: u8 = 64;

const P_NONE: u8 = 0;
const P_RESOLVE: u8 = 1;
const P_LOOKUP: u8 = 2;
const P_PICK: u8 = 3;
const P_DISK: u8 = 4;
const P_COMMIT: u8 = 5;
const P_REPLY: u8 = 6;
const P_RUN: u8 = 7;
const P_SEND: u8 = 8;

#[derive(Clone, Copy, Debug)]
struct Call {
    req: u64,
    arrived: u64,
    parent: u32,
    comp: u32,
    inst: u32,
    up_ns: u32,
    step: u16,
    remaining: u16,
    origin: u16,
    az: u16,
    rtype: u8,
    phase: u8,
    outcome: u8,
    root: u8,
    flags: u8,
    hops: u8,
}

impl Call {
    /// A call with no parent (a client's request, an SQS delivery) arriving at `comp` at `now`.
    fn root(req: u64, now: u64, comp: u32, origin: u16, rtype: u8, flags: u8) -> Self {
        Call {
            req,
            arrived: now,
            parent: NONE,
            comp,
            inst: NONE,
            up_ns: 0,
            step: 0,
            remaining: 0,
            origin,
            az: NONE16,
            rtype,
            phase: P_NONE,
            outcome: 0,
            root: 0,
            flags,
            hops: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LocClass {
    Client,
    Dns,
    Edge,
    Placed,
}

#[derive(Clone, Copy, Debug)]
struct Loc {
    class: LocClass,
    region: u16,
    az: u16,
    edge_ns: u32,
    origin_ns: u32,
}

#[derive(Debug)]
struct Station {
    servers: u32,
    busy: u32,
    cap: u32,
    queue: VecDeque<u32>,
    busy_tw: TimeWeighted,
}

impl Station {
    fn new(servers: u32, cap: u32) -> Self {
        Station {
            servers,
            busy: 0,
            cap,
            queue: VecDeque::with_capacity((cap as usize).min(1024)),
            busy_tw: TimeWeighted::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InstState {
    Free,
    Launching,
    InService,
    Draining,
}

#[derive(Debug)]
struct Instance {
    st: Station,
    az: u16,
    state: InstState,
    up: bool,
    initial: bool,
    ready_at: u64,
    down_at: u64,
    active: u32,
    mult: f64,
    disk_gap_ns: f64,
    disk_next: u64,
    mark_busy: u128,
    mark_time: u64,
    /// Its instance in the layers (`NONE`: the topology has no layers or it was not placed).
    layer: u32,
    /// Busy integral at the last metrics tick (for the CPU demand fed to the hypervisor).
    tick_busy: u128,
}

#[derive(Debug)]
struct Asg {
    min: u32,
    max: u32,
    target: f64,
    warmup_ns: u64,
    cooldown_ns: u64,
    period_ns: u64,
    launch: Sampler,
    azs: Vec<u16>,
    last_action: u64,
}

#[derive(Debug)]
struct Group {
    timeout_ns: u64,
    svc: Vec<Sampler>,
    inst: Vec<Instance>,
    rr: u32,
    disk_ios: f64,
    asg: Option<Asg>,
}

#[derive(Debug)]
struct Alb {
    lor: bool,
    cross_zone: bool,
    proc_ns: u64,
    healthy_ns: u64,
    unhealthy_ns: u64,
    rr: u32,
    azs: Vec<u16>,
}

#[derive(Debug)]
struct R53 {
    policy: RoutingPolicy,
    ttl_ns: u64,
    query_ns: u64,
    resolvers: u32,
    cache: Vec<(u32, u64)>,
    interval_ns: u64,
    threshold: u32,
    fails: Vec<u32>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: u64,
    per_ns: f64,
    cap: f64,
}

impl Bucket {
    fn new(rate_per_s: f64) -> Self {
        Bucket { tokens: rate_per_s.max(1.0), last: 0, per_ns: rate_per_s / 1e9, cap: rate_per_s.max(1.0) }
    }
    fn take(&mut self, now: u64) -> bool {
        self.tokens = (self.tokens + (now - self.last) as f64 * self.per_ns).min(self.cap);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Msg {
    req: u64,
    rtype: u8,
    flags: u8,
    origin: u16,
}

#[derive(Debug)]
enum Node {
    Client { arrival: Arrival, max_rate: f64, constant: bool, mix: Vec<f64>, timeout_ns: u64, ordinal: u16 },
    Route53(R53),
    Cdn { proc_ns: u64, hit: Vec<f64> },
    Alb(Alb),
    Group(Group),
    Rds { st: Vec<Station>, svc: Vec<Sampler>, commit_ns: u64, max_conn: u64, lag_ns: u64, last_write: Option<u64> },
    Cache { st: Vec<Station>, svc: Sampler, hit: Vec<f64> },
    S3 { get: Sampler, put: Sampler, gets: Vec<Bucket>, puts: Vec<Bucket> },
    Ddb { read: Sampler, write: Sampler, rb: Bucket, wb: Bucket },
    Lambda { dur: Sampler, cold: Sampler, limit: u32, active: u32, idle: VecDeque<u64>, keep_ns: u64 },
    Sqs { send: Sampler, conc: u32, busy: u32, max: usize, backlog: VecDeque<Msg> },
}

#[derive(Debug)]
struct Meta {
    id: String,
    kind: ComponentKind,
    loc: Loc,
    down: bool,
}

#[derive(Clone, Copy, Debug)]
struct Route {
    to: u32,
    cum: f64,
}

#[derive(Clone, Copy, Debug)]
struct CallOut {
    to: u32,
    whole: u16,
    frac: f64,
    /// Index of the blocked path in the layers' list (`NONE16`: the network lets it through).
    blocked: u16,
}

#[derive(Debug, Default)]
struct TypeStats {
    arrivals: u64,
    completions: u64,
    errors: [u64; N_CAUSES],
    lat: Histogram,
    err_lat_sum: u128,
    wait_sum: u128,
    started: u64,
}

#[derive(Debug, Default, Clone, Copy)]
struct Prev {
    arrivals: u64,
    completions: u64,
    errors: u64,
    lat_sum: u128,
    busy: u128,
    cap: u128,
    queue: u128,
}

#[derive(Debug)]
struct CompStats {
    types: Vec<TypeStats>,
    in_sys: TimeWeighted,
    queue: TimeWeighted,
    busy: TimeWeighted,
    cap: TimeWeighted,
    window: Histogram,
    series: Ring<SeriesPoint>,
    prev: Prev,
    hits: u64,
    misses: u64,
    cold_starts: u64,
    launches: u64,
    terminations: u64,
    delivered: u64,
    delivery_failed: u64,
    stale_reads: u64,
}

impl CompStats {
    fn new(types: usize, series: usize) -> Self {
        CompStats {
            types: (0..types).map(|_| TypeStats::default()).collect(),
            in_sys: TimeWeighted::default(),
            queue: TimeWeighted::default(),
            busy: TimeWeighted::default(),
            cap: TimeWeighted::default(),
            window: Histogram::new(),
            series: Ring::new(series),
            prev: Prev::default(),
            hits: 0,
            misses: 0,
            cold_starts: 0,
            launches: 0,
            terminations: 0,
            delivered: 0,
            delivery_failed: 0,
            stale_reads: 0,
        }
    }
    fn reset(&mut self, now: u64) {
        for t in &mut self.types {
            let lat = std::mem::take(&mut t.lat);
            *t = TypeStats { lat, ..TypeStats::default() };
            t.lat.clear();
        }
        for tw in [&mut self.in_sys, &mut self.queue, &mut self.busy, &mut self.cap] {
            tw.reset(now);
        }
        self.prev = Prev::default();
        self.hits = 0;
        self.misses = 0;
        self.cold_starts = 0;
        self.launches = 0;
        self.terminations = 0;
        self.delivered = 0;
        self.delivery_failed = 0;
        self.stale_reads = 0;
    }
}

/// Everything except the per-kind nodes, so handlers can borrow a node and the core at once.
#[derive(Debug)]
struct Core {
    now: u64,
    queue: EventQueue,
    calls: Vec<Call>,
    free: Vec<u32>,
    max_calls: usize,
    rng: SimRng,
    meta: Vec<Meta>,
    nt: usize,
    routes: Vec<Vec<Route>>,
    callouts: Vec<Vec<CallOut>>,
    stats: Vec<CompStats>,
    journeys: VecDeque<JourneyEvent>,
    journey_cap: usize,
    journeys_dropped: u64,
    sample_every: u64,
    next_req: u64,
    hash: u64,
    events: u64,
    warmup_end: u64,
    measure_start: u64,
    same_az_ns: u32,
    cross_az_ns: u32,
    cross_region_ns: u32,
    internet_ns: u32,
}

/// A running simulation of one topology.
#[derive(Debug)]
pub struct Simulation {
    core: Core,
    nodes: Vec<Node>,
    config: SimConfig,
    faults: Vec<FaultAction>,
    az_ids: Vec<String>,
    type_names: Vec<String>,
    scratch: Vec<(u32, u32, u16, u32)>,
    deferred: Vec<u32>,
    resolution_ns: u64,
    write_types: u64,
    activities: Ring<ScalingActivity>,
    /// The layers under the instances, when the topology has an `infrastructure`.
    layers: Option<Box<layered::LayerRun>>,
    /// Events processed at a time earlier than the clock (see [`Simulation::time_regressions`]).
    time_regressions: u64,
    /// Scratch for Route 53 health checks: the distinct targets of the record being checked.
    health_targets: Vec<u32>,
}

#[inline]
fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

impl Core {
    #[inline]
    fn journey(&mut self, call: &Call, kind: HopKind) {
        if call.flags & F_SAMPLED == 0 {
            return;
        }
        if self.journeys.len() >= self.journey_cap {
            self.journeys.pop_front();
            self.journeys_dropped += 1;
        }
        self.journeys.push_back(JourneyEvent {
            request: call.req,
            time: SimTime(self.now),
            component: ComponentIdx(call.comp),
            instance: call.inst,
            request_type: call.rtype as u16,
            kind,
        });
    }

    #[inline]
    fn alloc(&mut self, c: Call) -> Option<u32> {
        if let Some(i) = self.free.pop() {
            self.calls[i as usize] = c;
            Some(i)
        } else if self.calls.len() < self.max_calls {
            self.calls.push(c);
            Some(self.calls.len() as u32 - 1)
        } else {
            None
        }
    }

    #[inline]
    fn release(&mut self, i: u32) {
        self.calls[i as usize].flags = F_DONE;
        self.calls[i as usize].comp = NONE;
        self.free.push(i);
    }

    /// One-way latency of a hop from the call's place to component `to` (in AZ `to_az`).
    fn hop_ns(&self, from: u32, from_az: u16, origin: u16, to: u32, to_az: u16) -> u32 {
        let f = self.meta[from as usize].loc;
        let t = self.meta[to as usize].loc;
        if t.class == LocClass::Dns {
            return 0;
        }
        let (fclass, fregion) = if f.class == LocClass::Dns { (LocClass::Client, origin) } else { (f.class, f.region) };
        let cross_region = fregion != NONE16 && t.region != NONE16 && fregion != t.region;
        match (fclass, t.class) {
            (_, LocClass::Edge) => t.edge_ns,
            (LocClass::Edge, _) => f.origin_ns,
            (LocClass::Client, _) => {
                self.internet_ns.saturating_add(if cross_region { self.cross_region_ns } else { 0 })
            }
            _ => {
                if cross_region {
                    self.cross_region_ns
                } else if from_az != NONE16 && from_az == to_az {
                    self.same_az_ns
                } else {
                    self.cross_az_ns
                }
            }
        }
    }

    /// Starts a call from `parent` to component `to`. `inst`/`to_az` are known when a load
    /// balancer picked the instance. Returns false if the call could not be made (the parent has
    /// then already been answered).
    fn send(&mut self, parent: u32, to: u32, inst: u32, to_az: u16) -> Result<(), u8> {
        let p = self.calls[parent as usize];
        if p.hops >= MAX_HOPS {
            return Err(ErrorCause::HopLimit.code());
        }
        let to_az = if to_az == NONE16 { self.meta[to as usize].loc.az } else { to_az };
        let lat = self.hop_ns(p.comp, p.az, p.origin, to, to_az);
        let child = Call {
            req: p.req,
            arrived: 0,
            parent,
            comp: to,
            inst,
            up_ns: lat,
            step: 0,
            remaining: 0,
            origin: p.origin,
            az: to_az,
            rtype: p.rtype,
            phase: P_NONE,
            outcome: 0,
            root: 0,
            flags: p.flags & (F_SAMPLED | F_WRITE),
            hops: p.hops + 1,
        };
        let Some(c) = self.alloc(child) else { return Err(ErrorCause::QueueFull.code()) };
        self.queue.push(self.now.saturating_add(lat as u64), Ev::Arrive { call: c });
        Ok(())
    }

    /// Picks one route for the call's type, weighted by share. `None` if there is none.
    #[inline(always)]
    fn choose(&mut self, comp: u32, rtype: u8) -> Option<u32> {
        let routes = &self.routes[comp as usize * self.nt + rtype as usize];
        match routes.len() {
            0 => None,
            1 => Some(routes[0].to),
            _ => {
                let total = routes[routes.len() - 1].cum;
                let x = self.rng.random::<f64>() * total;
                Some(routes.iter().find(|r| x < r.cum).unwrap_or(&routes[routes.len() - 1]).to)
            }
        }
    }

    /// The call answers its caller: success when `err == 0`, else the cause code; `root` is the
    /// root cause carried to the client.
    fn respond(&mut self, call: u32, err: u8, root: u8) {
        let now = self.now;
        let c = &mut self.calls[call as usize];
        c.outcome = err;
        c.root = if err == 0 {
            0
        } else if root == 0 {
            err
        } else {
            root
        };
        c.flags |= F_DONE;
        let c = *c;
        let lat = now - c.arrived;
        let s = &mut self.stats[c.comp as usize];
        s.in_sys.add(now, -1);
        if c.flags & F_COUNTED != 0 {
            let t = &mut s.types[c.rtype as usize];
            if err == 0 {
                t.completions += 1;
                t.lat.record(lat);
            } else {
                t.errors[err as usize - 1] += 1;
                t.err_lat_sum += lat as u128;
            }
        }
        if err == 0 {
            s.window.record(lat);
        }
        self.journey(&c, if err == 0 { HopKind::Done } else { HopKind::Error(ErrorCause::from_code(err)) });
        if c.parent != NONE {
            self.queue.push(now.saturating_add(c.up_ns as u64), Ev::Response { call });
        }
    }

    fn arrive_stats(&mut self, call: u32) {
        let now = self.now;
        let c = &mut self.calls[call as usize];
        c.arrived = now;
        c.flags |= F_ARRIVED;
        if now >= self.warmup_end {
            c.flags |= F_COUNTED;
        }
        let c = *c;
        let s = &mut self.stats[c.comp as usize];
        s.in_sys.add(now, 1);
        if c.flags & F_COUNTED != 0 {
            s.types[c.rtype as usize].arrivals += 1;
        }
        self.journey(&c, HopKind::Arrive);
    }

    /// Offers a call to a station: starts it, queues it, or refuses it (returns false).
    fn offer(&mut self, comp: u32, st: &mut Station, call: u32, svc: u64) -> bool {
        if st.busy < st.servers {
            self.start(comp, st, call, svc);
            true
        } else if st.queue.len() < st.cap as usize {
            st.queue.push_back(call);
            self.stats[comp as usize].queue.add(self.now, 1);
            true
        } else {
            false
        }
    }

    #[inline]
    fn start(&mut self, comp: u32, st: &mut Station, call: u32, svc: u64) {
        let now = self.now;
        st.busy += 1;
        st.busy_tw.add(now, 1);
        let s = &mut self.stats[comp as usize];
        s.busy.add(now, 1);
        let c = self.calls[call as usize];
        if c.flags & F_COUNTED != 0 {
            let t = &mut s.types[c.rtype as usize];
            t.wait_sum += (now - c.arrived) as u128;
            t.started += 1;
        }
        if c.flags & F_SAMPLED != 0 {
            self.journey(&c, HopKind::Start);
        }
        self.queue.push(now.saturating_add(svc), Ev::ServiceDone { call });
    }

    /// A server of `st` is free again: the next queued call (if any) is returned for starting.
    #[inline]
    fn finish(&mut self, comp: u32, st: &mut Station) -> Option<u32> {
        let now = self.now;
        st.busy -= 1;
        st.busy_tw.add(now, -1);
        self.stats[comp as usize].busy.add(now, -1);
        let next = st.queue.pop_front();
        if next.is_some() {
            self.stats[comp as usize].queue.add(now, -1);
        }
        next
    }
}

fn calls_for(c: &Call) -> usize {
    c.rtype as usize
}

impl Simulation {
    /// Builds a simulation. Fails if validation finds errors or the configuration is unusable.
    pub fn new(topology: &Topology, config: SimConfig) -> Result<Simulation, BuildError> {
        let v = validate(topology);
        if v.has_errors() {
            return Err(BuildError::Invalid { diagnostics: v.errors().cloned().collect() });
        }
        if config.metrics_resolution.as_nanos() == 0 {
            return Err(BuildError::Config("metrics_resolution must be positive".into()));
        }
        build(topology, config)
    }

    /// Current simulated time.
    pub fn now(&self) -> SimTime {
        SimTime(self.core.now)
    }

    /// Events processed so far.
    pub fn events_processed(&self) -> u64 {
        self.core.events
    }

    /// A running hash over every processed event (time, kind, component, request).
    pub fn trace_hash(&self) -> u64 {
        self.core.hash
    }

    /// The index of a component id.
    pub fn component_index(&self, id: &str) -> Option<ComponentIdx> {
        self.core.meta.iter().position(|m| m.id == id).map(|i| ComponentIdx(i as u32))
    }

    /// The document id of a component.
    pub fn component_id(&self, component: ComponentIdx) -> &str {
        &self.core.meta[component.0 as usize].id
    }

    /// The kind of a component.
    pub fn component_kind(&self, component: ComponentIdx) -> ComponentKind {
        self.core.meta[component.0 as usize].kind
    }

    /// Number of components.
    pub fn component_count(&self) -> usize {
        self.core.meta.len()
    }

    /// Processes every event at or before `t`, then sets the clock to `t` (if later than now).
    /// Time never goes backwards: a `t` earlier than [`Simulation::now`] does nothing.
    pub fn step_until(&mut self, t: SimTime) {
        while let Some(time) = self.core.queue.peek_time() {
            if time > t.0 {
                break;
            }
            let e = self.core.queue.pop().expect("peeked");
            debug_assert!(e.time() >= self.core.now, "time went backwards");
            self.time_regressions += u64::from(e.time() < self.core.now);
            self.core.now = e.time();
            self.dispatch(e.ev);
        }
        if t.0 > self.core.now {
            self.core.now = t.0;
        }
    }

    /// Like [`Simulation::step_until`], but processes at most `max_events` events, so an
    /// interactive caller (one animation frame) can bound its work however busy the run is.
    /// Returns true when every event up to `t` was processed and the clock is at `t` (or later);
    /// false when the budget ran out first (the clock is then at the last processed event, and the
    /// next call continues from there).
    pub fn step_until_budget(&mut self, t: SimTime, max_events: u64) -> bool {
        let mut done = 0;
        while let Some(time) = self.core.queue.peek_time() {
            if time > t.0 {
                break;
            }
            if done >= max_events {
                return false;
            }
            let e = self.core.queue.pop().expect("peeked");
            self.time_regressions += u64::from(e.time() < self.core.now);
            self.core.now = e.time();
            self.dispatch(e.ev);
            done += 1;
        }
        if t.0 > self.core.now {
            self.core.now = t.0;
        }
        true
    }

    /// How many events were processed at a time earlier than the one before them. Always 0: the
    /// engine schedules with saturating arithmetic and never in the past. Checked by the tests in
    /// every build profile (the `debug_assert` in the event loop vanishes in optimised builds).
    pub fn time_regressions(&self) -> u64 {
        self.time_regressions
    }

    /// Processes up to `n` events (whatever their time); returns how many were processed.
    pub fn step_events(&mut self, n: u64) -> u64 {
        let mut done = 0;
        while done < n {
            let Some(e) = self.core.queue.pop() else { break };
            self.time_regressions += u64::from(e.time() < self.core.now);
            self.core.now = e.time();
            self.dispatch(e.ev);
            done += 1;
        }
        done
    }

    /// Takes the buffered journey events (oldest first).
    pub fn drain_journeys(&mut self) -> impl Iterator<Item = JourneyEvent> + '_ {
        self.core.journeys.drain(..)
    }

    /// Journey events dropped because the buffer was full and not drained.
    pub fn journeys_dropped(&self) -> u64 {
        self.core.journeys_dropped
    }

    /// Slows (or speeds) one instance's CPU work by `multiplier` (1 = normal; 2.5 = a noisy
    /// neighbour stealing CPU). Applies to services that start after the call.
    pub fn set_service_time_multiplier(&mut self, component: ComponentIdx, instance: u32, multiplier: f64) {
        if let Some(Node::Group(g)) = self.nodes.get_mut(component.0 as usize) {
            if let Some(i) = g.inst.get_mut(instance as usize) {
                i.mult = if multiplier.is_finite() && multiplier > 0.0 { multiplier } else { 1.0 };
            }
        }
    }

    /// Gives one instance a disk step: every request waits for its I/Os at `iops` (0 removes it).
    pub fn set_disk_iops(&mut self, component: ComponentIdx, instance: u32, iops: f64, ios_per_request: f64) {
        if let Some(Node::Group(g)) = self.nodes.get_mut(component.0 as usize) {
            g.disk_ios = ios_per_request.max(0.0);
            if let Some(i) = g.inst.get_mut(instance as usize) {
                i.disk_gap_ns = if iops > 0.0 { 1e9 / iops } else { 0.0 };
            }
        }
    }

    /// Schedules a fault (or recovery) at time `at` as an ordinary event.
    pub fn schedule_fault(&mut self, at: SimTime, fault: &Fault) -> Result<(), FaultError> {
        let comp =
            |id: &str| self.component_index(id).map(|c| c.0).ok_or_else(|| FaultError::UnknownComponent(id.into()));
        let action = match fault {
            Fault::ComponentDown { component } => FaultAction::Component(comp(component)?, false),
            Fault::ComponentUp { component } => FaultAction::Component(comp(component)?, true),
            Fault::InstanceDown { component, instance } | Fault::InstanceUp { component, instance } => {
                let c = comp(component)?;
                let ok = matches!(&self.nodes[c as usize], Node::Group(g) if (*instance as usize) < g.inst.len());
                if !ok {
                    return Err(FaultError::UnknownInstance(component.clone(), *instance));
                }
                FaultAction::Instance(c, *instance, matches!(fault, Fault::InstanceUp { .. }))
            }
            Fault::AzDown { az } | Fault::AzUp { az } => {
                let z = self.az_ids.iter().position(|a| a == az).ok_or_else(|| FaultError::UnknownAz(az.clone()))?;
                FaultAction::Az(z as u16, matches!(fault, Fault::AzUp { .. }))
            }
        };
        self.faults.push(action);
        self.core.queue.push(at.0.max(self.core.now), Ev::Fault { index: self.faults.len() as u32 - 1 });
        Ok(())
    }

    /// Instances currently serving (in service, not draining) in a group; 1/0 for other kinds.
    pub fn instances_in_service(&self, component: ComponentIdx) -> u32 {
        match &self.nodes[component.0 as usize] {
            Node::Group(g) => g.inst.iter().filter(|i| i.state == InstState::InService).count() as u32,
            _ => u32::from(!self.core.meta[component.0 as usize].down),
        }
    }

    /// Memory reserved by the internal buffers.
    pub fn memory_use(&self) -> MemoryUse {
        let mut queue_capacity = 0;
        for n in &self.nodes {
            match n {
                Node::Group(g) => queue_capacity += g.inst.iter().map(|i| i.st.queue.capacity()).sum::<usize>(),
                Node::Rds { st, .. } | Node::Cache { st, .. } => {
                    queue_capacity += st.iter().map(|s| s.queue.capacity()).sum::<usize>()
                }
                Node::Sqs { backlog, .. } => queue_capacity += backlog.capacity(),
                Node::Lambda { idle, .. } => queue_capacity += idle.capacity(),
                _ => {}
            }
        }
        MemoryUse {
            call_slots: self.core.calls.capacity(),
            event_capacity: self.core.queue.capacity(),
            series_capacity: self.core.stats.iter().map(|s| s.series.capacity()).max().unwrap_or(0),
            journey_capacity: self.core.journeys.capacity(),
            queue_capacity,
        }
    }

    /// Recounts live calls by scanning the slab and compares with the counters:
    /// for every component, arrivals − completions − errors must equal the live counted calls.
    pub fn audit(&self) -> Audit {
        let n = self.core.meta.len();
        let mut live = vec![0u64; n];
        let mut all_live = vec![0u64; n];
        let mut live_calls = 0;
        for c in &self.core.calls {
            if c.comp == NONE {
                continue;
            }
            live_calls += 1;
            if c.flags & F_DONE != 0 || c.flags & F_DELIVERY != 0 || c.flags & F_ARRIVED == 0 {
                continue;
            }
            all_live[c.comp as usize] += 1;
            if c.flags & F_COUNTED != 0 {
                live[c.comp as usize] += 1;
            }
        }
        let mut consistent = true;
        let mut per_component = Vec::with_capacity(n);
        for (i, s) in self.core.stats.iter().enumerate() {
            let (mut a, mut d) = (0u64, 0u64);
            for t in &s.types {
                a += t.arrivals;
                d += t.completions + t.errors.iter().sum::<u64>();
            }
            let open = a.checked_sub(d);
            consistent &= open == Some(live[i]) && s.in_sys.value == all_live[i];
            per_component.push((open.unwrap_or(u64::MAX), live[i]));
        }
        Audit { per_component, live_calls, consistent }
    }

    /// The handlers of rare events (metrics ticks, scaling, health checks, launches, faults, the
    /// end of the warm-up) stay out of line: inlined here they doubled this function, and a
    /// WebAssembly engine optimises one function at a time in the background while the run goes
    /// on in its baseline code, so the per-event path waited for all of them.
    fn dispatch(&mut self, ev: Ev) {
        let core = &mut self.core;
        core.events += 1;
        let (comp, req) = match ev {
            Ev::Arrive { call } | Ev::ServiceDone { call } | Ev::Resume { call } | Ev::Response { call } => {
                let c = &core.calls[call as usize];
                (c.comp as u64, c.req)
            }
            Ev::ClientArrival { comp } | Ev::ScalingEval { comp } | Ev::HealthCheck { comp } => (comp as u64, 0),
            Ev::InstanceReady { comp, inst } => (comp as u64, inst as u64),
            Ev::MetricsTick | Ev::Warmup => (0, 0),
            Ev::Fault { index } => (0, index as u64),
        };
        let mut h = mix(core.hash, core.now);
        h = mix(h, ev.code());
        h = mix(h, comp);
        core.hash = mix(h, req);
        match ev {
            Ev::ClientArrival { comp } => self.on_client(comp),
            Ev::Arrive { call } => self.on_arrive(call),
            Ev::ServiceDone { call } => self.on_service_done(call),
            Ev::Resume { call } => self.on_resume(call),
            Ev::Response { call } => {
                let c = self.core.calls[call as usize];
                self.core.release(call);
                self.child_done(c.parent, c.outcome, c.root);
            }
            Ev::InstanceReady { comp, inst } => self.on_instance_ready(comp, inst),
            Ev::ScalingEval { comp } => self.on_scaling(comp),
            Ev::HealthCheck { comp } => self.on_health_check(comp),
            Ev::MetricsTick => self.on_tick(),
            Ev::Warmup => self.on_warmup(),
            Ev::Fault { index } => self.on_fault(index),
        }
    }

    fn on_client(&mut self, comp: u32) {
        let core = &mut self.core;
        let Node::Client { arrival, max_rate, constant, mix, ordinal, .. } = &self.nodes[comp as usize] else { return };
        let now = core.now;
        // Next candidate arrival (thinning at the peak rate for time-varying patterns).
        let gap: f64 = core.rng.sample::<f64, _>(Exp1) / *max_rate * 1e9;
        // At least 1 ns between candidates: a gap that rounds to zero would never let time move.
        core.queue.push(now.saturating_add(((gap + 0.5) as u64).max(1)), Ev::ClientArrival { comp });
        if !*constant {
            let rate = arrival.rate_at(now as f64 / 1e9);
            if core.rng.random::<f64>() * *max_rate >= rate {
                return;
            }
        }
        let rtype = if mix.len() == 1 {
            0
        } else {
            let x = core.rng.random::<f64>() * mix[mix.len() - 1];
            mix.iter().position(|&c| x < c).unwrap_or(mix.len() - 1) as u8
        };
        core.next_req += 1;
        let req = core.next_req;
        let sampled = core.sample_every > 0 && req.is_multiple_of(core.sample_every);
        let write = self.type_names.len() > rtype as usize && self.is_write(rtype);
        let core = &mut self.core;
        let root = Call::root(
            req,
            now,
            comp,
            *ordinal,
            rtype,
            (if sampled { F_SAMPLED } else { 0 }) | (if write { F_WRITE } else { 0 }),
        );
        let Some(call) = core.alloc(root) else {
            // Out of call slots: count the request as refused at the client.
            let s = &mut core.stats[comp as usize];
            if now >= core.warmup_end {
                let t = &mut s.types[rtype as usize];
                t.arrivals += 1;
                t.errors[ErrorCause::QueueFull as usize] += 1;
            }
            return;
        };
        core.arrive_stats(call);
        match core.choose(comp, rtype) {
            Some(to) => {
                if let Err(e) = core.send(call, to, NONE, NONE16) {
                    self.end_request(call, e, e);
                }
            }
            None => self.end_request(call, ErrorCause::NoHealthyTarget.code(), 0),
        }
    }

    fn is_write(&self, rtype: u8) -> bool {
        self.write_types & (1u64 << rtype) != 0
    }

    fn end_request(&mut self, call: u32, err: u8, root: u8) {
        let core = &mut self.core;
        let c = core.calls[call as usize];
        let Node::Client { timeout_ns, .. } = &self.nodes[c.comp as usize] else { return };
        let lat = core.now - c.arrived;
        let (err, root) = if err == 0 && lat > *timeout_ns {
            (ErrorCause::Timeout.code(), ErrorCause::Timeout.code())
        } else {
            (err, root)
        };
        // The client records the root cause.
        let cause = if err == 0 {
            0
        } else if root != 0 {
            root
        } else {
            err
        };
        core.respond(call, cause, cause);
        core.release(call);
    }

    fn fail(&mut self, call: u32, cause: ErrorCause) {
        self.core.respond(call, cause.code(), 0);
        self.after_respond(call);
    }

    fn ok(&mut self, call: u32) {
        self.core.respond(call, 0, 0);
        self.after_respond(call);
    }

    /// Kind-specific bookkeeping once a call has answered. Most calls have none: that test is
    /// inlined at every call site, the bookkeeping is not.
    #[inline(always)]
    fn after_respond(&mut self, call: u32) {
        if self.core.calls[call as usize].flags & F_ACTIVE != 0 {
            self.after_respond_active(call);
        }
    }

    fn after_respond_active(&mut self, call: u32) {
        let c = self.core.calls[call as usize];
        let now = self.core.now;
        match &mut self.nodes[c.comp as usize] {
            Node::Group(g) => {
                let i = &mut g.inst[c.inst as usize];
                i.active -= 1;
                if i.state == InstState::Draining && i.active == 0 {
                    i.state = InstState::Free;
                    let servers = i.st.servers as i64;
                    let s = &mut self.core.stats[c.comp as usize];
                    s.cap.add(now, -servers);
                    s.terminations += 1;
                    if let Some(run) = self.layers.as_deref_mut() {
                        run.terminate(now, std::mem::replace(&mut i.layer, NONE), &self.core.meta[c.comp as usize].id);
                    }
                }
            }
            Node::Lambda { active, idle, .. } => {
                *active -= 1;
                idle.push_back(now);
            }
            _ => {}
        }
    }

    fn on_arrive(&mut self, call: u32) {
        self.core.arrive_stats(call);
        let c = self.core.calls[call as usize];
        let comp = c.comp;
        let meta_down = self.core.meta[comp as usize].down;
        if meta_down && self.core.meta[comp as usize].kind != ComponentKind::Route53 {
            return self.fail(call, ErrorCause::Unavailable);
        }
        let now = self.core.now;
        let core = &mut self.core;
        match &mut self.nodes[comp as usize] {
            Node::Client { .. } => self.fail(call, ErrorCause::NoHealthyTarget),
            Node::Route53(r) => {
                let resolver = if r.resolvers > 1 { core.rng.random_range(0..r.resolvers) } else { 0 };
                let origin = if c.origin == NONE16 { 0 } else { c.origin as u32 };
                let slot = (origin * r.resolvers + resolver) as usize % r.cache.len().max(1);
                core.calls[call as usize].inst = slot as u32;
                let (target, expires) = r.cache[slot];
                if target != NONE && expires > now {
                    if let Err(e) = core.send(call, target, NONE, NONE16) {
                        core.respond(call, e, 0);
                    }
                } else if meta_down {
                    self.fail(call, ErrorCause::DnsFailure);
                } else {
                    core.calls[call as usize].phase = P_RESOLVE;
                    core.queue.push(now.saturating_add(r.query_ns), Ev::Resume { call });
                }
            }
            Node::Cdn { proc_ns, .. } => {
                core.calls[call as usize].phase = P_LOOKUP;
                core.queue.push(now.saturating_add(*proc_ns), Ev::Resume { call });
            }
            Node::Alb(a) => {
                core.calls[call as usize].phase = P_PICK;
                core.queue.push(now.saturating_add(a.proc_ns), Ev::Resume { call });
            }
            Node::Group(g) => {
                let mut inst = c.inst;
                if inst == NONE {
                    let n = g.inst.len() as u32;
                    for k in 0..n {
                        let i = (g.rr + k) % n;
                        let x = &g.inst[i as usize];
                        if x.state == InstState::InService && x.up {
                            inst = i;
                            g.rr = i + 1;
                            break;
                        }
                    }
                    if inst == NONE {
                        return self.fail(call, ErrorCause::NoHealthyTarget);
                    }
                }
                let i = &mut g.inst[inst as usize];
                {
                    let cc = &mut core.calls[call as usize];
                    cc.inst = inst;
                    cc.az = i.az;
                }
                if !i.up || !matches!(i.state, InstState::InService | InstState::Draining) {
                    return self.fail(call, ErrorCause::Unavailable);
                }
                i.active += 1;
                core.calls[call as usize].flags |= F_ACTIVE;
                let base = g.svc[calls_for(&c)].sample(&mut core.rng);
                let svc = if i.mult == 1.0 { base } else { (base as f64 * i.mult) as u64 };
                if !core.offer(comp, &mut i.st, call, svc) {
                    self.fail(call, ErrorCause::QueueFull);
                }
            }
            Node::Rds { st, svc, max_conn, .. } => {
                if core.stats[comp as usize].in_sys.value > *max_conn {
                    return self.fail(call, ErrorCause::QueueFull);
                }
                let idx = if c.flags & F_WRITE != 0 || st.len() == 1 {
                    0
                } else {
                    1 + core.rng.random_range(0..st.len() as u32 - 1)
                };
                core.calls[call as usize].inst = idx;
                let d = svc[calls_for(&c)].sample(&mut core.rng);
                if !core.offer(comp, &mut st[idx as usize], call, d) {
                    self.fail(call, ErrorCause::QueueFull);
                }
            }
            Node::Cache { st, svc, .. } => {
                let idx = if st.len() == 1 { 0 } else { core.rng.random_range(0..st.len() as u32) };
                core.calls[call as usize].inst = idx;
                let d = svc.sample(&mut core.rng);
                if !core.offer(comp, &mut st[idx as usize], call, d) {
                    self.fail(call, ErrorCause::QueueFull);
                }
            }
            Node::S3 { get, put, gets, puts } => {
                let write = c.flags & F_WRITE != 0;
                let buckets = if write { puts } else { gets };
                let p = if buckets.len() == 1 { 0 } else { core.rng.random_range(0..buckets.len() as u32) as usize };
                core.calls[call as usize].inst = p as u32;
                if !buckets[p].take(now) {
                    return self.fail(call, ErrorCause::Throttled);
                }
                let d = if write { put.sample(&mut core.rng) } else { get.sample(&mut core.rng) };
                core.calls[call as usize].phase = P_REPLY;
                core.queue.push(now.saturating_add(d), Ev::Resume { call });
            }
            Node::Ddb { read, write, rb, wb } => {
                let w = c.flags & F_WRITE != 0;
                let ok = if w { wb.take(now) } else { rb.take(now) };
                if !ok {
                    return self.fail(call, ErrorCause::Throttled);
                }
                let d = if w { write.sample(&mut core.rng) } else { read.sample(&mut core.rng) };
                core.calls[call as usize].phase = P_REPLY;
                core.queue.push(now.saturating_add(d), Ev::Resume { call });
            }
            Node::Lambda { dur, cold, limit, active, idle, keep_ns } => {
                if *active >= *limit {
                    return self.fail(call, ErrorCause::Throttled);
                }
                *active += 1;
                core.calls[call as usize].flags |= F_ACTIVE;
                // Environments idle longer than keep_ns are gone; the freshest is reused first.
                while idle.front().is_some_and(|&t| now - t > *keep_ns) {
                    idle.pop_front();
                }
                let mut d = dur.sample(&mut core.rng);
                if idle.pop_back().is_none() {
                    d = d.saturating_add(cold.sample(&mut core.rng));
                    core.stats[comp as usize].cold_starts += 1;
                }
                core.calls[call as usize].phase = P_RUN;
                core.queue.push(now.saturating_add(d), Ev::Resume { call });
            }
            Node::Sqs { send, max, backlog, .. } => {
                if backlog.len() >= *max {
                    return self.fail(call, ErrorCause::QueueFull);
                }
                let d = send.sample(&mut core.rng);
                core.calls[call as usize].phase = P_SEND;
                core.queue.push(now.saturating_add(d), Ev::Resume { call });
            }
        }
    }

    fn on_service_done(&mut self, call: u32) {
        let c = self.core.calls[call as usize];
        let comp = c.comp;
        let core = &mut self.core;
        match &mut self.nodes[comp as usize] {
            Node::Group(g) => {
                let timeout = g.timeout_ns;
                let i = &mut g.inst[c.inst as usize];
                let mult = i.mult;
                let mut next = core.finish(comp, &mut i.st);
                // Start the next queued call, dropping those that waited past the timeout.
                while let Some(n) = next {
                    let nc = core.calls[n as usize];
                    if core.now - nc.arrived > timeout {
                        core.respond(n, ErrorCause::Timeout.code(), 0);
                        // Its instance bookkeeping runs below, outside this borrow.
                        self.deferred.push(n);
                        next = i.st.queue.pop_front();
                        if next.is_some() {
                            core.stats[comp as usize].queue.add(core.now, -1);
                        }
                        continue;
                    }
                    let base = g.svc[calls_for(&nc)].sample(&mut core.rng);
                    let svc = if mult == 1.0 { base } else { (base as f64 * mult) as u64 };
                    core.start(comp, &mut i.st, n, svc);
                    break;
                }
                let up = i.up;
                let disk = i.disk_gap_ns > 0.0 && g.disk_ios > 0.0;
                let mut deferred = std::mem::take(&mut self.deferred);
                for n in deferred.drain(..) {
                    self.after_respond(n);
                }
                self.deferred = deferred;
                if !up {
                    return self.fail(call, ErrorCause::Unavailable);
                }
                let core = &mut self.core;
                let Node::Group(g) = &mut self.nodes[comp as usize] else { return };
                let i = &mut g.inst[c.inst as usize];
                if disk {
                    let ios = g.disk_ios.floor() + f64::from(u8::from(core.rng.random::<f64>() < g.disk_ios.fract()));
                    // On a layered instance the volume decides (IOPS limit, burst credits, the
                    // round trip to the storage cluster); otherwise the fixed IOPS gap.
                    let on_volume = match self.layers.as_deref_mut() {
                        Some(run) if i.layer != NONE => run.disk_io(i.layer, core.now, ios as u32),
                        _ => None,
                    };
                    let done = on_volume.unwrap_or_else(|| {
                        let begin = i.disk_next.max(core.now);
                        i.disk_next = begin.saturating_add((ios * i.disk_gap_ns) as u64);
                        i.disk_next
                    });
                    core.calls[call as usize].phase = P_DISK;
                    core.queue.push(done, Ev::Resume { call });
                    return;
                }
                self.continue_calls(call);
            }
            Node::Rds { st, svc, commit_ns, lag_ns, last_write, .. } => {
                let station = &mut st[c.inst as usize];
                if let Some(n) = core.finish(comp, station) {
                    let nc = core.calls[n as usize];
                    let d = svc[calls_for(&nc)].sample(&mut core.rng);
                    core.start(comp, station, n, d);
                }
                let write = c.flags & F_WRITE != 0;
                if write {
                    *last_write = Some(core.now);
                } else if c.inst > 0 && last_write.is_some_and(|w| core.now < w.saturating_add(*lag_ns)) {
                    // Served by an asynchronous replica that has not applied the latest write.
                    core.stats[comp as usize].stale_reads += 1;
                }
                if write && *commit_ns > 0 {
                    core.calls[call as usize].phase = P_COMMIT;
                    core.queue.push(core.now.saturating_add(*commit_ns), Ev::Resume { call });
                } else {
                    self.ok(call);
                }
            }
            Node::Cache { st, svc, hit } => {
                let station = &mut st[c.inst as usize];
                if let Some(n) = core.finish(comp, station) {
                    let d = svc.sample(&mut core.rng);
                    core.start(comp, station, n, d);
                }
                let is_hit = c.flags & F_WRITE == 0 && core.rng.random::<f64>() < hit[c.rtype as usize];
                if is_hit {
                    core.stats[comp as usize].hits += 1;
                    self.ok(call);
                } else {
                    core.stats[comp as usize].misses += 1;
                    match core.choose(comp, c.rtype) {
                        Some(to) => {
                            if let Err(e) = core.send(call, to, NONE, NONE16) {
                                core.respond(call, e, 0);
                            }
                        }
                        None => self.ok(call),
                    }
                }
            }
            _ => {}
        }
    }

    fn on_resume(&mut self, call: u32) {
        let c = self.core.calls[call as usize];
        let comp = c.comp;
        let core = &mut self.core;
        match c.phase {
            P_RESOLVE => {
                let target = self.resolve(comp, &c);
                let core = &mut self.core;
                match target {
                    Some(t) => {
                        if let Node::Route53(r) = &mut self.nodes[comp as usize] {
                            // A resolver's first answer gets a random remaining TTL: the many
                            // resolvers of a population are out of phase, as in steady state.
                            let slot = &mut r.cache[c.inst as usize];
                            let ttl = if slot.0 == NONE {
                                (r.ttl_ns as f64 * core.rng.random::<f64>()) as u64
                            } else {
                                r.ttl_ns
                            };
                            *slot = (t, core.now.saturating_add(ttl));
                        }
                        if let Err(e) = core.send(call, t, NONE, NONE16) {
                            core.respond(call, e, 0);
                        }
                    }
                    None => self.fail(call, ErrorCause::NoHealthyTarget),
                }
            }
            P_LOOKUP => {
                let Node::Cdn { hit, .. } = &self.nodes[comp as usize] else { return };
                let is_hit = c.flags & F_WRITE == 0 && core.rng.random::<f64>() < hit[c.rtype as usize];
                if is_hit {
                    core.stats[comp as usize].hits += 1;
                    return self.ok(call);
                }
                core.stats[comp as usize].misses += 1;
                match core.choose(comp, c.rtype) {
                    Some(to) => {
                        if let Err(e) = core.send(call, to, NONE, NONE16) {
                            core.respond(call, e, 0);
                        }
                    }
                    None => self.fail(call, ErrorCause::NoHealthyTarget),
                }
            }
            P_PICK => self.alb_pick(call),
            P_DISK => self.continue_calls(call),
            P_COMMIT | P_REPLY => self.ok(call),
            P_RUN => self.continue_calls(call),
            P_SEND => {
                if let Node::Sqs { backlog, .. } = &mut self.nodes[comp as usize] {
                    backlog.push_back(Msg {
                        req: c.req,
                        rtype: c.rtype,
                        flags: c.flags & (F_SAMPLED | F_WRITE),
                        origin: c.origin,
                    });
                    core.stats[comp as usize].queue.add(core.now, 1);
                }
                self.ok(call);
                self.deliver(comp);
            }
            _ => {}
        }
    }

    /// Compute kinds: make each matching call in order, then answer.
    fn continue_calls(&mut self, call: u32) {
        loop {
            let core = &mut self.core;
            let c = core.calls[call as usize];
            let outs = &core.callouts[c.comp as usize * core.nt + c.rtype as usize];
            let Some(&o) = outs.get(c.step as usize) else { break };
            let extra = o.frac > 0.0 && core.rng.random::<f64>() < o.frac;
            let n = o.whole as u32 + u32::from(extra);
            if n == 0 {
                core.calls[call as usize].step += 1;
                continue;
            }
            core.calls[call as usize].remaining = (n - 1) as u16;
            if o.blocked != NONE16 {
                return self.network_blocked(call, o.blocked);
            }
            if let Err(e) = core.send(call, o.to, NONE, NONE16) {
                core.respond(call, e, 0);
                self.after_respond(call);
            }
            return;
        }
        // All calls made: answer (a group answers a late request as a timeout).
        let c = self.core.calls[call as usize];
        if let Node::Group(g) = &self.nodes[c.comp as usize] {
            if self.core.now - c.arrived > g.timeout_ns {
                return self.fail(call, ErrorCause::Timeout);
            }
        }
        self.ok(call);
    }

    fn child_done(&mut self, parent: u32, err: u8, root: u8) {
        let p = self.core.calls[parent as usize];
        if p.flags & F_DELIVERY != 0 {
            let comp = p.comp;
            let s = &mut self.core.stats[comp as usize];
            if err == 0 {
                s.delivered += 1;
            } else {
                s.delivery_failed += 1;
            }
            s.busy.add(self.core.now, -1);
            if let Node::Sqs { busy, .. } = &mut self.nodes[comp as usize] {
                *busy -= 1;
            }
            self.core.release(parent);
            self.deliver(comp);
            return;
        }
        match self.core.meta[p.comp as usize].kind {
            ComponentKind::Client => self.end_request(parent, err, root),
            ComponentKind::Ec2 | ComponentKind::Asg | ComponentKind::Lambda => {
                if err != 0 {
                    self.core.respond(parent, ErrorCause::Dependency.code(), root);
                    self.after_respond(parent);
                } else if p.remaining > 0 {
                    self.core.calls[parent as usize].remaining -= 1;
                    let core = &mut self.core;
                    let o = core.callouts[p.comp as usize * core.nt + p.rtype as usize][p.step as usize];
                    if o.blocked != NONE16 {
                        return self.network_blocked(parent, o.blocked);
                    }
                    if let Err(e) = core.send(parent, o.to, NONE, NONE16) {
                        core.respond(parent, e, 0);
                        self.after_respond(parent);
                    }
                } else {
                    self.core.calls[parent as usize].step += 1;
                    self.continue_calls(parent);
                }
            }
            _ => {
                let e = if err != 0 { ErrorCause::Dependency.code() } else { 0 };
                self.core.respond(parent, e, root);
                self.after_respond(parent);
            }
        }
    }

    /// SQS: hands queued messages to free consumers.
    fn deliver(&mut self, comp: u32) {
        loop {
            let core = &mut self.core;
            let Node::Sqs { conc, busy, backlog, .. } = &mut self.nodes[comp as usize] else { return };
            if *busy >= *conc {
                return;
            }
            let Some(m) = backlog.pop_front() else { return };
            core.stats[comp as usize].queue.add(core.now, -1);
            let Some(to) = core.choose(comp, m.rtype) else {
                core.stats[comp as usize].delivery_failed += 1;
                continue;
            };
            let d = Call::root(m.req, core.now, comp, m.origin, m.rtype, m.flags | F_DELIVERY);
            let Some(dc) = core.alloc(d) else {
                core.stats[comp as usize].delivery_failed += 1;
                continue;
            };
            *busy += 1;
            core.stats[comp as usize].busy.add(core.now, 1);
            if core.send(dc, to, NONE, NONE16).is_err() {
                *busy -= 1;
                core.stats[comp as usize].busy.add(core.now, -1);
                core.stats[comp as usize].delivery_failed += 1;
                core.release(dc);
            }
        }
    }

    fn instance_healthy_at(&self, alb: &Alb, i: &Instance) -> bool {
        let now = self.core.now;
        if i.state != InstState::InService {
            return false;
        }
        if i.up {
            i.initial || now >= i.ready_at + alb.healthy_ns
        } else {
            now < i.down_at + alb.unhealthy_ns
        }
    }

    fn alb_pick(&mut self, call: u32) {
        let c = self.core.calls[call as usize];
        let comp = c.comp;
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let Node::Alb(alb) = &self.nodes[comp as usize] else { return };
        let routes = &self.core.routes[comp as usize * self.core.nt + c.rtype as usize];
        for r in routes {
            match &self.nodes[r.to as usize] {
                Node::Group(g) => {
                    for (k, i) in g.inst.iter().enumerate() {
                        if self.instance_healthy_at(alb, i) {
                            scratch.push((r.to, k as u32, i.az, i.active));
                        }
                    }
                }
                _ => {
                    if !self.core.meta[r.to as usize].down {
                        let m = &self.core.meta[r.to as usize];
                        scratch.push((r.to, NONE, m.loc.az, self.core.stats[r.to as usize].in_sys.value as u32));
                    }
                }
            }
        }
        let (lor, cross_zone) = (alb.lor, alb.cross_zone);
        let node_az = if alb.azs.len() > 1 {
            alb.azs[self.core.rng.random_range(0..alb.azs.len() as u32) as usize]
        } else {
            alb.azs.first().copied().unwrap_or(NONE16)
        };
        if !cross_zone && alb.azs.len() > 1 {
            scratch.retain(|x| x.2 == node_az);
        }
        let Node::Alb(alb) = &mut self.nodes[comp as usize] else { return };
        let picked = if scratch.is_empty() {
            None
        } else {
            let n = scratch.len() as u32;
            let start = alb.rr % n;
            alb.rr = alb.rr.wrapping_add(1);
            if lor {
                let mut best = start;
                for k in 1..n {
                    let j = (start + k) % n;
                    if scratch[j as usize].3 < scratch[best as usize].3 {
                        best = j;
                    }
                }
                Some(scratch[best as usize])
            } else {
                Some(scratch[start as usize])
            }
        };
        self.scratch = scratch;
        match picked {
            None => self.fail(call, ErrorCause::NoHealthyTarget),
            Some((to, inst, az, _)) => {
                self.core.calls[call as usize].az = node_az;
                if let Err(e) = self.core.send(call, to, inst, az) {
                    self.core.respond(call, e, 0);
                }
            }
        }
    }

    /// Whether a component would pass a health check now.
    fn component_up(&self, comp: u32) -> bool {
        if self.core.meta[comp as usize].down {
            return false;
        }
        match &self.nodes[comp as usize] {
            Node::Group(g) => g.inst.iter().any(|i| i.state == InstState::InService && i.up),
            Node::Alb(_) => {
                let nt = self.core.nt;
                (0..nt).flat_map(|t| self.core.routes[comp as usize * nt + t].iter()).any(|r| {
                    match &self.nodes[r.to as usize] {
                        Node::Group(g) => g.inst.iter().any(|i| i.state == InstState::InService && i.up),
                        _ => !self.core.meta[r.to as usize].down,
                    }
                })
            }
            _ => true,
        }
    }

    fn resolve(&mut self, comp: u32, c: &Call) -> Option<u32> {
        let Node::Route53(r) = &self.nodes[comp as usize] else { return None };
        let routes = &self.core.routes[comp as usize * self.core.nt + c.rtype as usize];
        if routes.is_empty() {
            return None;
        }
        let healthy = |to: u32| r.fails[to as usize] < r.threshold;
        match r.policy {
            RoutingPolicy::Simple => self.core.choose(comp, c.rtype),
            RoutingPolicy::Failover => Some(routes.iter().find(|x| healthy(x.to)).unwrap_or(&routes[0]).to),
            RoutingPolicy::Latency => {
                let pick = |only_healthy: bool| {
                    routes
                        .iter()
                        .filter(|x| !only_healthy || healthy(x.to))
                        .min_by_key(|x| {
                            self.core.hop_ns(comp, NONE16, c.origin, x.to, self.core.meta[x.to as usize].loc.az)
                        })
                        .map(|x| x.to)
                };
                pick(true).or_else(|| pick(false))
            }
            RoutingPolicy::Weighted => {
                // Each record's weight (its step in the cumulative shares), zero when unhealthy;
                // computed twice rather than collected, so a lookup does not allocate.
                let weights = || {
                    let mut prev = 0.0;
                    routes.iter().map(move |x| {
                        let w = x.cum - prev;
                        prev = x.cum;
                        (x.to, if healthy(x.to) { w } else { 0.0 })
                    })
                };
                let total = weights().fold(0.0, |sum, w| sum + w.1);
                if total <= 0.0 {
                    return self.core.choose(comp, c.rtype);
                }
                let x = self.core.rng.random::<f64>() * total;
                let mut acc = 0.0;
                for (to, w) in weights() {
                    acc += w;
                    if x < acc {
                        return Some(to);
                    }
                }
                routes.last().map(|r| r.to)
            }
        }
    }

    #[inline(never)]
    fn on_health_check(&mut self, comp: u32) {
        let Node::Route53(r) = &self.nodes[comp as usize] else { return };
        let interval = r.interval_ns;
        let nt = self.core.nt;
        // The distinct targets, in a buffer reused from check to check.
        let mut targets = std::mem::take(&mut self.health_targets);
        targets.clear();
        targets.extend((0..nt).flat_map(|t| self.core.routes[comp as usize * nt + t].iter().map(|r| r.to)));
        targets.sort_unstable();
        targets.dedup();
        for &t in &targets {
            let up = self.component_up(t);
            if let Node::Route53(r) = &mut self.nodes[comp as usize] {
                r.fails[t as usize] = if up { 0 } else { r.fails[t as usize].saturating_add(1) };
            }
        }
        self.health_targets = targets;
        self.core.queue.push(self.core.now.saturating_add(interval.max(1)), Ev::HealthCheck { comp });
    }

    #[inline(never)]
    fn on_instance_ready(&mut self, comp: u32, inst: u32) {
        let now = self.core.now;
        let Node::Group(g) = &mut self.nodes[comp as usize] else { return };
        let i = &mut g.inst[inst as usize];
        if i.state != InstState::Launching {
            return;
        }
        i.state = InstState::InService;
        i.ready_at = now;
        i.mark_busy = i.st.busy_tw.integral(now);
        i.mark_time = now;
        i.tick_busy = i.mark_busy;
        if let Some(run) = self.layers.as_deref_mut() {
            // Running in the layers too: its host's contention applies from now on.
            run.infra.advance(SimTime(now));
            if i.layer != NONE {
                i.mult = run.multiplier(i.layer);
            }
        }
        let s = &mut self.core.stats[comp as usize];
        s.cap.add(now, i.st.servers as i64);
        s.launches += 1;
        let capacity =
            g.inst.iter().filter(|i| matches!(i.state, InstState::InService | InstState::Launching)).count() as u32;
        self.activities.push(ScalingActivity {
            time: SimTime(now),
            component: ComponentIdx(comp),
            action: ScalingAction::InstanceReady,
            instance: inst,
            capacity_before: capacity,
            desired: capacity,
            cpu: 0.0,
        });
    }

    #[inline(never)]
    fn on_scaling(&mut self, comp: u32) {
        let now = self.core.now;
        let Node::Group(g) = &mut self.nodes[comp as usize] else { return };
        let Some(asg) = &mut g.asg else { return };
        self.core.queue.push(now.saturating_add(asg.period_ns.max(1)), Ev::ScalingEval { comp });
        // Average CPU over in-service instances past their warm-up.
        let (mut cpu_sum, mut warm) = (0.0, 0u32);
        let mut serving = 0u32;
        let mut pending = 0u32;
        for i in g.inst.iter_mut() {
            match i.state {
                InstState::Launching => pending += 1,
                InstState::InService => {
                    serving += 1;
                    let busy = i.st.busy_tw.integral(now);
                    let span = now.saturating_sub(i.mark_time);
                    let warmed = i.initial || now >= i.ready_at + asg.warmup_ns;
                    if warmed && span > 0 {
                        cpu_sum += (busy - i.mark_busy) as f64 / (span as f64 * i.st.servers as f64);
                        warm += 1;
                    } else if !warmed {
                        pending += 1;
                    }
                    i.mark_busy = busy;
                    i.mark_time = now;
                }
                _ => {}
            }
        }
        if warm == 0 {
            return;
        }
        // Target tracking: the capacity that would bring the warmed-up instances' average to the
        // target. Instances still launching or warming count as capacity already on its way (so
        // the group does not launch again for the same load) but not in the metric. Scale-in is
        // conservative: it needs the metric 10% below the target.
        let cpu = cpu_sum / warm as f64;
        let capacity = serving + g.inst.iter().filter(|i| i.state == InstState::Launching).count() as u32;
        let need = |target: f64| (((warm as f64 * cpu / target) - 1e-9).ceil().max(0.0) as u32).clamp(asg.min, asg.max);
        let desired = need(asg.target);
        let desired = if desired < serving { need(asg.target * 0.9) } else { desired };
        let activity = |action| ScalingActivity {
            time: SimTime(now),
            component: ComponentIdx(comp),
            action,
            instance: NONE,
            capacity_before: capacity,
            desired,
            cpu,
        };
        if desired > capacity {
            self.activities.push(activity(ScalingAction::ScaleOut));
            let mut failed = 0u32;
            for _ in capacity..desired {
                // Launch in the AZ with the fewest instances.
                let az = *asg
                    .azs
                    .iter()
                    .min_by_key(|&&z| g.inst.iter().filter(|i| i.state != InstState::Free && i.az == z).count())
                    .unwrap_or(&NONE16);
                let Some(slot) = g.inst.iter().position(|i| i.state == InstState::Free) else { break };
                let i = &mut g.inst[slot];
                i.state = InstState::Launching;
                i.az = az;
                i.up = true;
                i.initial = false;
                i.down_at = u64::MAX;
                match self.layers.as_deref_mut() {
                    // The layered launch: placement, VM, storage, network, boot.
                    Some(run) => match run.launch_slot(now, comp, slot as u32, az, &self.core.meta[comp as usize].id) {
                        Some((layer, ready)) => {
                            i.layer = layer;
                            self.core.queue.push(ready, Ev::InstanceReady { comp, inst: slot as u32 });
                        }
                        None => {
                            i.state = InstState::Free;
                            failed += 1;
                        }
                    },
                    None => {
                        let d = asg.launch.sample(&mut self.core.rng);
                        self.core.queue.push(now.saturating_add(d), Ev::InstanceReady { comp, inst: slot as u32 });
                    }
                }
            }
            asg.last_action = now;
            if failed > 0 {
                self.activities.push(activity(ScalingAction::LaunchFailed));
            }
        } else if desired < serving && pending == 0 && now >= asg.last_action + asg.cooldown_ns {
            self.activities.push(activity(ScalingAction::ScaleIn));
            for _ in desired..serving {
                // Remove from the AZ with the most instances, the newest first.
                let az = *asg
                    .azs
                    .iter()
                    .max_by_key(|&&z| g.inst.iter().filter(|i| i.state == InstState::InService && i.az == z).count())
                    .unwrap_or(&NONE16);
                let victim = g
                    .inst
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| i.state == InstState::InService && (i.az == az || az == NONE16))
                    .max_by_key(|(k, i)| (i.ready_at, *k))
                    .map(|(k, _)| k);
                let Some(k) = victim else { break };
                let i = &mut g.inst[k];
                if i.active == 0 {
                    i.state = InstState::Free;
                    let s = &mut self.core.stats[comp as usize];
                    s.cap.add(now, -(i.st.servers as i64));
                    s.terminations += 1;
                    if let Some(run) = self.layers.as_deref_mut() {
                        run.terminate(now, std::mem::replace(&mut i.layer, NONE), &self.core.meta[comp as usize].id);
                    }
                } else {
                    i.state = InstState::Draining;
                }
            }
            asg.last_action = now;
        }
    }

    #[inline(never)]
    fn on_fault(&mut self, index: u32) {
        let now = self.core.now;
        match self.faults[index as usize] {
            FaultAction::Component(c, up) => self.core.meta[c as usize].down = !up,
            FaultAction::Instance(c, k, up) => self.set_instance(c, k, up),
            FaultAction::Az(z, up) => {
                for c in 0..self.core.meta.len() {
                    if self.core.meta[c].loc.az == z && !matches!(self.nodes[c], Node::Group(_)) {
                        self.core.meta[c].down = !up;
                    }
                    let ks: Vec<u32> = match &self.nodes[c] {
                        Node::Group(g) => {
                            g.inst.iter().enumerate().filter(|(_, i)| i.az == z).map(|(k, _)| k as u32).collect()
                        }
                        _ => Vec::new(),
                    };
                    for k in ks {
                        self.set_instance(c as u32, k, up);
                    }
                }
            }
        }
        let _ = now;
    }

    fn set_instance(&mut self, comp: u32, k: u32, up: bool) {
        let now = self.core.now;
        let Node::Group(g) = &mut self.nodes[comp as usize] else { return };
        let i = &mut g.inst[k as usize];
        if i.up == up {
            return;
        }
        i.up = up;
        if up {
            i.ready_at = now;
            i.initial = false;
            i.down_at = u64::MAX;
            return;
        }
        i.down_at = now;
        // Queued requests are lost with the instance.
        let lost: Vec<u32> = i.st.queue.drain(..).collect();
        self.core.stats[comp as usize].queue.add(now, -(lost.len() as i64));
        for call in lost {
            self.fail(call, ErrorCause::Unavailable);
        }
    }

    #[inline(never)]
    fn on_warmup(&mut self) {
        let now = self.core.now;
        self.core.measure_start = now;
        for s in &mut self.core.stats {
            s.reset(now);
        }
    }

    #[inline(never)]
    fn on_tick(&mut self) {
        let now = self.core.now;
        let res = self.resolution_ns;
        self.core.queue.push(now.saturating_add(res.max(1)), Ev::MetricsTick);
        if self.layers.is_some() {
            self.layers_tick();
        }
        for (c, s) in self.core.stats.iter_mut().enumerate() {
            let (mut a, mut d, mut e, mut ls) = (0u64, 0u64, 0u64, 0u128);
            for t in &s.types {
                a += t.arrivals;
                d += t.completions;
                e += t.errors.iter().sum::<u64>();
                ls += t.lat.sum();
            }
            let busy = s.busy.integral(now);
            let cap = s.cap.integral(now);
            let queue = s.queue.integral(now);
            let p = s.prev;
            let dc = d - p.completions;
            let dcap = cap - p.cap;
            let span = res as f64;
            let instances = match &self.nodes[c] {
                Node::Group(g) => g.inst.iter().filter(|i| i.state == InstState::InService).count() as u32,
                _ => 1,
            };
            s.series.push(SeriesPoint {
                t_s: now as f64 / 1e9,
                arrivals: a - p.arrivals,
                completions: dc,
                errors: e - p.errors,
                mean_latency_ms: if dc > 0 { (ls - p.lat_sum) as f64 / dc as f64 / 1e6 } else { 0.0 },
                p99_ms: s.window.quantile(0.99) as f64 / 1e6,
                utilization: if dcap > 0 { (busy - p.busy) as f64 / dcap as f64 } else { 0.0 },
                mean_queue: (queue - p.queue) as f64 / span,
                in_flight: s.in_sys.value,
                instances,
                ..self.layers.as_deref().map_or(SeriesPoint::EMPTY_LAYERS, |l| l.series_fields(c))
            });
            s.window.clear();
            s.prev = Prev { arrivals: a, completions: d, errors: e, lat_sum: ls, busy, cap, queue };
        }
    }

    /// The scaling history of every group (the last 4,096 entries), oldest first.
    pub fn scaling_activities(&self) -> Vec<ScalingActivity> {
        self.activities.iter().copied().collect()
    }

    /// The time series of a component, oldest point first.
    pub fn series(&self, component: ComponentIdx) -> Vec<SeriesPoint> {
        self.core.stats.get(component.0 as usize).map(|s| s.series.iter().copied().collect()).unwrap_or_default()
    }

    /// The full metrics report at the current time.
    pub fn report(&self) -> Report {
        report::build(self)
    }
}

fn build(t: &Topology, config: SimConfig) -> Result<Simulation, BuildError> {
    let nt = t.request_types.len();
    let n = t.components.len();
    let idx: BTreeMap<&str, u32> = t.components.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
    let type_idx: BTreeMap<&str, usize> =
        t.request_types.iter().enumerate().map(|(i, r)| (r.name.as_str(), i)).collect();

    // Placement: region and AZ of every container.
    let mut regions: Vec<String> = Vec::new();
    let mut azs: Vec<String> = Vec::new();
    for c in &t.containers {
        match c.kind {
            ContainerKind::Region => regions.push(c.id.clone()),
            ContainerKind::Az => azs.push(c.id.clone()),
            _ => {}
        }
    }
    let place = |id: Option<&str>| -> (u16, u16) {
        let (mut region, mut az) = (NONE16, NONE16);
        let mut cur = id;
        let mut guard = 0;
        while let Some(cid) = cur {
            guard += 1;
            let Some(c) = t.container(cid) else { break };
            if guard > 16 {
                break;
            }
            match c.kind {
                ContainerKind::Region => region = regions.iter().position(|r| *r == c.id).map_or(NONE16, |p| p as u16),
                ContainerKind::Az if az == NONE16 => {
                    az = azs.iter().position(|r| *r == c.id).map_or(NONE16, |p| p as u16)
                }
                ContainerKind::Subnet if az == NONE16 => {
                    if let Some(a) = &c.az {
                        az = azs.iter().position(|r| r == a).map_or(NONE16, |p| p as u16);
                    }
                }
                _ => {}
            }
            cur = c.parent.as_deref();
        }
        if region == NONE16 && az != NONE16 {
            if let Some(p) = t.container(&azs[az as usize]).and_then(|a| a.parent.as_deref()) {
                region = regions.iter().position(|r| r == p).map_or(NONE16, |p| p as u16);
            }
        }
        (region, az)
    };
    let half = |ms: f64| Duration::from_millis_f64(ms / 2.0).as_nanos().min(u32::MAX as u64) as u32;
    let ns = |ms: f64| Duration::from_millis_f64(ms).as_nanos();

    let mut meta = Vec::with_capacity(n);
    for c in &t.components {
        let (region, az) = place(c.container.as_deref());
        let kind = c.spec.kind();
        let (class, edge_ns, origin_ns) = match &c.spec {
            ComponentSpec::Client(_) => (LocClass::Client, 0, 0),
            ComponentSpec::Route53(_) => (LocClass::Dns, 0, 0),
            ComponentSpec::Cloudfront(p) => (LocClass::Edge, half(p.edge_rtt_ms), half(p.origin_rtt_ms)),
            _ => (LocClass::Placed, 0, 0),
        };
        meta.push(Meta { id: c.id.clone(), kind, loc: Loc { class, region, az, edge_ns, origin_ns }, down: false });
    }

    // Routes and calls per (component, request type).
    let mut routes = vec![Vec::new(); n * nt];
    let mut callouts = vec![Vec::new(); n * nt];
    for conn in &t.connections {
        let (Some(&from), Some(&to)) = (idx.get(conn.from.as_str()), idx.get(conn.to.as_str())) else { continue };
        for (ti, rt) in t.request_types.iter().enumerate() {
            if !conn.request_types.is_empty() && !conn.request_types.contains(&rt.name) {
                continue;
            }
            let slot = from as usize * nt + ti;
            match catalog::kind_info(meta[from as usize].kind).outgoing {
                catalog::Outgoing::Call => callouts[slot].push(CallOut {
                    to,
                    whole: conn.share.floor().min(1000.0) as u16,
                    frac: conn.share.fract(),
                    blocked: NONE16,
                }),
                catalog::Outgoing::None => {}
                _ => {
                    if conn.share > 0.0 {
                        let prev = routes[slot].last().map_or(0.0, |r: &Route| r.cum);
                        routes[slot].push(Route { to, cum: prev + conn.share });
                    }
                }
            }
        }
    }

    let per_type = |map: &BTreeMap<String, Dist>, base: &Dist| -> Vec<Sampler> {
        t.request_types.iter().map(|rt| Sampler::of(map.get(&rt.name).unwrap_or(base))).collect()
    };
    let per_type_f = |map: &BTreeMap<String, f64>, base: f64| -> Vec<f64> {
        t.request_types.iter().map(|rt| *map.get(&rt.name).unwrap_or(&base)).collect()
    };
    let _ = &type_idx;

    let n_clients = t.components.iter().filter(|c| c.spec.kind() == ComponentKind::Client).count().max(1);
    let mut nodes = Vec::with_capacity(n);
    let mut client_ordinal = 0u16;
    let mut stats: Vec<CompStats> = (0..n).map(|_| CompStats::new(nt, config.series_capacity)).collect();
    let mut queue = EventQueue::with_capacity(1024);
    let mut rng = rng_from_seed(derive_seed(config.seed, 0));

    let group_azs = |subnets: &[String], container: Option<&str>| -> Vec<u16> {
        let mut v: Vec<u16> = subnets.iter().map(|s| place(Some(s.as_str())).1).collect();
        if v.is_empty() {
            v.push(place(container).1);
        }
        v
    };
    for (ci, c) in t.components.iter().enumerate() {
        let node = match &c.spec {
            ComponentSpec::Client(p) => {
                let mut shares: Vec<f64> = t
                    .request_types
                    .iter()
                    .map(|rt| if p.mix.is_empty() { rt.share } else { *p.mix.get(&rt.name).unwrap_or(&0.0) })
                    .collect();
                let mut acc = 0.0;
                for s in shares.iter_mut() {
                    acc += *s;
                    *s = acc;
                }
                let max_rate = p.arrival.max_rate();
                if max_rate > 0.0 {
                    let gap: f64 = rng.sample::<f64, _>(Exp1) / max_rate * 1e9;
                    queue.push(((gap + 0.5) as u64).max(1), Ev::ClientArrival { comp: ci as u32 });
                }
                let ordinal = client_ordinal;
                client_ordinal += 1;
                Node::Client {
                    arrival: p.arrival.clone(),
                    max_rate,
                    constant: matches!(p.arrival, Arrival::Constant { .. }),
                    mix: if nt == 1 { vec![1.0] } else { shares },
                    timeout_ns: ns(p.timeout_ms),
                    ordinal,
                }
            }
            ComponentSpec::Route53(p) => {
                queue.push(ns(p.health_check_interval_s * 1000.0), Ev::HealthCheck { comp: ci as u32 });
                Node::Route53(R53 {
                    policy: p.policy,
                    ttl_ns: ns(p.ttl_s * 1000.0),
                    query_ns: ns(p.query_ms),
                    resolvers: p.resolvers.max(1),
                    cache: vec![(NONE, 0); n_clients * p.resolvers.max(1) as usize],
                    interval_ns: ns(p.health_check_interval_s * 1000.0).max(1),
                    threshold: p.failure_threshold.max(1),
                    fails: vec![0; n],
                })
            }
            ComponentSpec::Cloudfront(p) => {
                Node::Cdn { proc_ns: ns(p.processing_ms), hit: per_type_f(&p.hit_ratio_by_type, p.hit_ratio) }
            }
            ComponentSpec::Alb(p) => {
                let interval = ns(p.health_check_interval_s * 1000.0);
                // AZs the ALB has nodes in: where its targets can be.
                let mut zs: Vec<u16> = Vec::new();
                for conn in t.connections.iter().filter(|x| x.from == c.id) {
                    if let Some(target) = t.component(&conn.to) {
                        let list = match &target.spec {
                            ComponentSpec::Asg(a) => group_azs(&a.subnets, target.container.as_deref()),
                            _ => vec![place(target.container.as_deref()).1],
                        };
                        zs.extend(list.into_iter().filter(|z| *z != NONE16));
                    }
                }
                zs.sort_unstable();
                zs.dedup();
                Node::Alb(Alb {
                    lor: p.algorithm == LbAlgorithm::LeastOutstandingRequests,
                    cross_zone: p.cross_zone,
                    proc_ns: ns(p.processing_ms),
                    healthy_ns: interval * u64::from(p.healthy_threshold),
                    unhealthy_ns: interval * u64::from(p.unhealthy_threshold),
                    rr: 0,
                    azs: zs,
                })
            }
            ComponentSpec::Ec2(p) => {
                let vcpus = p.vcpus.unwrap_or_else(|| catalog::instance_type(&p.instance_type).map_or(1, |x| x.vcpus));
                let az = place(c.container.as_deref()).1;
                let mut inst = new_instance(vcpus, p.queue_capacity, az);
                inst.state = InstState::InService;
                inst.initial = true;
                if let Some(d) = &p.disk {
                    inst.disk_gap_ns = if d.iops > 0.0 { 1e9 / d.iops } else { 0.0 };
                }
                stats[ci].cap.add(0, vcpus as i64);
                Node::Group(Group {
                    timeout_ns: ns(p.timeout_ms),
                    svc: per_type(&p.service_time_by_type, &p.service_time),
                    inst: vec![inst],
                    rr: 0,
                    disk_ios: p.disk.as_ref().map_or(0.0, |d| d.ios_per_request),
                    asg: None,
                })
            }
            ComponentSpec::Asg(p) => {
                let vcpus = p.vcpus.unwrap_or_else(|| catalog::instance_type(&p.instance_type).map_or(1, |x| x.vcpus));
                let zs = group_azs(&p.subnets, c.container.as_deref());
                let mut inst: Vec<Instance> =
                    (0..p.max.max(1)).map(|_| new_instance(vcpus, p.queue_capacity, NONE16)).collect();
                for (k, i) in inst.iter_mut().enumerate().take(p.desired as usize) {
                    i.state = InstState::InService;
                    i.initial = true;
                    i.az = zs[k % zs.len()];
                    stats[ci].cap.add(0, vcpus as i64);
                }
                let period = ns(p.evaluation_period_s * 1000.0).max(1);
                queue.push(period, Ev::ScalingEval { comp: ci as u32 });
                Node::Group(Group {
                    timeout_ns: ns(p.timeout_ms),
                    svc: per_type(&p.service_time_by_type, &p.service_time),
                    inst,
                    rr: 0,
                    disk_ios: 0.0,
                    asg: Some(Asg {
                        min: p.min,
                        max: p.max,
                        target: p.target_cpu_percent / 100.0,
                        warmup_ns: ns(p.warmup_s * 1000.0),
                        cooldown_ns: ns(p.cooldown_s * 1000.0),
                        period_ns: period,
                        launch: Sampler::of(&Dist::Uniform {
                            min_ms: p.launch_min_s * 1000.0,
                            max_ms: p.launch_max_s * 1000.0,
                        }),
                        azs: zs,
                        last_action: 0,
                    }),
                })
            }
            ComponentSpec::Rds(p) => {
                let class = catalog::db_instance_class(&p.instance_class);
                let vcpus = p.vcpus.unwrap_or_else(|| class.map_or(2, |x| x.vcpus));
                let max_conn = p.max_connections.unwrap_or_else(|| class.map_or(100, catalog::default_max_connections));
                let st = (0..=p.read_replicas).map(|_| Station::new(vcpus, max_conn)).collect();
                stats[ci].cap.add(0, (vcpus * (p.read_replicas + 1)) as i64);
                Node::Rds {
                    st,
                    svc: per_type(&p.query_time_by_type, &p.query_time),
                    commit_ns: if p.multi_az { ns(p.commit_ms) } else { 0 },
                    max_conn: max_conn as u64,
                    lag_ns: ns(p.replication_lag_ms),
                    last_write: None,
                }
            }
            ComponentSpec::Elasticache(p) => {
                stats[ci].cap.add(0, p.nodes as i64);
                Node::Cache {
                    st: (0..p.nodes).map(|_| Station::new(1, p.queue_capacity)).collect(),
                    svc: Sampler::of(&p.service_time),
                    hit: per_type_f(&p.hit_ratio_by_type, p.hit_ratio),
                }
            }
            ComponentSpec::S3(p) => Node::S3 {
                get: Sampler::of(&p.get_latency),
                put: Sampler::of(&p.put_latency),
                gets: (0..p.prefixes).map(|_| Bucket::new(p.get_rps_per_prefix)).collect(),
                puts: (0..p.prefixes).map(|_| Bucket::new(p.put_rps_per_prefix)).collect(),
            },
            ComponentSpec::Dynamodb(p) => Node::Ddb {
                read: Sampler::of(&p.read_latency),
                write: Sampler::of(&p.write_latency),
                rb: Bucket::new(p.read_capacity_rps),
                wb: Bucket::new(p.write_capacity_rps),
            },
            ComponentSpec::Lambda(p) => {
                stats[ci].cap.add(0, p.concurrency_limit as i64);
                Node::Lambda {
                    dur: Sampler::of(&p.duration),
                    cold: Sampler::of(&p.cold_start),
                    limit: p.concurrency_limit,
                    active: 0,
                    idle: VecDeque::with_capacity((p.concurrency_limit as usize).min(4096)),
                    keep_ns: ns(p.keep_warm_s * 1000.0),
                }
            }
            ComponentSpec::Sqs(p) => {
                stats[ci].cap.add(0, p.consumer_concurrency as i64);
                Node::Sqs {
                    send: Sampler::of(&p.send_latency),
                    conc: p.consumer_concurrency,
                    busy: 0,
                    max: p.max_messages as usize,
                    backlog: VecDeque::with_capacity(1024),
                }
            }
        };
        nodes.push(node);
    }
    let res = config.metrics_resolution.as_nanos();
    queue.push(res, Ev::MetricsTick);
    if config.warmup.as_nanos() > 0 {
        queue.push(config.warmup.as_nanos(), Ev::Warmup);
    }
    let write_types = t.request_types.iter().enumerate().filter(|(_, r)| r.write).fold(0u64, |m, (i, _)| m | (1 << i));
    let net = &t.network;
    let core = Core {
        now: 0,
        queue,
        calls: Vec::with_capacity(1024),
        free: Vec::with_capacity(1024),
        max_calls: config.max_calls.clamp(16, u32::MAX as usize - 1),
        rng,
        meta,
        nt,
        routes,
        callouts,
        stats,
        journeys: VecDeque::with_capacity(if config.journey_sample_every > 0 {
            config.journey_buffer.min(65_536)
        } else {
            0
        }),
        journey_cap: config.journey_buffer.max(1),
        journeys_dropped: 0,
        sample_every: config.journey_sample_every,
        next_req: 0,
        hash: 0xcbf2_9ce4_8422_2325 ^ config.seed,
        events: 0,
        warmup_end: config.warmup.as_nanos(),
        measure_start: 0,
        same_az_ns: half(net.same_az_rtt_ms),
        cross_az_ns: half(net.cross_az_rtt_ms),
        cross_region_ns: half(net.cross_region_rtt_ms),
        internet_ns: half(net.internet_rtt_ms),
    };
    let mut sim = Simulation {
        core,
        nodes,
        faults: Vec::new(),
        az_ids: azs,
        type_names: t.request_types.iter().map(|r| r.name.clone()).collect(),
        scratch: Vec::with_capacity(64),
        deferred: Vec::with_capacity(16),
        resolution_ns: res,
        write_types,
        activities: Ring::new(4096),
        layers: None,
        time_regressions: 0,
        health_targets: Vec::new(),
        config,
    };
    if let Some(cfg) = &t.infrastructure {
        layered::attach(&mut sim, t, cfg);
    }
    Ok(sim)
}

fn new_instance(vcpus: u32, cap: u32, az: u16) -> Instance {
    Instance {
        st: Station::new(vcpus.max(1), cap),
        az,
        state: InstState::Free,
        up: true,
        initial: false,
        ready_at: 0,
        down_at: u64::MAX,
        active: 0,
        mult: 1.0,
        disk_gap_ns: 0.0,
        disk_next: 0,
        mark_busy: 0,
        mark_time: 0,
        layer: NONE,
        tick_busy: 0,
    }
}
