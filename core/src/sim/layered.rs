//! The engine's side of the layers: what happens under an instance shows up in its requests.
//!
//! When the topology has an `infrastructure`, [`crate::layers::attach`] puts every EC2 instance
//! and every initial Auto Scaling instance on a host (see there for which component is which
//! instance), and then during the run:
//!
//! * **CPU contention.** At every metrics tick each instance's measured busy time, less the
//!   steal it suffered, is fed to its hypervisor as CPU demand (beside the neighbours' load of
//!   the scenario), and every instance's service times are multiplied by its host's
//!   [`Infrastructure::service_time_multiplier`]. A VM whose guest sees 15% CPU answers 2-3
//!   times slower when its neighbours oversubscribe the host.
//! * **EBS.** A request's disk step runs on the instance's data volume
//!   ([`Infrastructure::disk_io`]) at simulated time: IOPS limit, gp2 credits, queueing and
//!   the round trip to the storage cluster.
//! * **Network.** A connection the network layer blocks (route, NACL or security group) fails
//!   every request that takes it with [`ErrorCause::NetworkBlocked`]; the report names the
//!   first blocking hop and why ([`BlockedPath`]).
//! * **Launches.** An Auto Scaling scale-out runs the layered launch
//!   ([`Infrastructure::launch_instance`]); the instance takes traffic once it is running, a
//!   failed launch returns its slot. Every phase is a [`LifecycleEvent`] for the UI
//!   ([`Simulation::drain_lifecycle_events`]); every call is in [`Simulation::api_log`].
//!
//! Nothing here runs per event except the disk step of layered instances and one comparison
//! per outgoing call; a topology without `infrastructure` pays nothing else.

use super::call::{Flags, NONE, NONE16};
use super::core::Core;
use super::deadline::Timer;
use super::detail::{LaunchKind, LaunchRecord};
use super::group::InstState;
use super::node::{Next, Node};
use super::queue::Ev;
use super::{ComponentIdx, ErrorCause, SeriesPoint, Simulation};
use crate::layers::attach::{self, asg_slot_placement};
use crate::layers::launch::{
    ApiCall, InstanceId, InstanceState, LaunchPhase, LaunchPlan, LaunchRequest, Layer, Principal,
};
use crate::layers::network::HopKind as NetHop;
use crate::layers::storage::{VolumeKind, VolumeState};
use crate::layers::{Infrastructure, InfrastructureConfig};
use crate::time::SimTime;
use crate::topology::{ComponentSpec, Topology};
use serde::Serialize;

/// Time constant of the CPU demand fed to the hypervisor (exponential smoothing), in ns.
const DEMAND_SMOOTHING_NS: f64 = 10e9;

/// A connection the network layer blocks, and what it cost.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BlockedPath {
    /// Index in `Topology::connections`.
    pub connection: usize,
    /// Caller component id.
    pub from: String,
    /// Callee component id.
    pub to: String,
    /// TCP port.
    pub port: u16,
    /// The first check that blocks.
    pub hop: NetHop,
    /// The route table, NACL or security group that decided.
    pub at: String,
    /// Why, in words, with the change that would fix it.
    pub reason: String,
    /// Requests that failed on it (after the warm-up).
    pub failures: u64,
}

/// One phase of a launch (or its failure), when it happens, for the UI to animate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LifecycleEvent {
    /// When the phase completes.
    pub time: SimTime,
    /// The group it launches for (`None`: a user's launch outside the topology).
    pub component: Option<ComponentIdx>,
    /// Instance slot in the group.
    pub slot: u32,
    /// The instance's name.
    pub instance: String,
    /// The phase.
    pub phase: LaunchPhase,
    /// The layer the phase belongs to.
    pub layer: Layer,
    /// What happened, in words.
    pub detail: String,
    /// Whether the phase failed (the launch ends here; its reservations were released).
    pub failed: bool,
    /// The host chosen (from capacity reserved on).
    pub host: Option<String>,
    /// The private IP (from network configured on).
    pub private_ip: Option<String>,
    /// The root volume (from storage attached on).
    pub volume: Option<String>,
}

/// One instance as the layers see it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstanceLayers {
    /// Instance name.
    pub name: String,
    /// The component it serves, if any (neighbours of other tenants serve none).
    pub component: Option<String>,
    /// Slot in the component (none for a deployment's node: its pods are the slots).
    pub slot: Option<u32>,
    /// Instance type.
    pub instance_type: String,
    /// Lifecycle state.
    pub state: InstanceState,
    /// AZ.
    pub az: String,
    /// The host it runs on (the previous one when stopped).
    pub host: Option<String>,
    /// Private IP of its network interface.
    pub private_ip: Option<String>,
    /// CPU steal, percent.
    pub steal_percent: f64,
    /// Factor CPU contention stretches its service times by (1 / (1 - overhead) on a quiet host).
    pub service_time_multiplier: f64,
    /// CPU utilisation its guest reports, percent (steal is not in it).
    pub guest_cpu_percent: f64,
    /// Whether its host and volumes are available (false while its AZ is lost).
    pub available: bool,
}

/// One EBS volume.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VolumeLayers {
    /// Volume name.
    pub name: String,
    /// The instance it is attached to.
    pub instance: Option<String>,
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
    /// I/Os the storage cluster has finished (the rest are queued).
    pub ios_served: u64,
    /// Its AZ.
    pub az: String,
    /// Whether its AZ's storage cluster is reachable (false while the AZ is lost).
    pub available: bool,
}

/// One AZ of the fleet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AzLayers {
    /// AZ name.
    pub name: String,
    /// Whether it accepts launches (false while it is lost).
    pub available: bool,
    /// Hosts in it.
    pub hosts: u32,
    /// Hosts available (in service and not lost with the AZ).
    pub hosts_available: u32,
    /// Volumes not deleted in it.
    pub volumes: u32,
    /// Of those, the ones available.
    pub volumes_available: u32,
}

/// The layers' part of the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayersReport {
    /// Every AZ of the fleet, with its hosts and volumes available.
    pub azs: Vec<AzLayers>,
    /// Every instance (the topology's and the scenario's other tenants').
    pub instances: Vec<InstanceLayers>,
    /// Every volume not deleted.
    pub volumes: Vec<VolumeLayers>,
    /// Connections the network blocks.
    pub blocked_paths: Vec<BlockedPath>,
    /// Launches that reached `running` (Auto Scaling and user launches).
    pub launches: u64,
    /// Launches that failed.
    pub failed_launches: u64,
    /// Every API call, oldest first.
    pub api_log: Vec<ApiCall>,
}

#[derive(Clone, Copy, Debug, Default)]
struct LayerPoint {
    steal: f64,
    guest: f64,
    mult: f64,
    burst: Option<f64>,
    iops: f64,
}

/// Where a group launches in one AZ.
#[derive(Clone, Debug)]
struct SlotPlace {
    az: u16,
    subnet: Option<String>,
    az_id: Option<String>,
}

#[derive(Clone, Debug)]
struct AsgTemplate {
    instance_type: String,
    places: Vec<SlotPlace>,
}

/// Layer state of a running simulation.
#[derive(Clone, Debug)]
pub(super) struct LayerRun {
    pub(super) infra: Infrastructure,
    blocked: Vec<BlockedPath>,
    /// Lifecycle events not drained yet, in time order.
    pending: Vec<LifecycleEvent>,
    launches: u64,
    failed_launches: u64,
    asg: Vec<Option<AsgTemplate>>,
    launched: Vec<u32>,
    last_tick: u64,
    points: Vec<Option<LayerPoint>>,
    ios_prev: Vec<u64>,
    /// Per topology connection: caller and callee component, and the port.
    pub(super) connections: Vec<(u32, u32, u16)>,
    /// Per instance (by id): its last launch, start or reboot during the run; dropped when
    /// it terminates or its launch fails, so it holds one per live instance at most.
    records: Vec<Option<LaunchRecord>>,
    /// The event for the layers' next deadline ([`Infrastructure::next_deadline`]).
    timer: Timer,
}

/// Builds the layers of `cfg` for `sim` (called once by the engine's build).
pub(super) fn attach(sim: &mut Simulation, t: &Topology, cfg: &InfrastructureConfig) {
    let a = attach::attach(t, cfg, sim.config.seed);
    let n = t.components.len();
    for (ci, slots) in a.instances.iter().enumerate() {
        if let Node::Group(g) = &mut sim.nodes[ci] {
            for (k, id) in slots.iter().enumerate() {
                if let (Some(id), Some(i)) = (id, g.inst.get_mut(k)) {
                    i.layer = id.0;
                    i.mult = a.infra.service_time_multiplier(*id);
                }
            }
        }
    }
    let mut blocked = Vec::new();
    for p in a.paths.iter().filter(|p| !p.report.reachable) {
        let Some(hop) = p.report.blocking_hop() else { continue };
        let idx = blocked.len() as u16;
        blocked.push(BlockedPath {
            connection: p.connection,
            from: t.components[p.from].id.clone(),
            to: t.components[p.to].id.clone(),
            port: p.port,
            hop: hop.kind,
            at: hop.component.clone(),
            reason: hop.detail.clone(),
            failures: 0,
        });
        let nt = sim.core.nt;
        for ty in 0..nt {
            for o in sim.core.callouts[p.from * nt + ty].iter_mut().filter(|o| o.to as usize == p.to) {
                o.blocked = idx;
            }
        }
    }
    let mut asg = Vec::with_capacity(n);
    let mut launched = vec![0; n];
    for (ci, c) in t.components.iter().enumerate() {
        // An Auto Scaling group's instances, or the nodes of a deployment's managed node group.
        let (instance_type, subnets) = match &c.spec {
            ComponentSpec::Asg(p) => {
                launched[ci] = a.instances[ci].len() as u32;
                (&p.instance_type, &p.subnets)
            }
            ComponentSpec::Eks(p) | ComponentSpec::Ecs(p) if !p.fargate => (&p.node_type, &p.subnets),
            _ => {
                asg.push(None);
                continue;
            }
        };
        let places = (0..subnets.len().max(1))
            .map(|k| {
                let (subnet, az_id) = asg_slot_placement(t, subnets, c.container.as_deref(), k);
                let az =
                    az_id.as_ref().and_then(|z| sim.az_ids.iter().position(|x| x == z)).map_or(NONE16, |z| z as u16);
                let subnet = subnet.filter(|s| a.infra.network.subnet_by_name(s).is_some());
                SlotPlace { az, subnet, az_id }
            })
            .collect();
        asg.push(Some(AsgTemplate { instance_type: instance_type.clone(), places }));
    }
    let mut run = LayerRun {
        infra: a.infra,
        blocked,
        pending: Vec::new(),
        launches: 0,
        failed_launches: 0,
        asg,
        launched,
        last_tick: 0,
        points: vec![None; n],
        ios_prev: vec![0; n],
        connections: t
            .connections
            .iter()
            .map(|c| {
                let idx = |id: &str| t.components.iter().position(|x| x.id == id).map_or(NONE, |i| i as u32);
                (idx(&c.from), idx(&c.to), c.port.unwrap_or(attach::DEFAULT_PORT))
            })
            .collect(),
        records: Vec::new(),
        timer: Timer::default(),
    };
    // A deployment's nodes are instances too, each on a host.
    for (ci, node) in sim.nodes.iter_mut().enumerate() {
        if let Node::Group(g) = node {
            super::pods::place_nodes(g, &mut run, ci as u32);
        }
    }
    sim.core.layers = Some(Box::new(run));
    sim.core.arm_layers();
}

impl LayerRun {
    /// Takes the launch phases due by `now` (in time order); later ones stay.
    pub(super) fn take_due(&mut self, now: u64) -> std::vec::Drain<'_, LifecycleEvent> {
        let n = self.pending.partition_point(|e| e.time.0 <= now);
        self.pending.drain(..n)
    }

    /// About the heap memory of what grows as the run plays (lifecycle events not drained, the
    /// API log), bytes.
    pub(super) fn heap_bytes(&self) -> usize {
        self.pending.capacity() * std::mem::size_of::<LifecycleEvent>()
            + self.infra.api_log.capacity() * std::mem::size_of::<ApiCall>()
    }

    /// When a disk step of `ios` I/Os issued at `now` completes on the instance's volume.
    #[inline]
    pub(super) fn disk_io(&mut self, layer: u32, now: u64, ios: u32) -> Option<u64> {
        if ios == 0 {
            return Some(now);
        }
        self.infra.disk_io(InstanceId(layer), SimTime(now), ios).map(|t| t.0)
    }

    /// Feeds an instance's CPU demand measured over the last `span` ns to its hypervisor,
    /// smoothed over ~10 s as a monitoring agent's average would be: one second of a few dozen
    /// requests is too noisy to drive the host's load.
    pub(super) fn feed_demand(&mut self, layer: u32, demand: f64, span: u64) {
        let id = InstanceId(layer);
        let prev = self.infra.instance(id).vm.map_or(demand, |vm| self.infra.hypervisors.vm(vm).cpu_demand);
        let alpha = (span as f64 / DEMAND_SMOOTHING_NS).min(1.0);
        self.infra.set_cpu_demand(id, prev + alpha * (demand - prev));
    }

    pub(super) fn multiplier(&self, layer: u32) -> f64 {
        self.infra.service_time_multiplier(InstanceId(layer))
    }

    /// Puts `name`, an instance of group `comp`'s template running from the start, on a host in
    /// AZ `az`; an instance of `infrastructure.instances` by that name is it (its host pinned).
    /// `None` when the group has no template or no host has room.
    pub(super) fn place_running(&mut self, comp: u32, az: u16, name: &str) -> Option<u32> {
        if let Some(id) = self.infra.instance_by_name(name) {
            return Some(id.0);
        }
        let tpl = self.asg.get(comp as usize)?.as_ref()?;
        let place = tpl.places.iter().find(|p| p.az == az).or(tpl.places.first())?;
        let ic = attach::auto_instance(
            &self.infra,
            name,
            &tpl.instance_type,
            place.subnet.as_deref(),
            place.az_id.as_deref(),
        );
        self.infra.add_running_instance(&ic).ok().map(|id| id.0)
    }

    /// Launches slot `slot` of group `comp` in AZ `az` through every layer. Returns the
    /// instance and when it runs, or `None` if the launch failed (nothing stays reserved).
    pub(super) fn launch_slot(&mut self, now: u64, comp: u32, slot: u32, az: u16, comp_id: &str) -> Option<(u32, u64)> {
        self.asg.get(comp as usize)?.as_ref()?;
        self.launched[comp as usize] += 1;
        let name = format!("{comp_id}-{}", self.launched[comp as usize]);
        let plan = self.launch_from_template(now, comp, slot, az, &name, comp_id)?;
        plan.outcome.ok().map(|t| (plan.instance.0, t.0))
    }

    /// Launches node `name` of deployment `comp` (node group `group`) in AZ `az` through every
    /// layer. Returns the instance and when it runs, or why the launch failed (nothing stays
    /// reserved).
    pub(super) fn launch_node(
        &mut self,
        now: u64,
        comp: u32,
        az: u16,
        name: &str,
        group: &str,
    ) -> Result<(u32, u64), String> {
        let plan = self
            .launch_from_template(now, comp, NONE, az, name, group)
            .ok_or_else(|| "the deployment has no node group in the layers".to_string())?;
        match plan.outcome {
            Ok(t) => Ok((plan.instance.0, t.0)),
            Err(f) => Err(f.reason),
        }
    }

    /// Launches `name` for group `comp` (slot `slot`) with its template, in its place in AZ
    /// `az`, on behalf of Auto Scaling group `asg_name`. `None` when the group has no template.
    fn launch_from_template(
        &mut self,
        now: u64,
        comp: u32,
        slot: u32,
        az: u16,
        name: &str,
        asg_name: &str,
    ) -> Option<LaunchPlan> {
        let tpl = self.asg.get(comp as usize)?.as_ref()?;
        let place = tpl.places.iter().find(|p| p.az == az).or(tpl.places.first())?;
        let mut req = LaunchRequest::new(name, &tpl.instance_type, place.subnet.as_deref().unwrap_or(""), "");
        req.az = place.az_id.clone();
        req.principal = Principal::AutoScaling(asg_name.to_string());
        let plan = self.infra.launch_instance(SimTime(now), &req);
        self.record(&plan, Some(ComponentIdx(comp)), slot, name);
        Some(plan)
    }

    /// Terminates a group's instance (scale-in).
    pub(super) fn terminate(&mut self, now: u64, layer: u32, comp_id: &str) {
        if layer != NONE {
            self.set_record(InstanceId(layer), None);
            let _ = self.infra.terminate_instance(
                SimTime(now),
                InstanceId(layer),
                &Principal::AutoScaling(comp_id.to_string()),
            );
        }
    }

    /// The instance's last launch, start or reboot during the run.
    pub(super) fn launch_record(&self, id: InstanceId) -> Option<&LaunchRecord> {
        self.records.get(id.index()).and_then(Option::as_ref)
    }

    pub(super) fn set_record(&mut self, id: InstanceId, record: Option<LaunchRecord>) {
        if self.records.len() <= id.index() {
            if record.is_none() {
                return;
            }
            self.records.resize_with(id.index() + 1, || None);
        }
        self.records[id.index()] = record;
    }

    pub(super) fn record_mut(&mut self, id: InstanceId) -> Option<&mut LaunchRecord> {
        self.records.get_mut(id.index()).and_then(Option::as_mut)
    }

    /// A lifecycle phase for the UI (and the instance's record), in time order.
    pub(super) fn push_phase(&mut self, e: LifecycleEvent, instance: InstanceId) {
        if let Some(r) = self.record_mut(instance) {
            r.phases.push(e.clone());
        }
        let at = self.pending.partition_point(|x| x.time <= e.time);
        self.pending.insert(at, e);
    }

    /// The events of a plan (a launch or a start) as lifecycle events.
    pub(super) fn plan_events(
        &self,
        plan: &LaunchPlan,
        component: Option<ComponentIdx>,
        slot: u32,
        name: &str,
    ) -> Vec<LifecycleEvent> {
        let inst = self.infra.instance(plan.instance);
        let host = plan.placement.as_ref().and_then(|d| d.chosen).map(|h| self.infra.fleet.host(h).name.clone());
        let ip = inst.eni.map(|e| self.infra.network.eni(e).private_ip.to_string());
        let volume = inst.volumes.first().map(|v| self.infra.storage.volume(*v).name.clone());
        plan.events
            .iter()
            .map(|e| {
                let ok_past = |p: LaunchPhase| e.phase >= p && !(e.failed && e.phase == p);
                LifecycleEvent {
                    time: e.at,
                    component,
                    slot,
                    instance: name.to_string(),
                    phase: e.phase,
                    layer: e.layer,
                    detail: e.detail.clone(),
                    failed: e.failed,
                    host: host.clone().filter(|_| ok_past(LaunchPhase::CapacityReserved)),
                    private_ip: ip.clone().filter(|_| ok_past(LaunchPhase::NetworkConfigured)),
                    volume: volume.clone().filter(|_| ok_past(LaunchPhase::StorageAttached)),
                }
            })
            .collect()
    }

    fn record(&mut self, plan: &LaunchPlan, component: Option<ComponentIdx>, slot: u32, name: &str) {
        match plan.outcome {
            Ok(_) => self.launches += 1,
            Err(_) => self.failed_launches += 1,
        }
        let phases = self.plan_events(plan, component, slot, name);
        let record = plan.outcome.as_ref().ok().map(|t| LaunchRecord {
            kind: LaunchKind::Launch,
            requested_at: plan.requested_at,
            phases: phases.clone(),
            ready_at: Some(*t),
            failure: None,
        });
        self.set_record(plan.instance, record);
        self.pending.extend(phases);
        self.pending.sort_by_key(|e| e.time);
    }

    pub(super) fn series_fields(&self, comp: usize) -> SeriesPoint {
        match self.points.get(comp).copied().flatten() {
            None => SeriesPoint::EMPTY_LAYERS,
            Some(p) => SeriesPoint {
                steal_percent: Some(p.steal),
                guest_cpu_percent: Some(p.guest),
                service_time_multiplier: Some(p.mult),
                burst_balance_percent: p.burst,
                disk_iops: Some(p.iops),
                ..SeriesPoint::EMPTY_LAYERS
            },
        }
    }

    pub(super) fn report(&self, sim: &Simulation) -> LayersReport {
        let infra = &self.infra;
        let now = SimTime(sim.core.now);
        // An instance's component and slot; a deployment's node serves its component in no slot.
        let mut owner: Vec<Option<(String, Option<u32>)>> = vec![None; infra.instances.len()];
        for (c, node) in sim.nodes.iter().enumerate() {
            if let Node::Group(g) = node {
                let id = &sim.core.meta[c].id;
                for (k, i) in g.inst.iter().enumerate() {
                    if i.layer != NONE && !i.on_node {
                        owner[i.layer as usize] = Some((id.clone(), Some(k as u32)));
                    }
                }
                for &vm in g.pods.as_deref().map_or(&[][..], |p| p.vms()) {
                    if vm != NONE {
                        owner[vm as usize] = Some((id.clone(), None));
                    }
                }
            }
        }
        let instances = infra
            .instances
            .iter()
            .map(|i| InstanceLayers {
                name: i.name.clone(),
                component: owner[i.id.index()].as_ref().map(|o| o.0.clone()),
                slot: owner[i.id.index()].as_ref().and_then(|o| o.1),
                instance_type: i.instance_type.clone(),
                state: i.state,
                az: i.az.clone(),
                host: i.host.map(|h| infra.fleet.host(h).name.clone()),
                private_ip: i.eni.map(|e| infra.network.eni(e).private_ip.to_string()),
                steal_percent: infra.steal_percent(i.id),
                service_time_multiplier: infra.service_time_multiplier(i.id),
                guest_cpu_percent: i.vm.map_or(0.0, |vm| infra.hypervisors.guest_cpu_percent(vm)),
                available: infra.instance_available(i.id),
            })
            .collect();
        let volumes = infra
            .storage
            .volumes
            .iter()
            .filter(|v| v.state != VolumeState::Deleted)
            .map(|v| VolumeLayers {
                name: v.name.clone(),
                instance: match &v.state {
                    VolumeState::InUse(n) => Some(n.clone()),
                    _ => None,
                },
                kind: v.kind,
                size_gib: v.size_gib,
                baseline_iops: v.baseline_iops(),
                burst_iops: v.burst_iops(),
                iops_limit: v.iops_limit(now),
                burst_balance_percent: v.burst_balance_percent(now),
                ios_done: v.ios_done,
                ios_served: v.ios_served(now),
                az: v.az.clone(),
                available: v.available,
            })
            .collect();
        let live = |v: &&crate::layers::storage::Volume| v.state != VolumeState::Deleted;
        let azs = infra
            .fleet
            .azs
            .iter()
            .map(|a| {
                let hosts = || infra.fleet.hosts_in_az(a.id);
                let vols = infra.storage.volumes.iter().filter(live).filter(|v| v.az == a.name);
                AzLayers {
                    name: a.name.clone(),
                    available: a.available,
                    hosts: hosts().count() as u32,
                    hosts_available: hosts().filter(|h| h.in_service && h.available).count() as u32,
                    volumes: vols.clone().count() as u32,
                    volumes_available: vols.filter(|v| v.available).count() as u32,
                }
            })
            .collect();
        LayersReport {
            azs,
            instances,
            volumes,
            blocked_paths: self.blocked.clone(),
            launches: self.launches,
            failed_launches: self.failed_launches,
            api_log: infra.api_log.clone(),
        }
    }
}

impl Core {
    /// After anything that may have scheduled a state change in the layers (a launch, a
    /// termination, a host failure): makes sure an event fires at their next deadline, so the
    /// change happens at its exact time rather than at the next metrics tick.
    pub(super) fn arm_layers(&mut self) {
        let Some(run) = self.layers.as_deref_mut() else { return };
        let Some(at) = run.infra.next_deadline() else { return };
        if let Some(at) = run.timer.arm(at.0.max(self.now)) {
            self.queue.push(at, Ev::Layers);
        }
    }

    /// A request's call crosses path `blocked` (its index in the layers' list), which the network
    /// layer blocks: the path counts the failure, and the call fails at once.
    pub(super) fn network_blocked(&mut self, call: u32, blocked: u16) -> Next {
        if self.calls[call].flags.contains(Flags::COUNTED) {
            if let Some(p) = self.layers.as_deref_mut().and_then(|l| l.blocked.get_mut(blocked as usize)) {
                p.failures += 1;
            }
        }
        Next::fail(ErrorCause::NetworkBlocked)
    }
}

impl Simulation {
    /// `Layers`: the layers' next deadline is due: the state changes due now happen (a VM
    /// starts on its host when its instance runs; a stopped or terminated one gives its
    /// capacity back), and the timer is armed for the next one. A stale event (the timer was
    /// armed earlier since) does nothing.
    #[inline(never)]
    pub(super) fn on_layers_deadline(&mut self) {
        let now = self.core.now;
        let Some(run) = self.core.layers.as_deref_mut() else { return };
        if !run.timer.fire(now) {
            return;
        }
        run.infra.advance(SimTime(now));
        self.core.arm_layers();
    }

    /// Metrics tick: feed each instance's CPU demand to its hypervisor, then refresh every
    /// instance's service-time multiplier and the per-component layer figures. CPU demand is a
    /// measured average over the tick (busy time / span), so it is fed per tick by design; the
    /// layers' own state changes do not wait for it (see [`Simulation::on_layers_deadline`]).
    pub(super) fn layers_tick(&mut self) {
        let now = self.core.now;
        let Some(run) = self.core.layers.as_deref_mut() else { return };
        run.infra.advance(SimTime(now));
        let span = now.saturating_sub(run.last_tick);
        run.last_tick = now;
        if span == 0 {
            return;
        }
        for node in &mut self.nodes {
            let Node::Group(g) = node else { continue };
            // A pod's node has the demand of all its pods.
            for i in g.inst.iter_mut().filter(|i| i.layer != NONE && !i.on_node) {
                let busy = i.st.busy_tw.integral(now);
                let b = busy.saturating_sub(i.tick_busy) as f64 / (span as f64 * i.st.servers as f64);
                i.tick_busy = busy;
                let id = InstanceId(i.layer);
                // The guest sees its vCPUs busy for the share of the stretched service time
                // they actually ran; the rest was steal.
                let demand = if i.state == InstState::Launching || !i.up {
                    0.0
                } else {
                    b * (1.0 - run.infra.steal_percent(id) / 100.0)
                };
                run.feed_demand(i.layer, demand, span);
            }
            super::pods::feed_nodes(g, run, now, span);
        }
        let t = SimTime(now);
        for (c, node) in self.nodes.iter_mut().enumerate() {
            let Node::Group(g) = node else { continue };
            let (mut n, mut p, mut ios) = (0u32, LayerPoint::default(), 0u64);
            for i in g.inst.iter_mut().filter(|i| i.layer != NONE) {
                let id = InstanceId(i.layer);
                i.mult = run.infra.service_time_multiplier(id);
                // A node's volume is not its pods' (they have no disk step).
                if let Some(v) = run.infra.data_volume(id).filter(|_| !i.on_node) {
                    ios += run.infra.storage.volume(v).ios_served(t);
                }
                if i.state != InstState::InService {
                    continue;
                }
                n += 1;
                p.steal += run.infra.steal_percent(id);
                p.guest += run.infra.instance(id).vm.map_or(0.0, |vm| run.infra.hypervisors.guest_cpu_percent(vm));
                p.mult += i.mult;
                if let Some(v) = run.infra.data_volume(id) {
                    let b = run.infra.storage.volume(v).burst_balance_percent(t);
                    p.burst = Some(p.burst.map_or(b, |x: f64| x.min(b)));
                }
            }
            p.iops = ios.saturating_sub(run.ios_prev[c]) as f64 / (span as f64 / 1e9);
            run.ios_prev[c] = ios;
            run.points[c] = (n > 0).then(|| LayerPoint {
                steal: p.steal / n as f64,
                guest: p.guest / n as f64,
                mult: p.mult / n as f64,
                ..p
            });
        }
    }

    /// Whether the topology has layers under its instances (an `infrastructure`).
    pub fn has_layers(&self) -> bool {
        self.core.layers.is_some()
    }

    /// The layers (hosts, VMs, network, volumes, instances), when the topology has them.
    pub fn infrastructure(&self) -> Option<&Infrastructure> {
        self.core.layers.as_deref().map(|l| &l.infra)
    }

    /// Takes the launch phases that have happened by now (oldest first). Phases of launches
    /// in progress stay until their time comes.
    pub fn drain_lifecycle_events(&mut self) -> Vec<LifecycleEvent> {
        let now = self.core.now;
        self.core.layers.as_deref_mut().map_or_else(Vec::new, |l| l.take_due(now).collect())
    }

    /// The CloudTrail-style log of API calls (launches, terminations...), oldest first.
    pub fn api_log(&self) -> &[ApiCall] {
        self.core.layers.as_deref().map_or(&[], |l| &l.infra.api_log)
    }

    /// Connections the network layer blocks, with their reasons and failure counts.
    pub fn blocked_paths(&self) -> &[BlockedPath] {
        self.core.layers.as_deref().map_or(&[], |l| &l.blocked)
    }

    /// A user's launch now, outside the topology's components (it serves no traffic): the
    /// plan, whose phases also arrive through [`Simulation::drain_lifecycle_events`]. `None`
    /// when the topology has no layers.
    pub fn launch_instance(&mut self, req: &LaunchRequest) -> Option<LaunchPlan> {
        let now = SimTime(self.core.now);
        let run = self.core.layers.as_deref_mut()?;
        let plan = run.infra.launch_instance(now, req);
        run.record(&plan, None, NONE, &req.name);
        self.core.arm_layers();
        Some(plan)
    }
}
