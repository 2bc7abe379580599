//! [`Core`]: everything of a run except the per-kind nodes (clock, event queue, calls, random
//! generator, topology tables, statistics), so a handler can borrow its node and the core at
//! once; and the steps every kind shares: a call arrives, is sent, queues for and holds a
//! server, and responds.

use super::call::{Call, CallSlab, Flags, Phase, NONE, NONE16};
use super::layered::LayerRun;
use super::metrics::CompStats;
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
#[derive(Debug)]
pub(super) struct Meta {
    pub(super) id: String,
    pub(super) kind: ComponentKind,
    pub(super) loc: Loc,
    /// Down by a fault (`ComponentDown`, `AzDown`).
    pub(super) down: bool,
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
}

/// Everything except the per-kind nodes, so handlers can borrow a node and the core at once.
#[derive(Debug)]
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
        self.journeys.push_back(JourneyEvent {
            request: call.req,
            time: SimTime(self.now),
            component: ComponentIdx(call.comp),
            instance: call.inst,
            request_type: call.rtype as u16,
            kind,
        });
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
    pub(super) fn send(&mut self, parent: u32, to: u32, inst: u32, to_az: u16) -> Result<(), ErrorCause> {
        let p = self.calls[parent];
        if p.hops >= MAX_HOPS {
            return Err(ErrorCause::HopLimit);
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
            phase: Phase::None,
            error: None,
            root: None,
            flags: p.flags.inherited(),
            hops: p.hops + 1,
        };
        let Some(c) = self.calls.alloc(child) else { return Err(ErrorCause::QueueFull) };
        self.queue.push(self.now.saturating_add(lat as u64), Ev::Arrive { call: c });
        Ok(())
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
