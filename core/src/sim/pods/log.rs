//! What a deployment's cluster does, said in the log (in Kubernetes' or ECS's words) and
//! recorded as the control-plane calls behind it.

use super::Pods;
use crate::containers::cluster::EventKind;
use crate::sim::core::{Core, ObservationKind};

/// How the log names things: Kubernetes' words for an EKS deployment, ECS's for a service.
#[derive(Clone, Copy, Debug)]
pub(in crate::sim) struct Words {
    /// An ECS service (its control-plane calls are ECS's; an EKS deployment's, Kubernetes').
    pub(super) ecs: bool,
    /// What runs: `pod`, `task`.
    pub(super) unit: &'static str,
    /// What scales it: `the HPA`, `service auto scaling`.
    pub(super) scaler: &'static str,
    /// Where it runs: `node`, `container instance`.
    pub(super) node: &'static str,
    /// What adds capacity: `the cluster autoscaler`, `the capacity provider`.
    pub(super) adder: &'static str,
}

impl Words {
    /// Kubernetes' words.
    pub(in crate::sim) const EKS: Words =
        Words { ecs: false, unit: "pod", scaler: "the HPA", node: "node", adder: "the cluster autoscaler" };
    /// ECS's words.
    pub(in crate::sim) const ECS: Words = Words {
        ecs: true,
        unit: "task",
        scaler: "service auto scaling",
        node: "container instance",
        adder: "the capacity provider",
    };
}

/// The cluster's notable events, as observations.
pub(super) fn report(p: &mut Pods, core: &mut Core, comp: u32) {
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
            EventKind::NodeLaunchFailed { node, reason } => {
                (ObservationKind::LaunchFailed, format!("{id}: {host} {node} failed to launch: {reason}"))
            }
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
