//! SQS: a bounded backlog of messages and consumers that take them, up to a concurrency; each
//! message is delivered as a new root call to the consumer connection.

use super::call::{Call, Flags, Phase, NONE, NONE16};
use super::core::Core;
use super::node::Next;
use super::queue::Ev;
use super::sampler::Sampler;
use super::ErrorCause;
use std::collections::VecDeque;

/// A message waiting in the backlog: what its delivery call needs.
#[derive(Clone, Copy, Debug)]
pub(super) struct Msg {
    req: u64,
    rtype: u8,
    flags: Flags,
    origin: u16,
}

/// A queue and its consumers.
#[derive(Clone, Debug)]
pub(super) struct Sqs {
    pub(super) send: Sampler,
    /// Consumer concurrency.
    pub(super) conc: u32,
    /// Deliveries in progress.
    pub(super) busy: u32,
    pub(super) max: usize,
    pub(super) backlog: VecDeque<Msg>,
}

/// A message is sent: refused when the backlog is full, else stored after the send latency
/// (`Phase::Send`).
#[inline]
pub(super) fn arrive(q: &mut Sqs, core: &mut Core, call: u32) -> Next {
    if q.backlog.len() >= q.max {
        return Next::fail(ErrorCause::QueueFull);
    }
    let d = q.send.sample(&mut core.rng);
    core.calls[call].phase = Phase::Send;
    core.queue.push(core.now.saturating_add(d), Ev::Resume { call });
    Next::Wait
}

/// `Phase::Send`: the message joins the backlog; the sender is answered, then consumers are
/// handed messages ([`Next::OkThenDeliver`]).
#[inline]
pub(super) fn resume(q: &mut Sqs, core: &mut Core, c: &Call) -> Next {
    debug_assert_eq!(c.phase, Phase::Send);
    q.backlog.push_back(Msg { req: c.req, rtype: c.rtype, flags: c.flags.inherited(), origin: c.origin });
    core.stats[c.comp as usize].queue.add(core.now, 1);
    Next::OkThenDeliver
}

/// Hands queued messages to free consumers.
pub(super) fn deliver(q: &mut Sqs, core: &mut Core, comp: u32) {
    loop {
        if q.busy >= q.conc {
            return;
        }
        let Some(m) = q.backlog.pop_front() else { return };
        core.stats[comp as usize].queue.add(core.now, -1);
        let Some(to) = core.choose(comp, m.rtype) else {
            core.stats[comp as usize].delivery_failed += 1;
            continue;
        };
        let d = Call::root(m.req, core.now, comp, m.origin, m.rtype, m.flags | Flags::DELIVERY);
        let Some(dc) = core.calls.alloc(d) else {
            core.stats[comp as usize].delivery_failed += 1;
            continue;
        };
        q.busy += 1;
        core.stats[comp as usize].busy.add(core.now, 1);
        if core.send(dc, to, NONE, NONE16).is_err() {
            q.busy -= 1;
            core.stats[comp as usize].busy.add(core.now, -1);
            core.stats[comp as usize].delivery_failed += 1;
            core.calls.release(dc);
        }
    }
}

/// A consumer answered a delivery (its root call ends here: a consumer is free again), or,
/// for a call that is not a delivery, the answer of a callee.
#[inline]
pub(super) fn child_done(
    q: &mut Sqs,
    core: &mut Core,
    parent: u32,
    p: &Call,
    error: Option<ErrorCause>,
    root: Option<ErrorCause>,
) -> Next {
    if !p.flags.contains(Flags::DELIVERY) {
        return Next::after_callee(error, root);
    }
    let comp = p.comp;
    let s = &mut core.stats[comp as usize];
    if error.is_none() {
        s.delivered += 1;
    } else {
        s.delivery_failed += 1;
    }
    s.busy.add(core.now, -1);
    q.busy -= 1;
    core.calls.release(parent);
    deliver(q, core, comp);
    Next::Wait
}
