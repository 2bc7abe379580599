//! The discrete-event engine.
//!
//! A [`Simulation`] is built from a [`Topology`] and a [`SimConfig`] and then driven by its
//! caller: [`Simulation::step_until`] processes every event up to a time the caller chooses, and
//! the caller reads metrics ([`Simulation::report`], [`Simulation::series`]) and what happened:
//! a live view reads one stream ([`Simulation::observe`]: sampled calls, launch phases, scaling,
//! the observation log, in time order); targeted reads drain sampled request journeys
//! ([`Simulation::drain_journeys`]) or launch phases alone. The engine never reads a clock and never
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
//!
//! ## Where things are
//! - `types`: the public vocabulary ([`ErrorCause`], [`SimConfig`], [`Fault`], ...).
//! - `call`: a call, its flags and phase, and the call slab. `core`: [`Simulation`]'s state
//!   outside the nodes, and the steps every kind shares (send, queue for a server, respond).
//! - `node`: the per-kind state of a component and the routing of events to the kind modules:
//!   `client`, `route53`, `cloudfront`, `alb`, `group` (EC2 and Auto Scaling instances), `asg`
//!   (scaling), `rds`, `elasticache`, `s3`, `dynamodb`, `lambda`, `sqs`; `compute` holds what
//!   the compute kinds share (their outgoing calls).
//! - `dispatch`: the event loop, and the one way a component answers a call.
//! - `build` (construction), `faults`, `metrics` (statistics, ticks), `layered` (the layers),
//!   `report`, `journey`, `observe` (the live view's stream); `sampler`, `station` (servers and token buckets), `queue` (events),
//!   `stats` (histograms and time-weighted figures).

mod alarms;
mod alb;
mod asg;
mod breaker;
mod build;
mod call;
mod client;
mod cloudfront;
mod compute;
mod core;
mod cost;
mod deadline;
mod detail;
mod dispatch;
mod dr;
mod dynamodb;
mod elasticache;
mod experiments;
mod faults;
mod group;
mod health;
mod journey;
mod lambda;
mod layered;
mod live;
mod metrics;
mod node;
mod observe;
mod outcomes;
mod pods;
mod queue;
mod rds;
mod report;
mod resilience_report;
mod restart;
mod route53;
mod s3;
mod sampler;
mod slo;
mod sqs;
mod station;
pub mod stats;
mod types;
#[cfg(test)]
mod unvalidated_tests;

pub use core::{Observation, ObservationKind, TrailRecord};
pub use cost::{CategoryCost, ComponentCost, CostCategory, CostLine, CostReport};
pub use detail::{
    HostDetail, InstanceDetail, LaunchKind, LaunchRecord, NeighbourVm, NetworkDetail, RouteDetail, SecurityGroupDetail,
    SliceDetail, VolumeDetail,
};
pub use journey::{assemble_journeys, Hop, Journey};
pub use layered::{AzLayers, BlockedPath, InstanceLayers, LayersReport, LifecycleEvent, VolumeLayers};
pub use live::ClientTotals;
pub use observe::{Observed, StreamCursor};
pub use outcomes::{ErrorBudget, MinuteAvailability};
pub use pods::{NodeVm, PodDetail};
pub use report::{ClientReport, ComponentReport, ErrorCounts, InstanceUtilization, Report, SeriesPoint, TypeReport};
pub use resilience_report::{ConnectionReport, Incident, ResilienceReport};
pub use slo::{LatencyCompliance, SloReport};
pub use types::{
    Audit, BuildError, ComponentIdx, ErrorCause, Fault, FaultError, HopKind, JourneyEvent, MemoryUse, ScalingAction,
    ScalingActivity, SimConfig, MAX_HOPS,
};

use self::call::{Flags, NONE};
use self::core::Core;
use crate::time::SimTime;
use crate::topology::{ComponentKind, Topology};
use crate::validate::validate;
use faults::FaultAction;
use node::Node;
use types::N_CAUSES;

/// Where an instance is in its life, as [`Simulation::instances`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    /// Launching through the layers (or the group's launch time).
    Launching,
    /// Serving.
    InService,
    /// Failed (by a fault or an experiment), not yet replaced or back.
    Down,
    /// Scaled in or replaced: finishing its requests.
    Draining,
    /// Ready and health-checked but sent no traffic (a blue-green deployment's idle set).
    Standby,
}

/// One instance of a group.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InstanceView {
    /// Slot number in the group.
    pub slot: u32,
    /// Its AZ container id, when placed in one.
    pub az: Option<String>,
    /// Its state.
    pub status: InstanceStatus,
    /// The version its pod runs (0: the first), for an EKS deployment's pod.
    pub version: Option<u32>,
    /// Whether a load balancer's health checks have it in rotation.
    pub in_rotation: bool,
}

/// A running simulation of one topology.
#[derive(Clone, Debug)]
pub struct Simulation {
    core: Core,
    nodes: Vec<Node>,
    config: SimConfig,
    /// What the cost model charges each component for, and the usage at the last tick.
    cost: cost::CostRun,
    faults: Vec<FaultAction>,
    az_ids: Vec<String>,
    /// Per AZ: its region (`NONE16` when it has none).
    az_region: Vec<u16>,
    region_ids: Vec<String>,
    /// Per region: lost whole (a region outage in effect).
    region_lost: Vec<bool>,
    /// The experiment being played, if any.
    experiment: Option<experiments::ExperimentRun>,
    /// The document's alarms.
    alarms: Vec<alarms::AlarmRun>,
    /// The availability objective (0..1).
    slo: f64,
    /// Per component: a client population's objectives, resolved (others: empty).
    client_slos: Vec<crate::topology::ClientSlo>,
    type_names: Vec<String>,
    resolution_ns: u64,
    /// Events processed at a time earlier than the clock (see [`Simulation::time_regressions`]).
    time_regressions: u64,
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
        build::build(topology, config)
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
        self.run(t.0, u64::MAX);
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
        let (_, reached) = self.run(t.0, max_events);
        if !reached {
            return false;
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
        self.run(u64::MAX, n).0
    }

    /// Requests the clients have sent so far (request numbers run from 1 to this).
    pub fn requests_sent(&self) -> u64 {
        self.core.next_req
    }

    /// Takes the buffered journey events (oldest first).
    pub fn drain_journeys(&mut self) -> impl Iterator<Item = JourneyEvent> + '_ {
        self.core.journeys.drain(..)
    }

    /// Records the journey of every `n`-th request from now on (0: none). Sampling only observes:
    /// the run itself (and its trace hash) is the same at any rate.
    pub fn set_journey_sampling(&mut self, n: u64) {
        self.core.sample_every = n;
    }

    /// The journey sampling rate in force (every n-th request; 0: none).
    pub fn journey_sampling(&self) -> u64 {
        self.core.sample_every
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

    /// Instances currently serving (in service, not draining) in a group; 1/0 for other kinds.
    pub fn instances_in_service(&self, component: ComponentIdx) -> u32 {
        self.nodes[component.0 as usize]
            .instances_in_service()
            .unwrap_or_else(|| u32::from(!self.core.meta[component.0 as usize].down))
    }

    /// The instance slots of a group that hold an instance (launching, in service, draining),
    /// with their AZ and health; empty for other kinds.
    pub fn instances(&self, component: ComponentIdx) -> Vec<InstanceView> {
        let Some(Node::Group(g)) = self.nodes.get(component.0 as usize) else { return Vec::new() };
        g.inst
            .iter()
            .enumerate()
            .filter(|(_, i)| i.state != group::InstState::Free)
            .map(|(k, i)| InstanceView {
                slot: k as u32,
                az: self.az_ids.get(i.az as usize).cloned(),
                status: match i.state {
                    group::InstState::Launching => InstanceStatus::Launching,
                    group::InstState::Draining => InstanceStatus::Draining,
                    _ if !i.up => InstanceStatus::Down,
                    group::InstState::Standby => InstanceStatus::Standby,
                    _ => InstanceStatus::InService,
                },
                version: g.pods.as_deref().and_then(|p| p.version_in(k as u32)),
                in_rotation: i.lb.healthy() && i.state == group::InstState::InService,
            })
            .collect()
    }

    /// Memory reserved by the internal buffers.
    pub fn memory_use(&self) -> MemoryUse {
        MemoryUse {
            call_slots: self.core.calls.capacity(),
            event_capacity: self.core.queue.capacity(),
            series_capacity: self.core.stats.iter().map(|s| s.series.capacity()).max().unwrap_or(0),
            journey_capacity: self.core.journeys.capacity(),
            queue_capacity: self.nodes.iter().map(Node::queue_capacity).sum(),
        }
    }

    /// About how much heap memory the run holds, bytes: its buffers (calls, events, statistics,
    /// time series, journeys, queues, observations, the layers' logs) at their capacity. A clone holds its
    /// buffers at their length, so this is also about what a clone costs.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let c = &self.core;
        let stats: usize = c
            .stats
            .iter()
            .map(|s| {
                s.types.iter().map(|t| t.lat.heap_bytes()).sum::<usize>()
                    + s.types.capacity() * size_of::<metrics::TypeStats>()
                    + s.window.heap_bytes()
                    + s.series.capacity() * size_of::<SeriesPoint>()
                    + s.causes.as_ref().map_or(0, |r| r.capacity() * size_of::<[u32; N_CAUSES]>())
            })
            .sum();
        let observations: usize = c.observations.iter().map(|o| o.text.capacity()).sum::<usize>()
            + c.observations.capacity() * size_of::<Observation>();
        c.calls.heap_bytes()
            + c.queue.capacity() * size_of::<queue::Entry>()
            + stats
            + c.journeys.capacity() * size_of::<JourneyEvent>()
            + c.outcomes.heap_bytes()
            + observations
            + self.nodes.iter().map(Node::queue_capacity).sum::<usize>() * size_of::<u64>()
            + self.nodes.capacity() * size_of::<Node>()
            + c.layers.as_deref().map_or(0, layered::LayerRun::heap_bytes)
            + c.usage.capacity() * size_of::<cost::Usage>()
            + self.cost.heap_bytes()
    }

    /// Recounts live calls by scanning the slab and compares with the counters:
    /// for every component, arrivals − completions − errors must equal the live counted calls.
    pub fn audit(&self) -> Audit {
        let n = self.core.meta.len();
        let mut live = vec![0u64; n];
        let mut all_live = vec![0u64; n];
        let mut live_calls = 0;
        for c in self.core.calls.slots() {
            if c.comp == NONE {
                continue;
            }
            live_calls += 1;
            if c.flags.contains(Flags::DONE) || c.flags.contains(Flags::DELIVERY) || !c.flags.contains(Flags::ARRIVED) {
                continue;
            }
            all_live[c.comp as usize] += 1;
            if c.flags.contains(Flags::COUNTED) {
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

    /// The scaling history of every group (the last 4,096 entries), oldest first.
    pub fn scaling_activities(&self) -> Vec<ScalingActivity> {
        self.core.activities.iter().copied().collect()
    }

    /// Simulated seconds per time-series point (the metrics resolution).
    pub fn series_resolution_s(&self) -> f64 {
        self.resolution_ns as f64 / 1e9
    }

    /// The time series of a component, oldest point first.
    pub fn series(&self, component: ComponentIdx) -> Vec<SeriesPoint> {
        self.core.stats.get(component.0 as usize).map(|s| s.series.iter().copied().collect()).unwrap_or_default()
    }

    /// What the run has observed so far (faults, health checks, failovers, replacements), oldest
    /// first; the same lines the report's `resilience.observations` lists.
    pub fn observations(&self) -> &[Observation] {
        &self.core.observations
    }

    /// The last `n` points of a component's time series, oldest first, without copying them.
    pub fn series_recent(&self, component: ComponentIdx, n: usize) -> impl Iterator<Item = &SeriesPoint> {
        let ring = self.core.stats.get(component.0 as usize).map(|s| &s.series);
        let skip = ring.map_or(0, |r| r.len().saturating_sub(n));
        ring.into_iter().flat_map(|r| r.iter()).skip(skip)
    }

    /// A client population's failures by cause in the last `n` buckets, in step with
    /// [`Simulation::series_recent`]; nothing for other components.
    pub fn error_causes_recent(&self, component: ComponentIdx, n: usize) -> impl Iterator<Item = &[u32; N_CAUSES]> {
        let ring = self.core.stats.get(component.0 as usize).and_then(|s| s.causes.as_ref());
        let skip = ring.map_or(0, |r| r.len().saturating_sub(n));
        ring.into_iter().flat_map(|r| r.iter()).skip(skip)
    }

    /// A client population's failures by cause in each bucket of its time series (counts in
    /// [`ErrorCause::ALL`] order), in step with [`Simulation::series`]; empty for other
    /// components.
    pub fn series_error_causes(&self, component: ComponentIdx) -> Vec<[u32; N_CAUSES]> {
        self.core
            .stats
            .get(component.0 as usize)
            .and_then(|s| s.causes.as_ref())
            .map_or_else(Vec::new, |r| r.iter().copied().collect())
    }

    /// The last `n` complete buckets of a component's time series (oldest first), without
    /// copying the rest.
    pub fn series_tail(&self, component: ComponentIdx, n: usize) -> Vec<SeriesPoint> {
        self.core
            .stats
            .get(component.0 as usize)
            .map_or_else(Vec::new, |s| s.series.iter().skip(s.series.len().saturating_sub(n)).copied().collect())
    }

    /// The full metrics report at the current time.
    pub fn report(&self) -> Report {
        report::build(self)
    }
}
