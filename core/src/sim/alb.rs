//! Application Load Balancer: picks a healthy target (round robin or least outstanding
//! requests, within the node's AZ unless cross-zone) after its processing time.

use super::call::{Call, Phase, NONE, NONE16};
use super::core::{Core, ObservationKind};
use super::group::{InstState, Instance};
use super::health::{HealthCheck, Transition};
use super::node::{Next, Node};
use super::queue::Ev;
use super::ErrorCause;
use rand::Rng;

/// A load balancer.
#[derive(Clone, Debug)]
pub(super) struct Alb {
    /// Least outstanding requests (else round robin).
    pub(super) lor: bool,
    pub(super) cross_zone: bool,
    pub(super) proc_ns: u64,
    /// Its target group's health check (interval, timeout, thresholds).
    pub(super) check: HealthCheck,
    pub(super) rr: u32,
    /// AZs it has nodes in.
    pub(super) azs: Vec<u16>,
    /// Scratch for picks: the candidate (component, instance, AZ, outstanding requests).
    pub(super) scratch: Vec<(u32, u32, u16, u32)>,
}

/// A request reaches the load balancer: processing takes `proc_ns` (`Phase::Pick`).
#[inline]
pub(super) fn arrive(a: &mut Alb, core: &mut Core, call: u32) -> Next {
    core.calls[call].phase = Phase::Pick;
    core.queue.push(core.now.saturating_add(a.proc_ns), Ev::Resume { call });
    Next::Wait
}

/// Whether the ALB's health checks have the instance in service.
#[inline]
fn in_rotation(i: &Instance) -> bool {
    i.state == InstState::InService && i.lb.healthy()
}

/// `HealthCheck`: one check of every registered instance of the ALB's target groups, through
/// the shared model (`health`): a check passes when the instance is up, its group is not down,
/// and it would answer within the check's timeout. A healthy target that fails
/// `unhealthy_threshold` checks in a row is taken out; an unhealthy one that passes
/// `healthy_threshold` in a row is put in.
#[inline(never)]
pub(super) fn on_health_check(nodes: &mut [Node], core: &mut Core, comp: u32) {
    let Node::Alb(a) = &nodes[comp as usize] else { return };
    let hc = a.check;
    core.queue.push(core.now.saturating_add(hc.interval_ns), Ev::HealthCheck { comp });
    let (nt, now) = (core.nt, core.now);
    for t in 0..nt {
        for r in 0..core.routes[comp as usize * nt + t].len() {
            let to = core.routes[comp as usize * nt + t][r].to;
            // A group listed for several request types is checked once: at its first route.
            let first = (0..=t).find(|&u| core.routes[comp as usize * nt + u].iter().any(|x| x.to == to));
            if first != Some(t) || core.routes[comp as usize * nt + t][..r].iter().any(|x| x.to == to) {
                continue;
            }
            let group_down = core.meta[to as usize].down;
            let Node::Group(g) = &mut nodes[to as usize] else { continue };
            for (k, i) in g.inst.iter_mut().enumerate() {
                if !matches!(i.state, InstState::InService | InstState::Standby) {
                    continue;
                }
                let pass = !group_down && i.passes(&hc, &core.calls, now);
                let Some(change) = i.lb.observe(&hc, pass) else { continue };
                let (kind, word, limit) = match change {
                    Transition::Unhealthy => (ObservationKind::TargetUnhealthy, "unhealthy", hc.unhealthy_threshold),
                    Transition::Healthy => (ObservationKind::TargetHealthy, "healthy", hc.healthy_threshold),
                };
                let text = format!(
                    "{} marks {}[{k}] {word} after {limit} check(s)",
                    core.meta[comp as usize].id, core.meta[to as usize].id
                );
                core.observe(kind, None, text);
            }
        }
    }
}

/// `Phase::Pick`: chooses a target among its routes' healthy instances and components. Reads
/// the targets' nodes, hence every node.
pub(super) fn resume(nodes: &mut [Node], core: &mut Core, call: u32, c: &Call) -> Next {
    debug_assert_eq!(c.phase, Phase::Pick);
    let comp = c.comp;
    let Node::Alb(alb) = &mut nodes[comp as usize] else { return Next::Wait };
    let mut scratch = std::mem::take(&mut alb.scratch);
    scratch.clear();
    let Node::Alb(alb) = &nodes[comp as usize] else { return Next::Wait };
    let (lor, cross_zone) = (alb.lor, alb.cross_zone);
    let routes = &core.routes[comp as usize * core.nt + c.rtype as usize];
    for r in routes {
        match &nodes[r.to as usize] {
            Node::Group(g) => {
                for (k, i) in g.inst.iter().enumerate() {
                    if in_rotation(i) {
                        scratch.push((r.to, k as u32, i.az, i.active));
                    }
                }
            }
            _ => {
                if !core.meta[r.to as usize].down {
                    let m = &core.meta[r.to as usize];
                    scratch.push((r.to, NONE, m.loc.az, core.stats[r.to as usize].in_sys.value as u32));
                }
            }
        }
    }
    if scratch.is_empty() {
        // Every registered target is unhealthy: the ALB fails open, as AWS's does, and routes
        // to all of them regardless of their health (a check that only timed out under load
        // must not turn an overloaded tier into one that refuses everything).
        for r in routes {
            if let Node::Group(g) = &nodes[r.to as usize] {
                for (k, i) in g.inst.iter().enumerate().filter(|(_, i)| i.state == InstState::InService) {
                    scratch.push((r.to, k as u32, i.az, i.active));
                }
            }
        }
    }
    let node_az = if alb.azs.len() > 1 {
        alb.azs[core.rng.random_range(0..alb.azs.len() as u32) as usize]
    } else {
        alb.azs.first().copied().unwrap_or(NONE16)
    };
    if !cross_zone && alb.azs.len() > 1 {
        scratch.retain(|x| x.2 == node_az);
    }
    let Node::Alb(alb) = &mut nodes[comp as usize] else { return Next::Wait };
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
    alb.scratch = scratch;
    match picked {
        None => Next::fail(ErrorCause::NoHealthyTarget),
        Some((to, inst, az, _)) => {
            core.calls[call].az = node_az;
            match core.send(call, to, inst, az) {
                Ok(_) => Next::Wait,
                Err(e) => Next::fail(e),
            }
        }
    }
}

/// Whether any target of any route would pass a health check with a timeout of `timeout_ns`
/// (for Route 53's checks of the ALB).
pub(super) fn any_target_answering(nodes: &[Node], core: &Core, comp: u32, timeout_ns: u64) -> bool {
    let nt = core.nt;
    (0..nt).flat_map(|t| core.routes[comp as usize * nt + t].iter()).any(|r| match &nodes[r.to as usize] {
        Node::Group(g) => !core.meta[r.to as usize].down && g.any_answering(core, timeout_ns),
        _ => !core.meta[r.to as usize].down,
    })
}
