//! A Kubernetes cluster in simulated time: node groups whose nodes launch through the EC2
//! lifecycle's phases and then join; workloads whose pods are scheduled ([`super::scheduler`]),
//! pull their image and start ([`super::pod`]); the Horizontal Pod Autoscaler
//! ([`super::hpa`]); the cluster autoscaler, which adds nodes when pods are Pending; and the
//! faults a cluster meets (a pod killed, a node drained, a node's host lost).
//!
//! The caller drives it like the launch layer: [`Cluster::next_deadline`] says when something
//! is due, [`Cluster::advance`] processes everything due up to a time, and
//! [`Cluster::set_cpu_used`] feeds each workload's CPU use (what the HPA reads). Everything that
//! happens is in [`Cluster::events`], in order, with the scheduler's decision for every bind
//! and every Pending pod.

use serde::{Deserialize, Serialize};

use super::deploy::{Alarm, AlarmRun, Rollout, Served, Version};
use super::hpa::{Hpa, HpaParams};
use super::pod::{start_times, PodPhase, PodSpec, StartParams};
use super::scheduler::{schedule, Candidate, Decision, PodAsk};
use super::{Resources, Taint};
use crate::catalog::instance_type;
use crate::layers::launch::{LaunchParams, SecondsRange};
use crate::rng::{rng_from_seed, SimRng};
use crate::time::{Duration, SimTime};

/// Pods a node of an instance type may run on EKS (its ENIs' addresses: ENIs x (addresses per
/// ENI - 1) + 2), for the types the simulator knows; 29 otherwise.
pub fn eks_max_pods(instance_type: &str) -> u32 {
    match instance_type {
        "t2.micro" | "t3.micro" => 4,
        "t2.small" | "t3.small" => 11,
        "t3.medium" => 17,
        "t3.large" => 35,
        t if t.ends_with(".4xlarge") => 234,
        t if t.ends_with("xlarge") => 58,
        _ => 29,
    }
}

/// What a node of `instance_type` leaves for pods on EKS (`None`: a type the simulator does
/// not know).
pub fn node_allocatable(type_name: &str) -> Option<Resources> {
    let t = instance_type(type_name)?;
    Some(Resources::allocatable(t.vcpus, t.memory_gib, eks_max_pods(type_name)))
}

/// A managed node group: EC2 instances of one type that join the cluster as nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeGroupSpec {
    /// Name.
    pub name: String,
    /// EC2 instance type.
    pub instance_type: String,
    /// AZs its nodes go to, in turn.
    pub azs: Vec<String>,
    /// Fewest nodes.
    pub min: u32,
    /// Most nodes (the cluster autoscaler stops here).
    pub max: u32,
    /// Nodes at the start.
    pub desired: u32,
    /// Taints on its nodes.
    pub taints: Vec<Taint>,
    /// From the instance running to the node Ready: the kubelet starts, registers, and the
    /// network plugin is ready. Seconds.
    pub join: SecondsRange,
    /// Fargate instead of EC2 instances: each pod gets a micro-VM of its own, sized to it
    /// ([`super::fargate_size`]) and provisioned when the pod is created
    /// ([`super::pod::StartParams::fargate_provisioning`]); it starts with no image and goes
    /// with its pod. `instance_type`, `min`, `max` and `join` do not apply.
    pub fargate: bool,
}

impl Default for NodeGroupSpec {
    fn default() -> Self {
        NodeGroupSpec {
            name: "nodes".into(),
            instance_type: "m5.large".into(),
            azs: vec!["a".into(), "b".into()],
            min: 1,
            max: 10,
            desired: 2,
            taints: Vec::new(),
            join: SecondsRange { min: 20.0, max: 40.0 },
            fargate: false,
        }
    }
}

/// A Deployment: replicas of one pod template, optionally spread across AZs and scaled by an
/// HPA.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkloadSpec {
    /// Name.
    pub name: String,
    /// The pod template.
    pub pod: PodSpec,
    /// Replicas at the start (the HPA changes them).
    pub replicas: u32,
    /// AZ spread: at most this many more pods in one AZ than in the emptiest.
    pub max_skew: Option<u32>,
    /// Its autoscaler.
    pub hpa: Option<HpaParams>,
    /// Its versions: the first runs at the start; a deployment moves to another. None given:
    /// one version of the pod's image with no errors.
    pub versions: Vec<Version>,
}

impl Default for WorkloadSpec {
    fn default() -> Self {
        WorkloadSpec {
            name: "app".into(),
            pod: PodSpec::default(),
            replicas: 2,
            max_skew: Some(1),
            hpa: None,
            versions: Vec::new(),
        }
    }
}

impl WorkloadSpec {
    /// Version `v` (the implicit one when none are listed).
    pub fn version(&self, v: usize) -> Version {
        self.versions.get(v).cloned().unwrap_or_else(|| Version {
            name: "v1".into(),
            image: self.pod.image.clone(),
            ..Version::default()
        })
    }

    /// A version's memory leak (0 for none), read without copying the version.
    pub fn leak_per_min(&self, v: usize) -> f64 {
        self.versions.get(v).map_or(0.0, |x| x.leak_per_min)
    }

    /// How many versions it has (at least one).
    pub fn version_count(&self) -> usize {
        self.versions.len().max(1)
    }
}

/// The cluster autoscaler's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AutoscalerParams {
    /// On.
    pub enabled: bool,
    /// How often it looks for Pending pods, seconds (10 s).
    pub scan_s: f64,
}

impl Default for AutoscalerParams {
    fn default() -> Self {
        AutoscalerParams { enabled: true, scan_s: 10.0 }
    }
}

/// A whole cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterSpec {
    /// Node groups.
    pub node_groups: Vec<NodeGroupSpec>,
    /// Workloads.
    pub workloads: Vec<WorkloadSpec>,
    /// Pod start times.
    pub start: StartParams,
    /// The EC2 launch phases a node goes through.
    pub launch: LaunchParams,
    /// The cluster autoscaler.
    pub autoscaler: AutoscalerParams,
    /// After a node stops answering, its pods are replaced this long later (40 s node monitor
    /// grace period + the 300 s not-ready toleration Kubernetes gives every pod). Seconds.
    pub lost_node_eviction_s: f64,
    /// After a deployment has replaced every pod, it watches its alarms this long (and can
    /// still be rolled back) before it is final. Seconds.
    pub watch_after_s: f64,
}

impl ClusterSpec {
    /// The spec with Kubernetes' default eviction delay for lost nodes and a 300 s watch after
    /// deployments.
    pub fn new(node_groups: Vec<NodeGroupSpec>, workloads: Vec<WorkloadSpec>) -> ClusterSpec {
        ClusterSpec {
            node_groups,
            workloads,
            lost_node_eviction_s: 340.0,
            watch_after_s: 300.0,
            ..ClusterSpec::default()
        }
    }
}

/// Where a node is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NodeState {
    /// The EC2 launch is under way.
    Launching {
        /// The instance is `running` then.
        running_at: SimTime,
        /// The node is Ready then.
        ready_at: SimTime,
    },
    /// The instance runs; the kubelet is joining the cluster.
    Joining {
        /// The node is Ready then.
        ready_at: SimTime,
    },
    /// Ready for pods.
    Ready,
    /// Cordoned: no new pods (drained).
    Cordoned,
    /// Its host is gone: it no longer answers; its pods are replaced at `evict_at`.
    Lost {
        /// When its pods are replaced.
        evict_at: SimTime,
    },
    /// Gone from the cluster.
    Gone,
}

/// A node.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Node {
    /// Name (`group-N`).
    pub name: String,
    /// Its group (index in the spec).
    pub group: usize,
    /// Its AZ.
    pub az: String,
    /// What pods may use.
    pub allocatable: Resources,
    /// What its pods requested.
    pub requested: Resources,
    /// Where it is.
    pub state: NodeState,
    /// Images it holds.
    pub images: Vec<String>,
}

/// A pod.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pod {
    /// Name (`workload-N`).
    pub name: String,
    /// Its workload (index in the spec).
    pub workload: usize,
    /// Its version (index in the workload's versions).
    pub version: usize,
    /// Its phase.
    pub phase: PodPhase,
    /// Its node, once bound.
    pub node: Option<usize>,
    /// The later phases of its start and when each begins (empty once Ready).
    pending_phases: Vec<(PodPhase, SimTime)>,
    /// When it is gone (terminating).
    gone_at: Option<SimTime>,
    /// Why it is Pending (kube-scheduler's words), while it is.
    pub pending_reason: Option<String>,
    /// Its readiness gate is still closed: Ready or not, its deployment does not count it as
    /// available (nor send it traffic).
    pub gated: bool,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The ReplicaSet created a pod.
    PodCreated {
        /// Pod.
        pod: String,
    },
    /// No node fits: the scheduler's reason and every node's verdict.
    PodPending {
        /// Pod.
        pod: String,
        /// kube-scheduler's words.
        reason: String,
        /// The cycle.
        decision: Decision,
        /// The nodes of the cycle, in the verdicts' order.
        nodes: Vec<String>,
    },
    /// Bound to a node, with every node's verdict.
    PodBound {
        /// Pod.
        pod: String,
        /// Node.
        node: String,
        /// The cycle.
        decision: Decision,
        /// The nodes of the cycle, in the verdicts' order.
        nodes: Vec<String>,
    },
    /// A pod entered a phase of its start.
    PodPhase {
        /// Pod.
        pod: String,
        /// The phase.
        phase: PodPhase,
    },
    /// A pod was stopped (scale-in, killed, evicted).
    PodStopped {
        /// Pod.
        pod: String,
        /// Why.
        why: String,
    },
    /// The HPA changed a workload's replicas.
    HpaScaled {
        /// Workload.
        workload: String,
        /// Before.
        from: u32,
        /// After.
        to: u32,
    },
    /// The cluster autoscaler asked a node group for more nodes.
    ScaleUp {
        /// Node group.
        group: String,
        /// Nodes added.
        nodes: u32,
        /// Pending pods that made it act.
        pending: u32,
    },
    /// A node's EC2 launch began.
    NodeLaunching {
        /// Node.
        node: String,
    },
    /// A node's EC2 launch failed (no host with room, its AZ refusing launches): it never
    /// joins; the cluster autoscaler tries again at its next scan.
    NodeLaunchFailed {
        /// Node.
        node: String,
        /// Why, in EC2's words.
        reason: String,
    },
    /// Its instance is running; the kubelet is joining.
    NodeRunning {
        /// Node.
        node: String,
    },
    /// The node is Ready.
    NodeReady {
        /// Node.
        node: String,
    },
    /// Cordoned and its pods evicted.
    NodeDrained {
        /// Node.
        node: String,
    },
    /// Its host failed; it stopped answering.
    NodeLost {
        /// Node.
        node: String,
    },
    /// A deployment began (CloudTrail's record of who changed what).
    DeploymentStarted {
        /// Workload.
        workload: String,
        /// Version it ran.
        from: String,
        /// Version it moves to.
        to: String,
        /// How.
        strategy: String,
    },
    /// The share of traffic on the new version changed.
    TrafficShifted {
        /// Workload.
        workload: String,
        /// The new version's share, 0 to 1.
        to_share: f64,
    },
    /// An alarm changed state.
    AlarmChanged {
        /// Alarm.
        alarm: String,
        /// Now in alarm (else OK).
        in_alarm: bool,
        /// The datapoint that decided it.
        value: f64,
    },
    /// A deployment is being rolled back.
    RollbackStarted {
        /// Workload.
        workload: String,
        /// Why (the alarm, or the person).
        why: String,
    },
    /// A deployment ended.
    DeploymentFinished {
        /// Workload.
        workload: String,
        /// The version it runs now.
        version: String,
        /// It was rolled back.
        rolled_back: bool,
    },
}

/// An event at a time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// When.
    pub at: SimTime,
    /// What.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Why a fault could not be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// No such pod (or it is already stopping).
    #[error("there is no running pod named {0}")]
    NoPod(String),
    /// No such node (or it is already gone).
    #[error("there is no node named {0} in the cluster")]
    NoNode(String),
}

/// The cluster's state.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub(super) spec: ClusterSpec,
    /// Nodes, in launch order (gone ones stay, as `Gone`).
    pub nodes: Vec<Node>,
    /// Pods, in creation order (gone ones are dropped).
    pub pods: Vec<Pod>,
    /// Everything that happened, in order.
    pub events: Vec<Event>,
    /// Replicas each workload should have.
    pub replicas: Vec<u32>,
    /// The version each workload runs when no deployment is under way.
    pub stable: Vec<usize>,
    /// Each workload's deployment under way.
    pub rollouts: Vec<Option<Rollout>>,
    /// Requests per second sent to each workload.
    pub(super) rate: Vec<f64>,
    /// Requests and errors each workload's versions served so far, and (last) the requests
    /// that found no Ready pod.
    pub(super) served: Vec<Vec<Served>>,
    pub(super) alarms: Vec<AlarmRun>,
    integrated_to: SimTime,
    /// AZs that are out: their nodes stopped answering, and no node launches there.
    azs_down: Vec<String>,
    hpas: Vec<Option<Hpa>>,
    cpu_used: Vec<f64>,
    pod_serial: Vec<u32>,
    node_serial: Vec<u32>,
    next_hpa: SimTime,
    next_scan: SimTime,
    rng: SimRng,
    pub(super) now: SimTime,
}

impl Cluster {
    /// A cluster at time zero already running: each group's `desired` nodes Ready and each
    /// workload's `replicas` pods Ready on them (their images pulled).
    pub fn running(spec: ClusterSpec, seed: u64) -> Cluster {
        let mut c = Cluster {
            replicas: spec.workloads.iter().map(|w| w.replicas).collect(),
            stable: vec![0; spec.workloads.len()],
            rollouts: vec![None; spec.workloads.len()],
            rate: vec![0.0; spec.workloads.len()],
            served: spec.workloads.iter().map(|w| vec![Served::default(); w.version_count() + 1]).collect(),
            alarms: Vec::new(),
            integrated_to: SimTime::ZERO,
            azs_down: Vec::new(),
            hpas: spec.workloads.iter().map(|w| w.hpa.clone().map(Hpa::new)).collect(),
            cpu_used: vec![0.0; spec.workloads.len()],
            pod_serial: vec![0; spec.workloads.len()],
            node_serial: vec![0; spec.node_groups.len()],
            nodes: Vec::new(),
            pods: Vec::new(),
            events: Vec::new(),
            next_hpa: SimTime::ZERO,
            next_scan: SimTime::ZERO,
            rng: rng_from_seed(seed),
            now: SimTime::ZERO,
            spec,
        };
        for g in 0..c.spec.node_groups.len() {
            // On Fargate, one micro-VM per pod of the starting state.
            let (count, size) = match c.fargate_pod_size(g) {
                Some(size) => (c.spec.workloads.iter().map(|w| w.replicas).sum(), Some(size)),
                None => (c.spec.node_groups[g].desired, None),
            };
            for _ in 0..count {
                let n = c.new_node(g, NodeState::Ready, size);
                let image_list: Vec<String> = c.spec.workloads.iter().map(|w| w.version(0).image).collect();
                c.nodes[n].images = image_list;
            }
        }
        c.reconcile();
        // Pods of the starting state are Ready at once.
        for p in &mut c.pods {
            if p.node.is_some() {
                p.phase = PodPhase::Ready;
                p.pending_phases.clear();
                p.gated = false;
            }
        }
        // The starting state is given, not a history.
        c.events.clear();
        c.next_hpa = SimTime::ZERO + c.hpa_period();
        c.next_scan = SimTime::ZERO + Duration::from_secs_f64(c.spec.autoscaler.scan_s);
        c
    }

    /// When the HPAs next evaluate (`None`: no workload has one).
    pub fn next_hpa(&self) -> Option<SimTime> {
        self.hpas.iter().any(Option::is_some).then_some(self.next_hpa)
    }

    /// The spec.
    pub fn spec(&self) -> &ClusterSpec {
        &self.spec
    }

    /// Sets the CPU a workload's pods use in all, in millicores (what the HPA reads).
    pub fn set_cpu_used(&mut self, workload: usize, used_m: f64) {
        if let Some(u) = self.cpu_used.get_mut(workload) {
            *u = used_m.max(0.0);
        }
    }

    /// Ready pods of a workload (the ones that take traffic).
    pub fn ready(&self, workload: usize) -> u32 {
        self.pods.iter().filter(|p| p.workload == workload && p.phase == PodPhase::Ready).count() as u32
    }

    /// Ready pods of a workload's version `v` (their readiness gate open).
    pub fn ready_of(&self, workload: usize, v: usize) -> u32 {
        self.pods
            .iter()
            .filter(|p| p.workload == workload && p.version == v && p.phase == PodPhase::Ready && !p.gated)
            .count() as u32
    }

    /// Sets a workload's replicas to `to` at `now` (a scaling action from outside: an alarm's
    /// step-scaling policy). Its HPA, if it has one, sets them again at its next evaluation.
    pub fn scale_to(&mut self, now: SimTime, workload: usize, to: u32) {
        self.advance(now);
        if let Some(r) = self.replicas.get_mut(workload) {
            *r = to;
        }
        self.settle_rollouts(now);
    }

    /// Opens pod `name`'s readiness gate (its load balancer target is healthy): its deployment
    /// counts it from `now`. Whether the gate was closed.
    pub fn open_gate(&mut self, now: SimTime, name: &str) -> bool {
        self.advance(now);
        let Some(p) = self.pods.iter_mut().find(|p| p.name == name && p.gated) else { return false };
        p.gated = false;
        self.settle_rollouts(now);
        true
    }

    /// Pods of a workload's version `v` not stopping (Pending, starting or Ready).
    pub fn live_of(&self, workload: usize, v: usize) -> u32 {
        self.pods
            .iter()
            .filter(|p| {
                p.workload == workload && p.version == v && p.gone_at.is_none() && p.phase != PodPhase::Terminating
            })
            .count() as u32
    }

    /// The pod named `name`.
    pub fn pod(&self, name: &str) -> Option<&Pod> {
        self.pods.iter().find(|p| p.name == name)
    }

    /// The node named `name`.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    fn hpa_period(&self) -> Duration {
        let s =
            self.spec.workloads.iter().filter_map(|w| w.hpa.as_ref()).map(|h| h.sync_s).fold(f64::INFINITY, f64::min);
        Duration::from_secs_f64(if s.is_finite() { s } else { 15.0 })
    }

    /// When something is next due.
    pub fn next_deadline(&self) -> Option<SimTime> {
        let mut due: Option<SimTime> = None;
        let mut at = |t: SimTime| due = Some(due.map_or(t, |d: SimTime| d.min(t)));
        for n in &self.nodes {
            match n.state {
                NodeState::Launching { running_at, .. } => at(running_at),
                NodeState::Joining { ready_at } => at(ready_at),
                NodeState::Lost { evict_at } => at(evict_at),
                _ => {}
            }
        }
        for p in &self.pods {
            if let Some((_, t)) = p.pending_phases.first() {
                at(*t);
            }
            if let Some(t) = p.gone_at {
                at(t);
            }
        }
        if self.hpas.iter().any(Option::is_some) {
            at(self.next_hpa);
        }
        if self.spec.autoscaler.enabled && self.pods.iter().any(|p| p.phase == PodPhase::Pending) {
            at(self.scan_time());
        }
        for a in &self.alarms {
            at(a.next_eval);
        }
        for r in self.rollouts.iter().flatten() {
            if let Some(t) = r.wake {
                at(t);
            }
        }
        due
    }

    /// The autoscaler's next scan: it looks every `scan_s` whether or not anything is Pending.
    fn scan_time(&self) -> SimTime {
        let period = Duration::from_secs_f64(self.spec.autoscaler.scan_s).as_nanos().max(1);
        let mut s = self.next_scan;
        if s < self.now {
            let behind = self.now.since(s).as_nanos();
            s += Duration::from_nanos(behind.div_ceil(period) * period);
        }
        s
    }

    /// Processes everything due up to `now`, in time order.
    pub fn advance(&mut self, now: SimTime) {
        while let Some(t) = self.next_deadline().filter(|t| *t <= now) {
            self.integrate(t);
            self.now = t.max(self.now);
            self.step(t);
        }
        self.integrate(now);
        self.now = now.max(self.now);
    }

    /// Adds the requests sent since the last call, split as the traffic is now split (it only
    /// changes at events, so this is exact).
    fn integrate(&mut self, to: SimTime) {
        if to <= self.integrated_to {
            return;
        }
        let dt = to.since(self.integrated_to).as_secs_f64();
        self.integrated_to = to;
        for w in 0..self.spec.workloads.len() {
            let rate = self.rate[w];
            if rate <= 0.0 {
                continue;
            }
            let shares = self.traffic(w);
            let none = shares.iter().sum::<f64>() <= 0.0;
            for (v, share) in shares.into_iter().enumerate() {
                let n = rate * share * dt;
                let e = n * self.spec.workloads[w].version(v).error_rate;
                self.served[w][v].add(n, e);
            }
            if none {
                // No Ready pod: every request fails (503 from the load balancer).
                let last = self.served[w].len() - 1;
                self.served[w][last].add(rate * dt, rate * dt);
            }
        }
    }

    /// Sets the requests per second sent to a workload (from now on).
    pub fn set_request_rate(&mut self, workload: usize, rps: f64) {
        self.integrate(self.now);
        if let Some(r) = self.rate.get_mut(workload) {
            *r = rps.max(0.0);
        }
    }

    /// Requests and errors served by a workload's version `v` so far (`v` = the number of
    /// versions: requests that found no Ready pod).
    pub fn served(&self, workload: usize, v: usize) -> Served {
        self.served.get(workload).and_then(|s| s.get(v)).copied().unwrap_or_default()
    }

    /// Errors a workload served so far, every version and no-pod failures together.
    pub fn errors(&self, workload: usize) -> f64 {
        self.served.get(workload).map_or(0.0, |s| s.iter().map(|x| x.errors).sum())
    }

    /// Sets version `v` of a workload (a new one is added after the last; the versions before
    /// it, if none were listed, start with the implicit first one).
    pub fn set_version(&mut self, workload: usize, v: usize, version: Version) {
        let Some(w) = self.spec.workloads.get_mut(workload) else { return };
        if w.versions.is_empty() {
            let first = w.version(0);
            w.versions.push(first);
        }
        while w.versions.len() <= v {
            w.versions.push(version.clone());
        }
        w.versions[v] = version;
        // Keep the served counts per version, with the no-pod count last.
        let count = w.versions.len();
        let served = &mut self.served[workload];
        let no_pod = served.pop().unwrap_or_default();
        served.resize(count, Served::default());
        served.push(no_pod);
    }

    /// Adds requests and errors a workload's version `v` served (when the caller counts them
    /// itself rather than sending a rate).
    pub fn record(&mut self, workload: usize, v: usize, requests: f64, errors: f64) {
        if let Some(s) = self.served.get_mut(workload).and_then(|s| s.get_mut(v)) {
            s.add(requests, errors);
        }
    }

    /// Adds a CloudWatch-style alarm, its first period starting at the cluster's time (the last
    /// `advance`).
    pub fn add_alarm(&mut self, alarm: Alarm) {
        self.alarms.push(AlarmRun::new(alarm, self.now));
    }

    pub(super) fn log(&mut self, at: SimTime, kind: EventKind) {
        self.events.push(Event { at, kind });
    }

    /// Everything due at `t`.
    fn step(&mut self, t: SimTime) {
        for i in 0..self.nodes.len() {
            match self.nodes[i].state {
                NodeState::Launching { running_at, ready_at } if running_at <= t => {
                    self.nodes[i].state = NodeState::Joining { ready_at };
                    let node = self.nodes[i].name.clone();
                    // A Fargate micro-VM is no node to the user: its pod's phases tell it.
                    if !self.spec.node_groups[self.nodes[i].group].fargate {
                        self.log(t, EventKind::NodeRunning { node });
                    }
                }
                _ => {}
            }
            match self.nodes[i].state {
                NodeState::Joining { ready_at } if ready_at <= t => {
                    self.nodes[i].state = NodeState::Ready;
                    let node = self.nodes[i].name.clone();
                    if !self.spec.node_groups[self.nodes[i].group].fargate {
                        self.log(t, EventKind::NodeReady { node });
                    }
                }
                NodeState::Lost { evict_at } if evict_at <= t => {
                    self.nodes[i].state = NodeState::Gone;
                    let lost: Vec<usize> = (0..self.pods.len()).filter(|&p| self.pods[p].node == Some(i)).collect();
                    for p in lost.into_iter().rev() {
                        let pod = self.pods.remove(p).name;
                        self.log(t, EventKind::PodStopped { pod, why: "its node stopped answering".into() });
                    }
                }
                _ => {}
            }
        }
        let mut k = 0;
        while k < self.pods.len() {
            if self.pods[k].gone_at.is_some_and(|g| g <= t) {
                let p = self.pods.remove(k);
                self.release(&p);
                continue;
            }
            while let Some(&(phase, at)) = self.pods[k].pending_phases.first().filter(|(_, at)| *at <= t) {
                self.pods[k].pending_phases.remove(0);
                self.pods[k].phase = phase;
                if phase == PodPhase::Starting {
                    let p = &self.pods[k];
                    let (n, image) = (p.node, self.spec.workloads[p.workload].version(p.version).image);
                    if let Some(n) = n {
                        if !self.nodes[n].images.contains(&image) {
                            self.nodes[n].images.push(image);
                        }
                    }
                }
                let pod = self.pods[k].name.clone();
                self.log(at, EventKind::PodPhase { pod, phase });
            }
            k += 1;
        }
        if self.next_hpa <= t && self.hpas.iter().any(Option::is_some) {
            self.run_hpas(t);
            self.next_hpa = t + self.hpa_period();
        }
        self.evaluate_alarms(t);
        // A deployment moves on with what changed (and moves the reconcile with it).
        self.settle_rollouts(t);
        let scan = self.scan_time();
        if scan <= t {
            if self.spec.autoscaler.enabled {
                self.scale_up(t);
            }
            self.next_scan = scan + Duration::from_secs_f64(self.spec.autoscaler.scan_s);
        }
    }

    fn run_hpas(&mut self, t: SimTime) {
        for w in 0..self.spec.workloads.len() {
            let current = self.replicas[w];
            let ready = self.ready(w);
            let request = self.spec.workloads[w].pod.requests.cpu_m;
            let used = self.cpu_used[w];
            let Some(h) = self.hpas[w].as_mut() else { continue };
            let to = h.evaluate(t, current, ready, used, request);
            if to != current {
                self.replicas[w] = to;
                let workload = self.spec.workloads[w].name.clone();
                self.log(t, EventKind::HpaScaled { workload, from: current, to });
            }
        }
    }

    /// Brings every workload to its replica count (creating or stopping pods), then schedules
    /// Pending pods in creation order.
    pub(super) fn reconcile(&mut self) {
        let t = self.now;
        for w in 0..self.spec.workloads.len() {
            let targets = self.targets(w);
            for (v, &want) in targets.iter().enumerate() {
                let live = |c: &Cluster| {
                    c.pods.iter().filter(|p| p.workload == w && p.version == v && p.gone_at.is_none()).count() as u32
                };
                while live(self) < want {
                    self.pod_serial[w] += 1;
                    let name = format!("{}-{}", self.spec.workloads[w].name, self.pod_serial[w]);
                    self.pods.push(Pod {
                        name: name.clone(),
                        workload: w,
                        version: v,
                        phase: PodPhase::Pending,
                        node: None,
                        pending_phases: Vec::new(),
                        gone_at: None,
                        pending_reason: None,
                        gated: self.spec.workloads[w].pod.readiness_gate,
                    });
                    self.log(t, EventKind::PodCreated { pod: name });
                }
                // Too many: the least far along go first (Pending, then starting, then the
                // newest).
                while live(self) > want {
                    let victim = (0..self.pods.len())
                        .filter(|&i| {
                            self.pods[i].workload == w && self.pods[i].version == v && self.pods[i].gone_at.is_none()
                        })
                        .min_by_key(|&i| (self.pods[i].phase, std::cmp::Reverse(i)));
                    let Some(i) = victim else { break };
                    self.stop_pod(i, "scaled in");
                }
            }
        }
        for i in 0..self.pods.len() {
            if self.pods[i].phase == PodPhase::Pending && self.pods[i].gone_at.is_none() {
                self.try_bind(i);
            }
        }
        self.provision_fargate();
    }

    pub(super) fn stop_pod(&mut self, i: usize, why: &str) {
        let t = self.now;
        let p = &mut self.pods[i];
        if p.node.is_none() {
            let p = self.pods.remove(i);
            self.log(t, EventKind::PodStopped { pod: p.name, why: why.into() });
            return;
        }
        p.phase = PodPhase::Terminating;
        p.pending_phases.clear();
        p.gone_at = Some(t + Duration::from_secs_f64(self.spec.start.termination_grace_s));
        let pod = p.name.clone();
        self.log(t, EventKind::PodStopped { pod, why: why.into() });
    }

    /// Gives back a gone pod's requests to its node.
    fn release(&mut self, p: &Pod) {
        if let Some(n) = p.node {
            let req = self.spec.workloads[p.workload].pod.requests;
            self.nodes[n].requested = self.nodes[n].requested.minus(req);
            // A Fargate micro-VM goes with its pod.
            if self.spec.node_groups[self.nodes[n].group].fargate && self.nodes[n].state != NodeState::Gone {
                self.nodes[n].state = NodeState::Gone;
            }
        }
    }

    /// The micro-VM size a pod of the cluster gets when group `g` is a Fargate group (the
    /// first workload's pod: a Fargate cluster here runs one workload).
    fn fargate_pod_size(&self, g: usize) -> Option<Resources> {
        self.spec.node_groups.get(g).filter(|x| x.fargate)?;
        let w = self.spec.workloads.first()?;
        Some(super::fargate_size(w.pod.requests, true).unwrap_or(w.pod.requests))
    }

    /// Fargate: every Pending pod gets a micro-VM of its own, provisioned at once; a micro-VM
    /// whose pod went before it was ready is released.
    fn provision_fargate(&mut self) {
        let Some(g) = self.spec.node_groups.iter().position(|x| x.fargate) else { return };
        let Some(size) = self.fargate_pod_size(g) else { return };
        let t = self.now;
        let waiting = self.pods.iter().filter(|p| p.phase == PodPhase::Pending && p.gone_at.is_none()).count();
        let unclaimed: Vec<usize> = (0..self.nodes.len())
            .filter(|&n| {
                let node = &self.nodes[n];
                node.group == g
                    && node.requested == Resources::default()
                    && matches!(node.state, NodeState::Launching { .. } | NodeState::Joining { .. } | NodeState::Ready)
            })
            .collect();
        for _ in unclaimed.len()..waiting {
            let ready_at = t + self.spec.start.fargate_provisioning.draw(&mut self.rng);
            self.new_node(g, NodeState::Launching { running_at: ready_at, ready_at }, Some(size));
        }
        for &n in unclaimed.iter().rev().take(unclaimed.len().saturating_sub(waiting)) {
            self.nodes[n].state = NodeState::Gone;
        }
    }

    fn try_bind(&mut self, i: usize) {
        let t = self.now;
        let w = self.pods[i].workload;
        let spec = &self.spec.workloads[w];
        let image = spec.version(self.pods[i].version).image;
        let per_az = |az: &str| {
            self.pods
                .iter()
                .filter(|p| p.workload == w && p.gone_at.is_none())
                .filter(|p| p.node.is_some_and(|n| self.nodes[n].az == az))
                .count() as u32
        };
        let live: Vec<usize> = (0..self.nodes.len()).filter(|&n| self.nodes[n].state != NodeState::Gone).collect();
        let candidates: Vec<Candidate<'_>> = live
            .iter()
            .map(|&n| {
                let node = &self.nodes[n];
                Candidate {
                    az: &node.az,
                    allocatable: node.allocatable,
                    requested: node.requested,
                    taints: &self.spec.node_groups[node.group].taints,
                    schedulable: node.state == NodeState::Ready,
                    has_image: node.images.contains(&image),
                    workload_in_az: per_az(&node.az),
                }
            })
            .collect();
        let ask = PodAsk { requests: spec.pod.requests, tolerations: &spec.pod.tolerations, max_skew: spec.max_skew };
        let decision = schedule(&ask, &candidates);
        let pod = self.pods[i].name.clone();
        match decision.node.map(|k| live[k]) {
            Some(n) => {
                let cached = self.nodes[n].images.contains(&image);
                let times = start_times(&spec.pod, &self.spec.start, cached, t);
                self.nodes[n].requested = self.nodes[n].requested.plus(spec.pod.requests);
                let p = &mut self.pods[i];
                p.node = Some(n);
                p.phase = PodPhase::Scheduled;
                p.pending_reason = None;
                p.pending_phases = times[1..].to_vec();
                let node = self.nodes[n].name.clone();
                let nodes = live.iter().map(|&k| self.nodes[k].name.clone()).collect();
                self.log(t, EventKind::PodBound { pod: pod.clone(), node, decision, nodes });
                self.log(t, EventKind::PodPhase { pod, phase: PodPhase::Scheduled });
            }
            None => {
                let fargate = self.spec.node_groups.iter().any(|x| x.fargate);
                let reason = if fargate {
                    "waiting for its Fargate capacity (a micro-VM of its own)".to_string()
                } else {
                    decision.pending_reason().unwrap_or_default()
                };
                // Logged when the reason changes, not at every retry.
                if self.pods[i].pending_reason.as_deref() != Some(reason.as_str()) {
                    self.pods[i].pending_reason = Some(reason.clone());
                    let nodes = live.iter().map(|&k| self.nodes[k].name.clone()).collect();
                    self.log(t, EventKind::PodPending { pod, reason, decision, nodes });
                }
            }
        }
    }

    /// A new node of group `g` (of `size` on Fargate, else its instance type's allocatable).
    fn new_node(&mut self, g: usize, state: NodeState, size: Option<Resources>) -> usize {
        let group = &self.spec.node_groups[g];
        let allocatable = size.or_else(|| node_allocatable(&group.instance_type)).unwrap_or_default();
        self.node_serial[g] += 1;
        let serial = self.node_serial[g];
        // The AZ (of those up) with the fewest of the group's nodes.
        let count = |az: &String| {
            self.nodes.iter().filter(|n| n.group == g && n.az == *az && n.state != NodeState::Gone).count()
        };
        let az = group
            .azs
            .iter()
            .filter(|a| !self.azs_down.contains(a))
            .min_by_key(|a| count(a))
            .cloned()
            .unwrap_or_default();
        self.nodes.push(Node {
            name: format!("{}-{serial}", group.name),
            group: g,
            az,
            allocatable,
            requested: Resources::default(),
            state,
            images: Vec::new(),
        });
        self.nodes.len() - 1
    }

    /// Starts a node's EC2 launch at `t`: the phases of the launch layer through the OS boot,
    /// then the join.
    fn launch_node(&mut self, g: usize, t: SimTime) {
        let l = &self.spec.launch;
        let phases = [
            l.request_accepted,
            l.capacity_reserved,
            l.vm_created,
            l.storage_attached,
            l.network_configured,
            l.os_boot,
        ];
        let mut running_at = t;
        for p in phases {
            running_at += p.draw(&mut self.rng);
        }
        let ready_at = running_at + self.spec.node_groups[g].join.draw(&mut self.rng);
        let n = self.new_node(g, NodeState::Launching { running_at, ready_at }, None);
        let node = self.nodes[n].name.clone();
        self.log(t, EventKind::NodeLaunching { node });
    }

    /// The cluster autoscaler's scan: Pending pods that would not fit on the nodes already
    /// launching are packed (first fit) onto new nodes of the first group whose nodes could
    /// hold them, up to the group's maximum.
    fn scale_up(&mut self, t: SimTime) {
        let pending: Vec<usize> = (0..self.pods.len()).filter(|&i| self.pods[i].phase == PodPhase::Pending).collect();
        if pending.is_empty() {
            return;
        }
        // Room on nodes on their way, by group.
        let mut bins: Vec<(usize, Resources)> = self
            .nodes
            .iter()
            .filter(|n| matches!(n.state, NodeState::Launching { .. } | NodeState::Joining { .. }))
            .map(|n| (n.group, n.allocatable.minus(n.requested)))
            .collect();
        let mut added = vec![0u32; self.spec.node_groups.len()];
        // What a new node of each group would offer.
        let templates: Vec<Option<Resources>> =
            self.spec.node_groups.iter().map(|g| node_allocatable(&g.instance_type)).collect();
        for &i in &pending {
            let pod = &self.spec.workloads[self.pods[i].workload].pod;
            let fits_group = |g: usize| {
                let group = &self.spec.node_groups[g];
                group.taints.iter().all(|t| pod.tolerations.contains(&t.key))
            };
            let fits = |room: Resources| room.cpu_m >= pod.requests.cpu_m && room.memory_mib >= pod.requests.memory_mib;
            if let Some(b) = bins.iter_mut().find(|(g, room)| fits_group(*g) && fits(*room)) {
                b.1 = b.1.minus(pod.requests);
                continue;
            }
            let groups = 0..self.spec.node_groups.len();
            let choice = groups.clone().find(|&g| {
                let group = &self.spec.node_groups[g];
                let size = self.nodes.iter().filter(|n| n.group == g && n.state != NodeState::Gone).count() as u32;
                let az_up = group.azs.is_empty() || group.azs.iter().any(|a| !self.azs_down.contains(a));
                fits_group(g) && templates[g].is_some_and(fits) && size + added[g] < group.max && az_up
            });
            let Some(g) = choice else { continue };
            added[g] += 1;
            bins.push((g, templates[g].unwrap_or_default().minus(pod.requests)));
        }
        for (g, &n) in added.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let group = self.spec.node_groups[g].name.clone();
            self.log(t, EventKind::ScaleUp { group, nodes: n, pending: pending.len() as u32 });
            for _ in 0..n {
                self.launch_node(g, t);
            }
        }
    }

    /// A node's EC2 launch as the infrastructure's layers ran it: its instance runs at
    /// `running_at` (instead of the cluster's own draw), and the kubelet joins in the time drawn.
    pub fn set_node_running_at(&mut self, name: &str, running_at: SimTime) {
        let Some(node) = self.nodes.iter_mut().find(|n| n.name == name) else { return };
        if let NodeState::Launching { running_at: drawn, ready_at } = node.state {
            node.state = NodeState::Launching { running_at, ready_at: running_at + (ready_at - drawn) };
        }
    }

    /// A node's EC2 launch failed at `now` for `reason`: the node is gone before it joined and
    /// the Pending pods wait for the cluster autoscaler's next scan.
    pub fn fail_node_launch(&mut self, now: SimTime, name: &str, reason: String) {
        let Some(node) = self.nodes.iter_mut().find(|n| n.name == name) else { return };
        if matches!(node.state, NodeState::Launching { .. }) {
            node.state = NodeState::Gone;
            self.log(now, EventKind::NodeLaunchFailed { node: name.to_string(), reason });
        }
    }

    /// Kills a pod (as `kubectl delete pod` would, or an OOM kill): it stops and the ReplicaSet
    /// starts a replacement.
    pub fn kill_pod(&mut self, now: SimTime, name: &str) -> Result<(), FaultError> {
        self.advance(now);
        let i = self
            .pods
            .iter()
            .position(|p| p.name == name && p.gone_at.is_none())
            .ok_or_else(|| FaultError::NoPod(name.into()))?;
        self.stop_pod(i, "killed");
        self.reconcile();
        Ok(())
    }

    /// Drains a node: cordoned, its pods evicted (each replaced elsewhere).
    pub fn drain_node(&mut self, now: SimTime, name: &str) -> Result<(), FaultError> {
        self.advance(now);
        let n = self.live_node(name)?;
        self.nodes[n].state = NodeState::Cordoned;
        self.log(now, EventKind::NodeDrained { node: name.into() });
        let on: Vec<usize> =
            (0..self.pods.len()).filter(|&i| self.pods[i].node == Some(n) && self.pods[i].gone_at.is_none()).collect();
        for i in on {
            self.stop_pod(i, "evicted by a drain");
        }
        self.reconcile();
        Ok(())
    }

    /// The host under a node fails: the node stops answering at once, its pods with it (they
    /// leave every rotation), but Kubernetes only replaces them after
    /// [`ClusterSpec::lost_node_eviction_s`].
    pub fn lose_node(&mut self, now: SimTime, name: &str) -> Result<(), FaultError> {
        self.advance(now);
        let n = self.live_node(name)?;
        self.nodes[n].state =
            NodeState::Lost { evict_at: now + Duration::from_secs_f64(self.spec.lost_node_eviction_s) };
        self.log(now, EventKind::NodeLost { node: name.into() });
        for p in self.pods.iter_mut().filter(|p| p.node == Some(n)) {
            // Still counted by the ReplicaSet until evicted, but serving nothing.
            p.phase = PodPhase::Terminating;
            p.pending_phases.clear();
        }
        Ok(())
    }

    /// An AZ goes out (`down`) or comes back. Going out, its nodes stop answering as a lost
    /// node does (their pods are replaced after the eviction delay) and nodes launch only in the
    /// other AZs. Coming back, nodes not yet gone answer again with the pods still on them.
    pub fn set_az_down(&mut self, now: SimTime, az: &str, down: bool) {
        self.advance(now);
        if down {
            if !self.azs_down.iter().any(|a| a == az) {
                self.azs_down.push(az.to_string());
            }
            let names: Vec<String> = self
                .nodes
                .iter()
                .filter(|n| n.az == az && !matches!(n.state, NodeState::Gone | NodeState::Lost { .. }))
                .map(|n| n.name.clone())
                .collect();
            for name in names {
                // Found just above.
                let _ = self.lose_node(now, &name);
            }
        } else {
            self.azs_down.retain(|a| a != az);
            for n in 0..self.nodes.len() {
                if self.nodes[n].az == az && matches!(self.nodes[n].state, NodeState::Lost { .. }) {
                    self.nodes[n].state = NodeState::Ready;
                    for p in self.pods.iter_mut().filter(|p| p.node == Some(n) && p.gone_at.is_none()) {
                        p.phase = PodPhase::Ready;
                    }
                    let node = self.nodes[n].name.clone();
                    self.log(now, EventKind::NodeReady { node });
                }
            }
        }
        self.settle_rollouts(now);
    }

    fn live_node(&self, name: &str) -> Result<usize, FaultError> {
        self.nodes
            .iter()
            .position(|n| n.name == name && !matches!(n.state, NodeState::Gone | NodeState::Lost { .. }))
            .ok_or_else(|| FaultError::NoNode(name.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPIKE: SimTime = SimTime::from_secs(60);

    fn spec(nodes: u32) -> ClusterSpec {
        let group = NodeGroupSpec { desired: nodes, min: 2, max: 10, ..NodeGroupSpec::default() };
        let pod = super::super::pod::test_pod();
        let hpa = HpaParams { min_replicas: 4, max_replicas: 20, ..HpaParams::default() };
        let web = WorkloadSpec {
            name: "web".into(),
            pod,
            replicas: 4,
            max_skew: Some(1),
            hpa: Some(hpa),
            versions: Vec::new(),
        };
        ClusterSpec::new(vec![group], vec![web])
    }

    /// Runs a 3x spike at `SPIKE` (1,200 -> 3,600 m, which the HPA wants on 12 pods) and
    /// returns the cluster once 12 pods are Ready, and how long after the spike that was.
    fn spike(nodes: u32, seed: u64) -> (Cluster, f64) {
        spike_from(Cluster::running(spec(nodes), seed))
    }

    /// The same spike on cluster `c` (four pods Ready at the start).
    fn spike_from(mut c: Cluster) -> (Cluster, f64) {
        c.set_cpu_used(0, 1200.0);
        c.advance(SPIKE);
        assert_eq!(c.ready(0), 4);
        c.set_cpu_used(0, 3600.0);
        while c.ready(0) < 12 {
            let t = c.next_deadline().expect("something is due while pods are missing");
            assert!(t < SimTime::from_secs(600), "never served: {:#?}", c.events);
            c.advance(t);
        }
        let serving = c.now.since(SPIKE).as_secs_f64();
        (c, serving)
    }

    #[test]
    fn on_fargate_each_pod_gets_a_micro_vm_of_its_own_and_pulls_its_image_every_time() {
        let mut spec = spec(0);
        spec.node_groups[0].fargate = true;
        let c = Cluster::running(spec, 1);
        // Four pods, each on a micro-VM of 0.5 vCPU and 1 GiB (512 MiB + EKS's 256 MiB).
        assert_eq!(c.ready(0), 4);
        let vms: Vec<&Node> = c.nodes.iter().filter(|n| n.state == NodeState::Ready).collect();
        assert_eq!(vms.len(), 4);
        assert!(vms.iter().all(|n| n.allocatable == Resources { cpu_m: 500, memory_mib: 1024 }), "{vms:?}");
        let (mut c, t_fargate) = spike_from(c);
        // No node to wait for, no cluster autoscaler: each new pod waits for its micro-VM
        // (10-25 s), then 1 s + 300 MB at 50 MB/s + the probe (10 s): 27-42 s from its creation.
        assert!(at(&c, |k| matches!(k, EventKind::ScaleUp { .. } | EventKind::NodeReady { .. })).is_empty());
        for p in c.pods.iter().skip(4) {
            let created = c.events.iter().find(|e| e.kind == EventKind::PodCreated { pod: p.name.clone() }).unwrap().at;
            let ready = c
                .events
                .iter()
                .find(|e| e.kind == EventKind::PodPhase { pod: p.name.clone(), phase: PodPhase::Ready })
                .unwrap()
                .at;
            let took = ready.since(created).as_secs_f64();
            assert!((27.0 - 1e-9..=42.0 + 1e-9).contains(&took), "{} {took}", p.name);
        }
        let reasons = pending_reasons(&c);
        assert!(reasons.iter().all(|r| r.contains("Fargate capacity")), "{reasons:?}");
        // Sooner than nodes launched for the spike, later than spare nodes holding the image.
        let (_, t_nodes) = spike(2, 1);
        let (_, t_spare) = spike(4, 1);
        println!(
            "spike to 12 Ready pods: {t_fargate:.1} s on Fargate, {t_nodes:.1} s on 2 autoscaled nodes, {t_spare:.1} s on spare nodes"
        );
        assert!(t_spare + 10.0 < t_fargate && t_fargate + 10.0 < t_nodes);
        // Scaled back in, the micro-VMs go with their pods.
        c.set_cpu_used(0, 600.0);
        c.advance(SimTime::from_secs(1200));
        let live = c.nodes.iter().filter(|n| n.state != NodeState::Gone).count();
        assert_eq!(live, c.pods.len(), "one micro-VM per pod");
        assert!(c.pods.len() < 12);
    }

    /// Every reason a pod was Pending for, in order.
    fn pending_reasons(c: &Cluster) -> Vec<&str> {
        c.events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::PodPending { reason, .. } => Some(reason.as_str()),
                _ => None,
            })
            .collect()
    }

    fn at(c: &Cluster, f: impl Fn(&EventKind) -> bool) -> Vec<SimTime> {
        c.events.iter().filter(|e| f(&e.kind)).map(|e| e.at).collect()
    }

    #[test]
    fn pods_pending_in_a_spike_wait_for_new_nodes_and_spare_nodes_save_the_wait() {
        // Spare capacity: 4 nodes (12 pods of room), images on them. The HPA goes 4 -> 8 at
        // 75 s and 8 -> 12 at 90 s (at most double per 15 s); the last pods start at 90 s:
        // 1 s sandbox + 0.2 s cached pull + the probe's first pass 10 s after the start.
        let (warm, t_warm) = spike(4, 1);
        assert!((t_warm - 41.2).abs() < 1e-6, "{t_warm}");
        assert!(at(&warm, |k| matches!(k, EventKind::ScaleUp { .. })).is_empty());
        let scaled: Vec<(u32, u32)> = warm
            .events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::HpaScaled { from, to, .. } => Some((from, to)),
                _ => None,
            })
            .collect();
        assert_eq!(scaled, [(4, 8), (8, 12)]);

        // Two nodes (6 pods of room): pods go Pending, the autoscaler launches nodes.
        let (cold, t_cold) = spike(2, 1);
        let reasons = pending_reasons(&cold);
        assert!(reasons.iter().any(|r| r.starts_with("0/2 nodes are available: 2 Insufficient cpu")), "{reasons:?}");
        let ups = at(&cold, |k| matches!(k, EventKind::ScaleUp { .. }));
        assert!(!ups.is_empty());
        assert!(ups.iter().all(|t| t.as_nanos() % 10_000_000_000 == 0), "scans every 10 s: {ups:?}");
        // Every new node: the EC2 launch phases (8.18-14.92 s) then the join (20-40 s).
        for n in cold.nodes.iter().skip(2) {
            let launched =
                cold.events.iter().find(|e| e.kind == EventKind::NodeLaunching { node: n.name.clone() }).unwrap().at;
            let ready =
                cold.events.iter().find(|e| e.kind == EventKind::NodeReady { node: n.name.clone() }).unwrap().at;
            let took = ready.since(launched).as_secs_f64();
            assert!((28.18 - 1e-9..=54.92 + 1e-9).contains(&took), "{} {took}", n.name);
        }
        // A pod on a new node starts in 1 s + 300 MB at 50 MB/s + 10 s = 17 s, and the last
        // one is what the spike waited for.
        let last_ready_node = at(&cold, |k| matches!(k, EventKind::NodeReady { .. })).into_iter().max().unwrap();
        assert!((t_cold - (last_ready_node.since(SPIKE).as_secs_f64() + 17.0)).abs() < 1e-6, "{t_cold}");
        println!("spike to 12 Ready pods: {t_cold:.1} s on 2 nodes (autoscaled), {t_warm:.1} s with 2 spare nodes");
        assert!(t_cold > t_warm + 30.0, "cold {t_cold} s, warm {t_warm} s");
        // Same seed, same run; another seed, other launch times.
        assert_eq!(spike(2, 1).0.events, cold.events);
        assert_ne!(spike(2, 2).1, t_cold);
    }

    #[test]
    fn a_bind_records_every_nodes_verdict() {
        let (c, _) = spike(2, 1);
        let bound = c
            .events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::PodBound { decision, node, .. } if node == "nodes-3" => Some(decision.clone()),
                _ => None,
            })
            .expect("a pod bound to the first new node");
        // The two full nodes were filtered for CPU, the chosen one scored.
        let cpu = bound
            .verdicts
            .iter()
            .filter(|v| {
                matches!(
                    v,
                    super::super::scheduler::Verdict::Filtered(super::super::scheduler::Unfit::InsufficientCpu { .. })
                )
            })
            .count();
        assert_eq!(cpu, 2, "{bound:?}");
        assert_eq!(bound.node, Some(2));
    }

    #[test]
    fn a_killed_pod_is_replaced_and_a_lost_node_only_after_the_eviction_delay() {
        let mut c = Cluster::running(spec(2), 3);
        c.set_cpu_used(0, 1200.0);
        let t = SimTime::from_secs(100);
        c.kill_pod(t, "web-1").unwrap();
        assert_eq!(c.ready(0), 3);
        c.advance(t + Duration::from_millis(11_199));
        assert_eq!(c.ready(0), 3);
        // Cached image: 1 s + 0.2 s + 10 s.
        c.advance(t + Duration::from_millis(11_200));
        assert_eq!(c.ready(0), 4);
        assert_eq!(c.kill_pod(t, "nope"), Err(FaultError::NoPod("nope".into())));

        let t = SimTime::from_secs(200);
        let node = c.pods.iter().find(|p| p.phase == PodPhase::Ready).and_then(|p| p.node).unwrap();
        let name = c.nodes[node].name.clone();
        let on_it = c.pods.iter().filter(|p| p.node == Some(node) && p.phase == PodPhase::Ready).count() as u32;
        c.lose_node(t, &name).unwrap();
        assert_eq!(c.ready(0), 4 - on_it, "its pods stop serving at once");
        c.advance(t + Duration::from_secs(339));
        assert_eq!(c.ready(0), 4 - on_it, "but are not replaced for 340 s");
        assert!(c.events.iter().all(|e| e.at <= t || !matches!(e.kind, EventKind::PodCreated { .. })));
        c.advance(t + Duration::from_secs(340));
        let created =
            at(&c, |k| matches!(k, EventKind::PodCreated { .. })).into_iter().filter(|e| *e > t).count() as u32;
        assert_eq!(created, on_it);
        assert_eq!(c.lose_node(t, &name), Err(FaultError::NoNode(name)));
    }

    #[test]
    fn an_az_back_before_the_eviction_delay_brings_its_pods_back_and_nodes_launch_only_where_up() {
        let mut c = Cluster::running(spec(2), 6);
        c.set_cpu_used(0, 1200.0);
        c.set_az_down(SimTime::from_secs(100), "a", true);
        assert_eq!(c.ready(0), 2, "the pods on the node in AZ a stop serving");
        c.set_az_down(SimTime::from_secs(200), "a", false);
        assert_eq!(c.ready(0), 4, "back within 340 s: the same pods serve again");
        assert!(at(&c, |k| matches!(k, EventKind::PodCreated { .. })).is_empty(), "nothing was replaced");
        // Out again, and more pods wanted: new nodes go to AZ b only.
        c.set_az_down(SimTime::from_secs(300), "a", true);
        c.set_cpu_used(0, 3600.0);
        c.advance(SimTime::from_secs(400));
        let launched: Vec<&Node> = c.nodes.iter().skip(2).collect();
        assert!(!launched.is_empty());
        assert!(launched.iter().all(|n| n.az == "b"), "{:?}", launched.iter().map(|n| &n.az).collect::<Vec<_>>());
    }

    #[test]
    fn a_drain_evicts_and_a_taint_nobody_tolerates_leaves_pods_pending_without_new_nodes() {
        let mut c = Cluster::running(spec(2), 4);
        c.drain_node(SimTime::from_secs(30), "nodes-1").unwrap();
        assert_eq!(c.node("nodes-1").unwrap().state, NodeState::Cordoned);
        let stopped = at(&c, |k| matches!(k, EventKind::PodStopped { why, .. } if why == "evicted by a drain"));
        assert_eq!(stopped.len(), 2);
        // Nothing more binds to the cordoned node; the autoscaler adds one for what does not fit.
        for _ in 0..200 {
            if let Some(t) = c.next_deadline() {
                c.advance(t);
            }
        }
        assert_eq!(c.ready(0), 4);
        assert!(c.pods.iter().all(|p| p.node != Some(0) || p.phase == PodPhase::Terminating));

        let mut s = spec(2);
        s.node_groups[0].taints = vec![Taint { key: "dedicated".into(), value: "batch".into() }];
        s.workloads[0].replicas = 1;
        s.node_groups[0].desired = 0;
        s.node_groups[0].min = 0;
        let mut c = Cluster::running(s, 5);
        c.advance(SimTime::from_secs(60));
        assert_eq!(c.pods[0].phase, PodPhase::Pending);
        assert_eq!(c.pods[0].pending_reason.as_deref(), Some("0/0 nodes are available."));
        assert!(at(&c, |k| matches!(k, EventKind::ScaleUp { .. })).is_empty(), "no group's nodes would take it");
    }
}
