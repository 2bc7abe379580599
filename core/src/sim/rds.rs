//! RDS: a primary and read replicas, each a station of vCPUs behind a connection limit; writes
//! go to the primary (and wait for the standby's commit when Multi-AZ), reads to a replica.

use super::call::{Call, Flags, Phase};
use super::core::Core;
use super::node::Next;
use super::queue::Ev;
use super::sampler::Sampler;
use super::station::Station;
use super::ErrorCause;
use rand::Rng;

/// A database: station 0 is the primary, the others the read replicas.
#[derive(Clone, Debug)]
pub(super) struct Rds {
    pub(super) st: Vec<Station>,
    /// Query time per request type.
    pub(super) svc: Vec<Sampler>,
    /// Synchronous commit to the standby (0: not Multi-AZ).
    pub(super) commit_ns: u64,
    pub(super) max_conn: u64,
    pub(super) lag_ns: u64,
    /// When the last write finished on the primary.
    pub(super) last_write: Option<u64>,
    /// A synchronous standby in another AZ takes over when the primary's AZ is lost.
    pub(super) multi_az: bool,
    /// A disaster-recovery copy: from the failover to serving (`None`: not a copy).
    pub(super) dr_recovery_ns: Option<u64>,
}

/// A query arrives: refused beyond the connection limit, else queued on its instance.
#[inline]
pub(super) fn arrive(d: &mut Rds, core: &mut Core, call: u32, c: &Call) -> Next {
    let comp = c.comp;
    if core.stats[comp as usize].in_sys.value > d.max_conn {
        return Next::fail(ErrorCause::QueueFull);
    }
    let idx = if c.flags.contains(Flags::WRITE) || d.st.len() == 1 {
        0
    } else {
        1 + core.rng.random_range(0..d.st.len() as u32 - 1)
    };
    core.calls[call].inst = idx;
    let q = d.svc[c.type_index()].sample(&mut core.rng);
    if !core.offer(comp, &mut d.st[idx as usize], call, q) {
        return Next::fail(ErrorCause::QueueFull);
    }
    Next::Wait
}

/// The query ran: the instance takes the next one; a write commits (Multi-AZ), else it answers.
#[inline]
pub(super) fn service_done(d: &mut Rds, core: &mut Core, call: u32, c: &Call) -> Next {
    let comp = c.comp;
    let station = &mut d.st[c.inst as usize];
    if let Some(n) = core.finish(comp, station) {
        let nc = core.calls[n];
        let q = d.svc[nc.type_index()].sample(&mut core.rng);
        core.start(comp, station, n, q);
    }
    let write = c.flags.contains(Flags::WRITE);
    if write {
        d.last_write = Some(core.now);
    } else if c.inst > 0 && d.last_write.is_some_and(|w| core.now < w.saturating_add(d.lag_ns)) {
        // Served by an asynchronous replica that has not applied the latest write.
        core.stats[comp as usize].stale_reads += 1;
    }
    if write && d.commit_ns > 0 {
        core.calls[call].phase = Phase::Commit;
        core.queue.push(core.now.saturating_add(d.commit_ns), Ev::Resume { call });
        return Next::Wait;
    }
    Next::OK
}

/// `Phase::Commit`: the standby has the write; answer.
#[inline]
pub(super) fn resume(c: &Call) -> Next {
    debug_assert_eq!(c.phase, Phase::Commit);
    Next::OK
}
