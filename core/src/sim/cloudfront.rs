//! CloudFront: an edge that answers cache hits itself and sends misses to its origin; with
//! `serve_stale_on_error` it answers a cacheable read whose origin fetch failed with the expired
//! copy it still holds (`stale-if-error`).

use super::call::{Call, Flags, Phase, NONE, NONE16};
use super::core::Core;
use super::node::Next;
use super::queue::Ev;
use super::ErrorCause;
use rand::Rng;

/// A distribution.
#[derive(Clone, Debug)]
pub(super) struct CloudFront {
    pub(super) proc_ns: u64,
    /// Hit ratio per request type.
    pub(super) hit: Vec<f64>,
    /// Serve-stale: how long after the origin's last successful answer for a request type the
    /// edge still holds a copy it may serve when the origin fails (`None`: off).
    pub(super) stale_ns: Option<u64>,
    /// Per request type: when the origin last answered a miss successfully (the cache is warm at
    /// the start of the run: 0).
    pub(super) fresh_at: Vec<u64>,
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

/// The origin answered a miss of `p` with `error`. With serve-stale on, a success refreshes the
/// request type's copy, and a failure of a cacheable read (a read of a type with a hit ratio
/// above 0) is answered from the edge with the expired copy while that copy is within
/// `stale_if_error_s` of the origin's last good answer. Anything else answers as the origin did.
#[inline]
pub(super) fn child_done(
    f: &mut CloudFront,
    core: &mut Core,
    p: &Call,
    error: Option<ErrorCause>,
    root: Option<ErrorCause>,
) -> Next {
    let Some(stale_ns) = f.stale_ns else { return Next::after_callee(error, root) };
    let t = p.rtype as usize;
    match error {
        None => f.fresh_at[t] = core.now,
        Some(_) => {
            let cacheable = !p.flags.contains(Flags::WRITE) && f.hit[t] > 0.0;
            if cacheable && core.now <= f.fresh_at[t].saturating_add(stale_ns) {
                core.stats[p.comp as usize].served_stale += 1;
                return Next::OK;
            }
        }
    }
    Next::after_callee(error, root)
}
