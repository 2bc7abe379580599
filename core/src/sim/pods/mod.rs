//! An EKS deployment or an ECS service in the engine: its pods (tasks) are the group's instance
//! slots. The cluster model ([`crate::containers::cluster`]) decides which pods exist, on which
//! node and when each is Ready (node launches or Fargate micro-VMs, scheduling, image pulls,
//! probes, the scaler and the cluster autoscaler); at each of the cluster's deadlines
//! (`Ev::Cluster`) the group's slots are brought in step (`sync`): a pod bound to a node takes a
//! slot, launching; once Ready it takes traffic, or stands by when its version takes none (a
//! blue-green idle set); one that stops drains. The cluster reads the pods' CPU use (busy time of
//! their slots) for its scaler, and the slots' counters credit the versions (for their alarms).
//!
//! - `release`: new versions (deploy, roll back) and an alarm's scaling;
//! - `faults`: a pod deleted, its node drained or failed;
//! - `log`: the cluster's events in the log's words and the control-plane calls behind them;
//! - `detail`: a pod's drill-down;
//! - `nodes`: nodes as instances of the infrastructure's layers.

use super::asg;
use super::core::Core;
use super::group::{Group, InstState};
use super::queue::Ev;
use crate::containers::cluster::{Cluster, NodeState};
use crate::containers::pod::PodPhase;
use crate::time::SimTime;

mod detail;
mod faults;
mod log;
mod nodes;
mod release;

pub use detail::PodDetail;
pub(super) use faults::{fault, PodFault};
use log::report;
pub(super) use log::Words;
pub use nodes::NodeVm;
pub(super) use nodes::{feed_nodes, lost_with_hosts, place_nodes};
pub(super) use release::{deploy, roll_back, scale_by, Release};

/// A pod in a slot: its version, and the slot's counters when they were last credited to it.
#[derive(Clone, Debug)]
pub(super) struct PodSlot {
    pod: String,
    slot: u32,
    version: usize,
    mark: (u64, u64),
}

impl PodSlot {
    /// Pod `pod` of `version` in `slot` (whose counters stand at `mark`).
    pub(super) fn new(pod: String, slot: u32, version: usize, mark: (u64, u64)) -> PodSlot {
        PodSlot { pod, slot, version, mark }
    }
}

/// A deployment's cluster and its pods' slots.
#[derive(Clone, Debug)]
pub(super) struct Pods {
    pub(super) cluster: Cluster,
    /// The pods in slots.
    slots: Vec<PodSlot>,
    /// The deadline the event queue holds for it (`u64::MAX`: none).
    armed: u64,
    /// CPU each pod requests, millicores.
    cpu_m: u32,
    /// Events of the cluster already reported.
    seen: usize,
    /// Node-time so far (ns x nodes), the nodes billed now (launched, not gone) and when the
    /// sum was last brought up to date.
    pub(super) node_ns: u128,
    pub(super) nodes_now: u32,
    node_mark: u64,
    /// Busy time of every pod's slot when the HPA last read it, and when.
    cpu_mark: (u128, u64),
    /// Whether a pod in a slot runs a leaking version, and when their slow-down is next
    /// brought up to date.
    leaks: bool,
    leak_next: u64,
    /// When a set kept in rotation for a switch is looked at again (`u64::MAX`: none kept).
    hold_next: u64,
    /// The log's words.
    words: Words,
    /// The deployment under way switches its traffic at the load balancer (blue-green).
    at_listener: bool,
    /// Its nodes are instances of the layers (`nodes`): each node's instance (`NONE`: none),
    /// by index in the cluster's nodes.
    layered: bool,
    vms: Vec<u32>,
    /// The share of a node's vCPUs a pod's request is.
    vm_share: f64,
    /// Events of the cluster whose node launches the layers have run.
    launch_seen: usize,
    /// Each node's CPU demand at a metrics tick (kept to be reused).
    demand: Vec<f64>,
}

/// How often a set kept in rotation for a switch looks at its successor's health: 1 s.
const HOLD_STEP_NS: u64 = 1_000_000_000;

/// How often a leaking version's pods have their slow-down brought up to date: 10 s.
const LEAK_STEP_NS: u64 = 10_000_000_000;

impl Pods {
    /// A deployment whose cluster starts as `cluster` (pods Ready in the slots of `g` already).
    pub(super) fn new(cluster: Cluster, cpu_m: u32, slots: Vec<PodSlot>, words: Words) -> Pods {
        let nodes_now = billed_nodes(&cluster);
        Pods {
            cluster,
            slots,
            armed: u64::MAX,
            cpu_m,
            seen: 0,
            node_ns: 0,
            nodes_now,
            node_mark: 0,
            cpu_mark: (0, 0),
            leaks: false,
            leak_next: u64::MAX,
            hold_next: u64::MAX,
            words,
            at_listener: false,
            layered: false,
            vms: Vec::new(),
            vm_share: 0.0,
            launch_seen: 0,
            demand: Vec::new(),
        }
    }

    /// When it next has something to do: the cluster's next deadline, bringing leaking pods'
    /// slow-down up to date, or looking again at a held set's successor.
    fn next_wake(&self) -> Option<u64> {
        let cluster = self.cluster.next_deadline().map(SimTime::as_nanos);
        let leak = if self.leaks { self.leak_next } else { u64::MAX };
        let own = leak.min(self.hold_next);
        match cluster {
            Some(c) => Some(c.min(own)),
            None => (own != u64::MAX).then_some(own),
        }
    }

    /// Puts the cluster's first deadline in the queue being built.
    pub(super) fn arm_at_start(&mut self, queue: &mut super::queue::EventQueue, comp: u32) {
        if let Some(t) = self.next_wake() {
            self.armed = t;
            queue.push(self.armed, Ev::Cluster { comp });
        }
    }

    /// Puts its next wake in the event queue (once).
    pub(super) fn arm(&mut self, core: &mut Core, comp: u32) {
        if let Some(t) = self.next_wake() {
            let at = t.max(core.now);
            if at != self.armed {
                self.armed = at;
                core.queue.push(at, Ev::Cluster { comp });
            }
        }
    }

    /// The version of the pod in slot `slot`, if one is.
    pub(super) fn version_in(&self, slot: u32) -> Option<u32> {
        self.slots.iter().find(|s| s.slot == slot).map(|s| s.version as u32)
    }

    /// Each node's instance in the layers, by index in the cluster's nodes (`NONE`: none).
    pub(super) fn vms(&self) -> &[u32] {
        &self.vms
    }

    /// Node-time up to `now`.
    pub(super) fn node_ns_at(&self, now: u64) -> u128 {
        self.node_ns + u128::from(self.nodes_now) * u128::from(now.saturating_sub(self.node_mark))
    }
}

fn billed_nodes(c: &Cluster) -> u32 {
    c.nodes.iter().filter(|n| !matches!(n.state, NodeState::Gone)).count() as u32
}

/// `Cluster`: the deployment's cluster has something due.
#[inline(never)]
pub(super) fn on_cluster(g: &mut Group, core: &mut Core, comp: u32) {
    let Some(mut p) = g.pods.take() else { return };
    let now = core.now;
    if now == p.armed {
        p.armed = u64::MAX;
        if p.leaks && p.leak_next <= now {
            refresh_leaks(&p, g, now);
            p.leak_next = now + LEAK_STEP_NS;
        }
        // The HPA reads the pods' CPU since it last looked.
        if p.cluster.next_hpa().is_some_and(|t| t.as_nanos() <= now) {
            let busy: u128 = g.inst.iter().map(|i| i.st.busy_tw.integral(now)).sum();
            let (mark, since) = p.cpu_mark;
            let span = now.saturating_sub(since).max(1) as f64;
            let servers = g.inst.first().map_or(1, |i| i.st.servers).max(1);
            let used_m = (busy.saturating_sub(mark)) as f64 / span * f64::from(p.cpu_m) / f64::from(servers);
            p.cluster.set_cpu_used(0, used_m);
            p.cpu_mark = (busy, now);
        }
        credit(&mut p, g);
        p.cluster.advance(SimTime(now));
        follow(&mut p, g, core, comp);
    }
    p.arm(core, comp);
    g.pods = Some(p);
}

/// Credits each pod's version with the requests its slot answered since the last call and
/// those it failed for its version's error rate (the alarms on a version read these).
fn credit(p: &mut Pods, g: &Group) {
    for ps in &mut p.slots {
        let i = &g.inst[ps.slot as usize];
        let (sent, failed) = (i.sent - ps.mark.0, i.failed - ps.mark.1);
        ps.mark = (i.sent, i.failed);
        if sent > 0 {
            p.cluster.record(0, ps.version, sent as f64, failed as f64);
        }
    }
}

/// After the cluster changed: the slots, the node-time and the observations follow it.
fn follow(p: &mut Pods, g: &mut Group, core: &mut Core, comp: u32) {
    let now = core.now;
    // Nodes launch and go only as the cluster advances, before this: once is enough.
    nodes::follow_layers(p, core, comp);
    // A readiness gate opened changes what the deployment does next: in step again.
    for _ in 0..4 {
        sync(p, g, core, comp);
        if !open_gates(p, g, now) {
            break;
        }
    }
    p.node_ns = p.node_ns_at(now);
    p.node_mark = now;
    p.nodes_now = billed_nodes(&p.cluster);
    report(p, core, comp);
}

/// The AZ numbered `z` went dark (`on`) or came back: the cluster's nodes there are lost or
/// back, and the slots follow.
pub(super) fn on_az(g: &mut Group, core: &mut Core, comp: u32, z: u16, on: bool) {
    let Some(mut p) = g.pods.take() else { return };
    credit(&mut p, g);
    let now = core.now;
    p.cluster.set_az_down(SimTime(now), &z.to_string(), on);
    follow(&mut p, g, core, comp);
    p.arm(core, comp);
    g.pods = Some(p);
}

/// Brings the slots in step with the pods: a Ready pod without a slot takes a free one, a pod
/// stopping or gone leaves its slot (draining what it holds). A Ready pod is in rotation when
/// its version takes traffic and stands by (health-checked, sent nothing new) when it does not:
/// a blue-green deployment's idle set. A set losing the traffic stays in rotation until every
/// target of the set gaining it passes the load balancer's checks (target group verification,
/// looked at every second), so a switch drops nothing.
fn sync(p: &mut Pods, g: &mut Group, core: &mut Core, comp: u32) {
    // Pods that stopped or are gone. One whose node stopped answering keeps its slot, failed
    // (the caller fails it: `unreachable_slots`), until Kubernetes evicts it: the load balancer
    // finds out by its own checks.
    let mut k = 0;
    while k < p.slots.len() {
        let (name, slot) = (&p.slots[k].pod, p.slots[k].slot as usize);
        if p.cluster.pod(name).is_some_and(|pod| starting_or_ready(pod) || unreachable(&p.cluster, pod)) {
            k += 1;
            continue;
        }
        let i = &mut g.inst[slot];
        match i.state {
            InstState::InService | InstState::Standby if i.active == 0 => i.terminate(core, comp),
            InstState::InService | InstState::Standby => i.state = InstState::Draining,
            // Stopped before it served: nothing to drain.
            InstState::Launching => {
                i.state = InstState::Free;
                i.layer = super::call::NONE;
            }
            _ => {}
        }
        p.slots.swap_remove(k);
    }
    // Pods bound to a node take a slot, launching (drawn starting, phase by phase) until Ready;
    // it answers as its version does.
    for pod in p.cluster.pods.iter().filter(|pod| starting_or_ready(pod)) {
        if p.slots.iter().any(|s| s.pod == pod.name) {
            continue;
        }
        let Some(slot) = g.inst.iter().position(|i| i.state == InstState::Free) else { break };
        let az = pod.node.and_then(|n| p.cluster.nodes[n].az.parse::<u16>().ok()).unwrap_or(super::call::NONE16);
        let version = p.cluster.spec().workloads[0].version(pod.version);
        let vm = nodes::vm_of(p, &pod.name);
        let i = &mut g.inst[slot];
        i.start_launch(az);
        i.error_rate = version.error_rate;
        // On its node's instance, stretched by the node's contention.
        i.layer = vm;
        i.mult = core.layers.as_deref().filter(|_| vm != super::call::NONE).map_or(1.0, |r| r.multiplier(vm));
        p.slots.push(PodSlot::new(pod.name.clone(), slot as u32, pod.version, (i.sent, i.failed)));
    }
    // Pods that became Ready: in rotation once the load balancer's checks pass, as for any new
    // target.
    for s in &p.slots {
        let ready = p.cluster.pod(&s.pod).is_some_and(|pod| pod.phase == PodPhase::Ready);
        if ready && g.inst[s.slot as usize].state == InstState::Launching {
            g.inst[s.slot as usize].version_slow = p.cluster.spec().workloads[0].version(s.version).slowdown(0.0);
            asg::on_instance_ready(g, core, comp, s.slot);
        }
    }
    // Which slots take traffic.
    let shares = p.cluster.traffic(0);
    let gains = |v: usize| shares.get(v).is_some_and(|x| *x > 0.0);
    let serving = |s: &&PodSlot| matches!(g.inst[s.slot as usize].state, InstState::InService | InstState::Standby);
    let mut gaining = p.slots.iter().filter(serving).filter(|s| gains(s.version)).peekable();
    let gaining_ready = gaining.peek().is_some() && gaining.all(|s| g.inst[s.slot as usize].lb.healthy());
    let mut held = false;
    for s in &p.slots {
        let i = &mut g.inst[s.slot as usize];
        let serve = gains(s.version) || (!gaining_ready && i.state == InstState::InService);
        held |= !gains(s.version) && serve;
        match (i.state, serve) {
            (InstState::InService, false) => i.state = InstState::Standby,
            (InstState::Standby, true) => i.state = InstState::InService,
            _ => {}
        }
    }
    // A set kept in rotation, or a pod waiting for its gate, looks at the targets' health again.
    let gated = p.slots.iter().any(|s| p.cluster.pod(&s.pod).is_some_and(|x| x.gated));
    p.hold_next = if held || gated { core.now + HOLD_STEP_NS } else { u64::MAX };
    let leaks = p.slots.iter().any(|s| p.cluster.spec().workloads[0].leak_per_min(s.version) > 0.0);
    if leaks && !p.leaks {
        p.leak_next = core.now + LEAK_STEP_NS;
    }
    p.leaks = leaks;
}

/// Whether `pod` is bound to a node and starting there, or Ready.
fn starting_or_ready(pod: &crate::containers::cluster::Pod) -> bool {
    pod.node.is_some()
        && matches!(pod.phase, PodPhase::Scheduled | PodPhase::PullingImage | PodPhase::Starting | PodPhase::Ready)
}

/// Whether `pod` is on a node that stopped answering (lost with its host or its AZ), not yet
/// evicted.
fn unreachable(c: &Cluster, pod: &crate::containers::cluster::Pod) -> bool {
    pod.phase == PodPhase::Terminating && pod.node.is_some_and(|n| matches!(c.nodes[n].state, NodeState::Lost { .. }))
}

/// The slots whose pods' node stopped answering but which still answer: the caller fails them
/// (with what they hold) as it fails any instance.
pub(super) fn unreachable_slots(g: &Group) -> Vec<u32> {
    let Some(p) = g.pods.as_deref() else { return Vec::new() };
    p.slots
        .iter()
        .filter(|s| g.inst[s.slot as usize].up && p.cluster.pod(&s.pod).is_some_and(|x| unreachable(&p.cluster, x)))
        .map(|s| s.slot)
        .collect()
}

/// Opens the readiness gate of each gated pod whose target the load balancer finds healthy.
/// Whether any opened.
fn open_gates(p: &mut Pods, g: &Group, now: u64) -> bool {
    let mut opened = false;
    for k in 0..p.slots.len() {
        let s = &p.slots[k];
        if g.inst[s.slot as usize].lb.healthy() && p.cluster.pod(&s.pod).is_some_and(|x| x.gated) {
            let name = s.pod.clone();
            opened |= p.cluster.open_gate(SimTime(now), &name);
        }
    }
    opened
}

/// A leaking version's pods slow down with the time they have served: their slots' factor is
/// brought up to date every `LEAK_STEP_NS`.
fn refresh_leaks(p: &Pods, g: &mut Group, now: u64) {
    let w = &p.cluster.spec().workloads[0];
    for s in p.slots.iter().filter(|s| w.leak_per_min(s.version) > 0.0) {
        let v = w.version(s.version);
        {
            let i = &mut g.inst[s.slot as usize];
            i.version_slow = v.slowdown(now.saturating_sub(i.ready_at) as f64 / 1e9);
        }
    }
}
