//! S3: per-prefix request rates (a token bucket per prefix for GETs and one for PUTs; beyond
//! them 503 SlowDown) and a latency per operation.

use super::call::{Call, Flags, Phase};
use super::core::Core;
use super::node::Next;
use super::queue::Ev;
use super::sampler::Sampler;
use super::station::Bucket;
use super::ErrorCause;
use rand::Rng;

/// A bucket (the S3 kind, not a token bucket).
#[derive(Clone, Debug)]
pub(super) struct S3 {
    pub(super) get: Sampler,
    pub(super) put: Sampler,
    /// Per prefix: the GET and PUT rate limits.
    pub(super) gets: Vec<Bucket>,
    pub(super) puts: Vec<Bucket>,
}

/// A request arrives on a random prefix: throttled, or answered after its latency
/// (`Phase::Reply`).
#[inline]
pub(super) fn arrive(s: &mut S3, core: &mut Core, call: u32, c: &Call) -> Next {
    let now = core.now;
    let write = c.flags.contains(Flags::WRITE);
    let buckets = if write { &mut s.puts } else { &mut s.gets };
    let p = if buckets.len() == 1 { 0 } else { core.rng.random_range(0..buckets.len() as u32) as usize };
    core.calls[call].inst = p as u32;
    if !buckets[p].take(now) {
        return Next::fail(ErrorCause::Throttled);
    }
    let d = if write { s.put.sample(&mut core.rng) } else { s.get.sample(&mut core.rng) };
    core.calls[call].phase = Phase::Reply;
    core.queue.push(now.saturating_add(d), Ev::Resume { call });
    Next::Wait
}

/// `Phase::Reply`: answer.
#[inline]
pub(super) fn resume(c: &Call) -> Next {
    debug_assert_eq!(c.phase, Phase::Reply);
    Next::OK
}
