//! Faults aimed at a pod or its node (`pod-delete`, `drain-node`, `node-failure`).

use super::{credit, follow, Words};
use crate::sim::core::{Core, ObservationKind};
use crate::sim::group::Group;
use crate::time::SimTime;

/// A fault aimed at a pod or at its node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::sim) enum PodFault {
    /// The pod is deleted.
    Delete,
    /// Its node is drained.
    Drain,
    /// Its node's instance fails.
    Fail,
}

/// Applies `fault` to the pod in slot `slot` (`None`: the lowest slot holding a pod), saying
/// what it did, or why it could not, in the log.
pub(in crate::sim) fn fault(g: &mut Group, core: &mut Core, comp: u32, slot: Option<u32>, fault: PodFault) {
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
