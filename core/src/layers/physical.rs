//! The physical layer: regions contain availability zones, an AZ is one or more data centers,
//! data centers hold racks, racks hold hosts. Every instance runs on exactly one host.
//!
//! A fleet is generated from compact parameters ([`FleetParams`]): a per-AZ template of racks of
//! compute hosts (64 cores / 256 GiB) and memory-heavy hosts (512 GiB to 1 TiB), plus any extra
//! hosts listed by name. The generated fleet is plain data and can be edited afterwards
//! ([`Fleet::add_host`], [`Fleet::set_host_spec`]).
//!
//! *Architecture invariant*: every id is an index into a `Vec` of this fleet; ids are never
//! reused and hosts are never removed (a host taken out of service is marked, so ids held by
//! other layers stay valid).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The index of this id in its owner's `Vec`.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}
pub(crate) use typed_id;

typed_id!(
    /// A region, e.g. `ap-northeast-2`.
    RegionId
);
typed_id!(
    /// An availability zone, e.g. `ap-northeast-2a`.
    AzId
);
typed_id!(
    /// A data center inside an AZ.
    DataCenterId
);
typed_id!(
    /// A rack inside a data center.
    RackId
);
typed_id!(
    /// A physical host inside a rack.
    HostId
);

/// What a host is built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// General purpose / compute-heavy (e.g. AMD EPYC or Intel Xeon, 64 cores, 256 GiB).
    Compute,
    /// Memory-heavy (512 GiB to 1 TiB).
    Memory,
}

/// The hardware of one host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HostSpec {
    /// What the host is built for.
    pub kind: HostKind,
    /// Physical cores.
    pub cores: u32,
    /// Hardware threads per core; one vCPU is one hardware thread.
    pub threads_per_core: u32,
    /// Memory in GiB.
    pub memory_gib: u32,
    /// How many vCPUs the hypervisor may sell per hardware thread. 1.0 means vCPUs never
    /// outnumber hardware threads; more (hosts of burstable pools) lets demand exceed what the
    /// host can run, which is when neighbours steal CPU from each other.
    pub cpu_overcommit: f64,
    /// The processor, for display.
    pub cpu_model: String,
}

impl Default for HostSpec {
    fn default() -> Self {
        HostSpec::compute()
    }
}

impl HostSpec {
    /// The default compute host: 64 cores (128 threads), 256 GiB.
    pub fn compute() -> Self {
        HostSpec {
            kind: HostKind::Compute,
            cores: 64,
            threads_per_core: 2,
            memory_gib: 256,
            cpu_overcommit: 1.0,
            cpu_model: "AMD EPYC 7R13".into(),
        }
    }
    /// A memory-heavy host with `memory_gib` of RAM (512 to 1024 in the default fleet).
    pub fn memory(memory_gib: u32) -> Self {
        HostSpec {
            kind: HostKind::Memory,
            cores: 48,
            threads_per_core: 2,
            memory_gib,
            cpu_overcommit: 1.0,
            cpu_model: "Intel Xeon Platinum 8259CL".into(),
        }
    }
    /// Hardware threads (the vCPUs this host has without overcommit).
    pub fn hardware_threads(&self) -> u32 {
        self.cores * self.threads_per_core
    }
    /// vCPUs the hypervisor may hand out (hardware threads times the overcommit ratio).
    pub fn sellable_vcpus(&self) -> u32 {
        (self.hardware_threads() as f64 * self.cpu_overcommit.max(1.0)).floor() as u32
    }
}

/// A region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// Its id.
    pub id: RegionId,
    /// Its name, e.g. `ap-northeast-2`.
    pub name: String,
    /// Its AZs, in name order.
    pub azs: Vec<AzId>,
}

/// An availability zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Az {
    /// Its id.
    pub id: AzId,
    /// Its name, e.g. `ap-northeast-2a`.
    pub name: String,
    /// The region it belongs to.
    pub region: RegionId,
    /// Its data centers.
    pub data_centers: Vec<DataCenterId>,
    /// Whether it accepts launches (an impaired AZ refuses them).
    pub available: bool,
}

/// A data center (dual power feeds; failure-isolated from other AZs, not from its own AZ).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataCenter {
    /// Its id.
    pub id: DataCenterId,
    /// Its name, e.g. `ap-northeast-2a-dc1`.
    pub name: String,
    /// The AZ it belongs to.
    pub az: AzId,
    /// Its racks.
    pub racks: Vec<RackId>,
}

/// A rack of hosts (one top-of-rack switch, one power domain).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rack {
    /// Its id.
    pub id: RackId,
    /// Its name, e.g. `ap-northeast-2a-dc1-r02`.
    pub name: String,
    /// The data center it stands in.
    pub data_center: DataCenterId,
    /// The AZ (cached from the data center).
    pub az: AzId,
    /// Its hosts.
    pub hosts: Vec<HostId>,
}

/// A physical host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Host {
    /// Its id.
    pub id: HostId,
    /// Its name, e.g. `ap-northeast-2a-dc1-r02-h05`.
    pub name: String,
    /// The rack it sits in.
    pub rack: RackId,
    /// The data center (cached).
    pub data_center: DataCenterId,
    /// The AZ (cached).
    pub az: AzId,
    /// Its hardware.
    pub spec: HostSpec,
    /// False once taken out of service: it keeps its id but takes no new VMs.
    pub in_service: bool,
    /// False while its AZ is lost (power, network): nothing on it can run; it comes back with
    /// the AZ (see [`Fleet::set_az_lost`]).
    #[serde(default = "yes")]
    pub available: bool,
}

fn yes() -> bool {
    true
}

/// The per-AZ template the default fleet is generated from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AzTemplate {
    /// Data centers per AZ.
    pub data_centers: u32,
    /// Racks per data center.
    pub racks_per_data_center: u32,
    /// Compute hosts per rack.
    pub compute_hosts_per_rack: u32,
    /// Memory-heavy hosts per rack.
    pub memory_hosts_per_rack: u32,
    /// The compute host.
    pub compute_host: HostSpec,
    /// Memory sizes of the memory-heavy hosts, used in turn (GiB).
    pub memory_host_sizes_gib: Vec<u32>,
}

impl Default for AzTemplate {
    fn default() -> Self {
        AzTemplate {
            data_centers: 1,
            racks_per_data_center: 3,
            compute_hosts_per_rack: 6,
            memory_hosts_per_rack: 2,
            compute_host: HostSpec::compute(),
            memory_host_sizes_gib: vec![512, 1024],
        }
    }
}

/// A host added by name to a generated fleet, e.g. to stage a scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtraHost {
    /// Its name (must be unique).
    pub name: String,
    /// The AZ it goes in, by name.
    pub az: String,
    /// The rack index inside the AZ's first data center (a new rack is made when past the end).
    #[serde(default)]
    pub rack: Option<u32>,
    /// Its hardware.
    #[serde(default)]
    pub spec: HostSpec,
}

/// Compact parameters the fleet is generated from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FleetParams {
    /// The region's name.
    pub region: String,
    /// AZ suffixes, e.g. `["a", "b", "c", "d"]`.
    pub azs: Vec<String>,
    /// The template every AZ is built from.
    pub per_az: AzTemplate,
    /// Hosts added on top of the template.
    pub extra_hosts: Vec<ExtraHost>,
}

impl Default for FleetParams {
    fn default() -> Self {
        FleetParams {
            region: "ap-northeast-2".into(),
            azs: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            per_az: AzTemplate::default(),
            extra_hosts: Vec::new(),
        }
    }
}

/// Something wrong in fleet parameters or an edit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FleetError {
    /// An AZ name that the fleet does not have.
    #[error("no availability zone named `{0}` in this region")]
    UnknownAz(String),
    /// Two hosts with one name.
    #[error("a host named `{0}` already exists")]
    DuplicateHost(String),
}

/// The whole physical fleet of one region.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fleet {
    /// Regions (one per fleet today).
    pub regions: Vec<Region>,
    /// AZs.
    pub azs: Vec<Az>,
    /// Data centers.
    pub data_centers: Vec<DataCenter>,
    /// Racks.
    pub racks: Vec<Rack>,
    /// Hosts.
    pub hosts: Vec<Host>,
}

impl Fleet {
    /// Generates the fleet described by `params`. Extra hosts that name an unknown AZ or a
    /// duplicate name are skipped; their errors are returned beside the fleet.
    pub fn generate(params: &FleetParams) -> (Fleet, Vec<FleetError>) {
        let mut fleet = Fleet::default();
        let region = RegionId(0);
        fleet.regions.push(Region { id: region, name: params.region.clone(), azs: Vec::new() });
        let t = &params.per_az;
        for suffix in &params.azs {
            let az = fleet.add_az(region, &format!("{}{}", params.region, suffix));
            let mut memory_hosts = 0usize;
            for _ in 0..t.data_centers.max(1) {
                let dc = fleet.add_data_center(az);
                for _ in 0..t.racks_per_data_center {
                    let rack = fleet.add_rack(dc);
                    for _ in 0..t.compute_hosts_per_rack {
                        fleet.push_host(rack, t.compute_host.clone(), None);
                    }
                    for _ in 0..t.memory_hosts_per_rack {
                        // Memory sizes alternate across the AZ.
                        let sizes = &t.memory_host_sizes_gib;
                        let size = if sizes.is_empty() { 512 } else { sizes[memory_hosts % sizes.len()] };
                        memory_hosts += 1;
                        fleet.push_host(rack, HostSpec::memory(size), None);
                    }
                }
            }
        }
        let mut errors = Vec::new();
        for extra in &params.extra_hosts {
            if let Err(e) = fleet.add_host(&extra.az, extra.rack, &extra.name, extra.spec.clone()) {
                errors.push(e);
            }
        }
        (fleet, errors)
    }

    fn add_az(&mut self, region: RegionId, name: &str) -> AzId {
        let id = AzId(self.azs.len() as u32);
        self.azs.push(Az { id, name: name.into(), region, data_centers: Vec::new(), available: true });
        self.regions[region.index()].azs.push(id);
        id
    }

    fn add_data_center(&mut self, az: AzId) -> DataCenterId {
        let id = DataCenterId(self.data_centers.len() as u32);
        let n = self.azs[az.index()].data_centers.len() + 1;
        let name = format!("{}-dc{}", self.azs[az.index()].name, n);
        self.data_centers.push(DataCenter { id, name, az, racks: Vec::new() });
        self.azs[az.index()].data_centers.push(id);
        id
    }

    fn add_rack(&mut self, dc: DataCenterId) -> RackId {
        let id = RackId(self.racks.len() as u32);
        let n = self.data_centers[dc.index()].racks.len() + 1;
        let name = format!("{}-r{:02}", self.data_centers[dc.index()].name, n);
        let az = self.data_centers[dc.index()].az;
        self.racks.push(Rack { id, name, data_center: dc, az, hosts: Vec::new() });
        self.data_centers[dc.index()].racks.push(id);
        id
    }

    fn push_host(&mut self, rack: RackId, spec: HostSpec, name: Option<&str>) -> HostId {
        let id = HostId(self.hosts.len() as u32);
        let r = &self.racks[rack.index()];
        let name = match name {
            Some(n) => n.to_string(),
            None => format!("{}-h{:02}", r.name, r.hosts.len() + 1),
        };
        self.hosts.push(Host {
            id,
            name,
            rack,
            data_center: r.data_center,
            az: r.az,
            spec,
            in_service: true,
            available: true,
        });
        self.racks[rack.index()].hosts.push(id);
        id
    }

    /// Adds a host named `name` to rack number `rack` (0-based) of the first data center of
    /// the AZ named `az`; a new rack is made if `rack` is `None` or past the last one.
    pub fn add_host(&mut self, az: &str, rack: Option<u32>, name: &str, spec: HostSpec) -> Result<HostId, FleetError> {
        let az = self.az_by_name(az).ok_or_else(|| FleetError::UnknownAz(az.into()))?;
        if self.host_by_name(name).is_some() {
            return Err(FleetError::DuplicateHost(name.into()));
        }
        let dc = match self.azs[az.index()].data_centers.first() {
            Some(&dc) => dc,
            None => self.add_data_center(az),
        };
        let racks = &self.data_centers[dc.index()].racks;
        let rack = match rack.and_then(|r| racks.get(r as usize).copied()) {
            Some(r) => r,
            None => self.add_rack(dc),
        };
        Ok(self.push_host(rack, spec, Some(name)))
    }

    /// Replaces a host's hardware description (an edit in the UI).
    pub fn set_host_spec(&mut self, host: HostId, spec: HostSpec) {
        self.hosts[host.index()].spec = spec;
    }

    /// Takes a host out of service (it keeps its VMs; placement skips it).
    pub fn retire_host(&mut self, host: HostId) {
        self.hosts[host.index()].in_service = false;
    }

    /// Marks an AZ as impaired (`false`) or healthy again.
    pub fn set_az_available(&mut self, az: AzId, available: bool) {
        self.azs[az.index()].available = available;
    }

    /// The AZ is lost (`true`: it refuses launches and every host in it is unavailable) or
    /// back. Returns how many hosts it holds.
    pub fn set_az_lost(&mut self, az: AzId, lost: bool) -> u32 {
        self.set_az_available(az, !lost);
        let mut n = 0;
        for h in self.hosts.iter_mut().filter(|h| h.az == az) {
            h.available = !lost;
            n += 1;
        }
        n
    }

    /// The host.
    pub fn host(&self, id: HostId) -> &Host {
        &self.hosts[id.index()]
    }
    /// The AZ.
    pub fn az(&self, id: AzId) -> &Az {
        &self.azs[id.index()]
    }
    /// The rack.
    pub fn rack(&self, id: RackId) -> &Rack {
        &self.racks[id.index()]
    }
    /// The AZ named `name` (full name such as `ap-northeast-2a`, or just its suffix `a`).
    pub fn az_by_name(&self, name: &str) -> Option<AzId> {
        self.azs
            .iter()
            .find(|a| a.name == name)
            .or_else(|| {
                let region = &self.regions.first()?.name;
                self.azs.iter().find(|a| a.name == format!("{region}{name}"))
            })
            .map(|a| a.id)
    }
    /// The host named `name`.
    pub fn host_by_name(&self, name: &str) -> Option<HostId> {
        self.hosts.iter().find(|h| h.name == name).map(|h| h.id)
    }
    /// Hosts in AZ `az`, in id order.
    pub fn hosts_in_az(&self, az: AzId) -> impl Iterator<Item = &Host> + '_ {
        self.hosts.iter().filter(move |h| h.az == az)
    }
}

impl fmt::Display for HostKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HostKind::Compute => "compute",
            HostKind::Memory => "memory-heavy",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fleet_has_four_azs_with_compute_and_memory_hosts() {
        let (fleet, errors) = Fleet::generate(&FleetParams::default());
        assert!(errors.is_empty());
        assert_eq!(fleet.azs.len(), 4);
        assert_eq!(fleet.azs[0].name, "ap-northeast-2a");
        // 3 racks x (6 compute + 2 memory) per AZ.
        assert_eq!(fleet.hosts.len(), 4 * 3 * 8);
        let a = fleet.az_by_name("a").unwrap();
        let in_a: Vec<_> = fleet.hosts_in_az(a).collect();
        assert_eq!(in_a.len(), 24);
        assert!(in_a.iter().any(|h| h.spec.kind == HostKind::Memory && h.spec.memory_gib == 1024));
        assert!(in_a.iter().any(|h| h.spec.kind == HostKind::Memory && h.spec.memory_gib == 512));
        let c = in_a.iter().find(|h| h.spec.kind == HostKind::Compute).unwrap();
        assert_eq!((c.spec.cores, c.spec.memory_gib, c.spec.hardware_threads()), (64, 256, 128));
        assert_eq!(c.name, "ap-northeast-2a-dc1-r01-h01");
        // Cached parents agree with the tree.
        for h in &fleet.hosts {
            assert!(fleet.rack(h.rack).hosts.contains(&h.id));
            assert_eq!(fleet.rack(h.rack).az, h.az);
        }
    }

    #[test]
    fn extra_hosts_are_added_and_bad_ones_reported() {
        let mut p = FleetParams { azs: vec!["a".into()], ..Default::default() };
        p.extra_hosts.push(ExtraHost {
            name: "busy-host".into(),
            az: "a".into(),
            rack: Some(1),
            spec: HostSpec { cpu_overcommit: 3.0, ..HostSpec::compute() },
        });
        p.extra_hosts.push(ExtraHost { name: "x".into(), az: "z".into(), rack: None, spec: HostSpec::compute() });
        p.extra_hosts.push(ExtraHost {
            name: "busy-host".into(),
            az: "a".into(),
            rack: None,
            spec: HostSpec::compute(),
        });
        let (fleet, errors) = Fleet::generate(&p);
        assert_eq!(errors, vec![FleetError::UnknownAz("z".into()), FleetError::DuplicateHost("busy-host".into())]);
        let h = fleet.host(fleet.host_by_name("busy-host").unwrap());
        assert_eq!(fleet.rack(h.rack).name, "ap-northeast-2a-dc1-r02");
        assert_eq!(h.spec.sellable_vcpus(), 384);
    }
}
