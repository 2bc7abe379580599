//! The hypervisor layer: each host's cores and memory sliced among isolated VMs, and the CPU
//! contention between those VMs.
//!
//! # The contention model
//! A host runs `hardware_threads × (1 − overhead)` vCPUs' worth of work (the overhead is the
//! virtualization tax, default 3%). Each VM asks for `vcpus × cpu_demand` of it. The host's load
//! is `ρ = Σ demand / capacity`.
//!
//! * Below capacity (`ρ ≤ 1`) a waking vCPU almost always finds a free hardware thread; the
//!   small queueing delay grows as the host fills: `steal = knee × ρ⁴` (knee = 5% at ρ = 1).
//! * Above capacity the hypervisor shares the threads in proportion to demand, so every
//!   runnable vCPU waits for a slice: `steal = 1 − (1 − knee) / ρ`.
//!
//! A request's CPU work then takes `1 / ((1 − overhead)(1 − steal))` times as long as on bare
//! metal: [`Hypervisors::service_time_multiplier`]. The stretch applies to every VM on the host,
//! whatever its own demand, which is the noisy-neighbour symptom: a VM whose guest sees 15% CPU
//! answers 2-3 times slower because a neighbour keeps the host's threads busy.
//!
//! Only hosts whose vCPUs outnumber their hardware threads (`cpu_overcommit > 1`) can be pushed
//! past `ρ = 1`; on a host without overcommit the stretch stays near the overhead.

use super::physical::{typed_id, Fleet, HostId};
use serde::{Deserialize, Serialize};

typed_id!(
    /// A VM slot on a host (reserved or running).
    VmId
);

/// Tunables of the hypervisor model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HypervisorParams {
    /// Share of each host's CPU the virtualization layer itself uses (Nitro: under 5%).
    pub overhead: f64,
    /// Steal a vCPU sees when the host's demand exactly equals its capacity.
    pub steal_at_full_load: f64,
}

impl Default for HypervisorParams {
    fn default() -> Self {
        HypervisorParams { overhead: 0.03, steal_at_full_load: 0.05 }
    }
}

/// Who a host is set aside for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dedication {
    /// A dedicated host allocated to the account: only it places instances there, by naming
    /// the host.
    Host {
        /// The owning account.
        account: String,
    },
    /// A dedicated instance: the host runs only this account's VMs while any are on it.
    Instance {
        /// The account whose VMs run here.
        account: String,
    },
}

impl Dedication {
    /// The account the host is set aside for.
    pub fn account(&self) -> &str {
        match self {
            Dedication::Host { account } | Dedication::Instance { account } => account,
        }
    }
}

/// Lifecycle of a VM slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VmState {
    /// Capacity is held for it but the VM is not created yet.
    Reserved,
    /// Created: it runs and takes CPU.
    Running,
    /// Released: its capacity is back on the host.
    Released,
}

/// One VM slot on a host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vm {
    /// Its id.
    pub id: VmId,
    /// The instance it belongs to, by name.
    pub instance: String,
    /// The account that owns it.
    pub account: String,
    /// The host it sits on.
    pub host: HostId,
    /// Cores it was given (vCPUs).
    pub vcpus: u32,
    /// Memory it was given, in GiB.
    pub memory_gib: f64,
    /// How busy its vCPUs are, 0.0 to 1.0 (what the guest's `top` shows, without steal).
    pub cpu_demand: f64,
    /// Its state.
    pub state: VmState,
}

/// One host's hypervisor: what it has, what it gave away, and to whom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostSlice {
    /// The host.
    pub host: HostId,
    /// Hardware threads.
    pub hardware_threads: u32,
    /// vCPUs it may hand out (threads × overcommit).
    pub sellable_vcpus: u32,
    /// Memory in GiB.
    pub memory_gib: f64,
    /// vCPUs handed out (reserved or running).
    pub used_vcpus: u32,
    /// Memory handed out, in GiB.
    pub used_memory_gib: f64,
    /// VMs reserved or running on it.
    pub vms: Vec<VmId>,
    /// Set aside for one account.
    pub dedication: Option<Dedication>,
    /// Placement skips it (mirrors the host being out of service).
    pub in_service: bool,
}

impl HostSlice {
    /// vCPUs still free.
    pub fn free_vcpus(&self) -> u32 {
        self.sellable_vcpus.saturating_sub(self.used_vcpus)
    }
    /// Memory still free, GiB.
    pub fn free_memory_gib(&self) -> f64 {
        (self.memory_gib - self.used_memory_gib).max(0.0)
    }
}

/// Why a VM cannot go on a host.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HypervisorError {
    /// Not enough free vCPUs.
    #[error("host has {free} free vCPUs, {wanted} needed")]
    NotEnoughCpu {
        /// Free vCPUs.
        free: u32,
        /// Requested vCPUs.
        wanted: u32,
    },
    /// Not enough free memory.
    #[error("host has {free:.0} GiB free memory, {wanted:.0} GiB needed")]
    NotEnoughMemory {
        /// Free GiB.
        free: f64,
        /// Requested GiB.
        wanted: f64,
    },
    /// The host is set aside for another account (or is a dedicated host not asked for).
    #[error("{0}")]
    Dedicated(String),
    /// The host is out of service.
    #[error("host is out of service")]
    OutOfService,
}

/// How a VM asks to share hardware.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tenancy {
    /// Shared hosts (the default).
    #[default]
    Default,
    /// A dedicated instance: on hardware that runs only this account's VMs.
    Dedicated,
    /// On the account's dedicated host.
    Host,
}

/// Every host's hypervisor, plus all VM slots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hypervisors {
    /// Parameters.
    pub params: HypervisorParams,
    /// One slice per host, indexed by [`HostId`].
    pub hosts: Vec<HostSlice>,
    /// Every VM slot ever made, indexed by [`VmId`].
    pub vms: Vec<Vm>,
}

impl Hypervisors {
    /// A hypervisor on every host of `fleet`, all empty.
    pub fn new(fleet: &Fleet, params: HypervisorParams) -> Self {
        let mut h = Hypervisors { params, hosts: Vec::new(), vms: Vec::new() };
        h.sync_with(fleet);
        h
    }

    /// Picks up hosts added to the fleet and spec edits (capacity changes keep the VMs).
    pub fn sync_with(&mut self, fleet: &Fleet) {
        for host in &fleet.hosts {
            let (threads, sellable, mem) =
                (host.spec.hardware_threads(), host.spec.sellable_vcpus(), host.spec.memory_gib as f64);
            match self.hosts.get_mut(host.id.index()) {
                Some(s) => {
                    s.hardware_threads = threads;
                    s.sellable_vcpus = sellable;
                    s.memory_gib = mem;
                    s.in_service = host.in_service;
                }
                None => self.hosts.push(HostSlice {
                    host: host.id,
                    hardware_threads: threads,
                    sellable_vcpus: sellable,
                    memory_gib: mem,
                    used_vcpus: 0,
                    used_memory_gib: 0.0,
                    vms: Vec::new(),
                    dedication: None,
                    in_service: host.in_service,
                }),
            }
        }
    }

    /// The slice of `host`.
    pub fn host(&self, host: HostId) -> &HostSlice {
        &self.hosts[host.index()]
    }
    /// The VM.
    pub fn vm(&self, vm: VmId) -> &Vm {
        &self.vms[vm.index()]
    }

    /// Allocates `host` as a dedicated host of `account`.
    pub fn allocate_dedicated_host(&mut self, host: HostId, account: &str) {
        self.hosts[host.index()].dedication = Some(Dedication::Host { account: account.into() });
    }

    /// Whether a VM of `vcpus` / `memory_gib` for `account` with `tenancy` fits on `host`;
    /// the error says why not.
    pub fn check_fit(
        &self,
        host: HostId,
        vcpus: u32,
        memory_gib: f64,
        account: &str,
        tenancy: &Tenancy,
    ) -> Result<(), HypervisorError> {
        let s = self.host(host);
        if !s.in_service {
            return Err(HypervisorError::OutOfService);
        }
        match (&s.dedication, tenancy) {
            (Some(Dedication::Host { account: a }), Tenancy::Host) if a == account => {}
            (Some(Dedication::Host { account: a }), _) if a == account => {
                return Err(HypervisorError::Dedicated(
                    "dedicated host of this account; only launches that target it land here".into(),
                ))
            }
            (Some(Dedication::Host { account: a }), _) => {
                return Err(HypervisorError::Dedicated(format!("dedicated host of account `{a}`")))
            }
            (None, Tenancy::Host) | (Some(Dedication::Instance { .. }), Tenancy::Host) => {
                return Err(HypervisorError::Dedicated("not a dedicated host of this account".into()))
            }
            (Some(Dedication::Instance { account: a }), _) if a != account => {
                return Err(HypervisorError::Dedicated(format!("runs dedicated instances of account `{a}`")))
            }
            (Some(Dedication::Instance { .. }), Tenancy::Default) => {
                return Err(HypervisorError::Dedicated(
                    "runs dedicated instances; shared-tenancy VMs go elsewhere".into(),
                ))
            }
            (None, Tenancy::Dedicated) => {
                if let Some(other) = s.vms.iter().map(|v| self.vm(*v)).find(|v| v.account != account) {
                    return Err(HypervisorError::Dedicated(format!(
                        "shared with account `{}`; a dedicated instance needs a host of its own",
                        other.account
                    )));
                }
            }
            _ => {}
        }
        if s.free_vcpus() < vcpus {
            return Err(HypervisorError::NotEnoughCpu { free: s.free_vcpus(), wanted: vcpus });
        }
        if s.free_memory_gib() + 1e-9 < memory_gib {
            return Err(HypervisorError::NotEnoughMemory { free: s.free_memory_gib(), wanted: memory_gib });
        }
        Ok(())
    }

    /// Reserves a VM slot on `host` (capacity is held from now on).
    pub fn reserve(
        &mut self,
        host: HostId,
        instance: &str,
        account: &str,
        vcpus: u32,
        memory_gib: f64,
        tenancy: &Tenancy,
    ) -> Result<VmId, HypervisorError> {
        self.check_fit(host, vcpus, memory_gib, account, tenancy)?;
        let id = VmId(self.vms.len() as u32);
        self.vms.push(Vm {
            id,
            instance: instance.into(),
            account: account.into(),
            host,
            vcpus,
            memory_gib,
            cpu_demand: 0.0,
            state: VmState::Reserved,
        });
        let s = &mut self.hosts[host.index()];
        s.used_vcpus += vcpus;
        s.used_memory_gib += memory_gib;
        s.vms.push(id);
        if *tenancy == Tenancy::Dedicated && s.dedication.is_none() {
            s.dedication = Some(Dedication::Instance { account: account.into() });
        }
        Ok(id)
    }

    /// Creates the VM in its reserved slot: from now on it runs and takes CPU.
    pub fn start(&mut self, vm: VmId) {
        if self.vms[vm.index()].state == VmState::Reserved {
            self.vms[vm.index()].state = VmState::Running;
        }
    }

    /// Releases the slot: capacity goes back to the host. Releasing twice does nothing.
    pub fn release(&mut self, vm: VmId) {
        let v = &mut self.vms[vm.index()];
        if v.state == VmState::Released {
            return;
        }
        v.state = VmState::Released;
        let (host, vcpus, mem) = (v.host, v.vcpus, v.memory_gib);
        let s = &mut self.hosts[host.index()];
        s.used_vcpus -= vcpus;
        s.used_memory_gib = (s.used_memory_gib - mem).max(0.0);
        s.vms.retain(|x| *x != vm);
        if s.vms.is_empty() && matches!(s.dedication, Some(Dedication::Instance { .. })) {
            s.dedication = None;
        }
    }

    /// Sets how busy the VM's vCPUs are (0.0 to 1.0); the engine feeds this from the load.
    pub fn set_cpu_demand(&mut self, vm: VmId, demand: f64) {
        self.vms[vm.index()].cpu_demand = demand.clamp(0.0, 1.0);
    }

    /// CPU the host can run, in vCPUs, after the virtualization overhead.
    pub fn capacity(&self, host: HostId) -> f64 {
        self.host(host).hardware_threads as f64 * (1.0 - self.params.overhead)
    }

    /// CPU demanded on the host by running VMs, in vCPUs.
    pub fn demand(&self, host: HostId) -> f64 {
        self.host(host)
            .vms
            .iter()
            .map(|v| self.vm(*v))
            .filter(|v| v.state == VmState::Running)
            .map(|v| v.vcpus as f64 * v.cpu_demand)
            .sum()
    }

    /// The host's load ρ: demand over capacity (above 1 means overcommitted).
    pub fn load(&self, host: HostId) -> f64 {
        let cap = self.capacity(host);
        if cap <= 0.0 {
            return 0.0;
        }
        self.demand(host) / cap
    }

    /// Share of its runnable time a vCPU on `host` spends waiting for a hardware thread.
    pub fn host_steal(&self, host: HostId) -> f64 {
        steal_at_load(self.load(host), self.params.steal_at_full_load)
    }

    /// Steal time of the VM in percent: the share of the time its vCPUs are runnable that they
    /// wait for the hypervisor to run them.
    pub fn steal_percent(&self, vm: VmId) -> f64 {
        self.host_steal(self.vm(vm).host) * 100.0
    }

    /// CPU utilization the guest itself reports, in percent (steal is not in it).
    pub fn guest_cpu_percent(&self, vm: VmId) -> f64 {
        self.vm(vm).cpu_demand * 100.0
    }

    /// How much longer a request's CPU work takes on this VM than on bare metal.
    pub fn service_time_multiplier(&self, vm: VmId) -> f64 {
        let steal = self.host_steal(self.vm(vm).host);
        1.0 / ((1.0 - self.params.overhead) * (1.0 - steal).max(1e-3))
    }

    /// Running or reserved VMs on `host` other than `vm`: its neighbours.
    pub fn neighbours(&self, vm: VmId) -> Vec<VmId> {
        let host = self.vm(vm).host;
        self.host(host).vms.iter().copied().filter(|v| *v != vm).collect()
    }
}

/// The steal curve described in the module docs.
pub fn steal_at_load(load: f64, knee: f64) -> f64 {
    if load <= 1.0 {
        // ρ⁴ by multiplication: the same bits on every target (no `powi` intrinsic).
        let l2 = load.max(0.0) * load.max(0.0);
        knee * l2 * l2
    } else {
        1.0 - (1.0 - knee) / load
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::physical::{FleetParams, HostSpec};

    fn one_host(overcommit: f64) -> (Fleet, Hypervisors) {
        let mut p = FleetParams { azs: vec!["a".into()], ..Default::default() };
        p.per_az.racks_per_data_center = 1;
        p.per_az.compute_hosts_per_rack = 1;
        p.per_az.memory_hosts_per_rack = 0;
        p.per_az.compute_host = HostSpec { cpu_overcommit: overcommit, ..HostSpec::compute() };
        let (fleet, _) = Fleet::generate(&p);
        let hv = Hypervisors::new(&fleet, HypervisorParams::default());
        (fleet, hv)
    }

    #[test]
    fn slices_cores_and_memory_like_the_seed_example() {
        let (_, mut hv) = one_host(1.0);
        let h = HostId(0);
        for (name, c, m) in [("A", 4, 16.0), ("B", 8, 32.0), ("C", 2, 8.0)] {
            hv.reserve(h, name, "acct", c, m, &Tenancy::Default).unwrap();
        }
        assert_eq!(hv.host(h).used_vcpus, 14);
        assert_eq!(hv.host(h).free_memory_gib(), 200.0);
        let err = hv.reserve(h, "big", "acct", 8, 512.0, &Tenancy::Default).unwrap_err();
        assert!(matches!(err, HypervisorError::NotEnoughMemory { .. }), "{err}");
        let err = hv.reserve(h, "wide", "acct", 200, 1.0, &Tenancy::Default).unwrap_err();
        assert_eq!(err, HypervisorError::NotEnoughCpu { free: 114, wanted: 200 });
    }

    #[test]
    fn quiet_host_costs_only_the_overhead() {
        let (_, mut hv) = one_host(1.0);
        let vm = hv.reserve(HostId(0), "a", "acct", 4, 16.0, &Tenancy::Default).unwrap();
        hv.start(vm);
        hv.set_cpu_demand(vm, 0.15);
        let m = hv.service_time_multiplier(vm);
        assert!((1.03..1.04).contains(&m), "{m}");
        assert!(hv.steal_percent(vm) < 0.01);
    }

    #[test]
    fn overcommitted_host_stretches_a_quiet_guest_two_to_three_times() {
        let (_, mut hv) = one_host(3.0);
        let victim = hv.reserve(HostId(0), "victim", "acct", 4, 16.0, &Tenancy::Default).unwrap();
        hv.start(victim);
        hv.set_cpu_demand(victim, 0.15);
        for i in 0..20 {
            let vm = hv.reserve(HostId(0), &format!("n{i}"), "other", 16, 8.0, &Tenancy::Default).unwrap();
            hv.start(vm);
            hv.set_cpu_demand(vm, 1.0);
        }
        let m = hv.service_time_multiplier(victim);
        assert!((2.0..=3.0).contains(&m), "multiplier {m}");
        assert_eq!(hv.guest_cpu_percent(victim), 15.0);
        assert!(hv.steal_percent(victim) > 50.0);
    }

    #[test]
    fn reserved_vms_hold_capacity_but_take_no_cpu_and_release_returns_it() {
        let (_, mut hv) = one_host(1.0);
        let vm = hv.reserve(HostId(0), "a", "acct", 64, 64.0, &Tenancy::Default).unwrap();
        hv.set_cpu_demand(vm, 1.0);
        assert_eq!(hv.demand(HostId(0)), 0.0);
        hv.start(vm);
        assert_eq!(hv.demand(HostId(0)), 64.0);
        hv.release(vm);
        hv.release(vm);
        assert_eq!(hv.host(HostId(0)).used_vcpus, 0);
        assert_eq!(hv.demand(HostId(0)), 0.0);
    }

    #[test]
    fn dedicated_hosts_and_instances_keep_others_out() {
        let (_, mut hv) = one_host(1.0);
        hv.allocate_dedicated_host(HostId(0), "acme");
        assert!(hv.check_fit(HostId(0), 2, 4.0, "other", &Tenancy::Default).is_err());
        assert!(hv.check_fit(HostId(0), 2, 4.0, "acme", &Tenancy::Default).is_err());
        assert!(hv.check_fit(HostId(0), 2, 4.0, "acme", &Tenancy::Host).is_ok());

        let (_, mut hv) = one_host(1.0);
        let vm = hv.reserve(HostId(0), "d", "acme", 2, 4.0, &Tenancy::Dedicated).unwrap();
        assert!(hv.check_fit(HostId(0), 2, 4.0, "other", &Tenancy::Dedicated).is_err());
        assert!(hv.check_fit(HostId(0), 2, 4.0, "acme", &Tenancy::Default).is_err());
        assert!(hv.check_fit(HostId(0), 2, 4.0, "acme", &Tenancy::Dedicated).is_ok());
        hv.release(vm);
        assert!(hv.check_fit(HostId(0), 2, 4.0, "other", &Tenancy::Default).is_ok());
    }

    #[test]
    fn steal_curve_is_continuous_and_monotone() {
        let k = 0.05;
        assert!((steal_at_load(1.0, k) - steal_at_load(1.0 + 1e-9, k)).abs() < 1e-6);
        let mut last = -1.0;
        for i in 0..100 {
            let s = steal_at_load(i as f64 * 0.05, k);
            assert!(s >= last);
            last = s;
        }
    }
}
