//! ElastiCache: nodes that each serve one call at a time; a hit answers, a miss (and every
//! write) goes on to the database behind.

use super::call::{Call, Flags, NONE, NONE16};
use super::core::Core;
use super::node::Next;
use super::sampler::Sampler;
use super::station::Station;
use super::ErrorCause;
use rand::Rng;

/// A cache cluster: one station per node.
#[derive(Clone, Debug)]
pub(super) struct ElastiCache {
    pub(super) st: Vec<Station>,
    pub(super) svc: Sampler,
    /// Hit ratio per request type.
    pub(super) hit: Vec<f64>,
}

/// A lookup arrives at a random node and queues there.
#[inline]
pub(super) fn arrive(cache: &mut ElastiCache, core: &mut Core, call: u32, c: &Call) -> Next {
    let idx = if cache.st.len() == 1 { 0 } else { core.rng.random_range(0..cache.st.len() as u32) };
    core.calls[call].inst = idx;
    let d = cache.svc.sample(&mut core.rng);
    if !core.offer(c.comp, &mut cache.st[idx as usize], call, d) {
        return Next::fail(ErrorCause::QueueFull);
    }
    Next::Wait
}

/// The lookup ran: the node takes the next one; a hit answers, a miss asks the next component.
#[inline]
pub(super) fn service_done(cache: &mut ElastiCache, core: &mut Core, call: u32, c: &Call) -> Next {
    let comp = c.comp;
    let station = &mut cache.st[c.inst as usize];
    if let Some(n) = core.finish(comp, station) {
        let d = cache.svc.sample(&mut core.rng);
        core.start(comp, station, n, d);
    }
    let is_hit = !c.flags.contains(Flags::WRITE) && core.rng.random::<f64>() < cache.hit[c.rtype as usize];
    if is_hit {
        core.stats[comp as usize].hits += 1;
        return Next::OK;
    }
    core.stats[comp as usize].misses += 1;
    match core.choose(comp, c.rtype) {
        Some(to) => match core.send(call, to, NONE, NONE16) {
            Ok(_) => Next::Wait,
            Err(e) => Next::fail(e),
        },
        None => Next::OK,
    }
}
