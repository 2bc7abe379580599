//! EC2 instances and the instances of Auto Scaling groups (a [`Group`]): round robin over the
//! instances in service, a station per instance (vCPUs and queue), an optional disk step, then
//! the outgoing calls. Scaling itself is in `asg`.
//!
//! An instance may have a worker pool (`workers`: Gunicorn's sync workers, a thread pool): a
//! request then first waits for a free worker and holds it until it answers, its disk step and
//! outgoing calls included, while it queues for and uses a vCPU only for its own service time.
//! A slow dependency thus exhausts the workers while the CPU stays mostly idle.

use super::asg::Asg;
use super::call::{Call, CallSlab, Flags, Phase, NONE};
use super::compute;
use super::core::Core;
use super::cost::Meter;
use super::health::{Checker, HealthCheck};
use super::node::Next;
use super::queue::Ev;
use super::sampler::Sampler;
use super::station::Station;
use super::ErrorCause;
use rand::Rng;

/// Where an instance slot is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum InstState {
    /// No instance (never launched, or terminated).
    Free,
    Launching,
    InService,
    /// Scaled in: finishes its requests, takes no new ones, then is terminated.
    Draining,
    /// Registered with a target group the load balancer sends nothing to (a blue-green
    /// deployment's idle set): health-checked, finishes what reached it, kept for a switch.
    Standby,
}

/// One instance slot.
#[derive(Clone, Debug)]
pub(super) struct Instance {
    pub(super) st: Station,
    pub(super) az: u16,
    pub(super) state: InstState,
    /// False while failed by a fault.
    pub(super) up: bool,
    /// In service from the start (healthy and warmed up at once).
    pub(super) initial: bool,
    pub(super) ready_at: u64,
    /// Calls holding a slot here (`Flags::ACTIVE`): in the queue or in service.
    pub(super) active: u32,
    /// Service-time multiplier (CPU contention).
    pub(super) mult: f64,
    /// Time between two I/Os of the fixed disk step (0: none).
    pub(super) disk_gap_ns: f64,
    pub(super) disk_next: u64,
    /// Busy integral and time at the last scaling evaluation.
    pub(super) mark_busy: u128,
    pub(super) mark_time: u64,
    /// Its instance in the layers (`NONE`: the topology has no layers or it was not placed).
    pub(super) layer: u32,
    /// Busy integral at the last metrics tick (for the CPU demand fed to the hypervisor).
    pub(super) tick_busy: u128,
    /// Extra slow-down from a CPU hog (the `cpu-stress` action); 1: none.
    pub(super) stress: f64,
    /// Slow-down of the version a pod runs (a slower version, a memory leak); 1 for every
    /// other instance.
    pub(super) version_slow: f64,
    /// Stretch of a pod's CPU quota: a pod requesting 500m runs its one server at half a vCPU's
    /// speed (2); 1 for every other instance.
    pub(super) quota: f64,
    /// A pod's slot: `layer` is its node's instance, shared with the node's other pods, and
    /// outlives the slot.
    pub(super) on_node: bool,
    /// Killed (terminated, its host or AZ lost): it never comes back by itself.
    pub(super) dead: bool,
    /// Its worker pool (`None`: no pool): workers as servers, requests waiting for one in the
    /// queue. A call holding a worker has `Flags::WORKER`.
    pub(super) pool: Option<Station>,
    /// Busy-vCPU and busy-worker integrals, and the time, when its figures in the report start
    /// (the end of the warm-up, or when it started serving if later).
    pub(super) report_mark: (u128, u128, u64),
    /// Its volume completes no I/O before this time (the `ebs-pause` action).
    pub(super) disk_hold_until: u64,
    /// Its volume's I/Os are at least this far apart (the `ebs-throttle` action; 0: no cap).
    pub(super) disk_cap_gap_ns: f64,
    /// Its health as its load balancer's checks see it (in rotation when healthy).
    pub(super) lb: Checker,
    /// Its health as its Auto Scaling group's status checks see it.
    pub(super) status: Checker,
    /// Time it is billed for compute (launched, not stopped, not dead) and time it exists
    /// (its root volume is billed), for the cost model.
    pub(super) billed: Meter,
    pub(super) exists: Meter,
    /// Share of the requests it answers with a server error at once (a bad version of an EKS
    /// deployment's pod); 0 for every other instance.
    pub(super) error_rate: f64,
    /// Requests sent to it and those it failed for `error_rate`, since it was created.
    pub(super) sent: u64,
    pub(super) failed: u64,
}

impl Instance {
    /// A free slot with `vcpus` servers and a queue of `cap` in AZ `az`; with `workers`, the
    /// queue of `cap` is for a worker and the vCPUs' queue holds at most one call per worker.
    pub(super) fn new(vcpus: u32, cap: u32, az: u16, workers: Option<u32>) -> Instance {
        let (cpu_cap, pool) = match workers {
            Some(w) => (w.max(1), Some(Station::new(w.max(1), cap))),
            None => (cap, None),
        };
        Instance {
            st: Station::new(vcpus.max(1), cpu_cap),
            az,
            state: InstState::Free,
            up: true,
            initial: false,
            ready_at: 0,
            active: 0,
            mult: 1.0,
            disk_gap_ns: 0.0,
            disk_next: 0,
            mark_busy: 0,
            mark_time: 0,
            layer: NONE,
            tick_busy: 0,
            stress: 1.0,
            quota: 1.0,
            on_node: false,
            version_slow: 1.0,
            dead: false,
            pool,
            report_mark: (0, 0, 0),
            disk_hold_until: 0,
            disk_cap_gap_ns: 0.0,
            lb: Checker::new(false),
            status: Checker::new(true),
            billed: Meter::IDLE,
            exists: Meter::IDLE,
            error_rate: 0.0,
            sent: 0,
            failed: 0,
        }
    }

    /// The factor its CPU work is stretched by: contention on its host times a CPU hog times
    /// its version's own times a pod's CPU quota.
    #[inline(always)]
    pub(super) fn slowdown(&self) -> f64 {
        self.mult * self.stress * self.version_slow * self.quota
    }

    /// How long the oldest request waiting in its queues (for a vCPU or for a worker) has
    /// waited at `now`: about how long a health check joining them would wait for its answer
    /// (see `health`). 0 when nothing waits.
    #[inline]
    pub(super) fn queue_age(&self, calls: &CallSlab, now: u64) -> u64 {
        let age = |q: &std::collections::VecDeque<u32>| q.front().map_or(0, |&c| now.saturating_sub(calls[c].arrived));
        age(&self.st.queue).max(self.pool.as_ref().map_or(0, |p| age(&p.queue)))
    }

    /// Whether a check with `hc`'s timeout passes now: up and answering in time.
    #[inline]
    pub(super) fn passes(&self, hc: &HealthCheck, calls: &CallSlab, now: u64) -> bool {
        hc.passes(self.up, self.queue_age(calls, now))
    }

    /// A free slot starts launching in AZ `az`: up, not yet healthy to its load balancer
    /// (its checks must pass first), healthy to its group.
    pub(super) fn start_launch(&mut self, az: u16) {
        self.state = InstState::Launching;
        self.az = az;
        self.up = true;
        self.dead = false;
        self.initial = false;
        self.lb = Checker::new(false);
        self.status = Checker::new(true);
    }

    /// Sets the start of its figures in the report to `now`.
    pub(super) fn mark_report(&mut self, now: u64) {
        let workers = self.pool.as_ref().map_or(0, |p| p.busy_tw.integral(now));
        self.report_mark = (self.st.busy_tw.integral(now), workers, now);
    }

    /// Gives back the slot of an answered call; a draining instance left with none terminates.
    #[inline]
    pub(super) fn release_slot(&mut self, core: &mut Core, comp: u32) {
        self.active -= 1;
        if self.state == InstState::Draining && self.active == 0 {
            self.terminate(core, comp);
        }
    }

    /// The instance is terminated: its slot is free again (and its layers instance goes, unless
    /// it is a pod's node).
    pub(super) fn terminate(&mut self, core: &mut Core, comp: u32) {
        let now = core.now;
        self.state = InstState::Free;
        self.billed.stop(now);
        self.exists.stop(now);
        let s = &mut core.stats[comp as usize];
        s.cap.add(now, -(self.st.servers as i64));
        s.terminations += 1;
        let layer = std::mem::replace(&mut self.layer, NONE);
        if let (Some(run), false) = (core.layers.as_deref_mut(), self.on_node) {
            run.terminate(now, layer, &core.meta[comp as usize].id);
            core.arm_layers();
        }
    }
}

/// An EC2 component (one instance), an Auto Scaling group (`asg` set) or an EKS deployment's
/// pods (`pods` set).
#[derive(Clone, Debug)]
pub(super) struct Group {
    /// Its deadline queue in `Core::deadlines` (the service timeout).
    pub(super) deadlines: u32,
    /// Service time per request type.
    pub(super) svc: Vec<Sampler>,
    pub(super) inst: Vec<Instance>,
    /// Round-robin position for calls that did not come through a load balancer.
    pub(super) rr: u32,
    /// I/Os per request of the disk step.
    pub(super) disk_ios: f64,
    pub(super) asg: Option<Asg>,
    /// An EKS deployment's cluster: its pods are the slots.
    pub(super) pods: Option<Box<super::pods::Pods>>,
}

impl Group {
    /// Whether an instance in service would pass a health check with a timeout of
    /// `timeout_ns` now: up and answering in time (see `health`).
    pub(super) fn any_answering(&self, core: &Core, timeout_ns: u64) -> bool {
        self.inst
            .iter()
            .any(|i| i.state == InstState::InService && i.up && i.queue_age(&core.calls, core.now) <= timeout_ns)
    }

    /// Instances in service (not launching or draining).
    pub(super) fn in_service(&self) -> u32 {
        self.inst.iter().filter(|i| i.state == InstState::InService).count() as u32
    }
}

/// A request reaches the group: on the instance its load balancer picked (else the next one in
/// service, round robin), it takes a slot and queues for a vCPU (or first for a worker), and
/// its deadline is set.
#[inline]
pub(super) fn arrive(g: &mut Group, core: &mut Core, call: u32, c: &Call) -> Next {
    let comp = c.comp;
    let mut inst = c.inst;
    if inst == NONE {
        let n = g.inst.len() as u32;
        for k in 0..n {
            let i = (g.rr + k) % n;
            let x = &g.inst[i as usize];
            if x.state == InstState::InService && x.up {
                inst = i;
                g.rr = i + 1;
                break;
            }
        }
        if inst == NONE {
            return Next::fail(ErrorCause::NoHealthyTarget);
        }
    }
    let i = &mut g.inst[inst as usize];
    {
        let cc = &mut core.calls[call];
        cc.inst = inst;
        cc.az = i.az;
    }
    if !i.up || !matches!(i.state, InstState::InService | InstState::Draining | InstState::Standby) {
        return Next::fail(ErrorCause::Unavailable);
    }
    i.sent += 1;
    if i.error_rate > 0.0 && core.rng.random::<f64>() < i.error_rate {
        i.failed += 1;
        return Next::fail(ErrorCause::ServerError);
    }
    i.active += 1;
    core.calls[call].flags.insert(Flags::ACTIVE);
    if let Some(p) = &mut i.pool {
        if p.busy < p.servers {
            start_work(i, &g.svc, core, comp, call);
        } else if p.queue.len() < p.cap as usize {
            p.queue.push_back(call);
            core.stats[comp as usize].queue.add(core.now, 1);
        } else {
            return Next::fail(ErrorCause::QueueFull);
        }
        set_deadline(g.deadlines, core, call);
        return Next::Wait;
    }
    let base = g.svc[c.type_index()].sample(&mut core.rng);
    let mult = i.slowdown();
    let svc = if mult == 1.0 { base } else { (base as f64 * mult) as u64 };
    if !core.offer(comp, &mut i.st, call, svc) {
        return Next::fail(ErrorCause::QueueFull);
    }
    set_deadline(g.deadlines, core, call);
    Next::Wait
}

/// The call, accepted now, is answered with a timeout if it has not answered by the group's
/// timeout (`Simulation::on_deadline`).
#[inline]
fn set_deadline(queue: u32, core: &mut Core, call: u32) {
    let gen = core.calls.gen(call);
    let calls = &core.calls;
    if let Some(at) = core.deadlines[queue as usize].push(core.now, call, gen, |c, g| calls.waiting(c, g)) {
        core.queue.push(at, Ev::Deadline { queue });
    }
}

/// The call's CPU work is done: the vCPU takes the next queued call (dropping those already
/// answered at their deadline), and the call goes on to its disk step or its outgoing calls.
#[inline]
pub(super) fn service_done(g: &mut Group, core: &mut Core, call: u32, c: &Call) -> Next {
    let comp = c.comp;
    let i = &mut g.inst[c.inst as usize];
    let mult = i.slowdown();
    let mut next = core.finish(comp, &mut i.st);
    // Workers given back by calls dropped from the vCPUs' queue: handed on once the freed vCPU
    // has its next call, so the calls already queued for a vCPU keep their turn.
    let mut freed = 0u32;
    // Start the next queued call, dropping those that timed out while they waited.
    while let Some(n) = next {
        let nc = core.calls[n];
        if nc.flags.contains(Flags::TIMED_OUT) {
            if nc.flags.contains(Flags::WORKER) {
                freed += 1;
            }
            drop_timed_out(i, core, comp, n);
            next = i.st.queue.pop_front();
            if next.is_some() {
                core.stats[comp as usize].queue.add(core.now, -1);
            }
            continue;
        }
        let base = g.svc[nc.type_index()].sample(&mut core.rng);
        let svc = if mult == 1.0 { base } else { (base as f64 * mult) as u64 };
        core.start(comp, &mut i.st, n, svc);
        break;
    }
    for _ in 0..freed {
        free_worker(i, &g.svc, core, comp);
    }
    if !i.up {
        return Next::fail(ErrorCause::Unavailable);
    }
    if i.disk_gap_ns > 0.0 && g.disk_ios > 0.0 {
        let ios = g.disk_ios.floor() + f64::from(u8::from(core.rng.random::<f64>() < g.disk_ios.fract()));
        // On a layered instance the volume decides (IOPS limit, burst credits, the
        // round trip to the storage cluster); otherwise the fixed IOPS gap.
        let on_volume = match core.layers.as_deref_mut() {
            Some(run) if i.layer != NONE => run.disk_io(i.layer, core.now, ios as u32),
            _ => None,
        };
        let mut done = on_volume.unwrap_or_else(|| {
            let begin = i.disk_next.max(core.now);
            i.disk_next = begin.saturating_add((ios * i.disk_gap_ns) as u64);
            i.disk_next
        });
        if i.disk_cap_gap_ns > 0.0 || i.disk_hold_until > core.now {
            // An experiment's pause (nothing completes before it ends) or throttle (I/Os no
            // closer than the cap): the volume is shared by all of the instance's requests.
            let begin = i.disk_next.max(core.now).max(i.disk_hold_until).max(done);
            let capped = begin.saturating_add((ios * i.disk_cap_gap_ns) as u64);
            if i.disk_cap_gap_ns > 0.0 {
                i.disk_next = capped;
            }
            done = capped;
        }
        core.calls[call].phase = Phase::Disk;
        core.queue.push(done, Ev::Resume { call });
        return Next::Wait;
    }
    continue_calls(core, call)
}

/// `Phase::Disk`: the disk step is done; on to the outgoing calls.
#[inline]
pub(super) fn resume(core: &mut Core, call: u32, c: &Call) -> Next {
    debug_assert_eq!(c.phase, Phase::Disk);
    continue_calls(core, call)
}

/// A call the request made answered.
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

/// Makes the request's next outgoing call; once all are made, answers. (A request past the
/// group's timeout was answered at its deadline: this answer only ends its work.)
#[inline]
fn continue_calls(core: &mut Core, call: u32) -> Next {
    if let Some(next) = compute::next_call(core, call) {
        return next;
    }
    Next::OK
}

/// Gives back the slot (and the worker) an answered call held on its instance.
#[inline]
pub(super) fn release_slot(g: &mut Group, core: &mut Core, c: &Call) {
    let i = &mut g.inst[c.inst as usize];
    if c.flags.contains(Flags::WORKER) {
        free_worker(i, &g.svc, core, c.comp);
    }
    i.release_slot(core, c.comp);
}

/// A queued call its deadline already answered leaves the queue: the slot it held is given
/// back (its worker, if it holds one, is the caller's to give back) and the call is freed, as
/// `Simulation::answer` does for such a call (which cannot run while a handler holds the group).
fn drop_timed_out(i: &mut Instance, core: &mut Core, comp: u32, n: u32) {
    debug_assert!(core.calls[n].flags.contains(Flags::TIMED_OUT) && core.calls[n].parent == NONE);
    if core.calls[n].flags.contains(Flags::ACTIVE) {
        i.release_slot(core, comp);
    }
    core.calls.release(n);
}

/// The call takes a free worker of the instance's pool and queues for a vCPU (never refused:
/// that queue holds at most one call per worker).
fn start_work(i: &mut Instance, svc: &[Sampler], core: &mut Core, comp: u32, call: u32) {
    let now = core.now;
    let Some(p) = &mut i.pool else { return };
    p.busy += 1;
    p.busy_tw.add(now, 1);
    core.stats[comp as usize].workers_busy.add(now, 1);
    core.calls[call].flags.insert(Flags::WORKER);
    let base = svc[core.calls[call].type_index()].sample(&mut core.rng);
    let mult = i.slowdown();
    let work = if mult == 1.0 { base } else { (base as f64 * mult) as u64 };
    let queued = core.offer(comp, &mut i.st, call, work);
    debug_assert!(queued, "the vCPUs' queue holds one call per worker");
}

/// A worker is free again: the oldest request waiting for one takes it (requests answered at
/// their deadline while they waited are dropped). A failed instance hands its workers to
/// nobody: what waited on it failed with it.
fn free_worker(i: &mut Instance, svc: &[Sampler], core: &mut Core, comp: u32) {
    let now = core.now;
    let Some(p) = &mut i.pool else { return };
    p.busy -= 1;
    p.busy_tw.add(now, -1);
    core.stats[comp as usize].workers_busy.add(now, -1);
    if !i.up {
        return;
    }
    while let Some(n) = i.pool.as_mut().and_then(|p| p.queue.pop_front()) {
        core.stats[comp as usize].queue.add(now, -1);
        if core.calls[n].flags.contains(Flags::TIMED_OUT) {
            drop_timed_out(i, core, comp, n);
            continue;
        }
        start_work(i, svc, core, comp, n);
        break;
    }
}
