//! The layered stack under every instance: what no diagram shows.
//!
//! Under each EC2 box there is a physical host in a rack in an AZ ([`physical`]), a slice of
//! that host cut by the hypervisor ([`hypervisor`]), a placement decision that chose the host
//! ([`placement`]), a virtual NIC in a software-defined network ([`network`]), a volume on a
//! storage cluster ([`storage`]), and the API call that set it all up ([`launch`]). Each layer is
//! its own module with its own tests; [`Infrastructure`] holds them together and is what the
//! engine calls:
//!
//! * [`Infrastructure::service_time_multiplier`]: how much CPU contention on the instance's
//!   host stretches a request's CPU work (noisy neighbours);
//! * [`Infrastructure::disk_io`]: when a request's disk step completes on the instance's
//!   volume (IOPS limits, gp2 burst credits, network round trip to the storage cluster);
//! * [`Infrastructure::check_path`]: whether a connection is allowed, hop by hop, with the
//!   reason when it is not;
//! * [`Infrastructure::launch_instance`]: the launch timeline, as a plan of phase events.
//!
//! Nothing here reads a clock: time is passed in, randomness comes from the seed.
//!
//! ```
//! use strata_core::layers::{Infrastructure, InfrastructureConfig};
//! let cfg: InfrastructureConfig = serde_json::from_str(r#"{
//!   "network": {"vpcs": [{"name": "vpc-a", "cidr": "10.0.0.0/16",
//!     "subnets": [{"name": "app", "cidr": "10.0.1.0/24", "az": "a"}],
//!     "security_groups": [{"name": "sg-app", "inbound": [{"ports": 22, "source": "10.0.0.0/16"}]}]}]},
//!   "instances": [{"name": "web-1", "instance_type": "t3.medium", "subnet": "app",
//!     "security_groups": ["sg-app"], "cpu_demand": 0.2}]
//! }"#).unwrap();
//! let (infra, diagnostics) = Infrastructure::build(&cfg, 7);
//! assert!(diagnostics.is_empty());
//! let web = infra.instance_by_name("web-1").unwrap();
//! assert!(infra.service_time_multiplier(web) < 1.05); // a quiet host: only the 3% overhead
//! ```

pub mod attach;
pub mod hypervisor;
pub mod launch;
pub mod network;
pub mod physical;
pub mod placement;
pub mod storage;

use crate::rng::{derive_seed, rng_from_seed, SimRng};
use crate::time::SimTime;
use hypervisor::{HypervisorParams, Hypervisors, Tenancy};
use launch::{Instance, InstanceId, InstanceState, LaunchParams, Scheduled};
use network::{NetEndpoint, Network, NetworkConfig, ReachabilityReport};
use physical::{Fleet, FleetParams};
use placement::{instance_type, Placement, PlacementRequest, PlacementStrategy};
use serde::{Deserialize, Serialize};
use storage::{Storage, StorageParams, VolumeKind, GP2_MAX_CREDITS};

pub use launch::{LaunchPlan, LaunchRequest, Principal};

/// The RNG sub-stream the layers draw from (see [`crate::rng::derive_seed`]).
pub const RNG_STREAM: u64 = 0x4c41_5945_5253; // "LAYERS"

/// A placement group, as configuration writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacementGroupConfig {
    /// Its name.
    pub name: String,
    /// `cluster` or `spread`.
    pub strategy: PlacementStrategy,
}

/// A dedicated host allocation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DedicatedHostConfig {
    /// The host, by name.
    pub host: String,
    /// The account it is allocated to.
    #[serde(default = "launch::default_account")]
    pub account: String,
}

/// An instance that already runs when the scenario starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceConfig {
    /// Its name; when it matches a topology component id, the engine applies this instance's
    /// layers to that component.
    pub name: String,
    /// Instance type.
    pub instance_type: String,
    /// Subnet, by name (its AZ is the instance's AZ). Empty: not in a modelled VPC (no network
    /// interface; the AZ is `az`).
    #[serde(default)]
    pub subnet: String,
    /// The AZ when `subnet` is empty (full name or suffix); none or unknown: the AZ with the
    /// most free capacity.
    #[serde(default)]
    pub az: Option<String>,
    /// Security groups, by name.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// A fixed private IP.
    #[serde(default)]
    pub private_ip: Option<std::net::Ipv4Addr>,
    /// Has a public IP.
    #[serde(default)]
    pub public_ip: bool,
    /// Pin to a host by name (to stage a scenario); otherwise placement chooses.
    #[serde(default)]
    pub host: Option<String>,
    /// Tenancy.
    #[serde(default)]
    pub tenancy: Tenancy,
    /// Placement group, by name.
    #[serde(default)]
    pub placement_group: Option<String>,
    /// Owning account.
    #[serde(default = "launch::default_account")]
    pub account: String,
    /// How busy its vCPUs are (0.0-1.0) before the engine's load takes over.
    #[serde(default)]
    pub cpu_demand: f64,
    /// Root volume size (GiB).
    #[serde(default = "eight")]
    pub root_volume_gib: u32,
}

fn eight() -> u32 {
    8
}

impl InstanceConfig {
    /// An instance of `instance_type` with every other field at its default (no subnet: it
    /// lands in the AZ with the most free capacity, without a network interface).
    pub fn new(name: &str, instance_type: &str) -> Self {
        InstanceConfig {
            name: name.into(),
            instance_type: instance_type.into(),
            subnet: String::new(),
            az: None,
            security_groups: Vec::new(),
            private_ip: None,
            public_ip: false,
            host: None,
            tenancy: Tenancy::default(),
            placement_group: None,
            account: launch::default_account(),
            cpu_demand: 0.0,
            root_volume_gib: eight(),
        }
    }
}

/// A volume that exists when the scenario starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VolumeConfig {
    /// Its name.
    pub name: String,
    /// `gp2`, `gp3` or `io2`.
    pub kind: VolumeKind,
    /// Size, GiB.
    pub size_gib: u32,
    /// IOPS for gp3 / io2.
    #[serde(default)]
    pub iops: Option<u32>,
    /// The instance it is attached to (its AZ is then the instance's), by name.
    #[serde(default)]
    pub attached_to: Option<String>,
    /// Its AZ when not attached.
    #[serde(default)]
    pub az: Option<String>,
    /// Starting `BurstBalance` (gp2), percent; default 100.
    #[serde(default)]
    pub burst_balance_percent: Option<f64>,
}

/// The `infrastructure` part of a scenario document: everything below the boxes.
///
/// Every field has a default, so `{}` is a valid (empty-network, default-fleet) configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InfrastructureConfig {
    /// The physical fleet.
    pub fleet: FleetParams,
    /// Hypervisor tunables.
    pub hypervisor: HypervisorParams,
    /// Storage tunables.
    pub storage: StorageParams,
    /// Launch durations, quota, IAM denials.
    pub launch: LaunchParams,
    /// VPCs, subnets, gateways, security.
    pub network: NetworkConfig,
    /// Placement groups.
    pub placement_groups: Vec<PlacementGroupConfig>,
    /// Dedicated host allocations.
    pub dedicated_hosts: Vec<DedicatedHostConfig>,
    /// Instances already running.
    pub instances: Vec<InstanceConfig>,
    /// Volumes besides the instances' root volumes.
    pub volumes: Vec<VolumeConfig>,
}

impl InfrastructureConfig {
    /// The `infrastructure` part of a scenario (topology) document, if it has one. The rest of
    /// the document is not looked at.
    pub fn from_scenario_json(text: &str) -> Result<Option<InfrastructureConfig>, serde_json::Error> {
        let doc: serde_json::Value = serde_json::from_str(text)?;
        match doc.get("infrastructure") {
            Some(v) => serde_json::from_value(v.clone()).map(Some),
            None => Ok(None),
        }
    }
}

/// Something in the configuration that was skipped, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerDiagnostic {
    /// Where, e.g. `instances[2]` or `network`.
    pub path: String,
    /// What was wrong.
    pub message: String,
}

/// Every layer of one region, and the instances running on them.
#[derive(Clone, Debug)]
pub struct Infrastructure {
    /// Physical layer.
    pub fleet: Fleet,
    /// Hypervisor layer.
    pub hypervisors: Hypervisors,
    /// Placement layer.
    pub placement: Placement,
    /// Network layer.
    pub network: Network,
    /// Storage layer.
    pub storage: Storage,
    /// Instances, indexed by [`InstanceId`].
    pub instances: Vec<Instance>,
    /// The API call log, oldest first.
    pub api_log: Vec<launch::ApiCall>,
    /// Lifecycle parameters.
    pub params: LaunchParams,
    rng: SimRng,
    scheduled: Vec<Scheduled>,
    seq: u64,
    /// Per instance (by [`InstanceId`]): the placement decision that put it on its current
    /// host. Dropped when the instance terminates, so it holds one per live instance at most.
    placements: Vec<Option<Box<placement::PlacementDecision>>>,
}

impl Infrastructure {
    /// Builds every layer from `cfg`; draws (placement tie-breaks, phase durations) come from
    /// `seed`. Never fails: what cannot be built is skipped and reported.
    pub fn build(cfg: &InfrastructureConfig, seed: u64) -> (Infrastructure, Vec<LayerDiagnostic>) {
        let mut diags = Vec::new();
        let mut diag = |path: String, message: String| diags.push(LayerDiagnostic { path, message });
        let (fleet, errs) = Fleet::generate(&cfg.fleet);
        for e in errs {
            diag("fleet.extra_hosts".into(), e.to_string());
        }
        let mut hypervisors = Hypervisors::new(&fleet, cfg.hypervisor.clone());
        let (network, errs) = Network::from_config(&cfg.network);
        for e in errs {
            diag("network".into(), e.to_string());
        }
        let mut placement = Placement::default();
        for g in &cfg.placement_groups {
            placement.add_group(&g.name, g.strategy);
        }
        for (i, d) in cfg.dedicated_hosts.iter().enumerate() {
            match fleet.host_by_name(&d.host) {
                Some(h) => hypervisors.allocate_dedicated_host(h, &d.account),
                None => diag(format!("dedicated_hosts[{i}]"), format!("no host named `{}`", d.host)),
            }
        }
        let mut infra = Infrastructure {
            fleet,
            hypervisors,
            placement,
            network,
            storage: Storage::new(cfg.storage.clone()),
            instances: Vec::new(),
            api_log: Vec::new(),
            params: cfg.launch.clone(),
            rng: rng_from_seed(derive_seed(seed, RNG_STREAM)),
            scheduled: Vec::new(),
            seq: 0,
            placements: Vec::new(),
        };
        for (i, ic) in cfg.instances.iter().enumerate() {
            if let Err(message) = infra.add_running_instance(ic) {
                diag(format!("instances[{i}] ({})", ic.name), message);
            }
        }
        for (i, vc) in cfg.volumes.iter().enumerate() {
            if let Err(message) = infra.add_volume(vc) {
                diag(format!("volumes[{i}] ({})", vc.name), message);
            }
        }
        (infra, diags)
    }

    /// Adds an instance that is already running (placed, booted, attached) at time zero, as the
    /// scenario's `instances` list does. Nothing is left reserved when it fails.
    pub fn add_running_instance(&mut self, ic: &InstanceConfig) -> Result<InstanceId, String> {
        let itype =
            instance_type(&ic.instance_type).ok_or_else(|| format!("unknown instance type `{}`", ic.instance_type))?;
        let (subnet, az) = if ic.subnet.is_empty() {
            let az = ic
                .az
                .as_deref()
                .and_then(|a| self.fleet.az_by_name(a))
                .or_else(|| Placement::az_with_most_free(&self.fleet, &self.hypervisors).map(|(a, _)| a))
                .ok_or_else(|| "the fleet has no AZ with free capacity".to_string())?;
            (None, az)
        } else {
            let subnet =
                self.network.subnet_by_name(&ic.subnet).ok_or_else(|| format!("no subnet named `{}`", ic.subnet))?;
            let az_text = self.network.subnet(subnet).az.clone();
            let az = self
                .fleet
                .az_by_name(&az_text)
                .ok_or_else(|| format!("subnet's AZ `{az_text}` is not in the fleet"))?;
            (Some(subnet), az)
        };
        let az_name = self.fleet.az(az).name.clone();
        let mut sgs = Vec::new();
        for g in &ic.security_groups {
            sgs.push(self.network.sg_by_name(g).ok_or_else(|| format!("no security group named `{g}`"))?);
        }
        let mut decision = None;
        let (host, vm) = match &ic.host {
            Some(name) => {
                let h = self.fleet.host_by_name(name).ok_or_else(|| format!("no host named `{name}`"))?;
                if self.fleet.host(h).az != az {
                    return Err(format!("host {name} is not in the subnet's AZ {az_name}"));
                }
                let vm = self
                    .hypervisors
                    .reserve(h, &ic.name, &ic.account, itype.vcpus, itype.memory_gib, &ic.tenancy)
                    .map_err(|e| format!("cannot pin to {name}: {e}"))?;
                if let Some(g) = &ic.placement_group {
                    self.placement.join(g, &ic.name, h);
                }
                (h, vm)
            }
            None => {
                let mut req = PlacementRequest::new(&ic.name, itype);
                req.account = ic.account.clone();
                req.az = Some(az);
                req.group = ic.placement_group.clone();
                req.tenancy = ic.tenancy.clone();
                let d = self
                    .placement
                    .place(&self.fleet, &mut self.hypervisors, &req, &mut self.rng)
                    .map_err(|e| e.to_string())?;
                let placed = (d.chosen.expect("placed"), d.vm.expect("placed"));
                decision = Some(d);
                placed
            }
        };
        self.hypervisors.start(vm);
        self.hypervisors.set_cpu_demand(vm, ic.cpu_demand);
        let eni = match subnet.map(|subnet| self.network.create_eni(&ic.name, subnet, sgs, ic.private_ip, ic.public_ip))
        {
            None => None,
            Some(Ok(e)) => Some(e),
            Some(Err(e)) => {
                self.hypervisors.release(vm);
                self.placement.forget(&ic.name);
                return Err(e.to_string());
            }
        };
        let vol = match self.storage.create_volume(
            &format!("{}-root", ic.name),
            &az_name,
            ic.root_volume_gib,
            VolumeKind::Gp3,
            None,
        ) {
            Ok(v) => v,
            Err(e) => {
                self.hypervisors.release(vm);
                self.placement.forget(&ic.name);
                if let Some(eni) = eni {
                    self.network.delete_eni(eni);
                }
                return Err(e.to_string());
            }
        };
        self.storage.volume_mut(vol).delete_on_termination = true;
        self.storage.attach(vol, &ic.name, &az_name).map_err(|e| e.to_string())?;
        let id = InstanceId(self.instances.len() as u32);
        self.instances.push(Instance {
            id,
            name: ic.name.clone(),
            instance_type: ic.instance_type.clone(),
            account: ic.account.clone(),
            az: az_name,
            state: InstanceState::Running,
            vm: Some(vm),
            host: Some(host),
            eni,
            volumes: vec![vol],
            wants_public_ip: ic.public_ip,
            placement_group: ic.placement_group.clone(),
            tenancy: ic.tenancy.clone(),
            busy_until: SimTime::ZERO,
            restarts: 0,
        });
        self.keep_placement(id, decision);
        Ok(id)
    }

    /// Keeps (or, with `None`, drops) the placement decision of the instance's current host.
    pub(crate) fn keep_placement(&mut self, id: InstanceId, decision: Option<placement::PlacementDecision>) {
        if self.placements.len() <= id.index() {
            if decision.is_none() {
                return;
            }
            self.placements.resize_with(id.index() + 1, || None);
        }
        self.placements[id.index()] = decision.map(Box::new);
    }

    /// The placement decision that put the instance on its current host: every candidate host
    /// of the AZ with the reason it was filtered out or its score, and the winner. `None` for
    /// an instance pinned to a host by the scenario, and once it is terminated.
    pub fn placement_of(&self, id: InstanceId) -> Option<&placement::PlacementDecision> {
        self.placements.get(id.index()).and_then(|d| d.as_deref())
    }

    fn add_volume(&mut self, vc: &VolumeConfig) -> Result<(), String> {
        let owner = match &vc.attached_to {
            Some(n) => Some(self.instance_by_name(n).ok_or_else(|| format!("no instance named `{n}`"))?),
            None => None,
        };
        let az = match (owner, &vc.az) {
            (Some(i), _) => self.instances[i.index()].az.clone(),
            (None, Some(a)) => self
                .fleet
                .az_by_name(a)
                .map(|a| self.fleet.az(a).name.clone())
                .ok_or_else(|| format!("no AZ named `{a}`"))?,
            (None, None) => return Err("a volume needs `attached_to` or `az`".into()),
        };
        let v = self.storage.create_volume(&vc.name, &az, vc.size_gib, vc.kind, vc.iops).map_err(|e| e.to_string())?;
        if let Some(p) = vc.burst_balance_percent {
            self.storage.volume_mut(v).credits = GP2_MAX_CREDITS * p.clamp(0.0, 100.0) / 100.0;
        }
        if let Some(i) = owner {
            let name = self.instances[i.index()].name.clone();
            self.storage.attach(v, &name, &az).map_err(|e| e.to_string())?;
            // Data volumes go before nothing: the root stays first, data volumes follow.
            self.instances[i.index()].volumes.push(v);
        }
        Ok(())
    }

    /// The AZ is lost (`true`) or back: it refuses launches, its hosts and the volumes of its
    /// storage cluster are unavailable until it returns. Instances and volumes keep their
    /// state; what runs on them is the engine's business. Returns the number of hosts and
    /// live volumes it holds.
    pub fn set_az_lost(&mut self, az: physical::AzId, lost: bool) -> (u32, u32) {
        let hosts = self.fleet.set_az_lost(az, lost);
        let name = self.fleet.az(az).name.clone();
        (hosts, self.storage.set_az_lost(&name, lost))
    }

    /// Whether the instance's host and every volume of it are available (false while its AZ
    /// is lost).
    pub fn instance_available(&self, id: InstanceId) -> bool {
        let i = &self.instances[id.index()];
        i.host.is_none_or(|h| self.fleet.host(h).available)
            && i.volumes.iter().all(|&v| self.storage.volume(v).available)
    }

    /// The instance named `name` (the newest, if a name was reused after termination).
    pub fn instance_by_name(&self, name: &str) -> Option<InstanceId> {
        self.instances.iter().rev().find(|i| i.name == name).map(|i| i.id)
    }

    /// The instance.
    pub fn instance(&self, id: InstanceId) -> &Instance {
        &self.instances[id.index()]
    }

    /// How much longer a request's CPU work takes on this instance than on bare metal
    /// (1.0 if the instance has no VM right now).
    pub fn service_time_multiplier(&self, id: InstanceId) -> f64 {
        self.instances[id.index()].vm.map_or(1.0, |vm| self.hypervisors.service_time_multiplier(vm))
    }

    /// The instance's CPU steal, percent.
    pub fn steal_percent(&self, id: InstanceId) -> f64 {
        self.instances[id.index()].vm.map_or(0.0, |vm| self.hypervisors.steal_percent(vm))
    }

    /// Tells the hypervisor how busy the instance's vCPUs are (0.0-1.0).
    pub fn set_cpu_demand(&mut self, id: InstanceId, demand: f64) {
        if let Some(vm) = self.instances[id.index()].vm {
            self.hypervisors.set_cpu_demand(vm, demand);
        }
    }

    /// The volume a request's disk step uses: the first data volume, else the root volume.
    pub fn data_volume(&self, id: InstanceId) -> Option<storage::VolumeId> {
        let v = &self.instances[id.index()].volumes;
        v.get(1).or(v.first()).copied()
    }

    /// Runs a request's disk step of `ios` I/Os issued at `now` on the instance's data volume;
    /// returns when it completes (IOPS limit, queueing, credits, network round trip), or `None`
    /// if the instance has no volume.
    pub fn disk_io(&mut self, id: InstanceId, now: SimTime, ios: u32) -> Option<SimTime> {
        let v = self.data_volume(id)?;
        let lat = self.storage.attach_latency();
        Some(self.storage.volume_mut(v).io_completion_time(now, ios, lat))
    }

    /// Whether `src` can open a TCP connection to `dst` on `port`, hop by hop.
    pub fn check_path(&self, src: NetEndpoint, dst: NetEndpoint, port: u16) -> ReachabilityReport {
        self.network.reachability(src, dst, port)
    }

    /// [`Infrastructure::check_path`] between instances named `src` and `dst` (either may also
    /// be `s3`, or an internet address such as `203.0.113.10`). `None` if a name is unknown.
    pub fn check_path_by_name(&self, src: &str, dst: &str, port: u16) -> Option<ReachabilityReport> {
        let resolve = |n: &str| -> Option<NetEndpoint> {
            if n == "s3" {
                return Some(NetEndpoint::S3);
            }
            if let Ok(ip) = n.parse() {
                return Some(NetEndpoint::Internet(ip));
            }
            self.instance_by_name(n)
                .and_then(|i| self.endpoint_of(i))
                .or_else(|| self.network.eni_by_name(n).map(NetEndpoint::Eni))
        };
        Some(self.check_path(resolve(src)?, resolve(dst)?, port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_builds_default_fleet() {
        let (infra, d) = Infrastructure::build(&InfrastructureConfig::default(), 1);
        assert!(d.is_empty());
        assert_eq!(infra.fleet.hosts.len(), 96);
        assert!(infra.instances.is_empty());
    }

    #[test]
    fn bad_references_are_reported_not_fatal() {
        let cfg: InfrastructureConfig = serde_json::from_str(
            r#"{"instances": [{"name": "x", "instance_type": "t3.nano9", "subnet": "nowhere"}],
                "volumes": [{"name": "v", "kind": "gp2", "size_gib": 10, "attached_to": "ghost"}]}"#,
        )
        .unwrap();
        let (infra, d) = Infrastructure::build(&cfg, 1);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].message.contains("t3.nano9"));
        assert!(d[1].message.contains("ghost"));
        assert!(infra.instances.is_empty());
    }
}
