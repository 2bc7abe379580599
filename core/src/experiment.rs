//! Experiments: failures written in the document, as data.
//!
//! An [`Experiment`] is a named list of [`Action`]s in the spirit of an AWS Fault Injection
//! Service template: each action names what it does ([`ActionKind`]), what it is aimed at
//! ([`Target`]), when it starts and for how long, and its parameters ([`ActionParams`]). Optional
//! [`StopCondition`]s end the experiment early, as FIS stop conditions do: every action still in
//! effect is reverted at that moment.
//!
//! ```json
//! "experiments": [{
//!   "name": "lose-az-a",
//!   "description": "AZ a goes dark for five minutes",
//!   "actions": [{"action": "az-outage", "target": {"az": "az-a"}, "start_s": 60, "duration_s": 300}],
//!   "stop_conditions": [{"availability_below": 0.5, "window_s": 30}]
//! }]
//! ```
//!
//! The engine runs one experiment per run ([`crate::sim::SimConfig::experiment`]); the same
//! document, seed and experiment give the same run. [`check`] finds what cannot work (unknown
//! targets, an action aimed at the wrong kind of target, impossible parameters) and
//! [`check_timing`] what falls outside a run of a given length. Neither fails: they return
//! [`Diagnostic`]s.

use crate::topology::{ComponentKind, ContainerKind, Topology};
use crate::validate::{Code, Diagnostic, Element, Severity};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A named, scheduled list of failures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    /// Unique within the document; `strata-sim run --experiment NAME` picks it.
    pub name: String,
    /// What it shows, for a person.
    #[serde(default)]
    pub description: String,
    /// What happens, in any order (each has its own start).
    #[serde(default)]
    pub actions: Vec<Action>,
    /// Conditions that end the experiment early and revert every action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_conditions: Vec<StopCondition>,
}

/// One failure: what, at what, when, how long, how hard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// What happens.
    pub action: ActionKind,
    /// What it happens to.
    pub target: Target,
    /// When it starts, in simulated seconds from the start of the run.
    #[serde(default)]
    pub start_s: f64,
    /// How long it lasts; absent: until the end of the run (for `db-failover`: the failover
    /// itself decides, see [`ActionParams::failover_s`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
    /// Parameters of the action; each action reads the ones it documents.
    #[serde(default, skip_serializing_if = "ActionParams::is_empty")]
    pub params: ActionParams,
}

/// The failures Strata can inject. Written in kebab-case (`"az-outage"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    /// An instance dies (an Auto Scaling group replaces it after its health checks notice).
    /// Target: an instance, or an EC2 component.
    TerminateInstance,
    /// A physical host dies: every VM on it dies with it and the host is retired. Target: a host
    /// of the `infrastructure`, a rack (every host in it: a rack's power or switch), or an
    /// instance (its host).
    HostFailure,
    /// Everything in the AZ stops: instances, databases, caches, its hosts and volumes; the
    /// network into it drops. Target: an AZ.
    AzOutage,
    /// Every AZ of the region and everything placed in it. Target: a region.
    RegionOutage,
    /// Calls over the connection take `latency_ms` longer each way. Target: a connection.
    NetworkLatency,
    /// A share (`loss_percent`) of the calls over the connection are lost: the caller waits for
    /// its timeout. Target: a connection.
    PacketLoss,
    /// Calls between two AZs are lost (each side sees a timeout). Target: two AZs.
    Partition,
    /// The name of a service stops resolving: new lookups fail with a DNS error, answers cached
    /// by resolvers keep working until their TTL. Target: a Route 53 component, or any component
    /// (its endpoint name).
    DnsFailure,
    /// The database fails over: Multi-AZ RDS is unreachable for `failover_s` (default drawn in
    /// 60-120 s), then the standby serves; a single-AZ database stays down for the whole
    /// action. Target: an RDS component.
    DbFailover,
    /// A CPU hog: the host's (or instance's) CPU is stretched by a neighbour using
    /// `cpu_percent` of the host. Target: a host, an instance or an EC2 component.
    CpuStress,
    /// The instance's volume stops completing I/O until the action ends. Target: an instance or
    /// an EC2 component.
    EbsPause,
    /// The instance's volume is limited to `iops`. Target: an instance or an EC2 component.
    EbsThrottle,
    /// A bad configuration is pushed to a global service's edges: requests served by a pushed
    /// edge fail (`error_percent`, default 100). All at once, or staged (`strategy: "canary"`)
    /// through `stages_percent` of the edges with a `bake_s` wait, halting and rolling back
    /// when a stage's error rate passes `halt_error_percent`. Target: a component (CloudFront
    /// or another global service).
    ConfigPush,
    /// Launches into the Auto Scaling group fail with `InsufficientInstanceCapacity`. Target:
    /// an Auto Scaling group.
    AsgCapacityError,
    /// The instance is stopped (AWS FIS `aws:ec2:stop-instances`): it leaves service, its VM
    /// leaves the host once stopped (3-8 s), and after `duration_s` it is started again
    /// (`startInstancesAfterDuration`): placement chooses a host afresh, moving away from the
    /// previous one, which is how a stop/start escapes a noisy neighbour. EBS data and the
    /// private IP stay; it serves again once booted (about 8-12 s after the start). Without
    /// `duration_s` it stays stopped until the run ends. Target: an EC2 component or its
    /// instance (an Auto Scaling group would replace a stopped instance: use
    /// `terminate-instance` there).
    StopInstance,
    /// The instance reboots (AWS FIS `aws:ec2:reboot-instances`): same host and VM, out of
    /// service for the OS reboot time (20-40 s; `infrastructure.launch.reboot`). Takes no
    /// `duration_s`. Target: an instance or an EC2 component.
    RebootInstance,
    /// A new version of an EKS deployment, failing `error_percent` of the requests it answers
    /// (default 0: a good one), at `service_time_percent` of the old one's service time, growing
    /// by `leak_percent_per_min` (a memory leak); a new image, or `config_only`. All at once; as
    /// a canary through `stages_percent` of the traffic (default 10, 100) with a `bake_s` each
    /// (default 300); rolling (`max_surge`, `max_unavailable`); or blue-green (the old set kept
    /// `bake_s` after the switch). Rolled back when an alarm on its error rate sees more than
    /// `halt_error_percent` in 2 minutes in a row (no alarm when unset). Its pods pull the new
    /// image and start like any pod. Takes no `duration_s`; an experiment stopped early rolls it
    /// back. Target: an EKS deployment.
    Deploy,
    /// A pod is deleted (AWS FIS `aws:eks:pod-delete`, `kubectl delete pod`): it stops, taking
    /// no new requests, and its ReplicaSet starts a replacement, scheduled and started like any
    /// pod. Takes no `duration_s`. Target: a pod (an EKS deployment's instance slot) or an EKS
    /// deployment (its pod in the lowest slot).
    PodDelete,
    /// The node under a pod is drained (`kubectl drain`): cordoned, so nothing new is scheduled
    /// there, and its pods evicted, each replaced on another node (the cluster autoscaler adds
    /// one when none has room). Takes no `duration_s`. Target: a pod or an EKS deployment.
    DrainNode,
    /// The EC2 instance under a pod's node fails: the node stops answering at once and its pods
    /// with it, but Kubernetes replaces them only once the node has been unreachable for its
    /// eviction delay (40 s to be marked NotReady, then 300 s of toleration). Takes no
    /// `duration_s`. Target: a pod or an EKS deployment.
    NodeFailure,
}

impl ActionKind {
    /// Every action, in documentation order.
    pub const ALL: [ActionKind; 20] = [
        ActionKind::TerminateInstance,
        ActionKind::HostFailure,
        ActionKind::AzOutage,
        ActionKind::RegionOutage,
        ActionKind::NetworkLatency,
        ActionKind::PacketLoss,
        ActionKind::Partition,
        ActionKind::DnsFailure,
        ActionKind::DbFailover,
        ActionKind::CpuStress,
        ActionKind::EbsPause,
        ActionKind::EbsThrottle,
        ActionKind::ConfigPush,
        ActionKind::AsgCapacityError,
        ActionKind::StopInstance,
        ActionKind::RebootInstance,
        ActionKind::Deploy,
        ActionKind::PodDelete,
        ActionKind::DrainNode,
        ActionKind::NodeFailure,
    ];

    /// Whether it acts on an EKS deployment's pods or nodes.
    pub fn on_pods(self) -> bool {
        matches!(self, ActionKind::PodDelete | ActionKind::DrainNode | ActionKind::NodeFailure)
    }

    /// The name as written in documents (`"az-outage"`).
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::TerminateInstance => "terminate-instance",
            ActionKind::HostFailure => "host-failure",
            ActionKind::AzOutage => "az-outage",
            ActionKind::RegionOutage => "region-outage",
            ActionKind::NetworkLatency => "network-latency",
            ActionKind::PacketLoss => "packet-loss",
            ActionKind::Partition => "partition",
            ActionKind::DnsFailure => "dns-failure",
            ActionKind::DbFailover => "db-failover",
            ActionKind::CpuStress => "cpu-stress",
            ActionKind::EbsPause => "ebs-pause",
            ActionKind::EbsThrottle => "ebs-throttle",
            ActionKind::ConfigPush => "config-push",
            ActionKind::AsgCapacityError => "asg-capacity-error",
            ActionKind::StopInstance => "stop-instance",
            ActionKind::RebootInstance => "reboot-instance",
            ActionKind::Deploy => "deploy",
            ActionKind::PodDelete => "pod-delete",
            ActionKind::DrainNode => "drain-node",
            ActionKind::NodeFailure => "node-failure",
        }
    }

    /// The disruption type an assessment files it under.
    pub fn disruption(self) -> Disruption {
        match self {
            ActionKind::TerminateInstance | ActionKind::HostFailure | ActionKind::CpuStress => Disruption::Hardware,
            ActionKind::EbsPause | ActionKind::EbsThrottle | ActionKind::DbFailover => Disruption::Hardware,
            ActionKind::StopInstance | ActionKind::RebootInstance => Disruption::Hardware,
            ActionKind::AzOutage | ActionKind::Partition => Disruption::Az,
            ActionKind::RegionOutage => Disruption::Region,
            ActionKind::NetworkLatency | ActionKind::PacketLoss => Disruption::Software,
            ActionKind::DnsFailure | ActionKind::ConfigPush | ActionKind::AsgCapacityError => Disruption::Software,
            ActionKind::Deploy | ActionKind::PodDelete | ActionKind::DrainNode => Disruption::Software,
            ActionKind::NodeFailure => Disruption::Hardware,
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The disruption types of a resilience assessment (after AWS Resilience Hub).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disruption {
    /// Bugs, bad configuration, slow or failing dependencies, traffic.
    Software,
    /// An instance, a host, a volume, a database instance.
    Hardware,
    /// A whole availability zone.
    Az,
    /// A whole region.
    Region,
}

impl Disruption {
    /// Its name in a report card: `Software`, `Hardware`, `AZ`, `Region`.
    pub fn label(self) -> &'static str {
        match self {
            Disruption::Software => "Software",
            Disruption::Hardware => "Hardware",
            Disruption::Az => "AZ",
            Disruption::Region => "Region",
        }
    }
}

/// What an action is aimed at. Written as an object with one key: `{"az": "az-a"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A component, by id.
    Component(String),
    /// One instance of an EC2 component or Auto Scaling group (slot `index`, 0-based).
    Instance {
        /// Component id.
        component: String,
        /// Instance slot.
        #[serde(default)]
        index: u32,
    },
    /// A physical host of the `infrastructure`, by name.
    Host(String),
    /// A rack of the `infrastructure`, by name.
    Rack(String),
    /// An availability zone container, by id.
    Az(String),
    /// A region container, by id.
    Region(String),
    /// The connection `from` -> `to`.
    Connection {
        /// Caller.
        from: String,
        /// Callee.
        to: String,
    },
    /// Two AZ containers (a partition between them).
    Azs([String; 2]),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Component(c) => write!(f, "{c}"),
            Target::Instance { component, index } => write!(f, "{component}[{index}]"),
            Target::Host(h) => write!(f, "host {h}"),
            Target::Rack(r) => write!(f, "rack {r}"),
            Target::Az(a) => write!(f, "AZ {a}"),
            Target::Region(r) => write!(f, "region {r}"),
            Target::Connection { from, to } => write!(f, "{from} -> {to}"),
            Target::Azs([a, b]) => write!(f, "AZs {a} | {b}"),
        }
    }
}

/// How a configuration push rolls out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PushStrategy {
    /// Every edge at once.
    #[default]
    AllAtOnce,
    /// Stage by stage, with a bake time, halting on errors.
    Canary,
    /// `deploy` only: pods replaced a few at a time (`max_surge`, `max_unavailable`).
    Rolling,
    /// `deploy` only: a full second set of pods, the traffic switched to it at the load balancer
    /// once it is Ready; the old set kept `bake_s` for an instant rollback.
    BlueGreen,
}

/// Parameters of an action. Every field is optional; each action reads the ones it documents
/// and validation refuses values outside their range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionParams {
    /// `network-latency`: added one-way latency, ms (default 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// `packet-loss`: share of calls lost, percent (default 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loss_percent: Option<f64>,
    /// `cpu-stress`: CPU the hog uses, percent of the host (or instance) (default 80).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_percent: Option<f64>,
    /// `ebs-throttle`: the volume's IOPS limit while it lasts (default 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iops: Option<f64>,
    /// `config-push`: share of requests a pushed edge fails, percent (default 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_percent: Option<f64>,
    /// `config-push`: all at once (default) or canary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<PushStrategy>,
    /// `config-push` canary: the share of edges carrying the new config at each stage, percent,
    /// increasing (default 5, 25, 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages_percent: Option<Vec<f64>>,
    /// `config-push` canary: wait between stages, s (default 60).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bake_s: Option<f64>,
    /// `config-push` canary: a stage whose error rate is above this halts the rollout and rolls
    /// it back, percent (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub halt_error_percent: Option<f64>,
    /// `db-failover`: how long a Multi-AZ failover takes, s (default: drawn in 60-120).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failover_s: Option<f64>,
    /// `deploy` rolling: pods above the replica count allowed during the update (default 25%
    /// of the replicas, rounded up, as Kubernetes does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<u32>,
    /// `deploy` rolling: pods below the replica count allowed to be not Ready (default 25% of
    /// the replicas, rounded down).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<u32>,
    /// `deploy`: the new version's service time, percent of the old one's (default 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_time_percent: Option<f64>,
    /// `deploy`: a memory leak in the new version: its pods' service time grows by this many
    /// percent per minute they have served (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leak_percent_per_min: Option<f64>,
    /// `deploy`: a configuration change rather than a new image: the pods restart with the image
    /// their nodes already hold, so they pull nothing (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_only: Option<bool>,
}

impl ActionParams {
    /// The strategy's name as written.
    fn strategy_name(&self) -> &'static str {
        match self.strategy.unwrap_or_default() {
            PushStrategy::AllAtOnce => "all-at-once",
            PushStrategy::Canary => "canary",
            PushStrategy::Rolling => "rolling",
            PushStrategy::BlueGreen => "blue-green",
        }
    }

    /// Whether no parameter is set.
    pub fn is_empty(&self) -> bool {
        *self == ActionParams::default()
    }
}

/// Ends the experiment early: when client availability over the last `window_s` seconds falls
/// below `availability_below` (0..1), every action still in effect is reverted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopCondition {
    /// Threshold, as a share of requests (0.9 = 90%).
    pub availability_below: f64,
    /// Window the availability is measured over, s (default 60).
    #[serde(default = "sixty")]
    pub window_s: f64,
}

fn sixty() -> f64 {
    60.0
}

/// What kinds of target an action accepts, for messages.
fn accepted(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::TerminateInstance => "an instance or an EC2 component",
        ActionKind::HostFailure => "a host, a rack or an instance",
        ActionKind::AzOutage => "an AZ",
        ActionKind::RegionOutage => "a region",
        ActionKind::NetworkLatency | ActionKind::PacketLoss => "a connection",
        ActionKind::Partition => "two AZs",
        ActionKind::DnsFailure => "a component",
        ActionKind::DbFailover => "an RDS component",
        ActionKind::CpuStress => "a host, an instance or an EC2 component",
        ActionKind::EbsPause | ActionKind::EbsThrottle => "an instance or an EC2 component",
        ActionKind::ConfigPush => "a component",
        ActionKind::AsgCapacityError => "an Auto Scaling group",
        ActionKind::StopInstance => "an EC2 component or its instance",
        ActionKind::RebootInstance => "an instance or an EC2 component",
        ActionKind::Deploy => "an EKS deployment or an ECS service",
        ActionKind::PodDelete | ActionKind::DrainNode | ActionKind::NodeFailure => {
            "a pod (task) or an EKS deployment or ECS service"
        }
    }
}

/// Checks every experiment of the document. Never fails.
pub fn check(t: &Topology) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    let list = match t.experiments.as_ref().map(|x| x.read()) {
        Some(Err(e)) => return vec![err(Element::Document, format!("the experiments do not read: {e}"))],
        Some(Ok(list)) => list,
        None => Vec::new(),
    };
    for (ei, e) in list.iter().enumerate() {
        let el = |path: String| Element::Experiment(path);
        let ename = if e.name.is_empty() { format!("#{ei}") } else { e.name.clone() };
        if e.name.trim().is_empty() {
            out.push(err(el(ename.clone()), format!("experiment #{ei} needs a name")));
        } else if !names.insert(e.name.as_str()) {
            out.push(err(el(ename.clone()), format!("two experiments are named `{}`", e.name)));
        }
        if e.actions.is_empty() {
            out.push(warn(el(ename.clone()), format!("experiment `{ename}` has no actions: it changes nothing")));
        }
        for (ai, a) in e.actions.iter().enumerate() {
            let path = format!("{ename}.actions[{ai}] ({})", a.action);
            for m in check_action(t, a) {
                out.push(err(el(path.clone()), m));
            }
        }
        for (si, s) in e.stop_conditions.iter().enumerate() {
            if !(s.availability_below.is_finite() && (0.0..=1.0).contains(&s.availability_below)) {
                out.push(err(
                    el(format!("{ename}.stop_conditions[{si}]")),
                    format!("availability_below {} must be between 0 and 1", s.availability_below),
                ));
            }
            if !(s.window_s.is_finite() && s.window_s >= 1.0 && s.window_s <= 86_400.0) {
                out.push(err(
                    el(format!("{ename}.stop_conditions[{si}]")),
                    format!("window_s {} must be between 1 and 86400 seconds", s.window_s),
                ));
            }
        }
    }
    out
}

/// Checks one action against the document: its target exists and suits it, its times and
/// parameters make sense. Returns the problems, in words.
pub fn check_action(t: &Topology, a: &Action) -> Vec<String> {
    let mut out = Vec::new();
    if !(a.start_s.is_finite() && a.start_s >= 0.0 && a.start_s <= MAX_SECONDS) {
        out.push(format!("start_s {} must be between 0 and {MAX_SECONDS} seconds", a.start_s));
    }
    if let Some(d) = a.duration_s {
        if !(d.is_finite() && d > 0.0 && d <= MAX_SECONDS) {
            out.push(format!("duration_s {d} must be above 0 and at most {MAX_SECONDS} seconds"));
        }
    }
    if a.action == ActionKind::Deploy && a.duration_s.is_some() {
        out.push("deploy takes no duration_s: a deployment ends when its pods are replaced (or rolled back)".into());
    }
    if a.action.on_pods() && a.duration_s.is_some() {
        out.push(format!("{} takes no duration_s: Kubernetes replaces what it stops", a.action));
    }
    if a.action == ActionKind::RebootInstance && a.duration_s.is_some() {
        out.push(
            "reboot-instance takes no duration_s: the instance is back after its OS reboot (20-40 s, `infrastructure.launch.reboot`)"
                .into(),
        );
    }
    if let Some(m) = check_target(t, a) {
        out.push(m);
    }
    out.extend(check_params(a));
    out
}

/// 30 days: the longest run the CLI accepts.
const MAX_SECONDS: f64 = 30.0 * 86_400.0;

fn check_target(t: &Topology, a: &Action) -> Option<String> {
    let kind_of = |id: &str| t.component(id).map(|c| c.spec.kind());
    let container_kind = |id: &str| t.container(id).map(|c| c.kind);
    let unknown_component = |id: &str| format!("no component `{id}`");
    let wrong =
        || format!("`{}` is aimed at {}, which it cannot act on: it takes {}", a.action, a.target, accepted(a.action));
    // The fleet is generated only for an action aimed at a host or a rack.
    let fleet = || t.layers().map(|i| crate::layers::physical::Fleet::generate(&i.fleet).0);
    let host_known = |h: &str| fleet().is_some_and(|f| f.host_by_name(h).is_some());
    let rack_known = |r: &str| fleet().is_some_and(|f| f.racks.iter().any(|x| x.name == r));
    match (&a.target, a.action) {
        (Target::Component(id), _) if kind_of(id).is_none() => Some(unknown_component(id)),
        (Target::Instance { component, .. }, _) if kind_of(component).is_none() => Some(unknown_component(component)),
        (
            Target::Instance { component, index },
            ActionKind::TerminateInstance
            | ActionKind::HostFailure
            | ActionKind::CpuStress
            | ActionKind::EbsPause
            | ActionKind::EbsThrottle,
        ) => {
            let slots = match t.component(component).map(|c| &c.spec) {
                Some(crate::topology::ComponentSpec::Ec2(_)) => 1,
                Some(crate::topology::ComponentSpec::Asg(p)) => p.max.max(1),
                _ => {
                    return Some(format!(
                        "`{component}` has no instances: it is not an EC2 component or Auto Scaling group"
                    ))
                }
            };
            (*index >= slots)
                .then(|| format!("`{component}` has {slots} instance slot(s); index {index} is beyond them"))
        }
        (Target::Instance { component, index }, ActionKind::StopInstance | ActionKind::RebootInstance) => {
            match t.component(component).map(|c| &c.spec) {
                Some(crate::topology::ComponentSpec::Ec2(_)) => (*index >= 1)
                    .then(|| format!("`{component}` is one EC2 instance (index 0); index {index} is beyond it")),
                Some(crate::topology::ComponentSpec::Asg(p)) if a.action == ActionKind::RebootInstance => {
                    let slots = p.max.max(1);
                    (*index >= slots)
                        .then(|| format!("`{component}` has {slots} instance slot(s); index {index} is beyond them"))
                }
                Some(crate::topology::ComponentSpec::Asg(_)) => Some(format!(
                    "`{component}` is an Auto Scaling group: it would replace a stopped instance (use terminate-instance there); stop-instance takes an EC2 component or its instance"
                )),
                Some(other) => Some(format!(
                    "`{component}` is {}, not an EC2 instance: `{}` takes {}",
                    kind_phrase(other.kind()),
                    a.action,
                    accepted(a.action)
                )),
                None => Some(unknown_component(component)),
            }
        }
        (Target::Component(id), ActionKind::StopInstance | ActionKind::RebootInstance) => match kind_of(id) {
            Some(ComponentKind::Ec2) => None,
            Some(ComponentKind::Asg) if a.action == ActionKind::StopInstance => Some(format!(
                "`{id}` is an Auto Scaling group: it would replace a stopped instance (use terminate-instance there); stop-instance takes an EC2 component or its instance"
            )),
            Some(k) => Some(format!(
                "`{id}` is {}, not an EC2 instance: `{}` takes {}",
                kind_phrase(k),
                a.action,
                accepted(a.action)
            )),
            None => Some(unknown_component(id)),
        },
        (Target::Component(id), ActionKind::EbsPause | ActionKind::EbsThrottle) => {
            if kind_of(id) != Some(ComponentKind::Ec2) {
                Some(wrong())
            } else if matches!(t.component(id).map(|c| &c.spec), Some(crate::topology::ComponentSpec::Ec2(p)) if p.disk.is_none())
            {
                Some(format!("`{id}` has no disk step (its `disk` parameter): an EBS action would change nothing"))
            } else {
                None
            }
        }
        (Target::Component(id), ActionKind::TerminateInstance) => (kind_of(id) != Some(ComponentKind::Ec2)).then(wrong),
        (Target::Component(id), ActionKind::CpuStress) => (kind_of(id) != Some(ComponentKind::Ec2)).then(wrong),
        (Target::Component(id), ActionKind::DbFailover) => (kind_of(id) != Some(ComponentKind::Rds)).then(wrong),
        (Target::Component(id), ActionKind::AsgCapacityError) => (kind_of(id) != Some(ComponentKind::Asg)).then(wrong),
        (Target::Component(id), ActionKind::Deploy) => (!is_containers(kind_of(id))).then(wrong),
        (Target::Component(id), k) if k.on_pods() => (!is_containers(kind_of(id))).then(wrong),
        (Target::Instance { component, index }, k) if k.on_pods() => match t.component(component).map(|c| &c.spec) {
            Some(crate::topology::ComponentSpec::Eks(p) | crate::topology::ComponentSpec::Ecs(p)) => {
                // The engine gives a deployment two slots per pod it may have (see `sim::build`).
                let slots = 2 * p.max_pods().max(1);
                (*index >= slots).then(|| format!("`{component}` has {slots} pod slot(s); index {index} is beyond them"))
            }
            _ => Some(wrong()),
        },
        (Target::Component(_), ActionKind::DnsFailure | ActionKind::ConfigPush) => None,
        (Target::Host(h), ActionKind::HostFailure | ActionKind::CpuStress) => (!host_known(h)).then(|| {
            if t.infrastructure.is_none() {
                format!("no host `{h}`: the document has no `infrastructure`, so it models no hosts")
            } else {
                format!("no host `{h}` in the infrastructure")
            }
        }),
        (Target::Rack(r), ActionKind::HostFailure) => (!rack_known(r)).then(|| {
            if t.infrastructure.is_none() {
                format!("no rack `{r}`: the document has no `infrastructure`, so it models no racks")
            } else {
                format!("no rack `{r}` in the infrastructure")
            }
        }),
        (Target::Az(z), ActionKind::AzOutage) => match container_kind(z) {
            Some(ContainerKind::Az) => None,
            Some(_) => Some(format!("`{z}` is not an availability zone")),
            None => Some(format!("no availability zone `{z}`")),
        },
        (Target::Region(r), ActionKind::RegionOutage) => match container_kind(r) {
            Some(ContainerKind::Region) => None,
            Some(_) => Some(format!("`{r}` is not a region")),
            None => Some(format!("no region `{r}`")),
        },
        (Target::Connection { from, to }, ActionKind::NetworkLatency | ActionKind::PacketLoss) => {
            if kind_of(from).is_none() {
                Some(unknown_component(from))
            } else if kind_of(to).is_none() {
                Some(unknown_component(to))
            } else if !t.connections.iter().any(|c| &c.from == from && &c.to == to) {
                Some(format!("no connection from `{from}` to `{to}`"))
            } else {
                None
            }
        }
        (Target::Azs([a1, a2]), ActionKind::Partition) => {
            for z in [a1, a2] {
                match container_kind(z) {
                    Some(ContainerKind::Az) => {}
                    Some(_) => return Some(format!("`{z}` is not an availability zone")),
                    None => return Some(format!("no availability zone `{z}`")),
                }
            }
            (a1 == a2).then(|| format!("a partition needs two different AZs, not `{a1}` twice"))
        }
        _ => Some(wrong()),
    }
}

/// Whether a component kind runs containers (an EKS deployment or an ECS service).
fn is_containers(k: Option<ComponentKind>) -> bool {
    matches!(k, Some(ComponentKind::Eks | ComponentKind::Ecs))
}

/// A component kind with its article, for messages (`an RDS database`).
fn kind_phrase(k: ComponentKind) -> &'static str {
    match k {
        ComponentKind::Rds => "an RDS database",
        ComponentKind::Asg => "an Auto Scaling group",
        ComponentKind::Eks => "an EKS deployment",
        ComponentKind::Ecs => "an ECS service",
        ComponentKind::Alb => "a load balancer",
        ComponentKind::Client => "a client",
        ComponentKind::Lambda => "a Lambda function",
        ComponentKind::Elasticache => "an ElastiCache cluster",
        ComponentKind::S3 => "an S3 bucket",
        ComponentKind::Dynamodb => "a DynamoDB table",
        ComponentKind::Sqs => "an SQS queue",
        ComponentKind::Route53 => "a Route 53 record",
        ComponentKind::Cloudfront => "a CloudFront distribution",
        ComponentKind::Ec2 => "an EC2 instance",
    }
}

fn check_params(a: &Action) -> Vec<String> {
    let p = &a.params;
    let mut out = Vec::new();
    let mut range = |name: &str, v: Option<f64>, lo: f64, hi: f64, lo_open: bool| {
        if let Some(x) = v {
            let ok = x.is_finite() && x <= hi && if lo_open { x > lo } else { x >= lo };
            if !ok {
                let low = if lo_open { format!("above {lo}") } else { format!("at least {lo}") };
                out.push(format!("{name} {x} must be {low} and at most {hi}"));
            }
        }
    };
    range("latency_ms", p.latency_ms, 0.0, 600_000.0, true);
    range("loss_percent", p.loss_percent, 0.0, 100.0, true);
    range("cpu_percent", p.cpu_percent, 0.0, 100.0, true);
    range("iops", p.iops, 0.0, 256_000.0, true);
    range("error_percent", p.error_percent, 0.0, 100.0, true);
    range("bake_s", p.bake_s, 0.0, 86_400.0, true);
    range("halt_error_percent", p.halt_error_percent, 0.0, 100.0, false);
    range("failover_s", p.failover_s, 0.0, 86_400.0, true);
    range("service_time_percent", p.service_time_percent, 0.0, 10_000.0, true);
    range("leak_percent_per_min", p.leak_percent_per_min, 0.0, 1_000.0, false);
    let for_deploy_only = matches!(p.strategy, Some(PushStrategy::Rolling | PushStrategy::BlueGreen));
    if for_deploy_only && a.action != ActionKind::Deploy {
        out.push(format!("{} rolls out all at once or as a canary, not {}", a.action, a.params.strategy_name()));
    }
    if p.strategy == Some(PushStrategy::Rolling) && p.max_surge == Some(0) && p.max_unavailable == Some(0) {
        out.push("a rolling update needs max_surge or max_unavailable above 0".into());
    }
    if let Some(stages) = &p.stages_percent {
        if stages.is_empty() || stages.len() > 20 {
            out.push(format!("stages_percent needs 1 to 20 stages, not {}", stages.len()));
        }
        let mut prev = 0.0;
        for &s in stages {
            if !(s.is_finite() && s > prev && s <= 100.0) {
                out.push(format!(
                    "stages_percent must increase, each above 0 and at most 100 (found {s} after {prev})"
                ));
                break;
            }
            prev = s;
        }
    }
    out
}

/// Checks an experiment against a run of `duration_s`: actions that start after the run ends
/// never happen. Never fails.
pub fn check_timing(e: &Experiment, duration_s: f64) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (ai, a) in e.actions.iter().enumerate() {
        if a.start_s >= duration_s {
            out.push(err(
                Element::Experiment(format!("{}.actions[{ai}] ({})", e.name, a.action)),
                format!(
                    "starts at {} s, but the run lasts {} s: it would never happen (lengthen the run or start it earlier)",
                    a.start_s, duration_s
                ),
            ));
        }
    }
    out
}

fn err(element: Element, message: String) -> Diagnostic {
    Diagnostic { severity: Severity::Error, code: Code::Experiment, message, element }
}

fn warn(element: Element, message: String) -> Diagnostic {
    Diagnostic { severity: Severity::Warning, code: Code::Experiment, message, element }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disruption_is_named_in_words_and_its_lower_case_is_its_json_name() {
        for (d, label) in [
            (Disruption::Software, "Software"),
            (Disruption::Hardware, "Hardware"),
            (Disruption::Az, "AZ"),
            (Disruption::Region, "Region"),
        ] {
            assert_eq!(d.label(), label);
            assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{}\"", label.to_lowercase()));
        }
    }

    fn doc() -> Topology {
        let mut t: Topology = serde_json::from_str(
            r#"{"version": 1,
              "containers": [{"id": "r", "kind": "region"}, {"id": "a", "kind": "az", "parent": "r"},
                             {"id": "b", "kind": "az", "parent": "r"}],
              "components": [{"id": "users", "kind": "client"}, {"id": "web", "kind": "ec2", "container": "a"},
                             {"id": "db", "kind": "rds", "container": "a"}],
              "connections": [{"from": "users", "to": "web"}, {"from": "web", "to": "db"}]}"#,
        )
        .unwrap();
        t.set_experiments(&[Experiment {
            name: "e".into(),
            description: String::new(),
            actions: Vec::new(),
            stop_conditions: Vec::new(),
        }]);
        t
    }

    fn action(json: &str) -> Action {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn actions_read_from_json_with_kebab_names_and_one_key_targets() {
        let a = action(r#"{"action": "az-outage", "target": {"az": "a"}, "start_s": 60, "duration_s": 300}"#);
        assert_eq!(a.action, ActionKind::AzOutage);
        assert_eq!(a.target, Target::Az("a".into()));
        assert_eq!(a.duration_s, Some(300.0));
        let a = action(r#"{"action": "partition", "target": {"azs": ["a", "b"]}}"#);
        assert_eq!(a.target, Target::Azs(["a".into(), "b".into()]));
        let a = action(r#"{"action": "terminate-instance", "target": {"instance": {"component": "web"}}}"#);
        assert_eq!(a.target, Target::Instance { component: "web".into(), index: 0 });
        for k in ActionKind::ALL {
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.name()));
        }
    }

    #[test]
    fn good_actions_pass() {
        let t = doc();
        for json in [
            r#"{"action": "az-outage", "target": {"az": "a"}}"#,
            r#"{"action": "region-outage", "target": {"region": "r"}}"#,
            r#"{"action": "terminate-instance", "target": {"component": "web"}}"#,
            r#"{"action": "db-failover", "target": {"component": "db"}}"#,
            r#"{"action": "network-latency", "target": {"connection": {"from": "web", "to": "db"}}, "params": {"latency_ms": 50}}"#,
            r#"{"action": "partition", "target": {"azs": ["a", "b"]}}"#,
            r#"{"action": "dns-failure", "target": {"component": "db"}}"#,
        ] {
            assert_eq!(check_action(&t, &action(json)), Vec::<String>::new(), "{json}");
        }
    }

    #[test]
    fn unknown_or_unsuitable_targets_are_refused_in_words() {
        let t = doc();
        let cases = [
            (r#"{"action": "az-outage", "target": {"az": "zz"}}"#, "no availability zone `zz`"),
            (r#"{"action": "az-outage", "target": {"az": "r"}}"#, "`r` is not an availability zone"),
            (r#"{"action": "db-failover", "target": {"component": "web"}}"#, "it takes an RDS component"),
            (r#"{"action": "terminate-instance", "target": {"component": "nope"}}"#, "no component `nope`"),
            (
                r#"{"action": "terminate-instance", "target": {"instance": {"component": "web", "index": 3}}}"#,
                "index 3",
            ),
            (r#"{"action": "host-failure", "target": {"host": "h1"}}"#, "has no `infrastructure`"),
            (
                r#"{"action": "packet-loss", "target": {"connection": {"from": "db", "to": "web"}}}"#,
                "no connection from `db` to `web`",
            ),
            (r#"{"action": "partition", "target": {"azs": ["a", "a"]}}"#, "two different AZs"),
            (r#"{"action": "az-outage", "target": {"component": "web"}}"#, "it takes an AZ"),
        ];
        for (json, want) in cases {
            let got = check_action(&t, &action(json));
            assert!(got.iter().any(|m| m.contains(want)), "{json}: {got:?}");
        }
    }

    #[test]
    fn stop_and_reboot_take_an_ec2_instance_and_say_why_not_otherwise() {
        let t = doc();
        for json in [
            r#"{"action": "stop-instance", "target": {"component": "web"}, "start_s": 60, "duration_s": 60}"#,
            r#"{"action": "stop-instance", "target": {"instance": {"component": "web"}}}"#,
            r#"{"action": "reboot-instance", "target": {"instance": {"component": "web", "index": 0}}}"#,
            r#"{"action": "reboot-instance", "target": {"component": "web"}, "start_s": 10}"#,
        ] {
            assert_eq!(check_action(&t, &action(json)), Vec::<String>::new(), "{json}");
        }
        let cases = [
            (
                r#"{"action": "stop-instance", "target": {"component": "db"}}"#,
                "`db` is an RDS database, not an EC2 instance: `stop-instance` takes an EC2 component or its instance",
            ),
            (
                r#"{"action": "stop-instance", "target": {"instance": {"component": "db"}}}"#,
                "`db` is an RDS database, not an EC2 instance",
            ),
            (r#"{"action": "stop-instance", "target": {"component": "ghost"}}"#, "no component `ghost`"),
            (r#"{"action": "stop-instance", "target": {"instance": {"component": "ghost"}}}"#, "no component `ghost`"),
            (
                r#"{"action": "stop-instance", "target": {"instance": {"component": "web", "index": 2}}}"#,
                "`web` is one EC2 instance (index 0); index 2 is beyond it",
            ),
            (r#"{"action": "reboot-instance", "target": {"az": "a"}}"#, "it takes an instance or an EC2 component"),
            (
                r#"{"action": "reboot-instance", "target": {"component": "web"}, "duration_s": 30}"#,
                "reboot-instance takes no duration_s",
            ),
        ];
        for (json, want) in cases {
            let got = check_action(&t, &action(json));
            assert!(got.iter().any(|m| m.contains(want)), "{json}: {got:?}");
        }
        assert_eq!(ActionKind::StopInstance.disruption(), Disruption::Hardware);
        assert_eq!(ActionKind::RebootInstance.name(), "reboot-instance");
    }

    #[test]
    fn a_deploy_takes_an_eks_deployment_and_no_duration() {
        let mut t = doc();
        t.add("api", ComponentKind::Eks, None);
        let ok = r#"{"action": "deploy", "target": {"component": "api"}, "start_s": 60,
            "params": {"error_percent": 20, "strategy": "canary", "stages_percent": [10, 100], "halt_error_percent": 5}}"#;
        assert_eq!(check_action(&t, &action(ok)), Vec::<String>::new());
        for ok in [
            r#"{"action": "deploy", "target": {"component": "api"}, "params": {"strategy": "rolling", "max_surge": 2, "max_unavailable": 0}}"#,
            r#"{"action": "deploy", "target": {"component": "api"}, "params": {"strategy": "blue-green", "bake_s": 600}}"#,
            r#"{"action": "deploy", "target": {"component": "api"}, "params": {"service_time_percent": 150, "leak_percent_per_min": 2, "config_only": true}}"#,
        ] {
            assert_eq!(check_action(&t, &action(ok)), Vec::<String>::new(), "{ok}");
        }
        let cases = [
            (r#"{"action": "deploy", "target": {"component": "web"}}"#, "it takes an EKS deployment"),
            (r#"{"action": "deploy", "target": {"component": "api"}, "duration_s": 60}"#, "deploy takes no duration_s"),
            (
                r#"{"action": "deploy", "target": {"component": "api"}, "params": {"stages_percent": [50, 10]}}"#,
                "stages_percent must increase",
            ),
            (
                r#"{"action": "deploy", "target": {"component": "api"}, "params": {"strategy": "rolling", "max_surge": 0, "max_unavailable": 0}}"#,
                "a rolling update needs max_surge or max_unavailable above 0",
            ),
            (
                r#"{"action": "deploy", "target": {"component": "api"}, "params": {"service_time_percent": 0}}"#,
                "service_time_percent 0 must be above 0",
            ),
            (
                r#"{"action": "deploy", "target": {"component": "api"}, "params": {"leak_percent_per_min": -1}}"#,
                "leak_percent_per_min -1 must be at least 0",
            ),
            (
                r#"{"action": "config-push", "target": {"component": "api"}, "params": {"strategy": "blue-green"}}"#,
                "config-push rolls out all at once or as a canary, not blue-green",
            ),
        ];
        for (json, want) in cases {
            let got = check_action(&t, &action(json));
            assert!(got.iter().any(|m| m.contains(want)), "{json}: {got:?}");
        }
        assert_eq!(ActionKind::Deploy.disruption(), Disruption::Software);
    }

    #[test]
    fn impossible_parameters_and_times_are_refused() {
        let t = doc();
        let a = action(
            r#"{"action": "network-latency", "target": {"connection": {"from": "web", "to": "db"}},
                "start_s": -1, "duration_s": 0, "params": {"latency_ms": -5}}"#,
        );
        let got = check_action(&t, &a);
        assert_eq!(got.len(), 3, "{got:?}");
        let a = action(
            r#"{"action": "config-push", "target": {"component": "web"}, "params": {"stages_percent": [25, 5]}}"#,
        );
        assert!(check_action(&t, &a).iter().any(|m| m.contains("must increase")));
    }

    #[test]
    fn experiments_are_checked_in_validation_and_against_the_run_length() {
        let mut t = doc();
        let mut list = t.experiments();
        list[0].actions.push(action(r#"{"action": "az-outage", "target": {"az": "zz"}, "start_s": 600}"#));
        t.set_experiments(&list);
        let v = crate::validate::validate(&t);
        let d = v.diagnostics.iter().find(|d| d.code == Code::Experiment).expect("an experiment diagnostic");
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.element, Element::Experiment("e.actions[0] (az-outage)".into()));
        let timing = check_timing(&list[0], 60.0);
        assert_eq!(timing.len(), 1);
        assert!(timing[0].message.contains("the run lasts 60 s"), "{}", timing[0].message);
        assert!(check_timing(&list[0], 601.0).is_empty());
        // Experiments that do not read are one problem, in words; the rest of the document reads.
        let bad = r#"{"version": 1, "components": [{"id": "users", "kind": "client"}],
            "experiments": [{"name": "x", "actions": [{"action": "melt-down", "target": {"az": "a"}}]}]}"#;
        let t = Topology::from_json(bad).unwrap();
        assert_eq!(t.experiment_names(), ["x"]);
        assert!(t.experiments().is_empty());
        let v = crate::validate::validate(&t);
        let d = v.diagnostics.iter().find(|d| d.code == Code::Experiment).expect("an experiment diagnostic");
        assert_eq!(d.severity, Severity::Error);
        assert!(d.message.starts_with("the experiments do not read: unknown variant `melt-down`"), "{}", d.message);
    }
}
