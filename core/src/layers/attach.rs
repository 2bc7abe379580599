//! How a topology document's boxes land on the layers.
//!
//! Validation and the engine both start here, so the editor's warnings and the run agree:
//!
//! * an EC2 component whose id names an instance of `infrastructure.instances` *is* that
//!   instance (its host, volumes and network interface);
//! * any other EC2 component, and every instance an Auto Scaling group starts with, is placed
//!   by the placement layer at time zero as a running instance in its container's AZ. It joins
//!   the subnet of the same name when the `infrastructure.network` has one, and otherwise has
//!   no network interface (no VPC rules apply to it);
//! * a connection between two components that both have a network interface is checked hop by
//!   hop with [`Infrastructure::check_path`] on the connection's port (default 80).

use super::launch::InstanceId;
use super::network::ReachabilityReport;
use super::{Infrastructure, InfrastructureConfig, InstanceConfig, LayerDiagnostic};
use crate::topology::{ComponentSpec, ContainerKind, Topology};

/// The port a connection uses when it does not name one.
pub const DEFAULT_PORT: u16 = 80;

/// A connection checked against the network layer.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedPath {
    /// Index in `Topology::connections`.
    pub connection: usize,
    /// Caller component index.
    pub from: usize,
    /// Callee component index.
    pub to: usize,
    /// TCP port.
    pub port: u16,
    /// The hop-by-hop verdict.
    pub report: ReachabilityReport,
}

/// A topology's components placed on its layers.
#[derive(Clone, Debug)]
pub struct Attached {
    /// Every layer, with the components' instances running.
    pub infra: Infrastructure,
    /// What could not be built or placed.
    pub diagnostics: Vec<LayerDiagnostic>,
    /// Per component (document order), per instance slot running at time zero: its instance
    /// (empty for kinds without instances).
    pub instances: Vec<Vec<Option<InstanceId>>>,
    /// Connections between two instances with network interfaces.
    pub paths: Vec<CheckedPath>,
}

/// The subnet container (if any) and the AZ container id a component or container sits in.
pub fn placement_of(t: &Topology, container: Option<&str>) -> (Option<String>, Option<String>) {
    let (mut subnet, mut az) = (None, None);
    let mut cur = container;
    let mut guard = 0;
    while let Some(id) = cur {
        guard += 1;
        let Some(c) = t.container(id) else { break };
        if guard > 16 {
            break;
        }
        match c.kind {
            ContainerKind::Subnet if subnet.is_none() => {
                subnet = Some(c.id.clone());
                if az.is_none() {
                    az = c.az.clone();
                }
            }
            ContainerKind::Az if az.is_none() => az = Some(c.id.clone()),
            _ => {}
        }
        cur = c.parent.as_deref();
    }
    (subnet, az)
}

/// The instance configuration for a component instance the document does not name.
pub fn auto_instance(
    infra: &Infrastructure,
    name: &str,
    instance_type: &str,
    subnet: Option<&str>,
    az: Option<&str>,
) -> InstanceConfig {
    let mut ic = InstanceConfig::new(name, instance_type);
    match subnet {
        Some(s) if infra.network.subnet_by_name(s).is_some() => ic.subnet = s.to_string(),
        _ => ic.az = az.map(str::to_string),
    }
    ic
}

/// The subnet and AZ of slot `k` of an Auto Scaling group.
pub fn asg_slot_placement(
    t: &Topology,
    subnets: &[String],
    container: Option<&str>,
    k: usize,
) -> (Option<String>, Option<String>) {
    if subnets.is_empty() {
        placement_of(t, container)
    } else {
        placement_of(t, Some(subnets[k % subnets.len()].as_str()))
    }
}

/// Builds the layers of `cfg` and puts the topology's instances on them.
pub fn attach(t: &Topology, cfg: &InfrastructureConfig, seed: u64) -> Attached {
    let (mut infra, mut diagnostics) = Infrastructure::build(cfg, seed);
    let mut instances = Vec::with_capacity(t.components.len());
    for c in &t.components {
        let mut slots = Vec::new();
        match &c.spec {
            ComponentSpec::Ec2(p) => {
                let id = infra.instance_by_name(&c.id).or_else(|| {
                    let (subnet, az) = placement_of(t, c.container.as_deref());
                    let ic = auto_instance(&infra, &c.id, &p.instance_type, subnet.as_deref(), az.as_deref());
                    match infra.add_running_instance(&ic) {
                        Ok(id) => Some(id),
                        Err(message) => {
                            diagnostics.push(LayerDiagnostic { path: format!("components[{}]", c.id), message });
                            None
                        }
                    }
                });
                slots.push(id);
            }
            ComponentSpec::Asg(p) => {
                for k in 0..p.desired.min(p.max.max(1)) as usize {
                    let (subnet, az) = asg_slot_placement(t, &p.subnets, c.container.as_deref(), k);
                    let name = format!("{}-{}", c.id, k + 1);
                    let ic = auto_instance(&infra, &name, &p.instance_type, subnet.as_deref(), az.as_deref());
                    match infra.add_running_instance(&ic) {
                        Ok(id) => slots.push(Some(id)),
                        Err(message) => {
                            diagnostics.push(LayerDiagnostic { path: format!("components[{}]", c.id), message });
                            slots.push(None);
                        }
                    }
                }
            }
            _ => {}
        }
        instances.push(slots);
    }
    let mut paths = Vec::new();
    for (i, conn) in t.connections.iter().enumerate() {
        let from = t.components.iter().position(|c| c.id == conn.from);
        let to = t.components.iter().position(|c| c.id == conn.to);
        let (Some(from), Some(to)) = (from, to) else { continue };
        let end = |k: usize| instances[k].first().copied().flatten().and_then(|id| infra.endpoint_of(id));
        let (Some(src), Some(dst)) = (end(from), end(to)) else { continue };
        let port = conn.port.unwrap_or(DEFAULT_PORT);
        paths.push(CheckedPath { connection: i, from, to, port, report: infra.check_path(src, dst, port) });
    }
    Attached { infra, diagnostics, instances, paths }
}
