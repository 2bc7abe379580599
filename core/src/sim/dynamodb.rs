//! DynamoDB: provisioned read and write capacity (a token bucket each; beyond them the request
//! is throttled) and a latency per operation.

use super::call::{Call, Flags, Phase};
use super::core::Core;
use super::node::Next;
use super::queue::Ev;
use super::sampler::Sampler;
use super::station::Bucket;
use super::ErrorCause;

/// A table.
#[derive(Clone, Debug)]
pub(super) struct DynamoDb {
    pub(super) read: Sampler,
    pub(super) write: Sampler,
    /// Read and write capacity.
    pub(super) rb: Bucket,
    pub(super) wb: Bucket,
}

/// A request arrives: throttled, or answered after its latency (`Phase::Reply`).
#[inline]
pub(super) fn arrive(t: &mut DynamoDb, core: &mut Core, call: u32, c: &Call) -> Next {
    let now = core.now;
    let w = c.flags.contains(Flags::WRITE);
    let ok = if w { t.wb.take(now) } else { t.rb.take(now) };
    if !ok {
        return Next::fail(ErrorCause::Throttled);
    }
    let d = if w { t.write.sample(&mut core.rng) } else { t.read.sample(&mut core.rng) };
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
