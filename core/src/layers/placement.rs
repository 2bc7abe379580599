//! The placement layer: which host a new instance lands on, and why.
//!
//! For a request the placement service picks the AZ (the one asked for, or the one with the most
//! free vCPUs), then looks at every host of that AZ: it *filters* the ones that cannot take the
//! instance (out of service, not enough vCPUs or memory, tenancy, placement-group rules) and
//! *scores* the rest (prefer emptier hosts to spread load, avoid hosts whose VMs keep the CPU
//! busy, keep cluster groups in one rack, move away from the previous host on stop/start,
//! keep memory-heavy hosts for memory-heavy types, plus a small seeded tie-break). The best
//! score wins and its capacity is reserved at once.
//!
//! Every decision is recorded as a [`PlacementDecision`]: the candidates, the reason each
//! filtered host was dropped, the score of the others, and the chosen host, so the UI can show
//! the decision. When nothing fits the error carries the same record.

use super::hypervisor::{HypervisorError, Hypervisors, Tenancy, VmId};
use super::physical::{AzId, Fleet, HostId, HostKind, RackId};
use crate::rng::SimRng;
use rand::Rng;
use serde::{Deserialize, Serialize};

// The instance-type table is the catalog's: one list of public sizes for the whole crate.
pub use crate::catalog::{instance_type, InstanceType, INSTANCE_TYPES};

/// How a placement group arranges its members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacementStrategy {
    /// Physically close: same rack where possible (low latency between members).
    Cluster,
    /// Far apart: every member on a distinct rack (a rack failure takes at most one).
    Spread,
}

/// A placement group and where its members are.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacementGroup {
    /// Its name.
    pub name: String,
    /// Its strategy.
    pub strategy: PlacementStrategy,
    /// Members: instance name and the host it is on.
    #[serde(default)]
    pub members: Vec<(String, HostId)>,
}

/// A request for a host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacementRequest {
    /// The instance, by name.
    pub instance: String,
    /// Its owner.
    pub account: String,
    /// vCPUs it needs.
    pub vcpus: u32,
    /// Memory it needs, GiB.
    pub memory_gib: f64,
    /// The AZ asked for, or `None` for the one with most free capacity.
    pub az: Option<AzId>,
    /// The placement group, by name.
    pub group: Option<String>,
    /// Tenancy.
    pub tenancy: Tenancy,
    /// A specific host (a dedicated host of the account).
    pub host: Option<HostId>,
    /// The host it ran on before a stop, which placement moves away from.
    pub previous_host: Option<HostId>,
}

impl PlacementRequest {
    /// A default-tenancy request for `instance` of type `itype`.
    pub fn new(instance: &str, itype: &InstanceType) -> Self {
        PlacementRequest {
            instance: instance.into(),
            account: "default".into(),
            vcpus: itype.vcpus,
            memory_gib: itype.memory_gib,
            az: None,
            group: None,
            tenancy: Tenancy::Default,
            host: None,
            previous_host: None,
        }
    }
}

/// What placement thought of one host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum CandidateVerdict {
    /// Dropped, with the reason.
    Filtered {
        /// Why, in words.
        reason: String,
    },
    /// Kept and scored (higher is better).
    Scored {
        /// The total.
        score: f64,
        /// The terms that made it, in words (e.g. `free 80% +32.0`).
        terms: Vec<String>,
    },
}

/// One host placement looked at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The host.
    pub host: HostId,
    /// Its name.
    pub host_name: String,
    /// What placement made of it.
    pub verdict: CandidateVerdict,
}

/// The record of one placement: enough to show the decision in the UI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacementDecision {
    /// The instance placed.
    pub instance: String,
    /// The AZ searched.
    pub az: AzId,
    /// Why this AZ.
    pub az_reason: String,
    /// Every host of the AZ and what placement made of it.
    pub candidates: Vec<Candidate>,
    /// The host chosen (none when nothing fit).
    pub chosen: Option<HostId>,
    /// The VM slot reserved on it.
    pub vm: Option<VmId>,
}

impl PlacementDecision {
    /// Candidates that were filtered out.
    pub fn filtered(&self) -> impl Iterator<Item = &Candidate> {
        self.candidates.iter().filter(|c| matches!(c.verdict, CandidateVerdict::Filtered { .. }))
    }
    /// The score of `host`, if it was scored.
    pub fn score_of(&self, host: HostId) -> Option<f64> {
        self.candidates.iter().find(|c| c.host == host).and_then(|c| match c.verdict {
            CandidateVerdict::Scored { score, .. } => Some(score),
            _ => None,
        })
    }
}

/// Why placement failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlacementError {
    /// No host in the AZ can take the instance; the decision says why each was dropped.
    #[error("InsufficientInstanceCapacity: no host in {az_name} can take {instance} ({vcpus} vCPU, {memory_gib} GiB): {summary}")]
    InsufficientCapacity {
        /// The instance.
        instance: String,
        /// The AZ.
        az_name: String,
        /// vCPUs asked.
        vcpus: u32,
        /// Memory asked.
        memory_gib: f64,
        /// The most common filter reasons.
        summary: String,
        /// The full record.
        decision: Box<PlacementDecision>,
    },
    /// The AZ asked for does not take launches.
    #[error("availability zone {0} is not available for launches")]
    AzUnavailable(String),
    /// A placement group name that does not exist.
    #[error("no placement group named `{0}`")]
    UnknownGroup(String),
}

/// The placement service: its groups and every decision it made.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// Placement groups.
    pub groups: Vec<PlacementGroup>,
    /// The last [`Placement::KEPT_DECISIONS`] decisions made, oldest first (each instance's
    /// own is kept by [`crate::layers::Infrastructure::placement_of`]).
    pub decisions: Vec<PlacementDecision>,
}

impl Placement {
    /// How many recent decisions [`Placement::decisions`] keeps.
    pub const KEPT_DECISIONS: usize = 64;

    fn remember(&mut self, decision: PlacementDecision) {
        if self.decisions.len() >= Self::KEPT_DECISIONS {
            self.decisions.remove(0);
        }
        self.decisions.push(decision);
    }

    /// Adds a placement group (a second group of the same name replaces nothing: it is ignored).
    pub fn add_group(&mut self, name: &str, strategy: PlacementStrategy) {
        if !self.groups.iter().any(|g| g.name == name) {
            self.groups.push(PlacementGroup { name: name.into(), strategy, members: Vec::new() });
        }
    }

    /// Removes `instance` from its group (it was stopped or terminated).
    pub fn forget(&mut self, instance: &str) {
        for g in &mut self.groups {
            g.members.retain(|(i, _)| i != instance);
        }
    }

    /// Records that `instance` sits on `host` as a member of `group` (for instances placed by
    /// configuration rather than by [`Placement::place`]).
    pub fn join(&mut self, group: &str, instance: &str, host: HostId) {
        if let Some(g) = self.groups.iter_mut().find(|g| g.name == group) {
            g.members.push((instance.into(), host));
        }
    }

    /// The AZ with the most free vCPUs on shared, in-service hosts (first by id on ties).
    pub fn az_with_most_free(fleet: &Fleet, hv: &Hypervisors) -> Option<(AzId, u32)> {
        let mut best: Option<(AzId, u32)> = None;
        for az in fleet.azs.iter().filter(|a| a.available) {
            let free: u32 = fleet
                .hosts_in_az(az.id)
                .map(|h| hv.host(h.id))
                .filter(|s| s.in_service && s.dedication.is_none())
                .map(|s| s.free_vcpus())
                .sum();
            if best.is_none_or(|(_, f)| free > f) {
                best = Some((az.id, free));
            }
        }
        best
    }

    /// Places the request: picks a host, reserves a VM slot on it and records the decision.
    pub fn place(
        &mut self,
        fleet: &Fleet,
        hv: &mut Hypervisors,
        req: &PlacementRequest,
        rng: &mut SimRng,
    ) -> Result<PlacementDecision, PlacementError> {
        let group = match &req.group {
            Some(name) => Some(
                self.groups
                    .iter()
                    .find(|g| &g.name == name)
                    .cloned()
                    .ok_or_else(|| PlacementError::UnknownGroup(name.clone()))?,
            ),
            None => None,
        };
        let member_racks: Vec<(RackId, &str)> =
            group.iter().flat_map(|g| g.members.iter()).map(|(i, h)| (fleet.host(*h).rack, i.as_str())).collect();
        let cluster_rack = match &group {
            Some(g) if g.strategy == PlacementStrategy::Cluster => member_racks.first().map(|r| r.0),
            _ => None,
        };

        // The AZ.
        let (az, az_reason) = if let Some(host) = req.host {
            (fleet.host(host).az, format!("the AZ of the requested host {}", fleet.host(host).name))
        } else if let Some(rack) = cluster_rack {
            let az = fleet.rack(rack).az;
            (az, format!("the AZ of cluster group `{}`", req.group.as_deref().unwrap_or_default()))
        } else if let Some(az) = req.az {
            (az, "the AZ asked for".to_string())
        } else {
            match Self::az_with_most_free(fleet, hv) {
                Some((az, free)) => (az, format!("most free capacity ({free} vCPUs free)")),
                None => return Err(PlacementError::AzUnavailable("any".into())),
            }
        };
        if !fleet.az(az).available {
            return Err(PlacementError::AzUnavailable(fleet.az(az).name.clone()));
        }

        let memory_type = req.memory_gib / req.vcpus.max(1) as f64 >= 8.0;
        let mut candidates = Vec::new();
        let mut best: Option<(HostId, f64)> = None;
        for host in fleet.hosts_in_az(az) {
            let verdict = 'v: {
                if let Some(target) = req.host {
                    if host.id != target {
                        break 'v CandidateVerdict::Filtered {
                            reason: format!("not the requested host {}", fleet.host(target).name),
                        };
                    }
                }
                if let Err(e) = hv.check_fit(host.id, req.vcpus, req.memory_gib, &req.account, &req.tenancy) {
                    break 'v CandidateVerdict::Filtered { reason: explain_fit(&e) };
                }
                if let Some(g) = &group {
                    if g.strategy == PlacementStrategy::Spread {
                        if let Some((_, who)) = member_racks.iter().find(|(r, _)| *r == host.rack) {
                            break 'v CandidateVerdict::Filtered {
                                reason: format!(
                                    "rack {} already holds `{who}` of spread group `{}`",
                                    fleet.rack(host.rack).name,
                                    g.name
                                ),
                            };
                        }
                    }
                }
                let s = hv.host(host.id);
                let mut terms = Vec::new();
                let mut score = 0.0;
                let free_after = (s.free_vcpus() - req.vcpus) as f64 / s.sellable_vcpus.max(1) as f64;
                score += 40.0 * free_after;
                terms.push(format!("{:.0}% vCPUs free after +{:.1}", free_after * 100.0, 40.0 * free_after));
                let load = hv.load(host.id);
                if load > 0.0 {
                    let pen = 50.0 * load.min(3.0);
                    score -= pen;
                    terms.push(format!("neighbours keep CPU {:.0}% busy -{pen:.1}", load * 100.0));
                }
                if let Some(rack) = cluster_rack {
                    if host.rack == rack {
                        score += 100.0;
                        terms.push("same rack as cluster group +100".into());
                    } else if fleet.rack(rack).data_center == host.data_center {
                        score += 30.0;
                        terms.push("same data center as cluster group +30".into());
                    }
                }
                if req.previous_host == Some(host.id) {
                    score -= 200.0;
                    terms.push("host it ran on before the stop -200".into());
                }
                match (host.spec.kind, memory_type) {
                    (HostKind::Memory, true) => {
                        score += 20.0;
                        terms.push("memory-heavy type on memory host +20".into());
                    }
                    (HostKind::Memory, false) => {
                        score -= 20.0;
                        terms.push("keeps memory host for memory-heavy types -20".into());
                    }
                    _ => {}
                }
                let jitter: f64 = rng.random::<f64>();
                score += jitter;
                terms.push(format!("tie-break +{jitter:.2}"));
                if best.is_none_or(|(_, b)| score > b) {
                    best = Some((host.id, score));
                }
                CandidateVerdict::Scored { score, terms }
            };
            candidates.push(Candidate { host: host.id, host_name: host.name.clone(), verdict });
        }

        let mut decision =
            PlacementDecision { instance: req.instance.clone(), az, az_reason, candidates, chosen: None, vm: None };
        let Some((host, _)) = best else {
            let summary = summarize(&decision);
            self.remember(decision.clone());
            return Err(PlacementError::InsufficientCapacity {
                instance: req.instance.clone(),
                az_name: fleet.az(az).name.clone(),
                vcpus: req.vcpus,
                memory_gib: req.memory_gib,
                summary,
                decision: Box::new(decision),
            });
        };
        let vm = hv
            .reserve(host, &req.instance, &req.account, req.vcpus, req.memory_gib, &req.tenancy)
            .expect("a scored host passed check_fit");
        decision.chosen = Some(host);
        decision.vm = Some(vm);
        if let Some(name) = &req.group {
            self.join(name, &req.instance, host);
        }
        self.remember(decision.clone());
        Ok(decision)
    }
}

fn explain_fit(e: &HypervisorError) -> String {
    match e {
        HypervisorError::NotEnoughCpu { free, wanted } => {
            format!("only {free} vCPUs free, {wanted} needed")
        }
        HypervisorError::NotEnoughMemory { free, wanted } => {
            format!("only {free:.0} GiB memory free, {wanted:.0} GiB needed")
        }
        other => other.to_string(),
    }
}

fn summarize(d: &PlacementDecision) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for c in d.filtered() {
        if let CandidateVerdict::Filtered { reason } = &c.verdict {
            let key = if reason.contains("vCPUs free") {
                "have too few free vCPUs".to_string()
            } else if reason.contains("memory free") {
                "have too little free memory".to_string()
            } else {
                reason.clone()
            };
            match counts.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += 1,
                None => counts.push((key, 1)),
            }
        }
    }
    if counts.is_empty() {
        return "the AZ has no hosts".into();
    }
    counts.iter().map(|(k, n)| format!("{n} host{} {k}", if *n == 1 { "" } else { "s" })).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::hypervisor::HypervisorParams;
    use crate::layers::physical::FleetParams;
    use crate::rng::rng_from_seed;

    fn small() -> (Fleet, Hypervisors) {
        let mut p = FleetParams { azs: vec!["a".into(), "b".into()], ..Default::default() };
        p.per_az.racks_per_data_center = 3;
        p.per_az.compute_hosts_per_rack = 2;
        p.per_az.memory_hosts_per_rack = 1;
        let (fleet, _) = Fleet::generate(&p);
        let hv = Hypervisors::new(&fleet, HypervisorParams::default());
        (fleet, hv)
    }

    #[test]
    fn instance_table_has_the_public_sizes() {
        let t = instance_type("t3.medium").unwrap();
        assert_eq!((t.vcpus, t.memory_gib), (2, 4.0));
        assert_eq!(instance_type("r5.4xlarge").unwrap().memory_gib, 128.0);
        assert_eq!(instance_type("c5.4xlarge").unwrap().vcpus, 16);
        assert!(instance_type("z9.huge").is_none());
        for family in ["t3", "m5", "c5", "r5"] {
            assert!(INSTANCE_TYPES.iter().filter(|t| t.name.starts_with(family)).count() >= 4);
        }
    }

    #[test]
    fn picks_the_az_with_most_free_capacity_when_none_asked() {
        let (fleet, mut hv) = small();
        let a = fleet.az_by_name("a").unwrap();
        let h = fleet.hosts_in_az(a).next().unwrap().id;
        hv.reserve(h, "filler", "x", 64, 64.0, &Tenancy::Default).unwrap();
        let mut p = Placement::default();
        let req = PlacementRequest::new("web-1", instance_type("m5.large").unwrap());
        let d = p.place(&fleet, &mut hv, &req, &mut rng_from_seed(1)).unwrap();
        assert_eq!(fleet.az(d.az).name, "ap-northeast-2b");
        assert!(d.az_reason.contains("most free"));
    }

    #[test]
    fn memory_types_prefer_memory_hosts_and_compute_types_avoid_them() {
        let (fleet, mut hv) = small();
        let mut p = Placement::default();
        let mut req = PlacementRequest::new("db", instance_type("r5.2xlarge").unwrap());
        req.az = fleet.az_by_name("a");
        let d = p.place(&fleet, &mut hv, &req, &mut rng_from_seed(3)).unwrap();
        assert_eq!(fleet.host(d.chosen.unwrap()).spec.kind, HostKind::Memory);
        let mut req = PlacementRequest::new("web", instance_type("c5.large").unwrap());
        req.az = fleet.az_by_name("a");
        let d = p.place(&fleet, &mut hv, &req, &mut rng_from_seed(3)).unwrap();
        assert_eq!(fleet.host(d.chosen.unwrap()).spec.kind, HostKind::Compute);
    }
}
