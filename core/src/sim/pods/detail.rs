//! A pod as the drill-down shows it: where it runs and why there, and its start phase by phase.

use crate::containers::cluster::EventKind;
use crate::containers::pod::PodPhase;
use crate::containers::scheduler::Verdict;
use crate::containers::Resources;

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
    /// On Fargate: its node is a micro-VM of its own (no scheduler's choice).
    pub fargate: bool,
    /// Its node's instance in the infrastructure's layers (a topology with them): its host and
    /// the contention it suffers there.
    pub vm: Option<super::NodeVm>,
}

impl crate::sim::Simulation {
    /// The pod in slot `slot` of EKS deployment `component` now (`None`: not an EKS deployment,
    /// or no pod in that slot).
    pub fn pod_detail(&self, component: crate::sim::ComponentIdx, slot: u32) -> Option<PodDetail> {
        let crate::sim::node::Node::Group(g) = self.nodes.get(component.0 as usize)? else { return None };
        let p = g.pods.as_deref()?;
        let name = &p.slots.iter().find(|s| s.slot == slot)?.pod;
        let vm = self.core.layers.as_deref().and_then(|run| super::nodes::node_vm(run, super::nodes::vm_of(p, name)));
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
            fargate: node.is_some_and(|n| c.spec().node_groups[n.group].fargate),
            vm,
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
