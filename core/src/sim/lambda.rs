//! Lambda: a concurrency limit (beyond it 429), warm environments kept for a while (else a cold
//! start), then the function's outgoing calls like any compute kind.

use super::call::{Call, Flags, Phase};
use super::compute;
use super::core::Core;
use super::node::Next;
use super::queue::Ev;
use super::sampler::Sampler;
use super::ErrorCause;
use std::collections::VecDeque;

/// A function.
#[derive(Clone, Debug)]
pub(super) struct Lambda {
    pub(super) dur: Sampler,
    pub(super) cold: Sampler,
    pub(super) limit: u32,
    /// Invocations running (each holds an environment: `Flags::ACTIVE`).
    pub(super) active: u32,
    /// When each idle environment was last used, oldest first.
    pub(super) idle: VecDeque<u64>,
    pub(super) keep_ns: u64,
    /// Answer times minus arrival times of its invocations so far (the cost model's duration:
    /// add `active` x now for those still running).
    pub(super) run_ns: i128,
}

impl Lambda {
    /// Nanoseconds its invocations ran up to `now`.
    pub(super) fn run_ns_at(&self, now: u64) -> u64 {
        (self.run_ns + i128::from(self.active) * i128::from(now)).max(0) as u64
    }
}

/// An invocation: throttled at the limit, else it runs (`Phase::Run`) in a warm environment or
/// after a cold start.
#[inline]
pub(super) fn arrive(l: &mut Lambda, core: &mut Core, call: u32, c: &Call) -> Next {
    let now = core.now;
    if l.active >= l.limit {
        return Next::fail(ErrorCause::Throttled);
    }
    l.active += 1;
    l.run_ns -= i128::from(now);
    core.calls[call].flags.insert(Flags::ACTIVE);
    // Environments idle longer than keep_ns are gone; the freshest is reused first.
    while l.idle.front().is_some_and(|&t| now - t > l.keep_ns) {
        l.idle.pop_front();
    }
    let mut d = l.dur.sample(&mut core.rng);
    if l.idle.pop_back().is_none() {
        d = d.saturating_add(l.cold.sample(&mut core.rng));
        core.stats[c.comp as usize].cold_starts += 1;
    }
    core.calls[call].phase = Phase::Run;
    core.queue.push(now.saturating_add(d), Ev::Resume { call });
    Next::Wait
}

/// `Phase::Run`: the function ran; on to its outgoing calls.
#[inline]
pub(super) fn resume(core: &mut Core, call: u32, c: &Call) -> Next {
    debug_assert_eq!(c.phase, Phase::Run);
    continue_calls(core, call)
}

/// A call the function made answered.
#[inline]
pub(super) fn child_done(
    core: &mut Core,
    parent: u32,
    p: &Call,
    error: Option<ErrorCause>,
    root: Option<ErrorCause>,
) -> Next {
    match compute::child_done(core, parent, p, error, root) {
        Some(next) => next,
        None => continue_calls(core, parent),
    }
}

/// Makes the invocation's next outgoing call; once all are made, answers.
#[inline]
fn continue_calls(core: &mut Core, call: u32) -> Next {
    compute::next_call(core, call).unwrap_or(Next::OK)
}

/// The invocation answered: its environment is idle from now.
#[inline]
pub(super) fn release_slot(l: &mut Lambda, core: &Core) {
    l.active -= 1;
    l.run_ns += i128::from(core.now);
    l.idle.push_back(core.now);
}
