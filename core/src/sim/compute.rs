//! What the compute kinds (EC2 and Auto Scaling instances, Lambda) share: a request makes the
//! calls of its component's outgoing connections in order, one call at a time, and the
//! component answers once every call is made, or with [`ErrorCause::Dependency`] at the first
//! callee that fails.

use super::breaker::{backoff_ns, Admit, Transition};
use super::call::{Call, NONE, NONE16};
use super::core::{CallOut, Core, ObservationKind};
use super::node::Next;
use super::queue::Ev;
use super::ErrorCause;
use rand::Rng;

/// Makes the call's next outgoing call. `None` once every call is made: the kind then answers.
#[inline]
pub(super) fn next_call(core: &mut Core, call: u32) -> Option<Next> {
    loop {
        let c = core.calls[call];
        let outs = &core.callouts[c.comp as usize * core.nt + c.rtype as usize];
        let &o = outs.get(c.step as usize)?;
        let extra = o.frac > 0.0 && core.rng.random::<f64>() < o.frac;
        let n = o.whole as u32 + u32::from(extra);
        if n == 0 {
            core.calls[call].step += 1;
            continue;
        }
        core.calls[call].remaining = (n - 1) as u16;
        return Some(call_out(core, call, o));
    }
}

/// A call the component made answered: fail on an error, else make the connection's next call.
/// `None` when the connection's calls are all made: the kind goes on with [`next_call`].
#[inline]
pub(super) fn child_done(
    core: &mut Core,
    parent: u32,
    p: &Call,
    error: Option<ErrorCause>,
    root: Option<ErrorCause>,
) -> Option<Next> {
    let o = core.callouts[p.comp as usize * core.nt + p.rtype as usize][p.step as usize];
    if o.patterns != NONE16 {
        if let Some(next) = after_attempt(core, parent, p, o, error, root) {
            return Some(next);
        }
    }
    if error.is_some() {
        return Some(Next::Answer { error: Some(ErrorCause::Dependency), root });
    }
    if p.remaining > 0 {
        core.calls[parent].remaining -= 1;
        return Some(call_out(core, parent, o));
    }
    core.calls[parent].step += 1;
    None
}

/// One call on connection `o`, unless the network layer blocks it.
#[inline]
fn call_out(core: &mut Core, call: u32, o: CallOut) -> Next {
    if o.blocked != NONE16 {
        return core.network_blocked(call, o.blocked);
    }
    if o.patterns != NONE16 {
        return call_with_patterns(core, call, o);
    }
    match core.send(call, o.to, NONE, NONE16) {
        Ok(_) => Next::Wait,
        Err(e) => Next::fail(e),
    }
}

/// Bit of `Call::attempt` set while the attempt is a circuit breaker's half-open trial.
const TRIAL: u8 = 0x80;

/// `Retry`: the backoff is over; the call makes its current outgoing call again.
pub(super) fn retry(core: &mut Core, call: u32) -> Next {
    let c = core.calls[call];
    let o = core.callouts[c.comp as usize * core.nt + c.rtype as usize][c.step as usize];
    call_out(core, call, o)
}

/// One attempt on a connection with resilience patterns: the bulkhead and the breaker may
/// refuse it at once; otherwise it is sent, with a deadline when the connection has a timeout.
#[inline(never)]
fn call_with_patterns(core: &mut Core, call: u32, o: CallOut) -> Next {
    let now = core.now;
    let first = core.calls[call].attempt & !TRIAL == 0;
    if first {
        core.calls[call].attempt = 1;
    }
    let (from, to) = (core.calls[call].comp, o.to);
    let s = &mut core.conn_states[o.patterns as usize].2;
    if first {
        s.calls += 1;
    }
    if s.in_flight >= s.bulkhead {
        s.bulkhead_rejected += 1;
        core.calls[call].attempt = 0;
        return Next::Answer { error: Some(ErrorCause::Dependency), root: Some(ErrorCause::QueueFull) };
    }
    let mut trial = false;
    if let Some(b) = &mut s.breaker {
        let (admit, change) = b.admit(now);
        match admit {
            Admit::No => {
                s.short_circuited += 1;
                core.calls[call].attempt = 0;
                return Next::Answer { error: Some(ErrorCause::Dependency), root: Some(ErrorCause::CircuitOpen) };
            }
            Admit::Trial => trial = true,
            Admit::Yes => {}
        }
        if change == Some(Transition::HalfOpened) {
            let text = format!(
                "breaker {} -> {} half-open: one trial call",
                core.meta[from as usize].id, core.meta[to as usize].id
            );
            core.observe(ObservationKind::BreakerHalfOpen, None, text);
        }
    }
    let s = &mut core.conn_states[o.patterns as usize].2;
    s.in_flight += 1;
    let deadlines = s.deadlines;
    match core.send(call, o.to, NONE, NONE16) {
        Ok(child) => {
            if trial {
                core.calls[call].attempt |= TRIAL;
            }
            if deadlines != u32::MAX {
                let gen = core.calls.gen(child);
                let calls = &core.calls;
                if let Some(at) = core.deadlines[deadlines as usize].push(now, child, gen, |c, g| calls.waiting(c, g)) {
                    core.queue.push(at, Ev::Deadline { queue: deadlines });
                }
            }
            Next::Wait
        }
        Err(e) => {
            core.conn_states[o.patterns as usize].2.in_flight -= 1;
            Next::fail(e)
        }
    }
}

/// An attempt on a connection with patterns answered (or timed out): the breaker counts it, the
/// budget earns a token back on success; a failure is retried after its backoff when the
/// policy and the budget allow. `Some` when the attempt decided what happens next (a retry is
/// scheduled, or the call fails); `None` to go on as without patterns.
#[inline(never)]
fn after_attempt(
    core: &mut Core,
    parent: u32,
    p: &Call,
    o: CallOut,
    error: Option<ErrorCause>,
    root: Option<ErrorCause>,
) -> Option<Next> {
    let now = core.now;
    let ok = error.is_none();
    let trial = p.attempt & TRIAL != 0;
    let attempts = u32::from(p.attempt & !TRIAL);
    let (from, to) = (p.comp, o.to);
    let s = &mut core.conn_states[o.patterns as usize].2;
    s.in_flight = s.in_flight.saturating_sub(1);
    if error == Some(ErrorCause::Timeout) {
        s.timed_out += 1;
    }
    let change = s.breaker.as_mut().and_then(|b| b.record(now, ok, trial));
    if let Some(change) = change {
        let (kind, word) = match change {
            Transition::Opened => (ObservationKind::BreakerOpened, "opens"),
            Transition::Closed => (ObservationKind::BreakerClosed, "closes"),
            Transition::HalfOpened => (ObservationKind::BreakerHalfOpen, "is half-open"),
        };
        let text = format!("breaker {} -> {} {word}", core.meta[from as usize].id, core.meta[to as usize].id);
        core.observe(kind, None, text);
    }
    let s = &mut core.conn_states[o.patterns as usize].2;
    if ok {
        if let Some(b) = &mut s.budget {
            b.refund();
        }
        core.calls[parent].attempt = 0;
        return None;
    }
    if let Some(policy) = &s.retry {
        if attempts < policy.max_attempts {
            let after_timeout = error == Some(ErrorCause::Timeout) || root == Some(ErrorCause::Timeout);
            if s.budget.as_mut().is_none_or(|b| b.spend(after_timeout)) {
                s.retries += 1;
                let wait = backoff_ns(policy, attempts);
                let full = s.jitter_full;
                let wait = if full { (wait as f64 * core.rng.random::<f64>()) as u64 } else { wait };
                core.calls[parent].attempt = (attempts + 1).min(0x7f) as u8;
                let gen = core.calls.gen(parent);
                core.queue.push(now.saturating_add(wait), Ev::Retry { call: parent, gen });
                return Some(Next::Wait);
            }
            s.budget_exhausted += 1;
        }
    }
    core.calls[parent].attempt = 0;
    None
}
