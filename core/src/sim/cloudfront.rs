//! CloudFront: an edge that answers cache hits itself and sends misses to its origin.

use super::call::{Call, Flags, Phase, NONE, NONE16};
use super::core::Core;
use super::node::Next;
use super::queue::Ev;
use super::ErrorCause;
use rand::Rng;

/// A distribution.
#[derive(Debug)]
pub(super) struct CloudFront {
    pub(super) proc_ns: u64,
    /// Hit ratio per request type.
    pub(super) hit: Vec<f64>,
}

/// A request reaches the edge: the lookup takes `proc_ns` (`Phase::Lookup`).
#[inline]
pub(super) fn arrive(f: &mut CloudFront, core: &mut Core, call: u32) -> Next {
    core.calls[call].phase = Phase::Lookup;
    core.queue.push(core.now.saturating_add(f.proc_ns), Ev::Resume { call });
    Next::Wait
}

/// `Phase::Lookup`: a hit answers, a miss goes to the origin.
pub(super) fn resume(f: &CloudFront, core: &mut Core, call: u32, c: &Call) -> Next {
    debug_assert_eq!(c.phase, Phase::Lookup);
    let comp = c.comp;
    let is_hit = !c.flags.contains(Flags::WRITE) && core.rng.random::<f64>() < f.hit[c.rtype as usize];
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
        None => Next::fail(ErrorCause::NoHealthyTarget),
    }
}
