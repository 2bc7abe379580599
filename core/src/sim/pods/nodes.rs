//! A deployment's nodes as instances of the infrastructure's layers (a topology with an
//! `infrastructure`, nodes not on Fargate): a pod is a process on a VM on a host.
//!
//! - The nodes running at the start are placed on hosts like any instance running then.
//! - A node the cluster autoscaler adds launches through the six phases of the layers; the
//!   kubelet joins once its instance runs, and a launch that fails (no host with room, its AZ
//!   lost) leaves the Pending pods to the autoscaler's next scan.
//! - A pod's slot runs on its node's instance: its service times stretch by the node's CPU
//!   contention (a noisy neighbour on the host slows every pod on the node), and the node's CPU
//!   demand is the sum of its pods' use of their CPU requests.
//! - A node lost with its host (a host failure, the `node-failure` action) stops answering; its
//!   pods are replaced after Kubernetes' eviction delay. A node gone from the cluster is
//!   terminated.

use super::{follow, Pods};
use crate::catalog;
use crate::containers::cluster::{EventKind, NodeState};
use crate::layers::launch::{InstanceId, InstanceState};
use crate::sim::call::{NONE, NONE16};
use crate::sim::core::{Core, ObservationKind};
use crate::sim::group::{Group, InstState};
use crate::sim::layered::LayerRun;
use crate::time::SimTime;
use serde::Serialize;

/// The instance under a pod, as its drill-down shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeVm {
    /// The node's instance.
    pub instance: String,
    /// Its instance type.
    pub instance_type: String,
    /// The host it runs on.
    pub host: Option<String>,
    /// CPU steal on it, percent.
    pub steal_percent: f64,
    /// Factor CPU contention stretches its (and its pods') service times by.
    pub service_time_multiplier: f64,
    /// CPU its guest reports, percent: its pods' use of their requests.
    pub guest_cpu_percent: f64,
}

/// Puts the deployment's nodes running at the start on hosts (called once by the layers'
/// build), and its pods' slots on their nodes' instances.
pub(in crate::sim) fn place_nodes(g: &mut Group, run: &mut LayerRun, comp: u32) {
    let Some(p) = g.pods.as_deref_mut() else { return };
    let group = &p.cluster.spec().node_groups[0];
    if group.fargate {
        return;
    }
    let vcpus = catalog::instance_type(&group.instance_type).map_or(1, |t| t.vcpus).max(1);
    p.vm_share = f64::from(p.cpu_m) / 1000.0 / f64::from(vcpus);
    p.layered = true;
    p.vms = p
        .cluster
        .nodes
        .iter()
        .map(|n| run.place_running(comp, n.az.parse().unwrap_or(NONE16), &n.name).unwrap_or(NONE))
        .collect();
    p.launch_seen = p.cluster.events.len();
    for s in &p.slots {
        let vm = vm_of(p, &s.pod);
        let i = &mut g.inst[s.slot as usize];
        i.layer = vm;
        i.mult = if vm == NONE { 1.0 } else { run.multiplier(vm) };
    }
}

/// The instance of the node pod `pod` runs on (`NONE`: none in the layers).
pub(super) fn vm_of(p: &Pods, pod: &str) -> u32 {
    p.cluster.pod(pod).and_then(|x| x.node).and_then(|n| p.vms.get(n)).copied().unwrap_or(NONE)
}

/// After the cluster moved: a node it began launching launches in the layers (the cluster
/// takes the time its instance runs from them, or its failure), and a node gone from the
/// cluster is terminated.
pub(super) fn follow_layers(p: &mut Pods, core: &mut Core, comp: u32) {
    if !p.layered {
        return;
    }
    let Some(run) = core.layers.as_deref_mut() else { return };
    let now = core.now;
    let group = p.cluster.spec().node_groups[0].name.clone();
    p.vms.resize(p.cluster.nodes.len(), NONE);
    while p.launch_seen < p.cluster.events.len() {
        let k = p.launch_seen;
        p.launch_seen += 1;
        let EventKind::NodeLaunching { node } = &p.cluster.events[k].kind else { continue };
        let node = node.clone();
        let Some(n) = p.cluster.nodes.iter().position(|x| x.name == node) else { continue };
        let az = p.cluster.nodes[n].az.parse().unwrap_or(NONE16);
        match run.launch_node(now, comp, az, &node, &group) {
            Ok((vm, running_at)) => {
                p.vms[n] = vm;
                p.cluster.set_node_running_at(&node, SimTime(running_at));
            }
            Err(reason) => p.cluster.fail_node_launch(SimTime(now), &node, reason),
        }
    }
    for (n, node) in p.cluster.nodes.iter().enumerate() {
        if node.state == NodeState::Gone && p.vms[n] != NONE {
            run.terminate(now, std::mem::replace(&mut p.vms[n], NONE), &group);
        }
    }
    core.arm_layers();
}

/// A host failed: the deployment's nodes whose instance stopped with it are lost (their pods
/// stop answering until evicted). Whether any was.
pub(in crate::sim) fn lost_with_hosts(g: &mut Group, core: &mut Core, comp: u32) -> bool {
    let Some(mut p) = g.pods.take() else { return false };
    let mut lost = Vec::new();
    if let Some(run) = core.layers.as_deref() {
        for (n, node) in p.cluster.nodes.iter().enumerate() {
            let vm = p.vms.get(n).copied().unwrap_or(NONE);
            let stopped = vm != NONE && run.infra.instances[vm as usize].state == InstanceState::Stopped;
            if stopped && !matches!(node.state, NodeState::Gone | NodeState::Lost { .. }) {
                lost.push(node.name.clone());
            }
        }
    }
    super::credit(&mut p, g);
    let now = SimTime(core.now);
    let id = core.meta[comp as usize].id.clone();
    let (host, unit) = (p.words.node, p.words.unit);
    let after = p.cluster.spec().lost_node_eviction_s;
    for name in &lost {
        if p.cluster.lose_node(now, name).is_ok() {
            let text = format!(
                "{id}: {host} {name} is lost with its host: its {unit}s stop answering, replaced after {after:.0} s"
            );
            core.observe(ObservationKind::PodStopped, None, text);
        }
    }
    if !lost.is_empty() {
        follow(&mut p, g, core, comp);
        p.arm(core, comp);
    }
    g.pods = Some(p);
    !lost.is_empty()
}

/// Metrics tick: each node's CPU demand is the sum of its pods' (each busy share of its
/// request, less the steal it suffered), smoothed as an instance's is; every pod's service
/// times then stretch by its node's contention.
pub(in crate::sim) fn feed_nodes(g: &mut Group, run: &mut LayerRun, now: u64, span: u64) {
    let Some(p) = g.pods.as_deref_mut() else { return };
    if !p.layered {
        return;
    }
    p.demand.clear();
    p.demand.resize(p.vms.len(), 0.0);
    for s in &p.slots {
        let i = &mut g.inst[s.slot as usize];
        if i.layer == NONE {
            continue;
        }
        let busy = i.st.busy_tw.integral(now);
        let b = busy.saturating_sub(i.tick_busy) as f64 / (span as f64 * f64::from(i.st.servers));
        i.tick_busy = busy;
        let Some(n) = p.vms.iter().position(|&v| v == i.layer) else { continue };
        if i.state != InstState::Launching && i.up {
            p.demand[n] += b * p.vm_share * (1.0 - run.infra.steal_percent(InstanceId(i.layer)) / 100.0);
        }
    }
    for (n, &vm) in p.vms.iter().enumerate() {
        if vm != NONE {
            run.feed_demand(vm, p.demand[n], span);
        }
    }
}

/// Instance `layer` under a pod, if it is one of the layers'.
pub(super) fn node_vm(run: &LayerRun, layer: u32) -> Option<NodeVm> {
    if layer == NONE {
        return None;
    }
    let infra = &run.infra;
    let id = InstanceId(layer);
    let i = infra.instance(id);
    Some(NodeVm {
        instance: i.name.clone(),
        instance_type: i.instance_type.clone(),
        host: i.host.map(|h| infra.fleet.host(h).name.clone()),
        steal_percent: infra.steal_percent(id),
        service_time_multiplier: infra.service_time_multiplier(id),
        guest_cpu_percent: i.vm.map_or(0.0, |vm| infra.hypervisors.guest_cpu_percent(vm)),
    })
}
