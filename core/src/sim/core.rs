//! [`Core`]: everything of a run except the per-kind nodes (clock, event queue, calls, random
//! generator, topology tables, statistics), so a handler can borrow its node and the core at
//! once; and the steps every kind shares: a call arrives, is sent, queues for and holds a
//! server, and responds.

use super::breaker::ConnState;
use super::call::{Call, CallSlab, Flags, Phase, NONE, NONE16};
use super::deadline::DeadlineQueue;
use super::layered::LayerRun;
use super::metrics::CompStats;
use super::outcomes::Outcomes;
use super::queue::{Ev, EventQueue};
use super::station::Station;
use super::stats::Ring;
use super::{ComponentIdx, ErrorCause, HopKind, JourneyEvent, ScalingActivity, MAX_HOPS};
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::topology::ComponentKind;
use rand::Rng;
use std::collections::VecDeque;

/// Where a component sits, for hop latencies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LocClass {
    Client,
    Dns,
    Edge,
    Placed,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Loc {
    pub(super) class: LocClass,
    pub(super) region: u16,
    pub(super) az: u16,
    pub(super) edge_ns: u32,
    pub(super) origin_ns: u32,
}

/// What every component has, whatever its kind.
#[derive(Clone, Debug)]
pub(super) struct Meta {
    pub(super) id: String,
    pub(super) kind: ComponentKind,
    pub(super) loc: Loc,
    /// Down by a fault (`ComponentDown`, `AzDown`, an experiment).
    pub(super) down: bool,
    /// What callers of a down component see (`Unavailable`, or `DnsFailure` when its name no
    /// longer resolves).
    pub(super) down_cause: ErrorCause,
    /// Share of its requests it answers with a server error (a bad configuration pushed).
    pub(super) bad_share: f64,
}

/// Calls between two places made slower or lost by an experiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Impairment {
    /// Caller and callee (`NONE`: any; with `azs`, the pair of AZs instead).
    pub(super) from: u32,
    pub(super) to: u32,
    /// A partition between two AZs: calls across it are lost.
    pub(super) azs: Option<(u16, u16)>,
    /// Added one-way latency.
    pub(super) extra_ns: u64,
    /// Share of calls whose packets are lost (each loss costs a TCP retransmission timeout).
    pub(super) loss: f64,
}

/// Longest the observation log grows (later lines are dropped).
pub(super) const MAX_OBSERVATIONS: usize = 10_000;
/// How long a caller waits for a connection across a partition before giving up.
pub(super) const CONNECT_TIMEOUT_NS: u64 = 10_000_000_000;
/// TCP's first retransmission timeout (it doubles with each loss in a row).
const RTO_NS: u64 = 1_000_000_000;

/// What an observation says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObservationKind {
    /// An experiment action began.
    ActionStarted,
    /// An experiment action ended (its duration, a failover, a rollback, a stop condition).
    ActionEnded,
    /// A stop condition ended the experiment early.
    ExperimentStopped,
    /// An instance died.
    InstanceDied,
    /// A load balancer's health checks took a target out.
    TargetUnhealthy,
    /// A load balancer's health checks put a target back.
    TargetHealthy,
    /// Route 53's health checks marked a record's target unhealthy.
    RecordUnhealthy,
    /// Route 53's health checks found a record's target healthy again.
    RecordHealthy,
    /// A database failed over to its standby.
    Failover,
    /// Auto Scaling replaced an instance that failed its health check.
    InstanceReplaced,
    /// A launch failed (capacity).
    LaunchFailed,
    /// A canary configuration push reached its next stage.
    CanaryStage,
    /// A canary push was halted and rolled back.
    CanaryHalted,
    /// A circuit breaker opened.
    BreakerOpened,
    /// A circuit breaker closed again.
    BreakerClosed,
    /// A circuit breaker let a trial call through.
    BreakerHalfOpen,
    /// An availability zone went dark.
    ZoneLost,
    /// An availability zone came back.
    ZoneBack,
    /// A disaster-recovery standby was activated (scaled up, promoted, restored).
    StandbyActivated,
    /// An instance was stopped (`stop-instance`).
    InstanceStopped,
    /// A stopped instance was started again.
    InstanceStarted,
    /// An instance was rebooted (`reboot-instance`).
    InstanceRebooted,
    /// An EKS deployment's HPA changed its pod count.
    PodsScaled,
    /// A pod fits on no node (kube-scheduler's reason).
    PodPending,
    /// The cluster autoscaler launched nodes for Pending pods.
    NodesAdded,
    /// A new node joined its cluster and is Ready.
    NodeJoined,
    /// A deployment began, moved traffic, or ended.
    Deployment,
    /// An alarm fired.
    AlarmFired,
    /// A deployment is being rolled back.
    RolledBack,
    /// A pod was deleted, or its node drained or failed.
    PodStopped,
    /// An alarm of the document is OK again.
    AlarmOk,
}

/// One line of the observation log: what happened, when, in words.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Observation {
    /// When, ns.
    #[serde(skip)]
    pub time_ns: u64,
    /// When, s.
    pub time_s: f64,
    /// What kind of thing.
    pub kind: ObservationKind,
    /// The experiment action it belongs to, if any.
    pub action: Option<u32>,
    /// In words.
    pub text: String,
}

/// A control-plane call the simulated account made: CloudTrail's record (or, for an EKS
/// deployment, the Kubernetes API server's audit log's): who called what, on what, when.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TrailRecord {
    /// When, s.
    pub time_s: f64,
    /// Who: `user:deployer`, `cloudwatch-alarm:NAME`, `fis-experiment`.
    pub principal: String,
    /// The call, with its service: `ecs:UpdateService`, `elasticloadbalancing:ModifyListener`,
    /// `k8s:patch deployments`.
    pub call: String,
    /// The component it acted on.
    pub resource: String,
    /// Its parameters, in words.
    pub detail: String,
}

/// One weighted route of a routing kind (cumulative share, for drawing).
#[derive(Clone, Copy, Debug)]
pub(super) struct Route {
    pub(super) to: u32,
    pub(super) cum: f64,
}

/// One outgoing connection of a compute kind: `whole` calls, plus one with probability `frac`.
#[derive(Clone, Copy, Debug)]
pub(super) struct CallOut {
    pub(super) to: u32,
    pub(super) whole: u16,
    pub(super) frac: f64,
    /// Index of the blocked path in the layers' list (`NONE16`: the network lets it through).
    pub(super) blocked: u16,
    /// Index of its resilience patterns in `Core::conn_states` (`NONE16`: none).
    pub(super) patterns: u16,
}

/// Everything except the per-kind nodes, so handlers can borrow a node and the core at once.
#[derive(Clone, Debug)]
pub(super) struct Core {
    pub(super) now: u64,
    pub(super) queue: EventQueue,
    pub(super) calls: CallSlab,
    pub(super) rng: SimRng,
    pub(super) meta: Vec<Meta>,
    /// Number of request types.
    pub(super) nt: usize,
    /// Per (component, request type): routes of routing kinds.
    pub(super) routes: Vec<Vec<Route>>,
    /// Per (component, request type): outgoing calls of compute kinds.
    pub(super) callouts: Vec<Vec<CallOut>>,
    pub(super) stats: Vec<CompStats>,
    pub(super) journeys: VecDeque<JourneyEvent>,
    pub(super) journey_cap: usize,
    pub(super) journeys_dropped: u64,
    pub(super) sample_every: u64,
    pub(super) next_req: u64,
    /// Bit `t` set: request type `t` writes.
    pub(super) write_types: u64,
    pub(super) hash: u64,
    pub(super) events: u64,
    pub(super) warmup_end: u64,
    pub(super) measure_start: u64,
    pub(super) same_az_ns: u32,
    pub(super) cross_az_ns: u32,
    pub(super) cross_region_ns: u32,
    pub(super) internet_ns: u32,
    /// The scaling history of every group.
    pub(super) activities: Ring<ScalingActivity>,
    /// The layers under the instances, when the topology has an `infrastructure`.
    pub(super) layers: Option<Box<LayerRun>>,
    /// Links an experiment slows or breaks (empty almost always: checked before any work).
    pub(super) impairments: Vec<Impairment>,
    /// AZs (engine indices) that are dark.
    pub(super) az_down: Vec<bool>,
    /// Client outcomes per second.
    pub(super) outcomes: Outcomes,
    /// What happened, in words, in order.
    pub(super) observations: Vec<Observation>,
    /// The control-plane calls made (deployments, alarm actions, injected faults), in order.
    pub(super) trail: Vec<TrailRecord>,
    /// Per connection with resilience patterns: caller, callee and the caller's state.
    pub(super) conn_states: Vec<(u32, u32, ConnState)>,
    /// Deadlines by place: one queue per client population and per connection with a timeout.
    pub(super) deadlines: Vec<DeadlineQueue>,
    /// Per component: what reached it and what it sent across AZs and regions (the cost model).
    pub(super) usage: Vec<super::cost::Usage>,
}

impl Core {
    #[inline]
    pub(super) fn journey(&mut self, call: &Call, kind: HopKind) {
        if !call.flags.contains(Flags::SAMPLED) {
            return;
        }
        if self.journeys.len() >= self.journey_cap {
            self.journeys.pop_front();
            self.journeys_dropped += 1;
        }
        let from = (call.parent != NONE).then(|| ComponentIdx(self.calls[call.parent].comp));
        self.journeys.push_back(JourneyEvent {
            request: call.req,
            time: SimTime(self.now),
            component: ComponentIdx(call.comp),
            from,
            link_ns: call.up_ns,
            instance: call.inst,
            request_type: call.rtype as u16,
            kind,
        });
    }

    /// Writes one line of the observation log (up to [`MAX_OBSERVATIONS`]).
    pub(super) fn observe(&mut self, kind: ObservationKind, action: Option<u32>, text: String) {
        if self.observations.len() < MAX_OBSERVATIONS {
            let time_ns = self.now;
            self.observations.push(Observation { time_ns, time_s: time_ns as f64 / 1e9, kind, action, text });
        }
    }

    /// Records a control-plane call on component `comp` (bounded like the observations).
    pub(super) fn record(&mut self, principal: &str, call: &str, comp: u32, detail: String) {
        if self.trail.len() < MAX_OBSERVATIONS {
            let resource = self.meta[comp as usize].id.clone();
            let (principal, call) = (principal.to_string(), call.to_string());
            self.trail.push(TrailRecord { time_s: self.now as f64 / 1e9, principal, call, resource, detail });
        }
    }

    /// One-way latency of a hop from the call's place to component `to` (in AZ `to_az`).
    pub(super) fn hop_ns(&self, from: u32, from_az: u16, origin: u16, to: u32, to_az: u16) -> u32 {
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
    /// balancer picked the instance. An error means the call could not be made; the caller then
    /// answers `parent` with it.
    pub(super) fn send(&mut self, parent: u32, to: u32, inst: u32, to_az: u16) -> Result<u32, ErrorCause> {
        let p = self.calls[parent];
        if p.hops >= MAX_HOPS {
            return Err(ErrorCause::HopLimit);
        }
        let to_az = if to_az == NONE16 { self.meta[to as usize].loc.az } else { to_az };
        let mut lat = self.hop_ns(p.comp, p.az, p.origin, to, to_az);
        // Lost packets delay the way there only; added latency applies both ways.
        let mut there = 0u64;
        if !self.impairments.is_empty() {
            match self.impaired(p.comp, p.az, to, to_az) {
                Some((each_way, retransmits)) => {
                    lat = lat.saturating_add(each_way.min(u64::from(u32::MAX)) as u32);
                    there = retransmits;
                }
                None => return self.send_lost(parent, to, to_az),
            }
        }
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
            phase: Phase::None,
            error: None,
            root: None,
            flags: p.flags.inherited() | self.transfer(p.comp, p.az, to, to_az),
            hops: p.hops + 1,
            attempt: 0,
        };
        let Some(c) = self.calls.alloc(child) else { return Err(ErrorCause::QueueFull) };
        self.queue.push(self.now.saturating_add(lat as u64).saturating_add(there), Ev::Arrive { call: c });
        Ok(c)
    }

    /// What experiments do to a call from `from` (in `from_az`) to `to` (in `to_az`): added
    /// latency each way and retransmission delay on the way there, or `None` when it is lost
    /// for good (a partition).
    fn impaired(&mut self, from: u32, from_az: u16, to: u32, to_az: u16) -> Option<(u64, u64)> {
        let mut extra = 0u64;
        let mut retransmits = 0u64;
        for k in 0..self.impairments.len() {
            let m = self.impairments[k];
            if let Some((a, b)) = m.azs {
                if (from_az == a && to_az == b) || (from_az == b && to_az == a) {
                    return None;
                }
                continue;
            }
            if m.from != from || m.to != to {
                continue;
            }
            extra = extra.saturating_add(m.extra_ns);
            // Each lost packet in a row costs a retransmission timeout, doubling.
            let mut rto = RTO_NS;
            while m.loss > 0.0 && self.rng.random::<f64>() < m.loss && rto < 64 * RTO_NS {
                retransmits = retransmits.saturating_add(rto);
                rto *= 2;
            }
        }
        Some((extra, retransmits))
    }

    /// A call across a partition: it never arrives; the caller gives up after the connection
    /// timeout with [`ErrorCause::Timeout`].
    fn send_lost(&mut self, parent: u32, to: u32, to_az: u16) -> Result<u32, ErrorCause> {
        let p = self.calls[parent];
        let mut child = Call::root(p.req, self.now, to, p.origin, p.rtype, p.flags.inherited());
        child.parent = parent;
        child.az = to_az;
        child.hops = p.hops + 1;
        child.error = Some(ErrorCause::Timeout);
        child.root = Some(ErrorCause::Timeout);
        let Some(c) = self.calls.alloc(child) else { return Err(ErrorCause::QueueFull) };
        self.queue.push(self.now.saturating_add(CONNECT_TIMEOUT_NS), Ev::Response { call: c });
        Ok(c)
    }

    /// Picks one route for the call's type, weighted by share. `None` if there is none.
    #[inline(always)]
    pub(super) fn choose(&mut self, comp: u32, rtype: u8) -> Option<u32> {
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

    /// Records the call's answer and sends the response to its caller: success when `error` is
    /// `None`; `root` is the root cause carried to the client (the error itself when `None`).
    /// Only the statistics and the response: `Simulation::answer` adds the kind's bookkeeping.
    #[inline(always)]
    pub(super) fn respond(&mut self, call: u32, error: Option<ErrorCause>, root: Option<ErrorCause>) {
        let now = self.now;
        let c = &mut self.calls[call];
        c.error = error;
        c.root = error.map(|e| root.unwrap_or(e));
        c.flags.insert(Flags::DONE);
        let c = *c;
        let lat = now - c.arrived;
        let s = &mut self.stats[c.comp as usize];
        s.in_sys.add(now, -1);
        if c.flags.contains(Flags::COUNTED) {
            let t = &mut s.types[c.rtype as usize];
            match error {
                None => {
                    t.completions += 1;
                    t.lat.record(lat);
                }
                Some(e) => {
                    t.errors[e as usize] += 1;
                    t.err_lat_sum += lat as u128;
                }
            }
        }
        if error.is_none() {
            s.window.record(lat);
        }
        self.journey(&c, error.map_or(HopKind::Done, HopKind::Error));
        if c.parent != NONE {
            self.queue.push(now.saturating_add(c.up_ns as u64), Ev::Response { call });
        }
    }

    /// The call reached its component: counts it and stamps its arrival.
    pub(super) fn arrive_stats(&mut self, call: u32) {
        let now = self.now;
        let c = &mut self.calls[call];
        c.arrived = now;
        c.flags.insert(Flags::ARRIVED);
        if now >= self.warmup_end {
            c.flags.insert(Flags::COUNTED);
        }
        let c = *c;
        let u = &mut self.usage[c.comp as usize];
        u.requests += 1;
        u.writes += u64::from(c.flags.contains(Flags::WRITE));
        u.from_internet += u64::from(c.flags.contains(Flags::FROM_INTERNET));
        u.cross_az += u64::from(c.flags.contains(Flags::CROSS_AZ));
        u.cross_region += u64::from(c.flags.contains(Flags::CROSS_REGION));
        let s = &mut self.stats[c.comp as usize];
        s.in_sys.add(now, 1);
        if c.flags.contains(Flags::COUNTED) {
            s.types[c.rtype as usize].arrivals += 1;
        }
        self.journey(&c, HopKind::Arrive);
    }

    /// Offers a call to a station: starts it, queues it, or refuses it (returns false).
    pub(super) fn offer(&mut self, comp: u32, st: &mut Station, call: u32, svc: u64) -> bool {
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

    /// A server of `st` takes the call for `svc` ns (its `ServiceDone` is scheduled).
    #[inline]
    pub(super) fn start(&mut self, comp: u32, st: &mut Station, call: u32, svc: u64) {
        let now = self.now;
        st.busy += 1;
        st.busy_tw.add(now, 1);
        let s = &mut self.stats[comp as usize];
        s.busy.add(now, 1);
        let c = self.calls[call];
        if c.flags.contains(Flags::COUNTED) {
            let t = &mut s.types[c.rtype as usize];
            t.wait_sum += (now - c.arrived) as u128;
            t.started += 1;
        }
        if c.flags.contains(Flags::SAMPLED) {
            self.journey(&c, HopKind::Start);
        }
        self.queue.push(now.saturating_add(svc), Ev::ServiceDone { call });
    }

    /// A server of `st` is free again: the next queued call (if any) is returned for starting.
    #[inline]
    pub(super) fn finish(&mut self, comp: u32, st: &mut Station) -> Option<u32> {
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
