//! What the compute kinds (EC2 and Auto Scaling instances, Lambda) share: a request makes the
//! calls of its component's outgoing connections in order, one call at a time, and the
//! component answers once every call is made, or with [`ErrorCause::Dependency`] at the first
//! callee that fails.

use super::call::{Call, NONE, NONE16};
use super::core::{CallOut, Core};
use super::node::Next;
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
    if error.is_some() {
        return Some(Next::Answer { error: Some(ErrorCause::Dependency), root });
    }
    if p.remaining > 0 {
        core.calls[parent].remaining -= 1;
        let o = core.callouts[p.comp as usize * core.nt + p.rtype as usize][p.step as usize];
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
    match core.send(call, o.to, NONE, NONE16) {
        Ok(()) => Next::Wait,
        Err(e) => Next::fail(e),
    }
}
