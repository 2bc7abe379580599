//! An EKS deployment in the engine: its pods are the group's instance slots. The cluster model
//! ([`crate::containers::cluster`]) decides which pods exist, on which node and when each is
//! Ready (node launches, scheduling, image pulls, probes, the HPA and the cluster autoscaler);
//! at each of the cluster's deadlines (`Ev::Cluster`) the group's slots are brought in step: a
//! pod that became Ready takes traffic, one that stops drains. The cluster reads the pods' CPU
//! use (busy time of their slots) for its HPA.

use super::asg;
use super::core::{Core, ObservationKind};
use super::group::{Group, InstState};
use super::queue::Ev;
use crate::containers::cluster::{Cluster, EventKind, NodeState};
use crate::containers::deploy::{Alarm, AlarmTarget, CanaryStep, Strategy, Version};
use crate::containers::pod::PodPhase;
use crate::containers::scheduler::Verdict;
use crate::containers::Resources;
use crate::experiment::PushStrategy;
use crate::time::SimTime;

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

/// How the log names things: Kubernetes' words for an EKS deployment, ECS's for a service.
#[derive(Clone, Copy, Debug)]
pub(super) struct Words {
    /// An ECS service (its control-plane calls are ECS's; an EKS deployment's, Kubernetes').
    ecs: bool,
    /// What runs: `pod`, `task`.
    unit: &'static str,
    /// What scales it: `the HPA`, `service auto scaling`.
    scaler: &'static str,
    /// Where it runs: `node`, `container instance`.
    node: &'static str,
    /// What adds capacity: `the cluster autoscaler`, `the capacity provider`.
    adder: &'static str,
}

impl Words {
    /// Kubernetes' words.
    pub(super) const EKS: Words =
        Words { ecs: false, unit: "pod", scaler: "the HPA", node: "node", adder: "the cluster autoscaler" };
    /// ECS's words.
    pub(super) const ECS: Words = Words {
        ecs: true,
        unit: "task",
        scaler: "service auto scaling",
        node: "container instance",
        adder: "the capacity provider",
    };
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
        }
    }

    /// When it next has something to do: the cluster's next deadline, or bringing leaking
    /// pods' slow-down up to date.
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

/// A new version of a deployment, as an experiment action writes it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Release {
    /// Share of the requests it fails.
    pub(super) error: f64,
    /// Its service time against the first version's.
    pub(super) service_time_factor: f64,
    /// Its memory leak: service time added per minute a pod has served, as a share.
    pub(super) leak_per_min: f64,
    /// A configuration change: the pods keep the image their nodes hold.
    pub(super) config_only: bool,
    /// How it rolls out.
    pub(super) strategy: PushStrategy,
    /// Canary: the traffic shares of its steps.
    pub(super) stages: Vec<f64>,
    /// Canary: each step's bake; blue-green: how long the old set is kept after the switch.
    pub(super) bake_s: f64,
    /// Rolling: pods above and below the replica count allowed (`None`: Kubernetes' 25%).
    pub(super) max_surge: Option<u32>,
    pub(super) max_unavailable: Option<u32>,
    /// An alarm on its error rate at this share rolls it back.
    pub(super) halt: Option<f64>,
}

impl Release {
    /// The cluster's strategy for a deployment of `replicas` pods.
    fn strategy(&self, replicas: u32) -> Strategy {
        match self.strategy {
            PushStrategy::AllAtOnce => Strategy::AllAtOnce,
            PushStrategy::Canary => Strategy::Canary {
                steps: self.stages.iter().map(|&share| CanaryStep { share, bake_s: self.bake_s }).collect(),
            },
            PushStrategy::Rolling => Strategy::Rolling {
                max_surge: self.max_surge.unwrap_or(replicas.div_ceil(4)),
                max_unavailable: self.max_unavailable.unwrap_or(replicas / 4),
            },
            PushStrategy::BlueGreen => Strategy::BlueGreen { keep_old_s: self.bake_s },
        }
    }
}

/// Starts deploying a new version of the deployment, with an alarm on its error rate (2
/// one-minute periods in a row above `halt`) that rolls it back.
pub(super) fn deploy(g: &mut Group, core: &mut Core, comp: u32, r: &Release) {
    let Some(mut p) = g.pods.take() else { return };
    credit(&mut p, g);
    let now = SimTime(core.now);
    // The alarm's periods count from now.
    p.cluster.advance(now);
    let id = core.meta[comp as usize].id.clone();
    let w = &p.cluster.spec().workloads[0];
    let next = w.version_count();
    let name = format!("v{}", next + 1);
    let image = if r.config_only { w.version(p.cluster.stable[0]).image } else { format!("{id}:{}", next + 1) };
    let version = Version {
        name: name.clone(),
        image,
        error_rate: r.error,
        service_time_factor: r.service_time_factor,
        leak_per_min: r.leak_per_min,
    };
    p.cluster.set_version(0, next, version);
    if let Some(threshold) = r.halt {
        p.cluster.add_alarm(Alarm {
            name: format!("{id}-{name}-errors"),
            workload: 0,
            target: AlarmTarget::NewVersion,
            threshold,
            period_s: 60.0,
            evaluation_periods: 2,
            datapoints_to_alarm: 2,
            rollback: true,
        });
    }
    let strategy = r.strategy(p.cluster.replicas[0]);
    if let Err(e) = p.cluster.deploy(now, 0, next, strategy) {
        core.observe(ObservationKind::Deployment, None, format!("{id}: the deployment of {name} is refused: {e}"));
    }
    follow(&mut p, g, core, comp);
    p.arm(core, comp);
    g.pods = Some(p);
}

/// Scales the deployment by `delta` pods (an alarm's step-scaling action), within 1 and the
/// pods it may have; returns the replicas it now wants.
pub(super) fn scale_by(g: &mut Group, core: &mut Core, comp: u32, delta: i64) -> u32 {
    let Some(mut p) = g.pods.take() else { return 0 };
    credit(&mut p, g);
    let most = (g.inst.len() / 2).max(1) as i64;
    let to = (i64::from(p.cluster.replicas[0]) + delta).clamp(1, most) as u32;
    p.cluster.scale_to(SimTime(core.now), 0, to);
    follow(&mut p, g, core, comp);
    p.arm(core, comp);
    g.pods = Some(p);
    to
}

/// A fault aimed at a pod or at its node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PodFault {
    /// The pod is deleted.
    Delete,
    /// Its node is drained.
    Drain,
    /// Its node's instance fails.
    Fail,
}

/// Applies `fault` to the pod in slot `slot` (`None`: the lowest slot holding a pod), saying
/// what it did, or why it could not, in the log.
pub(super) fn fault(g: &mut Group, core: &mut Core, comp: u32, slot: Option<u32>, fault: PodFault) {
    let Some(mut p) = g.pods.take() else { return };
    credit(&mut p, g);
    let now = SimTime(core.now);
    let id = core.meta[comp as usize].id.clone();
    let Words { unit, node: host, .. } = p.words;
    let held = match slot {
        Some(s) => p.slots.iter().find(|x| x.slot == s),
        None => p.slots.iter().min_by_key(|x| x.slot),
    };
    let text = match held.map(|s| s.pod.clone()) {
        None => match slot {
            Some(s) => format!("{id}: no {unit} in slot {s} to act on"),
            None => format!("{id}: no {unit} serving to act on"),
        },
        Some(pod) => {
            let node = p.cluster.pod(&pod).and_then(|x| x.node).map(|n| p.cluster.nodes[n].name.clone());
            let done = match (fault, node) {
                (PodFault::Delete, _) => p
                    .cluster
                    .kill_pod(now, &pod)
                    .map(|()| format!("{unit} {pod} deleted: a replacement starts")),
                (PodFault::Drain, Some(n)) => p.cluster.drain_node(now, &n).map(|()| {
                    format!("{host} {n} (under {unit} {pod}) drained: nothing new goes there, its {unit}s are replaced elsewhere")
                }),
                (PodFault::Fail, Some(n)) => p.cluster.lose_node(now, &n).map(|()| {
                    let after = p.cluster.spec().lost_node_eviction_s;
                    format!("{host} {n} (under {unit} {pod}) fails: its {unit}s stop answering, replaced after {after:.0} s")
                }),
                (_, None) => Ok(format!("{unit} {pod} is on no {host}")),
            };
            match done {
                Ok(text) => format!("{id}: {text}"),
                Err(e) => format!("{id}: {e}"),
            }
        }
    };
    core.observe(ObservationKind::PodStopped, None, text);
    // A deletion and a drain are API calls (the instance failing is not).
    let call = match (fault, p.words.ecs) {
        (PodFault::Delete, false) => Some("k8s:delete pods"),
        (PodFault::Delete, true) => Some("ecs:StopTask"),
        (PodFault::Drain, false) => Some("k8s:create pods/eviction (drain)"),
        (PodFault::Drain, true) => Some("ecs:UpdateContainerInstancesState (DRAINING)"),
        (PodFault::Fail, _) => None,
    };
    if let Some(call) = call {
        let at = slot.map_or_else(|| "its lowest slot".to_string(), |s| format!("slot {s}"));
        core.record("fis-experiment", call, comp, format!("the pod in {at}"));
    }
    follow(&mut p, g, core, comp);
    p.arm(core, comp);
    g.pods = Some(p);
}

/// Rolls back the deployment under way, if any.
pub(super) fn roll_back(g: &mut Group, core: &mut Core, comp: u32, why: &str) {
    let Some(mut p) = g.pods.take() else { return };
    credit(&mut p, g);
    // Nothing under way: nothing to roll back.
    let _ = p.cluster.rollback(SimTime(core.now), 0, why);
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
            InstState::Launching => i.state = InstState::Free,
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
        let i = &mut g.inst[slot];
        i.start_launch(az);
        i.error_rate = version.error_rate;
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
    let leaks = p.slots.iter().any(|s| p.cluster.spec().workloads[0].version(s.version).leak_per_min > 0.0);
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
    for s in &p.slots {
        let v = p.cluster.spec().workloads[0].version(s.version);
        if v.leak_per_min > 0.0 {
            let i = &mut g.inst[s.slot as usize];
            i.version_slow = v.slowdown(now.saturating_sub(i.ready_at) as f64 / 1e9);
        }
    }
}

/// The cluster's notable events, as observations.
fn report(p: &mut Pods, core: &mut Core, comp: u32) {
    let id = core.meta[comp as usize].id.clone();
    let Words { ecs, unit, scaler, node: host, adder } = p.words;
    for e in &p.cluster.events[p.seen..] {
        if let EventKind::DeploymentStarted { strategy, .. } = &e.kind {
            p.at_listener = strategy == "blue-green";
        }
        trail(core, comp, ecs, &e.kind, p.at_listener);
        let (kind, text) = match &e.kind {
            EventKind::HpaScaled { from, to, .. } => {
                (ObservationKind::PodsScaled, format!("{id}: {scaler} set {to} {unit}s (was {from})"))
            }
            EventKind::PodPending { pod, reason, .. } => {
                (ObservationKind::PodPending, format!("{id}: {unit} {pod} is Pending: {reason}"))
            }
            EventKind::ScaleUp { nodes, pending, .. } => (
                ObservationKind::NodesAdded,
                format!("{id}: {adder} launches {nodes} {host}(s) for {pending} Pending {unit}(s)"),
            ),
            EventKind::NodeReady { node } => {
                (ObservationKind::NodeJoined, format!("{id}: {host} {node} joined, Ready"))
            }
            EventKind::DeploymentStarted { from, to, strategy, .. } => {
                (ObservationKind::Deployment, format!("{id}: deployment of {to} (from {from}) begins, {strategy}"))
            }
            EventKind::TrafficShifted { to_share, .. } => (
                ObservationKind::Deployment,
                format!("{id}: {:.0}% of the traffic on the new version", to_share * 100.0),
            ),
            EventKind::AlarmChanged { alarm, in_alarm: true, value } => {
                (ObservationKind::AlarmFired, format!("{id}: alarm {alarm} fires (error rate {:.1}%)", value * 100.0))
            }
            EventKind::RollbackStarted { why, .. } => {
                (ObservationKind::RolledBack, format!("{id}: the deployment is rolled back ({why})"))
            }
            EventKind::DeploymentFinished { version, rolled_back, .. } => (
                ObservationKind::Deployment,
                if *rolled_back {
                    format!("{id}: rolled back, every {unit} runs {version} again")
                } else {
                    format!("{id}: every {unit} runs {version}")
                },
            ),
            _ => continue,
        };
        core.observe(kind, None, text);
    }
    p.seen = p.cluster.events.len();
}

/// The control-plane call behind a cluster event, if one is: a deployment begins (a person's
/// call), moves its traffic (the deployment controller's) or is rolled back (a person's, or an
/// alarm's).
fn trail(core: &mut Core, comp: u32, ecs: bool, kind: &EventKind, weighted: bool) {
    let (principal, call, detail) = match kind {
        EventKind::DeploymentStarted { from, to, strategy, .. } => (
            "user:deployer".to_string(),
            if ecs { "ecs:UpdateService" } else { "k8s:patch deployments" },
            format!("{from} -> {to}, {strategy}"),
        ),
        EventKind::TrafficShifted { to_share, .. } => (
            "deployment-controller".to_string(),
            match (weighted, ecs) {
                (true, _) => "elasticloadbalancing:ModifyListener",
                (false, true) => "ecs:UpdateTaskSet",
                (false, false) => "k8s:patch replicasets",
            },
            format!("{:.0}% of the traffic to the new version", to_share * 100.0),
        ),
        EventKind::RollbackStarted { why, .. } => (
            match why.strip_prefix("alarm ") {
                Some(name) => format!("cloudwatch-alarm:{name}"),
                None => "user:deployer".to_string(),
            },
            if ecs { "ecs:UpdateService" } else { "k8s:rollout undo deployments" },
            format!("roll back ({why})"),
        ),
        _ => return,
    };
    core.record(&principal, call, comp, detail);
}

/// A pod of an EKS deployment as the drill-down shows it: where it runs and why there (the
/// scheduler's verdict on every node), and its start phase by phase.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PodDetail {
    /// The simulated time it is for, s.
    pub time_s: f64,
    /// Pod name.
    pub pod: String,
    /// Its version's name, and the share of requests it fails.
    pub version: String,
    /// See `version`.
    pub error_rate: f64,
    /// Its phase now.
    pub phase: PodPhase,
    /// CPU and memory it requests.
    pub requests: Resources,
    /// Its node, the node's AZ, what the node leaves for pods and what its pods requested.
    pub node: Option<String>,
    /// See `node`.
    pub az: Option<String>,
    /// See `node`.
    pub node_allocatable: Resources,
    /// See `node`.
    pub node_requested: Resources,
    /// When it was created and entered each phase, s.
    pub phases: Vec<(String, f64)>,
    /// Why it waited, with when: kube-scheduler's words.
    pub pending: Vec<(f64, String)>,
    /// The scheduling cycle that bound it: each node with its verdict, and the node chosen.
    pub verdicts: Vec<(String, Verdict)>,
    /// See `verdicts`.
    pub chosen: Option<String>,
}

impl super::Simulation {
    /// The pod in slot `slot` of EKS deployment `component` now (`None`: not an EKS deployment,
    /// or no pod in that slot).
    pub fn pod_detail(&self, component: super::ComponentIdx, slot: u32) -> Option<PodDetail> {
        let super::node::Node::Group(g) = self.nodes.get(component.0 as usize)? else { return None };
        let p = g.pods.as_deref()?;
        let name = &p.slots.iter().find(|s| s.slot == slot)?.pod;
        let c = &p.cluster;
        let pod = c.pod(name)?;
        let w = &c.spec().workloads[pod.workload];
        let version = w.version(pod.version);
        let node = pod.node.map(|n| &c.nodes[n]);
        let mut phases = Vec::new();
        let mut pending = Vec::new();
        let (mut verdicts, mut chosen) = (Vec::new(), None);
        for e in &c.events {
            let at = e.at.as_secs_f64();
            match &e.kind {
                EventKind::PodCreated { pod } if pod == name => phases.push(("created".to_string(), at)),
                EventKind::PodPhase { pod, phase } if pod == name => phases.push((phase_name(*phase).to_string(), at)),
                EventKind::PodPending { pod, reason, .. } if pod == name => pending.push((at, reason.clone())),
                EventKind::PodBound { pod, node, decision, nodes } if pod == name => {
                    verdicts = nodes.iter().cloned().zip(decision.verdicts.iter().cloned()).collect();
                    chosen = Some(node.clone());
                }
                _ => {}
            }
        }
        Some(PodDetail {
            time_s: self.core.now as f64 / 1e9,
            pod: name.clone(),
            version: version.name,
            error_rate: version.error_rate,
            phase: pod.phase,
            requests: w.pod.requests,
            node: node.map(|n| n.name.clone()),
            az: node.and_then(|n| n.az.parse::<usize>().ok()).and_then(|z| self.az_ids.get(z).cloned()),
            node_allocatable: node.map_or_else(Resources::default, |n| n.allocatable),
            node_requested: node.map_or_else(Resources::default, |n| n.requested),
            phases,
            pending,
            verdicts,
            chosen,
        })
    }
}

/// A pod phase as the drill-down says it.
fn phase_name(p: PodPhase) -> &'static str {
    match p {
        PodPhase::Pending => "pending",
        PodPhase::Scheduled => "scheduled",
        PodPhase::PullingImage => "pulling image",
        PodPhase::Starting => "starting",
        PodPhase::Ready => "ready",
        PodPhase::Terminating => "terminating",
    }
}
