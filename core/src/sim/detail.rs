//! The drill-down: everything under one instance at the current simulated time (its host and
//! the neighbours it shares it with, its hypervisor slice, its network interface and rules, its
//! volumes, its last launch and the placement decision behind it), and a connection's
//! reachability hop by hop. Built on request from the layers' state; nothing here runs while
//! the simulation runs.

use super::call::NONE;
use super::group::InstState;
use super::layered::LifecycleEvent;
use super::node::Node;
use super::{ComponentIdx, InstanceStatus, Simulation};
use crate::layers::hypervisor::VmState;
use crate::layers::launch::{InstanceId, InstanceState};
use crate::layers::network::{Protocol, ReachabilityReport, SgPeer, SgRule};
use crate::layers::physical::HostKind;
use crate::layers::placement::{instance_type, PlacementDecision};
use crate::layers::storage::VolumeKind;
use crate::layers::Infrastructure;
use crate::time::SimTime;
use serde::Serialize;

/// Everything under one instance, for the drill-down panel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstanceDetail {
    /// The simulated time the figures are for.
    pub time: SimTime,
    /// Instance name (the component id for an EC2 component, `<group>-<n>` for a group's).
    pub name: String,
    /// The component it serves, by id (`None` for another tenant's VM or a user's launch).
    pub component: Option<String>,
    /// The component's index.
    pub component_index: Option<ComponentIdx>,
    /// Its slot in the component.
    pub slot: Option<u32>,
    /// Instance type, e.g. `m5.xlarge`.
    pub instance_type: String,
    /// vCPUs of the type.
    pub vcpus: u32,
    /// Memory of the type, GiB.
    pub memory_gib: f64,
    /// Owning account.
    pub account: String,
    /// EC2 lifecycle state (`running`, `stopping`, `stopped`, ...).
    pub state: InstanceState,
    /// The engine's view of its slot (launching, in service, down, draining).
    pub status: Option<InstanceStatus>,
    /// Whether it serves requests now (running, not rebooting, its AZ not lost).
    pub takes_traffic: bool,
    /// While it reboots: when it is back.
    pub rebooting_until: Option<SimTime>,
    /// Stops and starts so far.
    pub restarts: u32,
    /// Its AZ.
    pub az: String,
    /// Its subnet, by name (`None` when no VPC is modelled for it).
    pub subnet: Option<String>,
    /// The host it runs on (the previous one while stopped), with its rack.
    pub host: Option<HostDetail>,
    /// Its slice of the host (`None` while stopped).
    pub slice: Option<SliceDetail>,
    /// The other VMs on the same host, in the hypervisor's order.
    pub neighbours: Vec<NeighbourVm>,
    /// Its network interface, security groups and route table.
    pub network: Option<NetworkDetail>,
    /// Its volumes, the root volume first.
    pub volumes: Vec<VolumeDetail>,
    /// The last launch, start after a stop, or reboot during the run, with its phases.
    pub last_launch: Option<LaunchRecord>,
    /// The placement decision that put it on its current host: every candidate host of the
    /// AZ, filtered out with the reason or scored, and the winner (`chosen`).
    pub placement: Option<PlacementDecision>,
    /// Why there is no placement decision, when there is none (e.g. pinned by the scenario).
    pub placement_note: Option<String>,
}

/// A physical host and how full it is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HostDetail {
    /// Host name.
    pub name: String,
    /// Its rack.
    pub rack: String,
    /// Its data center.
    pub data_center: String,
    /// Its AZ.
    pub az: String,
    /// Compute or memory host.
    pub kind: HostKind,
    /// The processor.
    pub cpu_model: String,
    /// Physical cores.
    pub cores: u32,
    /// Hardware threads (what can run at once).
    pub hardware_threads: u32,
    /// vCPUs the hypervisor may sell (threads times the overcommit ratio).
    pub sellable_vcpus: u32,
    /// The overcommit ratio configured.
    pub cpu_overcommit: f64,
    /// Memory, GiB.
    pub memory_gib: f64,
    /// vCPUs allocated to VMs.
    pub allocated_vcpus: u32,
    /// Memory allocated to VMs, GiB.
    pub allocated_memory_gib: f64,
    /// Allocated vCPUs per hardware thread (above 1: oversubscribed).
    pub oversubscription: f64,
    /// vCPUs' worth of CPU the running VMs demand now.
    pub cpu_demand_vcpus: f64,
    /// vCPUs' worth of CPU the host can run after the hypervisor's overhead.
    pub cpu_capacity_vcpus: f64,
    /// Demand over capacity, percent (above 100: VMs wait for a thread, i.e. steal).
    pub cpu_load_percent: f64,
    /// Steal every vCPU on the host sees, percent.
    pub steal_percent: f64,
    /// VMs on it (this instance's included).
    pub vms: u32,
    /// False once retired (a host failure).
    pub in_service: bool,
    /// False while its AZ is lost.
    pub available: bool,
}

/// Another VM on the same host.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NeighbourVm {
    /// Its instance's name.
    pub name: String,
    /// Its account (another tenant's VMs are in other accounts).
    pub account: String,
    /// The component it serves, by id, if it is one of the design's.
    pub component: Option<String>,
    /// Its slot in that component.
    pub slot: Option<u32>,
    /// Its instance type, when known.
    pub instance_type: Option<String>,
    /// vCPUs it was given.
    pub vcpus: u32,
    /// Memory it was given, GiB.
    pub memory_gib: f64,
    /// How busy its vCPUs are, percent (what its guest reports).
    pub cpu_demand_percent: f64,
    /// The same as vCPUs' worth of the host's CPU.
    pub cpu_demand_vcpus: f64,
    /// The steal it suffers, percent (the host's).
    pub steal_percent: f64,
    /// Whether its VM runs (false: capacity reserved while it launches).
    pub running: bool,
}

/// This instance's slice of the host.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SliceDetail {
    /// vCPUs isolated for it.
    pub vcpus: u32,
    /// Memory allocated, GiB.
    pub memory_gib: f64,
    /// Whether the VM runs (false: reserved while it launches).
    pub running: bool,
    /// CPU steal, percent.
    pub steal_percent: f64,
    /// Factor CPU contention stretches its service times by.
    pub service_time_multiplier: f64,
    /// CPU utilisation its guest reports, percent (steal is not in it).
    pub guest_cpu_percent: f64,
}

/// The instance's network interface and the rules that apply to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NetworkDetail {
    /// ENI id, e.g. `eni-0003`.
    pub eni_id: String,
    /// ENI name (the instance's).
    pub eni_name: String,
    /// Private IP.
    pub private_ip: String,
    /// Public IP, if it has one.
    pub public_ip: Option<String>,
    /// VPC name.
    pub vpc: String,
    /// VPC CIDR.
    pub vpc_cidr: String,
    /// Subnet name.
    pub subnet: String,
    /// Subnet CIDR.
    pub subnet_cidr: String,
    /// Security groups on the ENI, with their rules in words.
    pub security_groups: Vec<SecurityGroupDetail>,
    /// The subnet's route table.
    pub route_table: String,
    /// Its routes, the `local` route first.
    pub routes: Vec<RouteDetail>,
    /// The subnet's network ACL.
    pub nacl: String,
}

/// A security group and its rules.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SecurityGroupDetail {
    /// Its name.
    pub name: String,
    /// Inbound rules in words, e.g. `allow TCP 8080 from 10.0.0.0/16`.
    pub inbound: Vec<String>,
    /// Outbound rules in words, e.g. `allow all traffic to 0.0.0.0/0`.
    pub outbound: Vec<String>,
}

/// One route.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteDetail {
    /// Destination block.
    pub destination: String,
    /// Where it goes (`local`, a gateway's name).
    pub target: String,
}

/// One EBS volume of the instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VolumeDetail {
    /// Volume name.
    pub name: String,
    /// Whether it is the root volume (the first).
    pub root: bool,
    /// Whether requests' disk steps run on it (the first data volume, else the root).
    pub serves_disk_step: bool,
    /// gp2, gp3 or io2.
    pub kind: VolumeKind,
    /// Size, GiB.
    pub size_gib: u32,
    /// IOPS it sustains forever.
    pub baseline_iops: u32,
    /// IOPS while it has credits.
    pub burst_iops: u32,
    /// IOPS limit now.
    pub iops_limit: u32,
    /// `BurstBalance`, percent.
    pub burst_balance_percent: f64,
    /// I/Os issued so far.
    pub ios_done: u64,
    /// I/Os the storage cluster has finished.
    pub ios_served: u64,
    /// I/Os queued now (issued, not finished): the queue depth.
    pub queued_ios: u64,
    /// How long an I/O issued now waits behind the queue, ms.
    pub queue_wait_ms: f64,
    /// Whether its AZ's storage cluster is reachable.
    pub available: bool,
}

/// What a [`LaunchRecord`] records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LaunchKind {
    /// A launch (Auto Scaling or a user's).
    Launch,
    /// A stop, then (after the action's duration) a start on a host chosen afresh.
    StopStart,
    /// A reboot on the same host.
    Reboot,
}

/// The last launch, restart or reboot of an instance during the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LaunchRecord {
    /// What it was.
    pub kind: LaunchKind,
    /// When it was asked for.
    pub requested_at: SimTime,
    /// Its phases, in time order (the same events [`Simulation::drain_lifecycle_events`]
    /// hands out).
    pub phases: Vec<LifecycleEvent>,
    /// When it serves (or served) again; `None` while a stopped instance waits for its start,
    /// or when it failed.
    pub ready_at: Option<SimTime>,
    /// Why it failed, if it did.
    pub failure: Option<String>,
}

impl LaunchRecord {
    /// A record begun at `at`, with no phases yet.
    pub(super) fn begun(kind: LaunchKind, at: SimTime, ready_at: Option<SimTime>) -> LaunchRecord {
        LaunchRecord { kind, requested_at: at, phases: Vec::new(), ready_at, failure: None }
    }
}

/// An SG rule in words.
fn rule_words(infra: &Infrastructure, r: &SgRule, inbound: bool) -> String {
    let what = match r.protocol {
        Protocol::All => "all traffic".to_string(),
        Protocol::Icmp => "icmp".to_string(),
        p => format!("{p} {}", r.ports),
    };
    let peer = match &r.peer {
        SgPeer::Cidr(c) => c.to_string(),
        SgPeer::Group(g) => format!("members of {}", infra.network.security_groups[g.index()].name),
    };
    format!("allow {what} {} {peer}", if inbound { "from" } else { "to" })
}

impl Simulation {
    /// The instance in slot `slot` of component `component` (an EC2 component has slot 0),
    /// with everything under it at the current simulated time. `None` when the topology has no
    /// `infrastructure`, the component has no instances, or the slot holds none.
    pub fn instance_detail(&self, component: ComponentIdx, slot: u32) -> Option<InstanceDetail> {
        let Node::Group(g) = self.nodes.get(component.0 as usize)? else { return None };
        let i = g.inst.get(slot as usize)?;
        if i.layer == NONE || i.state == InstState::Free {
            return None;
        }
        self.detail_of(InstanceId(i.layer))
    }

    /// [`Simulation::instance_detail`] by instance name, for any instance of the layers (the
    /// design's and the scenario's other tenants').
    pub fn instance_detail_by_name(&self, name: &str) -> Option<InstanceDetail> {
        let run = self.core.layers.as_deref()?;
        self.detail_of(run.infra.instance_by_name(name)?)
    }

    /// Which component slot holds layers instance `id`.
    fn owner_of(&self, id: InstanceId) -> Option<(ComponentIdx, u32)> {
        self.nodes.iter().enumerate().find_map(|(c, n)| match n {
            Node::Group(g) => g
                .inst
                .iter()
                .position(|i| i.layer == id.0 && i.state != InstState::Free)
                .map(|k| (ComponentIdx(c as u32), k as u32)),
            _ => None,
        })
    }

    fn detail_of(&self, id: InstanceId) -> Option<InstanceDetail> {
        let run = self.core.layers.as_deref()?;
        let infra = &run.infra;
        let inst = infra.instances.get(id.index())?;
        let now = SimTime(self.core.now);
        let hv = &infra.hypervisors;
        let fleet = &infra.fleet;
        let owner = self.owner_of(id);
        let status = owner.and_then(|(c, k)| self.instances(c).into_iter().find(|v| v.slot == k).map(|v| v.status));
        let itype = instance_type(&inst.instance_type);
        let host = inst.host.map(|h| {
            let host = fleet.host(h);
            let s = hv.host(h);
            let rack = fleet.rack(host.rack);
            HostDetail {
                name: host.name.clone(),
                rack: rack.name.clone(),
                data_center: fleet.data_centers[host.data_center.index()].name.clone(),
                az: fleet.az(host.az).name.clone(),
                kind: host.spec.kind,
                cpu_model: host.spec.cpu_model.clone(),
                cores: host.spec.cores,
                hardware_threads: s.hardware_threads,
                sellable_vcpus: s.sellable_vcpus,
                cpu_overcommit: host.spec.cpu_overcommit,
                memory_gib: s.memory_gib,
                allocated_vcpus: s.used_vcpus,
                allocated_memory_gib: s.used_memory_gib,
                oversubscription: s.used_vcpus as f64 / s.hardware_threads.max(1) as f64,
                cpu_demand_vcpus: hv.demand(h),
                cpu_capacity_vcpus: hv.capacity(h),
                cpu_load_percent: hv.load(h) * 100.0,
                steal_percent: hv.host_steal(h) * 100.0,
                vms: s.vms.len() as u32,
                in_service: host.in_service,
                available: host.available,
            }
        });
        let slice = inst.vm.map(|vm| {
            let v = hv.vm(vm);
            SliceDetail {
                vcpus: v.vcpus,
                memory_gib: v.memory_gib,
                running: v.state == VmState::Running,
                steal_percent: hv.steal_percent(vm),
                service_time_multiplier: hv.service_time_multiplier(vm),
                guest_cpu_percent: hv.guest_cpu_percent(vm),
            }
        });
        let neighbours = inst
            .vm
            .map(|vm| hv.neighbours(vm))
            .unwrap_or_default()
            .into_iter()
            .map(|n| {
                let v = hv.vm(n);
                let other = infra.instance_by_name(&v.instance);
                let own = other.and_then(|o| self.owner_of(o));
                NeighbourVm {
                    name: v.instance.clone(),
                    account: v.account.clone(),
                    component: own.map(|(c, _)| self.component_id(c).to_string()),
                    slot: own.map(|(_, k)| k),
                    instance_type: other.map(|o| infra.instance(o).instance_type.clone()),
                    vcpus: v.vcpus,
                    memory_gib: v.memory_gib,
                    cpu_demand_percent: v.cpu_demand * 100.0,
                    cpu_demand_vcpus: v.cpu_demand * v.vcpus as f64,
                    steal_percent: hv.steal_percent(n),
                    running: v.state == VmState::Running,
                }
            })
            .collect();
        let net = &infra.network;
        let network = inst.eni.map(|e| {
            let eni = net.eni(e);
            let subnet = net.subnet(eni.subnet);
            let vpc = &net.vpcs[subnet.vpc.index()];
            let rtb = &net.route_tables[subnet.route_table.index()];
            NetworkDetail {
                eni_id: format!("eni-{:04}", e.0),
                eni_name: eni.name.clone(),
                private_ip: eni.private_ip.to_string(),
                public_ip: eni.public_ip.map(|p| p.to_string()),
                vpc: vpc.name.clone(),
                vpc_cidr: vpc.cidr.to_string(),
                subnet: subnet.name.clone(),
                subnet_cidr: subnet.cidr.to_string(),
                security_groups: eni
                    .security_groups
                    .iter()
                    .map(|g| {
                        let sg = &net.security_groups[g.index()];
                        SecurityGroupDetail {
                            name: sg.name.clone(),
                            inbound: sg.inbound.iter().map(|r| rule_words(infra, r, true)).collect(),
                            outbound: sg.outbound.iter().map(|r| rule_words(infra, r, false)).collect(),
                        }
                    })
                    .collect(),
                route_table: rtb.name.clone(),
                routes: rtb
                    .routes
                    .iter()
                    .map(|r| RouteDetail { destination: r.destination.to_string(), target: net.target_name(r.target) })
                    .collect(),
                nacl: net.nacls[subnet.nacl.index()].name.clone(),
            }
        });
        let disk = infra.data_volume(id);
        let volumes = inst
            .volumes
            .iter()
            .enumerate()
            .map(|(n, &v)| {
                let vol = infra.storage.volume(v);
                let served = vol.ios_served(now);
                VolumeDetail {
                    name: vol.name.clone(),
                    root: n == 0,
                    serves_disk_step: disk == Some(v),
                    kind: vol.kind,
                    size_gib: vol.size_gib,
                    baseline_iops: vol.baseline_iops(),
                    burst_iops: vol.burst_iops(),
                    iops_limit: vol.iops_limit(now),
                    burst_balance_percent: vol.burst_balance_percent(now),
                    ios_done: vol.ios_done,
                    ios_served: served,
                    queued_ios: vol.ios_done.saturating_sub(served),
                    queue_wait_ms: vol.busy_until.since(now).as_secs_f64() * 1e3,
                    available: vol.available,
                }
            })
            .collect();
        let placement = infra.placement_of(id).cloned();
        let placement_note = match (&placement, inst.host) {
            (Some(_), _) => None,
            (None, Some(h)) => Some(format!(
                "placed on {} by the scenario (`host` in its instance list): no placement decision was made",
                fleet.host(h).name
            )),
            (None, None) => Some("not on a host".to_string()),
        };
        Some(InstanceDetail {
            time: now,
            name: inst.name.clone(),
            component: owner.map(|(c, _)| self.component_id(c).to_string()),
            component_index: owner.map(|(c, _)| c),
            slot: owner.map(|(_, k)| k),
            instance_type: inst.instance_type.clone(),
            vcpus: itype.map_or(0, |t| t.vcpus),
            memory_gib: itype.map_or(0.0, |t| t.memory_gib),
            account: inst.account.clone(),
            state: inst.state,
            status,
            takes_traffic: infra.takes_traffic(id, now)
                && infra.instance_available(id)
                && status.is_none_or(|s| s == InstanceStatus::InService),
            rebooting_until: (inst.busy_until > now).then_some(inst.busy_until),
            restarts: inst.restarts,
            az: inst.az.clone(),
            subnet: inst.eni.map(|e| net.subnet(net.eni(e).subnet).name.clone()),
            host,
            slice,
            neighbours,
            network,
            volumes,
            last_launch: run.launch_record(id).cloned(),
            placement,
            placement_note,
        })
    }

    /// Connection `connection` (its index in the topology's `connections`) checked hop by hop
    /// against the network layer, as its requests see it now: route table, NACLs and security
    /// groups both ways, the first blocking hop with its fix. `None` without layers, or when
    /// either end has no network interface (no VPC modelled for it).
    pub fn connection_reachability(&self, connection: usize) -> Option<ReachabilityReport> {
        let run = self.core.layers.as_deref()?;
        let &(from, to, port) = run.connections.get(connection)?;
        let end = |c: u32| -> Option<crate::layers::network::NetEndpoint> {
            let Node::Group(g) = self.nodes.get(c as usize)? else { return None };
            g.inst
                .iter()
                .filter(|i| i.layer != NONE && i.state != InstState::Free)
                .find_map(|i| run.infra.endpoint_of(InstanceId(i.layer)))
        };
        Some(run.infra.check_path(end(from)?, end(to)?, port))
    }
}
