//! Route 53: resolvers that cache an answer for its TTL, routing policies (simple, failover,
//! latency, weighted) and health checks of the records' targets.

use super::call::{Call, Phase, NONE, NONE16};
use super::core::{Core, ObservationKind};
use super::health::{Checker, HealthCheck, Transition};
use super::node::{Next, Node};
use super::queue::Ev;
use super::ErrorCause;
use crate::topology::RoutingPolicy;
use rand::Rng;

/// A hosted zone's record and the resolvers that look it up.
#[derive(Clone, Debug)]
pub(super) struct Route53 {
    pub(super) policy: RoutingPolicy,
    pub(super) ttl_ns: u64,
    pub(super) query_ns: u64,
    /// Resolvers per client population.
    pub(super) resolvers: u32,
    /// Per resolver: the cached target and when the answer expires (`NONE`: never resolved).
    pub(super) cache: Vec<(u32, u64)>,
    /// Its health checks (interval, timeout, the failure threshold both ways).
    pub(super) check: HealthCheck,
    /// Per component: its health as the checks see it.
    pub(super) health: Vec<Checker>,
    /// Scratch for health checks: the distinct targets of the record.
    pub(super) targets: Vec<u32>,
}

/// A lookup: answered from the resolver's cache, or a query (`Phase::Resolve`) on a miss.
pub(super) fn arrive(r: &mut Route53, core: &mut Core, call: u32, c: &Call) -> Next {
    let now = core.now;
    let resolver = if r.resolvers > 1 { core.rng.random_range(0..r.resolvers) } else { 0 };
    let origin = if c.origin == NONE16 { 0 } else { c.origin as u32 };
    let slot = (origin * r.resolvers + resolver) as usize % r.cache.len().max(1);
    core.calls[call].inst = slot as u32;
    let (target, expires) = r.cache[slot];
    if target != NONE && expires > now {
        if let Err(e) = core.send(call, target, NONE, NONE16) {
            return Next::fail(e);
        }
        Next::Wait
    } else if core.meta[c.comp as usize].down {
        Next::fail(ErrorCause::DnsFailure)
    } else {
        core.calls[call].phase = Phase::Resolve;
        core.usage[c.comp as usize].queries += 1;
        core.queue.push(now.saturating_add(r.query_ns), Ev::Resume { call });
        Next::Wait
    }
}

/// `Phase::Resolve`: the query is answered by the routing policy; the resolver caches it.
pub(super) fn resume(r: &mut Route53, core: &mut Core, call: u32, c: &Call) -> Next {
    debug_assert_eq!(c.phase, Phase::Resolve);
    match resolve(r, core, c.comp, c) {
        Some(t) => {
            // A resolver's first answer gets a random remaining TTL: the many
            // resolvers of a population are out of phase, as in steady state.
            let slot = &mut r.cache[c.inst as usize];
            let ttl = if slot.0 == NONE { (r.ttl_ns as f64 * core.rng.random::<f64>()) as u64 } else { r.ttl_ns };
            *slot = (t, core.now.saturating_add(ttl));
            match core.send(call, t, NONE, NONE16) {
                Ok(_) => Next::Wait,
                Err(e) => Next::fail(e),
            }
        }
        None => Next::fail(ErrorCause::NoHealthyTarget),
    }
}

/// The target the routing policy answers with, `None` without records.
fn resolve(r: &Route53, core: &mut Core, comp: u32, c: &Call) -> Option<u32> {
    let routes = &core.routes[comp as usize * core.nt + c.rtype as usize];
    if routes.is_empty() {
        return None;
    }
    let healthy = |to: u32| r.health[to as usize].healthy();
    match r.policy {
        RoutingPolicy::Simple => core.choose(comp, c.rtype),
        RoutingPolicy::Failover => Some(routes.iter().find(|x| healthy(x.to)).unwrap_or(&routes[0]).to),
        RoutingPolicy::Latency => {
            let pick = |only_healthy: bool| {
                routes
                    .iter()
                    .filter(|x| !only_healthy || healthy(x.to))
                    .min_by_key(|x| core.hop_ns(comp, NONE16, c.origin, x.to, core.meta[x.to as usize].loc.az))
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
                return core.choose(comp, c.rtype);
            }
            let x = core.rng.random::<f64>() * total;
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

/// `HealthCheck`: checks every target of the record (see [`Node::passes_health_check`]) through
/// the shared model (`health`). Returns the primary of a failover record when this check marked
/// it unhealthy.
#[inline(never)]
pub(super) fn on_health_check(nodes: &mut [Node], core: &mut Core, comp: u32) -> Option<u32> {
    let Node::Route53(r) = &mut nodes[comp as usize] else { return None };
    let hc = r.check;
    let nt = core.nt;
    // The distinct targets, in a buffer reused from check to check.
    let mut targets = std::mem::take(&mut r.targets);
    targets.clear();
    targets.extend((0..nt).flat_map(|t| core.routes[comp as usize * nt + t].iter().map(|r| r.to)));
    targets.sort_unstable();
    targets.dedup();
    let mut lost_primary = None;
    for &t in &targets {
        let pass = Node::passes_health_check(nodes, core, t, hc.timeout_ns);
        let Node::Route53(r) = &mut nodes[comp as usize] else { continue };
        match r.health[t as usize].observe(&hc, pass) {
            Some(Transition::Unhealthy) => {
                let text = format!(
                    "{} health checks mark {} unhealthy after {} failures",
                    core.meta[comp as usize].id, core.meta[t as usize].id, hc.unhealthy_threshold
                );
                core.observe(ObservationKind::RecordUnhealthy, None, text);
                let primary = (0..nt).any(|ty| core.routes[comp as usize * nt + ty].first().is_some_and(|x| x.to == t));
                if r.policy == RoutingPolicy::Failover && primary {
                    lost_primary = Some(t);
                }
            }
            Some(Transition::Healthy) => {
                let text = format!(
                    "{} health checks find {} healthy again",
                    core.meta[comp as usize].id, core.meta[t as usize].id
                );
                core.observe(ObservationKind::RecordHealthy, None, text);
            }
            None => {}
        }
    }
    if let Node::Route53(r) = &mut nodes[comp as usize] {
        r.targets = targets;
    }
    core.queue.push(core.now.saturating_add(hc.interval_ns), Ev::HealthCheck { comp });
    lost_primary
}
