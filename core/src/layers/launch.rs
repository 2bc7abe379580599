//! The service layer: one API call that drives every layer below it.
//!
//! [`Infrastructure::launch_instance`] runs the launch of DOMAIN.md §2 as a seeded plan of
//! phases, each an event with the layer it belongs to and its details:
//!
//! | phase | default duration | layer | can fail with |
//! |---|---|---|---|
//! | request accepted | 0.08-0.12 s | service | IAM denial, vCPU quota, unknown type/subnet, AZ unavailable |
//! | capacity reserved | 0.3-0.7 s | placement | insufficient capacity |
//! | VM created | 1-2 s | hypervisor | |
//! | storage attached | 1-2 s | storage | storage cluster full |
//! | network configured | 0.8-1.1 s | network | subnet out of addresses |
//! | OS boot | 5-9 s | guest | |
//!
//! The whole launch takes 8.2-14.9 s with the defaults (DOMAIN.md: 8-15 s; the boot range is
//! 5-9 s rather than 5-10 s so the sum of the phase ranges stays inside that window).
//!
//! Reservations are taken when the call is made (a second launch never gets the same capacity
//! or address) and a launch that fails part-way releases everything it reserved before
//! returning; the plan's times tell the engine when to show each step. State changes that take
//! time (pending -> running, stopping -> stopped, shutting-down -> terminated) are applied by
//! [`Infrastructure::advance`]. Every call is written to a CloudTrail-style [`ApiCall`] log.

use super::hypervisor::{Tenancy, VmState};
use super::network::{EniId, NetEndpoint};
use super::physical::{typed_id, HostId};
use super::placement::{instance_type, PlacementDecision, PlacementError, PlacementRequest};
use super::storage::{VolumeId, VolumeKind};
use super::Infrastructure;
use crate::time::{Duration, SimTime};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

typed_id!(
    /// An instance.
    InstanceId
);

/// EC2 instance states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstanceState {
    /// Launching or starting.
    Pending,
    /// Up; takes traffic (once healthy).
    Running,
    /// Being stopped.
    Stopping,
    /// Stopped: no host, volumes and private IP kept.
    Stopped,
    /// Being terminated.
    ShuttingDown,
    /// Gone.
    Terminated,
}

impl InstanceState {
    /// Whether the lifecycle allows going from `self` to `next`.
    pub fn can_become(self, next: InstanceState) -> bool {
        use InstanceState::*;
        matches!(
            (self, next),
            (Pending, Running)
                | (Pending, ShuttingDown)
                | (Running, Stopping)
                | (Running, ShuttingDown)
                | (Stopping, Stopped)
                | (Stopped, Pending)
                | (Stopped, ShuttingDown)
                | (ShuttingDown, Terminated)
        )
    }
}

impl fmt::Display for InstanceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InstanceState::Pending => "pending",
            InstanceState::Running => "running",
            InstanceState::Stopping => "stopping",
            InstanceState::Stopped => "stopped",
            InstanceState::ShuttingDown => "shutting-down",
            InstanceState::Terminated => "terminated",
        })
    }
}

/// The six layers under an instance (plus the guest OS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Regions, AZs, racks, hosts.
    Physical,
    /// VM slices on a host.
    Hypervisor,
    /// Which host.
    Placement,
    /// ENIs, routes, security.
    Network,
    /// EBS volumes.
    Storage,
    /// The API in front of it all.
    Service,
    /// The operating system inside the VM.
    Guest,
}

/// A phase of a launch (or of a start after a stop).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaunchPhase {
    /// IAM, quota and AZ checks passed; routed to the control plane.
    RequestAccepted,
    /// A host was chosen and capacity held on it.
    CapacityReserved,
    /// The hypervisor isolated cores and memory: an empty VM.
    VmCreated,
    /// Root volume allocated, image copied, attached over the network.
    StorageAttached,
    /// ENI, private IP, security groups, public IP, routes.
    NetworkConfigured,
    /// Power on, bootloader from EBS, kernel, init, cloud-init.
    OsBoot,
    /// State `running`.
    Running,
    /// `StopInstances` accepted: the OS shuts down (stop/start).
    Stopping,
    /// The VM left its host; volumes, ENI and private IP stay (stop/start).
    Stopped,
    /// `RebootInstances` accepted: the OS restarts on the same host and VM.
    Rebooting,
}

impl LaunchPhase {
    /// Every phase of a launch (or of the start after a stop), in order.
    pub const LAUNCH: [LaunchPhase; 7] = [
        LaunchPhase::RequestAccepted,
        LaunchPhase::CapacityReserved,
        LaunchPhase::VmCreated,
        LaunchPhase::StorageAttached,
        LaunchPhase::NetworkConfigured,
        LaunchPhase::OsBoot,
        LaunchPhase::Running,
    ];

    /// The layer the phase belongs to.
    pub fn layer(self) -> Layer {
        match self {
            LaunchPhase::RequestAccepted | LaunchPhase::Running | LaunchPhase::Stopping => Layer::Service,
            LaunchPhase::Stopped => Layer::Hypervisor,
            LaunchPhase::Rebooting => Layer::Guest,
            LaunchPhase::CapacityReserved => Layer::Placement,
            LaunchPhase::VmCreated => Layer::Hypervisor,
            LaunchPhase::StorageAttached => Layer::Storage,
            LaunchPhase::NetworkConfigured => Layer::Network,
            LaunchPhase::OsBoot => Layer::Guest,
        }
    }
}

/// A range a duration is drawn from, uniformly, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecondsRange {
    /// Shortest.
    pub min: f64,
    /// Longest.
    pub max: f64,
}

impl SecondsRange {
    const fn new(min: f64, max: f64) -> Self {
        SecondsRange { min, max }
    }
    pub(crate) fn draw(&self, rng: &mut crate::rng::SimRng) -> Duration {
        let (lo, hi) = (self.min.min(self.max), self.max.max(self.min));
        Duration::from_secs_f64(lo + (hi - lo) * rng.random::<f64>())
    }
}

/// Durations and limits of the lifecycle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LaunchParams {
    /// Request accepted.
    pub request_accepted: SecondsRange,
    /// Capacity reserved.
    pub capacity_reserved: SecondsRange,
    /// VM created.
    pub vm_created: SecondsRange,
    /// Storage attached.
    pub storage_attached: SecondsRange,
    /// Network configured.
    pub network_configured: SecondsRange,
    /// OS boot.
    pub os_boot: SecondsRange,
    /// Stopping -> stopped.
    pub stop: SecondsRange,
    /// Shutting-down -> terminated.
    pub terminate: SecondsRange,
    /// Reboot: unavailable for this long.
    pub reboot: SecondsRange,
    /// Running On-Demand vCPU quota per account.
    pub vcpu_quota: u32,
    /// Principals refused `ec2:RunInstances` (e.g. `user:intern`).
    pub iam_denied: Vec<String>,
}

impl Default for LaunchParams {
    fn default() -> Self {
        LaunchParams {
            request_accepted: SecondsRange::new(0.08, 0.12),
            capacity_reserved: SecondsRange::new(0.3, 0.7),
            vm_created: SecondsRange::new(1.0, 2.0),
            storage_attached: SecondsRange::new(1.0, 2.0),
            network_configured: SecondsRange::new(0.8, 1.1),
            os_boot: SecondsRange::new(5.0, 9.0),
            stop: SecondsRange::new(3.0, 8.0),
            terminate: SecondsRange::new(2.0, 5.0),
            reboot: SecondsRange::new(20.0, 40.0),
            vcpu_quota: 256,
            iam_denied: Vec::new(),
        }
    }
}

/// Who made a call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Principal {
    /// A person (IAM user or role).
    User(String),
    /// An Auto Scaling group acting on its own.
    AutoScaling(String),
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::User(n) => write!(f, "user:{n}"),
            Principal::AutoScaling(n) => write!(f, "autoscaling:{n}"),
        }
    }
}

/// One line of the API call log (who did what, when, and how it went).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiCall {
    /// When.
    pub at: SimTime,
    /// Who.
    pub principal: Principal,
    /// What, e.g. `RunInstances`.
    pub action: String,
    /// On what.
    pub target: String,
    /// `Ok(())`, or the error it returned.
    pub result: Result<(), String>,
}

/// A request to launch one instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchRequest {
    /// Name of the new instance (unique).
    pub name: String,
    /// Instance type, e.g. `t3.medium`.
    pub instance_type: String,
    /// Subnet, by name (its AZ is the instance's AZ). Empty: the instance is not in a modelled
    /// VPC; it gets no network interface and lands in `az`.
    #[serde(default)]
    pub subnet: String,
    /// The AZ when `subnet` is empty (full name or suffix); none or unknown: the AZ with the
    /// most free capacity.
    #[serde(default)]
    pub az: Option<String>,
    /// Security groups, by name.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// Ask for a public IP.
    #[serde(default)]
    pub public_ip: bool,
    /// Root volume size (GiB).
    #[serde(default = "root_size")]
    pub root_volume_gib: u32,
    /// Root volume kind.
    #[serde(default = "root_kind")]
    pub root_volume_kind: VolumeKind,
    /// Image, for display.
    #[serde(default = "default_ami")]
    pub ami: String,
    /// Placement group, by name.
    #[serde(default)]
    pub placement_group: Option<String>,
    /// Tenancy.
    #[serde(default)]
    pub tenancy: Tenancy,
    /// Target host (for `tenancy: host`), by name.
    #[serde(default)]
    pub host: Option<String>,
    /// Owning account.
    #[serde(default = "default_account")]
    pub account: String,
    /// Who asks.
    pub principal: Principal,
}

fn root_size() -> u32 {
    8
}
fn root_kind() -> VolumeKind {
    VolumeKind::Gp3
}
fn default_ami() -> String {
    "Amazon Linux 2023".into()
}
pub(crate) fn default_account() -> String {
    "default".into()
}

impl LaunchRequest {
    /// A user's request for `name` of `instance_type` in `subnet`, with the defaults.
    pub fn new(name: &str, instance_type: &str, subnet: &str, user: &str) -> Self {
        LaunchRequest {
            name: name.into(),
            instance_type: instance_type.into(),
            subnet: subnet.into(),
            az: None,
            security_groups: Vec::new(),
            public_ip: false,
            root_volume_gib: root_size(),
            root_volume_kind: root_kind(),
            ami: default_ami(),
            placement_group: None,
            tenancy: Tenancy::Default,
            host: None,
            account: default_account(),
            principal: Principal::User(user.into()),
        }
    }
}

/// One step of a plan, for the UI to animate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchEvent {
    /// When the step completes.
    pub at: SimTime,
    /// Which step.
    pub phase: LaunchPhase,
    /// The layer it belongs to.
    pub layer: Layer,
    /// What happened (host, IP, volume...), in words.
    pub detail: String,
    /// Whether the step failed (the last event of a failed plan).
    pub failed: bool,
}

/// A launch that did not complete.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchFailure {
    /// The phase that failed.
    pub phase: LaunchPhase,
    /// Why, in words.
    pub reason: String,
}

/// What a launch (or start) will do and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchPlan {
    /// The instance (also for failed launches; it ends `terminated`).
    pub instance: InstanceId,
    /// When the call was made.
    pub requested_at: SimTime,
    /// The steps, in order.
    pub events: Vec<LaunchEvent>,
    /// When it is running, or why it failed.
    pub outcome: Result<SimTime, LaunchFailure>,
    /// The placement record.
    pub placement: Option<PlacementDecision>,
}

impl LaunchPlan {
    /// Time from the call to `running` (none if it failed).
    pub fn total(&self) -> Option<Duration> {
        self.outcome.as_ref().ok().map(|t| t.since(self.requested_at))
    }
}

/// One instance and what it holds in each layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Its id.
    pub id: InstanceId,
    /// Its name (matches the topology component id when it comes from one).
    pub name: String,
    /// Instance type.
    pub instance_type: String,
    /// Owning account.
    pub account: String,
    /// AZ, by name.
    pub az: String,
    /// Current state.
    pub state: InstanceState,
    /// Its VM slot, while it has a host.
    pub vm: Option<super::hypervisor::VmId>,
    /// The host it runs on (kept after a stop as the previous host).
    pub host: Option<HostId>,
    /// Its network interface.
    pub eni: Option<EniId>,
    /// Its volumes (the root volume first).
    pub volumes: Vec<VolumeId>,
    /// Asked for a public IP (a start after a stop gets a new one).
    pub wants_public_ip: bool,
    /// Placement group.
    pub placement_group: Option<String>,
    /// Tenancy.
    pub tenancy: Tenancy,
    /// Unavailable (rebooting) until then.
    pub busy_until: SimTime,
    /// Stops and starts so far.
    pub restarts: u32,
}

/// A state change that takes effect later.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Scheduled {
    pub(crate) at: SimTime,
    pub(crate) seq: u64,
    pub(crate) instance: InstanceId,
    pub(crate) to: InstanceState,
}

/// Why a lifecycle call was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LifecycleError {
    /// The state does not allow the call.
    #[error("IncorrectInstanceState: {instance} is {state}; {action} needs it {needs}")]
    WrongState {
        /// Instance.
        instance: String,
        /// Its state.
        state: InstanceState,
        /// The call.
        action: &'static str,
        /// What the call needs.
        needs: &'static str,
    },
    /// Start could not find a host.
    #[error(transparent)]
    Placement(#[from] PlacementError),
}

impl Infrastructure {
    fn log(&mut self, at: SimTime, principal: &Principal, action: &str, target: &str, result: Result<(), String>) {
        self.api_log.push(ApiCall {
            at,
            principal: principal.clone(),
            action: action.into(),
            target: target.into(),
            result,
        });
    }

    fn schedule(&mut self, at: SimTime, instance: InstanceId, to: InstanceState) {
        self.seq += 1;
        self.scheduled.push(Scheduled { at, seq: self.seq, instance, to });
    }

    fn vcpus_in_use(&self, account: &str) -> u32 {
        self.instances
            .iter()
            .filter(|i| i.account == account && matches!(i.state, InstanceState::Pending | InstanceState::Running))
            .filter_map(|i| instance_type(&i.instance_type).map(|t| t.vcpus))
            .sum()
    }

    /// Launches an instance: runs every phase at once against the layers, and returns the plan
    /// with the time each phase completes. A failure releases what earlier phases reserved.
    pub fn launch_instance(&mut self, now: SimTime, req: &LaunchRequest) -> LaunchPlan {
        let id = InstanceId(self.instances.len() as u32);
        let subnet = self.network.subnet_by_name(&req.subnet);
        let no_vpc = req.subnet.is_empty();
        let az = match (subnet, no_vpc) {
            (Some(s), _) => self.network.subnet(s).az.clone(),
            (None, true) => req
                .az
                .as_deref()
                .and_then(|a| self.fleet.az_by_name(a))
                .or_else(|| {
                    super::placement::Placement::az_with_most_free(&self.fleet, &self.hypervisors).map(|(a, _)| a)
                })
                .map(|a| self.fleet.az(a).name.clone())
                .unwrap_or_default(),
            (None, false) => String::new(),
        };
        let az_name = self.fleet.az_by_name(&az).map(|a| self.fleet.az(a).name.clone()).unwrap_or(az.clone());
        self.instances.push(Instance {
            id,
            name: req.name.clone(),
            instance_type: req.instance_type.clone(),
            account: req.account.clone(),
            az: az_name.clone(),
            state: InstanceState::Pending,
            vm: None,
            host: None,
            eni: None,
            volumes: Vec::new(),
            wants_public_ip: req.public_ip,
            placement_group: req.placement_group.clone(),
            tenancy: req.tenancy.clone(),
            busy_until: SimTime::ZERO,
            restarts: 0,
        });
        let mut plan =
            LaunchPlan { instance: id, requested_at: now, events: Vec::new(), outcome: Ok(now), placement: None };
        let mut t = now;
        let p = self.params.clone();

        // 1. Request accepted.
        t += p.request_accepted.draw(&mut self.rng);
        let itype = instance_type(&req.instance_type);
        let check = (|| {
            let principal = req.principal.to_string();
            if p.iam_denied.contains(&principal) {
                return Err(format!("AccessDenied: {principal} is not authorized to perform ec2:RunInstances"));
            }
            let Some(itype) = itype else {
                return Err(format!("InvalidParameterValue: unknown instance type `{}`", req.instance_type));
            };
            if subnet.is_none() && !no_vpc {
                return Err(format!("InvalidSubnetID.NotFound: no subnet named `{}`", req.subnet));
            }
            let Some(az_id) = self.fleet.az_by_name(&az) else {
                return Err(format!("InvalidParameterValue: the subnet's AZ `{az}` is not in this region's fleet"));
            };
            if !self.fleet.az(az_id).available {
                return Err(format!("Unsupported: {az_name} is not accepting launches right now"));
            }
            let used = self.vcpus_in_use(&req.account) - itype.vcpus; // this instance is pending already
            if used + itype.vcpus > p.vcpu_quota {
                return Err(format!(
                    "VcpuLimitExceeded: account `{}` runs {used} of its {} vCPU quota; {} needs {} more (request a quota increase)",
                    req.account, p.vcpu_quota, req.instance_type, itype.vcpus
                ));
            }
            Ok(az_id)
        })();
        let az_id = match check {
            Ok(a) => a,
            Err(reason) => return self.fail_launch(plan, t, LaunchPhase::RequestAccepted, reason, req),
        };
        let itype = itype.expect("checked");
        plan.events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::RequestAccepted,
            layer: Layer::Service,
            detail: format!(
                "{} may call RunInstances; quota and {} checked; sent to the EC2 control plane",
                req.principal, az_name
            ),
            failed: false,
        });

        // 2. Capacity reserved.
        t += p.capacity_reserved.draw(&mut self.rng);
        let mut preq = PlacementRequest::new(&req.name, itype);
        preq.account = req.account.clone();
        preq.az = Some(az_id);
        preq.group = req.placement_group.clone();
        preq.tenancy = req.tenancy.clone();
        preq.host = req.host.as_deref().and_then(|h| self.fleet.host_by_name(h));
        let decision = match self.placement.place(&self.fleet, &mut self.hypervisors, &preq, &mut self.rng) {
            Ok(d) => d,
            Err(e) => {
                if let PlacementError::InsufficientCapacity { decision, .. } = &e {
                    plan.placement = Some((**decision).clone());
                }
                return self.fail_launch(plan, t, LaunchPhase::CapacityReserved, e.to_string(), req);
            }
        };
        let host = decision.chosen.expect("placed");
        let vm = decision.vm.expect("placed");
        {
            let inst = &mut self.instances[id.index()];
            inst.host = Some(host);
            inst.vm = Some(vm);
        }
        let hs = self.hypervisors.host(host);
        plan.events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::CapacityReserved,
            layer: Layer::Placement,
            detail: format!(
                "host {} in {} ({} vCPUs and {:.0} GiB free after reserving {} vCPUs / {} GiB)",
                self.fleet.host(host).name,
                az_name,
                hs.free_vcpus(),
                hs.free_memory_gib(),
                itype.vcpus,
                itype.memory_gib
            ),
            failed: false,
        });
        self.keep_placement(id, Some(decision.clone()));
        plan.placement = Some(decision);

        // 3. VM created.
        t += p.vm_created.draw(&mut self.rng);
        plan.events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::VmCreated,
            layer: Layer::Hypervisor,
            detail: format!(
                "hypervisor on {} isolates {} vCPUs and {} GiB: an empty VM",
                self.fleet.host(host).name,
                itype.vcpus,
                itype.memory_gib
            ),
            failed: false,
        });

        // 4. Storage attached.
        t += p.storage_attached.draw(&mut self.rng);
        let vol_name = format!("{}-root", req.name);
        let vol = match self.storage.create_volume(&vol_name, &az_name, req.root_volume_gib, req.root_volume_kind, None)
        {
            Ok(v) => v,
            Err(e) => return self.fail_launch(plan, t, LaunchPhase::StorageAttached, e.to_string(), req),
        };
        self.storage.volume_mut(vol).delete_on_termination = true;
        self.storage.attach(vol, &req.name, &az_name).expect("same AZ, new volume");
        self.instances[id.index()].volumes.push(vol);
        plan.events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::StorageAttached,
            layer: Layer::Storage,
            detail: format!(
                "{} GiB {:?} volume {vol_name} on the {az_name} storage cluster, {} copied, attached over the network",
                req.root_volume_gib, req.root_volume_kind, req.ami
            )
            .replace("Gp3", "gp3")
            .replace("Gp2", "gp2")
            .replace("Io2", "io2"),
            failed: false,
        });

        // 5. Network configured.
        t += p.network_configured.draw(&mut self.rng);
        if no_vpc {
            plan.events.push(LaunchEvent {
                at: t,
                phase: LaunchPhase::NetworkConfigured,
                layer: Layer::Network,
                detail: format!(
                    "virtual NIC attached in {az_name} (no VPC modelled: no private IP or security groups to apply)"
                ),
                failed: false,
            });
            return self.boot(plan, t, &vol_name, req, now);
        }
        let mut sgs = Vec::new();
        for g in &req.security_groups {
            match self.network.sg_by_name(g) {
                Some(s) => sgs.push(s),
                None => {
                    return self.fail_launch(
                        plan,
                        t,
                        LaunchPhase::NetworkConfigured,
                        format!("InvalidGroup.NotFound: no security group named `{g}`"),
                        req,
                    )
                }
            }
        }
        let eni = match self.network.create_eni(&req.name, subnet.expect("checked"), sgs, None, req.public_ip) {
            Ok(e) => e,
            Err(e) => return self.fail_launch(plan, t, LaunchPhase::NetworkConfigured, e.to_string(), req),
        };
        self.instances[id.index()].eni = Some(eni);
        let e = self.network.eni(eni);
        plan.events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::NetworkConfigured,
            layer: Layer::Network,
            detail: format!(
                "ENI with private IP {} in {}{}; security groups {} applied; route tables updated",
                e.private_ip,
                self.network.subnet(e.subnet).cidr,
                e.public_ip.map(|p| format!(", public IP {p}")).unwrap_or_default(),
                if req.security_groups.is_empty() { "(none)".to_string() } else { req.security_groups.join(", ") }
            ),
            failed: false,
        });

        self.boot(plan, t, &vol_name, req, now)
    }

    /// 6. OS boot, then running.
    fn boot(
        &mut self,
        mut plan: LaunchPlan,
        mut t: SimTime,
        vol_name: &str,
        req: &LaunchRequest,
        now: SimTime,
    ) -> LaunchPlan {
        let id = plan.instance;
        t += self.params.os_boot.draw(&mut self.rng);
        plan.events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::OsBoot,
            layer: Layer::Guest,
            detail: format!(
                "power on, bootloader from {vol_name}, kernel, init; cloud-init sets the hostname and SSH keys"
            ),
            failed: false,
        });
        plan.events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::Running,
            layer: Layer::Service,
            detail: format!("{} is running; SSH port open", req.name),
            failed: false,
        });
        plan.outcome = Ok(t);
        self.schedule(t, id, InstanceState::Running);
        self.log(now, &req.principal, "RunInstances", &req.name, Ok(()));
        plan
    }

    fn fail_launch(
        &mut self,
        mut plan: LaunchPlan,
        t: SimTime,
        phase: LaunchPhase,
        reason: String,
        req: &LaunchRequest,
    ) -> LaunchPlan {
        let id = plan.instance;
        let released = self.release_everything(id);
        let detail =
            if released.is_empty() { reason.clone() } else { format!("{reason}; released {}", released.join(", ")) };
        plan.events.push(LaunchEvent { at: t, phase, layer: phase.layer(), detail, failed: true });
        plan.outcome = Err(LaunchFailure { phase, reason: reason.clone() });
        // A launch that never got past the request is refused outright; later failures end
        // as a terminated instance.
        self.instances[id.index()].state = InstanceState::Terminated;
        self.log(plan.requested_at, &req.principal, "RunInstances", &req.name, Err(reason));
        plan
    }

    /// Releases the instance's VM, ENI (with its addresses) and delete-on-termination volumes;
    /// detaches the others. Returns what was released, in words.
    fn release_everything(&mut self, id: InstanceId) -> Vec<String> {
        let mut out = Vec::new();
        let inst = self.instances[id.index()].clone();
        if let Some(vm) = inst.vm {
            if self.hypervisors.vm(vm).state != VmState::Released {
                self.hypervisors.release(vm);
                out.push(format!("capacity on {}", self.fleet.host(self.hypervisors.vm(vm).host).name));
            }
        }
        self.placement.forget(&inst.name);
        if let Some(eni) = inst.eni {
            if self.network.eni(eni).live {
                out.push(format!("IP {}", self.network.eni(eni).private_ip));
                self.network.delete_eni(eni);
            }
        }
        for v in &inst.volumes {
            self.storage.detach(*v);
            if self.storage.volume(*v).delete_on_termination {
                let _ = self.storage.delete(*v);
                out.push(format!("volume {}", self.storage.volume(*v).name));
            }
        }
        let i = &mut self.instances[id.index()];
        i.vm = None;
        i.eni = None;
        self.keep_placement(id, None);
        out
    }

    /// When the next scheduled state change (an instance running, stopped or terminated) falls
    /// due, if any: the time to call [`Infrastructure::advance`] at. Nothing else in the layers
    /// changes by itself with time (a volume's credits and IOPS are computed from the time they
    /// are asked at; CPU demand is fed by the caller).
    pub fn next_deadline(&self) -> Option<SimTime> {
        self.scheduled.iter().map(|s| s.at).min()
    }

    /// Applies the state changes due at or before `now`, in (time, order) order.
    pub fn advance(&mut self, now: SimTime) {
        self.scheduled.sort_by_key(|s| (s.at, s.seq));
        let due: Vec<Scheduled> = {
            let n = self.scheduled.iter().take_while(|s| s.at <= now).count();
            self.scheduled.drain(..n).collect()
        };
        for s in due {
            let inst = &self.instances[s.instance.index()];
            if !inst.state.can_become(s.to) {
                continue;
            }
            match s.to {
                InstanceState::Running => {
                    if let Some(vm) = inst.vm {
                        self.hypervisors.start(vm);
                    }
                }
                InstanceState::Stopped => {
                    let inst = inst.clone();
                    if let Some(vm) = inst.vm {
                        self.hypervisors.release(vm);
                    }
                    self.placement.forget(&inst.name);
                    if let Some(eni) = inst.eni {
                        self.network.release_public_ip(eni);
                    }
                    self.instances[s.instance.index()].vm = None;
                }
                InstanceState::Terminated => {
                    self.release_everything(s.instance);
                }
                _ => {}
            }
            self.instances[s.instance.index()].state = s.to;
        }
    }

    /// The instance's name if it is in `state`; otherwise logs `action` as failed and returns
    /// the wrong-state error.
    fn require_state(
        &mut self,
        now: SimTime,
        id: InstanceId,
        who: &Principal,
        action: &'static str,
        state: InstanceState,
        needs: &'static str,
    ) -> Result<String, LifecycleError> {
        let inst = &self.instances[id.index()];
        let name = inst.name.clone();
        if inst.state != state {
            let e = LifecycleError::WrongState { instance: name.clone(), state: inst.state, action, needs };
            self.log(now, who, action, &name, Err(e.to_string()));
            return Err(e);
        }
        Ok(name)
    }

    /// Stops a running instance: it leaves its host once `stopped` (volumes, ENI and private IP
    /// stay; an auto-assigned public IP goes). Returns when it will be stopped.
    pub fn stop_instance(&mut self, now: SimTime, id: InstanceId, who: &Principal) -> Result<SimTime, LifecycleError> {
        let name = self.require_state(now, id, who, "StopInstances", InstanceState::Running, "running")?;
        self.instances[id.index()].state = InstanceState::Stopping;
        let at = now + self.params.stop.draw(&mut self.rng);
        self.schedule(at, id, InstanceState::Stopped);
        self.log(now, who, "StopInstances", &name, Ok(()));
        Ok(at)
    }

    /// Starts a stopped instance: placement runs again, moving away from the previous host.
    pub fn start_instance(
        &mut self,
        now: SimTime,
        id: InstanceId,
        who: &Principal,
    ) -> Result<LaunchPlan, LifecycleError> {
        self.require_state(now, id, who, "StartInstances", InstanceState::Stopped, "stopped")?;
        let inst = self.instances[id.index()].clone();
        let itype = instance_type(&inst.instance_type).expect("launched with a known type");
        let mut preq = PlacementRequest::new(&inst.name, itype);
        preq.account = inst.account.clone();
        preq.az = self.fleet.az_by_name(&inst.az);
        preq.group = inst.placement_group.clone();
        preq.tenancy = inst.tenancy.clone();
        preq.previous_host = inst.host;
        let p = self.params.clone();
        let mut t = now + p.request_accepted.draw(&mut self.rng);
        let mut events = vec![LaunchEvent {
            at: t,
            phase: LaunchPhase::RequestAccepted,
            layer: Layer::Service,
            detail: format!("{who} may call StartInstances"),
            failed: false,
        }];
        t += p.capacity_reserved.draw(&mut self.rng);
        let decision = match self.placement.place(&self.fleet, &mut self.hypervisors, &preq, &mut self.rng) {
            Ok(d) => d,
            Err(e) => {
                self.log(now, who, "StartInstances", &inst.name, Err(e.to_string()));
                return Err(e.into());
            }
        };
        let host = decision.chosen.expect("placed");
        {
            let i = &mut self.instances[id.index()];
            i.host = Some(host);
            i.vm = decision.vm;
            i.state = InstanceState::Pending;
            i.restarts += 1;
        }
        self.keep_placement(id, Some(decision.clone()));
        let moved = if Some(host) == inst.host { "the same host" } else { "a different host" };
        events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::CapacityReserved,
            layer: Layer::Placement,
            detail: format!("host {} ({moved} than before the stop)", self.fleet.host(host).name),
            failed: false,
        });
        t += p.vm_created.draw(&mut self.rng);
        events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::VmCreated,
            layer: Layer::Hypervisor,
            detail: format!("new VM on {}", self.fleet.host(host).name),
            failed: false,
        });
        if let Some(&root) = inst.volumes.first() {
            // The volumes never left their storage cluster: they are attached to the new VM.
            let names: Vec<&str> = inst.volumes.iter().map(|v| self.storage.volume(*v).name.as_str()).collect();
            events.push(LaunchEvent {
                at: t,
                phase: LaunchPhase::StorageAttached,
                layer: Layer::Storage,
                detail: format!(
                    "{} re-attached over the network; data kept (boots from {})",
                    names.join(", "),
                    self.storage.volume(root).name
                ),
                failed: false,
            });
        }
        if let Some(eni) = inst.eni {
            let public = if inst.wants_public_ip {
                format!("; new public IP {}", self.network.assign_public_ip(eni))
            } else {
                String::new()
            };
            events.push(LaunchEvent {
                at: t,
                phase: LaunchPhase::NetworkConfigured,
                layer: Layer::Network,
                detail: format!(
                    "ENI {} re-attached; private IP {} kept{public}",
                    self.network.eni(eni).name,
                    self.network.eni(eni).private_ip
                ),
                failed: false,
            });
        }
        t += p.os_boot.draw(&mut self.rng);
        events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::OsBoot,
            layer: Layer::Guest,
            detail: "boot from the same root volume".into(),
            failed: false,
        });
        events.push(LaunchEvent {
            at: t,
            phase: LaunchPhase::Running,
            layer: Layer::Service,
            detail: format!("{} is running", inst.name),
            failed: false,
        });
        self.schedule(t, id, InstanceState::Running);
        self.log(now, who, "StartInstances", &inst.name, Ok(()));
        Ok(LaunchPlan { instance: id, requested_at: now, events, outcome: Ok(t), placement: Some(decision) })
    }

    /// Reboots a running instance: same host, same VM, unavailable for the reboot time.
    pub fn reboot_instance(
        &mut self,
        now: SimTime,
        id: InstanceId,
        who: &Principal,
    ) -> Result<SimTime, LifecycleError> {
        let name = self.require_state(now, id, who, "RebootInstances", InstanceState::Running, "running")?;
        let until = now + self.params.reboot.draw(&mut self.rng);
        self.instances[id.index()].busy_until = until;
        self.log(now, who, "RebootInstances", &name, Ok(()));
        Ok(until)
    }

    /// Terminates an instance: everything is released once `terminated`; data volumes not
    /// marked delete-on-termination survive, detached.
    pub fn terminate_instance(
        &mut self,
        now: SimTime,
        id: InstanceId,
        who: &Principal,
    ) -> Result<SimTime, LifecycleError> {
        let inst = &self.instances[id.index()];
        let name = inst.name.clone();
        if !inst.state.can_become(InstanceState::ShuttingDown) {
            let e = LifecycleError::WrongState {
                instance: name.clone(),
                state: inst.state,
                action: "TerminateInstances",
                needs: "pending, running or stopped",
            };
            self.log(now, who, "TerminateInstances", &name, Err(e.to_string()));
            return Err(e);
        }
        // A pending launch is cancelled: drop its scheduled start.
        self.scheduled.retain(|s| s.instance != id);
        self.instances[id.index()].state = InstanceState::ShuttingDown;
        let at = now + self.params.terminate.draw(&mut self.rng);
        self.schedule(at, id, InstanceState::Terminated);
        self.log(now, who, "TerminateInstances", &name, Ok(()));
        Ok(at)
    }

    /// The host fails: it leaves service (placement skips it from now on) and every instance
    /// on it (pending, running or stopping) loses its VM at once and is stopped, as AWS stops an
    /// EBS-backed instance whose host fails: its volumes, network interface and private IP stay;
    /// an auto-assigned public IP goes. Instances on other hosts are untouched. Returns the
    /// names of the instances stopped, in launch order.
    pub fn fail_host(&mut self, host: HostId) -> Vec<String> {
        self.fleet.retire_host(host);
        let mut stopped = Vec::new();
        for k in 0..self.instances.len() {
            let inst = &self.instances[k];
            let alive = matches!(inst.state, InstanceState::Pending | InstanceState::Running | InstanceState::Stopping);
            if inst.host != Some(host) || !alive {
                continue;
            }
            let (id, name, vm, eni) = (inst.id, inst.name.clone(), inst.vm, inst.eni);
            self.scheduled.retain(|s| s.instance != id);
            if let Some(vm) = vm {
                self.hypervisors.release(vm);
            }
            self.placement.forget(&name);
            if let Some(eni) = eni {
                self.network.release_public_ip(eni);
            }
            let i = &mut self.instances[k];
            i.vm = None;
            i.state = InstanceState::Stopped;
            stopped.push(name);
        }
        stopped
    }

    /// Whether the instance can serve requests at `now` (running and not rebooting).
    pub fn takes_traffic(&self, id: InstanceId, now: SimTime) -> bool {
        let i = &self.instances[id.index()];
        i.state == InstanceState::Running && now >= i.busy_until
    }

    /// The instance's end for [`Infrastructure::check_path`].
    pub fn endpoint_of(&self, id: InstanceId) -> Option<NetEndpoint> {
        self.instances[id.index()].eni.map(NetEndpoint::Eni)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_transitions() {
        use InstanceState::*;
        assert!(Pending.can_become(Running));
        assert!(Running.can_become(Stopping));
        assert!(Stopping.can_become(Stopped));
        assert!(Stopped.can_become(Pending));
        assert!(ShuttingDown.can_become(Terminated));
        assert!(!Stopped.can_become(Running));
        assert!(!Terminated.can_become(Pending));
        assert!(!Stopping.can_become(Running));
        assert!(!Running.can_become(Stopped));
    }

    #[test]
    fn phases_belong_to_their_layers() {
        assert_eq!(LaunchPhase::CapacityReserved.layer(), Layer::Placement);
        assert_eq!(LaunchPhase::VmCreated.layer(), Layer::Hypervisor);
        assert_eq!(LaunchPhase::StorageAttached.layer(), Layer::Storage);
        assert_eq!(LaunchPhase::NetworkConfigured.layer(), Layer::Network);
        assert_eq!(LaunchPhase::OsBoot.layer(), Layer::Guest);
    }

    #[test]
    fn default_phase_ranges_sum_inside_eight_to_fifteen_seconds() {
        let p = LaunchParams::default();
        let r = [
            p.request_accepted,
            p.capacity_reserved,
            p.vm_created,
            p.storage_attached,
            p.network_configured,
            p.os_boot,
        ];
        let lo: f64 = r.iter().map(|x| x.min).sum();
        let hi: f64 = r.iter().map(|x| x.max).sum();
        assert!(lo >= 8.0 && hi <= 15.0, "{lo}..{hi}");
    }
}
