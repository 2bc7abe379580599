//! Client populations: emit requests (Poisson, thinned for time-varying patterns), send each to
//! the entry point, and record how each request ended (the root cause, the client's timeout).

use super::call::{Call, Flags, NONE, NONE16};
use super::core::Core;
use super::node::Next;
use super::queue::Ev;
use super::ErrorCause;
use crate::topology::Arrival;
use rand::Rng;
use rand_distr::Exp1;

/// A client population.
#[derive(Clone, Debug)]
pub(super) struct Client {
    pub(super) arrival: Arrival,
    /// Peak arrival rate, per second (candidates are drawn at this rate).
    pub(super) max_rate: f64,
    /// The rate never changes: no thinning.
    pub(super) constant: bool,
    /// Cumulative request-type mix.
    pub(super) mix: Vec<f64>,
    pub(super) timeout_ns: u64,
    /// This population's number among the clients.
    pub(super) ordinal: u16,
    /// Its deadline queue (requests time out at their deadline, see `deadline`).
    pub(super) deadlines: u32,
}

/// `ClientArrival`: the population emits its next request (and schedules the one after).
pub(super) fn emit(cl: &Client, core: &mut Core, comp: u32) {
    let Client { arrival, max_rate, constant, mix, ordinal, deadlines, .. } = cl;
    let now = core.now;
    // Next candidate arrival (thinning at the peak rate for time-varying patterns).
    let gap: f64 = core.rng.sample::<f64, _>(Exp1) / *max_rate * 1e9;
    // At least 1 ns between candidates: a gap that rounds to zero would never let time move.
    core.queue.push(now.saturating_add(((gap + 0.5) as u64).max(1)), Ev::ClientArrival { comp });
    if !*constant {
        let rate = arrival.rate_at(now as f64 / 1e9);
        if core.rng.random::<f64>() * *max_rate >= rate {
            return;
        }
    }
    let rtype = if mix.len() == 1 {
        0
    } else {
        let x = core.rng.random::<f64>() * mix[mix.len() - 1];
        mix.iter().position(|&c| x < c).unwrap_or(mix.len() - 1) as u8
    };
    core.next_req += 1;
    let req = core.next_req;
    let sampled = core.sample_every > 0 && req.is_multiple_of(core.sample_every);
    let write = core.nt > rtype as usize && core.write_types & (1u64 << rtype) != 0;
    let root = Call::root(
        req,
        now,
        comp,
        *ordinal,
        rtype,
        (if sampled { Flags::SAMPLED } else { Flags::EMPTY }) | (if write { Flags::WRITE } else { Flags::EMPTY }),
    );
    let Some(call) = core.calls.alloc(root) else {
        // Out of call slots: count the request as refused at the client.
        let s = &mut core.stats[comp as usize];
        if now >= core.warmup_end {
            let t = &mut s.types[rtype as usize];
            t.arrivals += 1;
            t.errors[ErrorCause::QueueFull as usize] += 1;
        }
        return;
    };
    core.arrive_stats(call);
    let gen = core.calls.gen(call);
    let calls = &core.calls;
    if let Some(at) = core.deadlines[*deadlines as usize].push(now, call, gen, |c, g| calls.waiting(c, g)) {
        core.queue.push(at, Ev::Deadline { queue: *deadlines });
    }
    match core.choose(comp, rtype) {
        Some(to) => match core.send(call, to, NONE, NONE16) {
            Ok(child) => core.calls.set_child(call, child),
            Err(e) => end_request(cl, core, call, Some(e), Some(e)),
        },
        None => end_request(cl, core, call, Some(ErrorCause::NoHealthyTarget), None),
    }
}

/// A call to a client (a connection into a population): nothing there serves it.
pub(super) fn arrive() -> Next {
    Next::fail(ErrorCause::NoHealthyTarget)
}

/// The entry point answered the request.
pub(super) fn child_done(
    cl: &Client,
    core: &mut Core,
    call: u32,
    error: Option<ErrorCause>,
    root: Option<ErrorCause>,
) -> Next {
    end_request(cl, core, call, error, root);
    Next::Wait
}

/// The request's deadline passed while it waited: it ends with [`ErrorCause::Timeout`], its
/// recorded latency exactly the client's timeout.
pub(super) fn end_request_at_deadline(core: &mut Core, call: u32) {
    finish(core, call, Some(ErrorCause::Timeout));
}

/// How a client answers its own request, instead of `Simulation::answer`: a success later
/// than the client's timeout is a timeout, the root cause is what is recorded, and the call is
/// released at once (no caller waits for it).
fn end_request(cl: &Client, core: &mut Core, call: u32, error: Option<ErrorCause>, root: Option<ErrorCause>) {
    let c = core.calls[call];
    let lat = core.now - c.arrived;
    let (error, root) = if error.is_none() && lat > cl.timeout_ns {
        (Some(ErrorCause::Timeout), Some(ErrorCause::Timeout))
    } else {
        (error, root)
    };
    finish(core, call, error.map(|e| root.unwrap_or(e)));
}

/// Records the request's outcome (its root cause on failure) and frees it.
fn finish(core: &mut Core, call: u32, cause: Option<ErrorCause>) {
    if core.calls[call].flags.contains(Flags::COUNTED) {
        core.outcomes.record(core.now, cause.is_none());
    }
    core.respond(call, cause, cause);
    core.calls.release(call);
}
