//! A resilience assessment: a standard battery of disruptions run against one design, graded by
//! disruption type (software, hardware, AZ, region) in a report card.
//!
//! The battery (each a generated [`Experiment`] or traffic change, run on its own with the same
//! seed): lose an instance, lose a host, lose an AZ, lose the region, a dependency slows 10x, a
//! bad configuration push, a 5x traffic spike. Every run lasts [`RUN_S`] seconds with the
//! disruption at [`FAULT_AT_S`]; availability, time to detect and time to recover come from the
//! engine's own incident report ([`crate::sim::Incident`]). The recovery point objective is not
//! simulated (no data is written anywhere): it follows from the design's data stores and what
//! the disruption takes away, and each row says why ([`CardRow::rpo_basis`]).

use crate::experiment::{Action, ActionKind, ActionParams, Disruption, Experiment, Target};
use crate::sim::{BuildError, SimConfig, Simulation};
use crate::time::SimTime;
use crate::topology::{Arrival, ComponentKind, ComponentSpec, ContainerKind, DrCopy, Topology};
use serde::Serialize;

/// Seconds each battery run lasts.
pub const RUN_S: f64 = 900.0;
/// When the disruption starts, s.
pub const FAULT_AT_S: f64 = 120.0;
/// How long a disruption with an end lasts, s.
pub const FAULT_FOR_S: f64 = 300.0;

/// One row of the report card.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CardRow {
    /// Its disruption type.
    pub disruption: Disruption,
    /// What was done, in words.
    pub scenario: String,
    /// The action, or `None` for a traffic spike (a change of load, not a failure).
    pub action: Option<ActionKind>,
    /// What it was aimed at.
    pub target: String,
    /// Share of client requests that succeeded over the whole run.
    pub availability: Option<f64>,
    /// From the disruption to the first health check, alarm or breaker that noticed it, s.
    pub time_to_detect_s: Option<f64>,
    /// Recovery time: from the disruption until client availability is back at the SLO, s;
    /// `None` when it did not recover within the run; 0 when clients never noticed.
    pub rto_s: Option<f64>,
    /// Recovery point: data that would be lost, as seconds of writes; `None` when no copy of
    /// the data survives outside what was lost.
    pub rpo_s: Option<f64>,
    /// Why the RPO is what it is.
    pub rpo_basis: String,
    /// Client requests that failed from the impact to the recovery.
    pub requests_failed: u64,
    /// Whether availability stayed at or above the SLO over the run.
    pub meets_slo: bool,
}

/// A disruption type's grade: its worst row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Grade {
    /// The disruption type.
    pub disruption: Disruption,
    /// Worst availability among its rows.
    pub availability: Option<f64>,
    /// Worst RTO among its rows (`None` if one did not recover).
    pub rto_s: Option<f64>,
    /// Worst RPO among its rows (`None` if one loses data without a copy).
    pub rpo_s: Option<f64>,
    /// Whether every row met the SLO.
    pub meets_slo: bool,
}

/// The report card of one design.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    /// The design's name.
    pub design: String,
    /// The seed every run used.
    pub seed: u64,
    /// The availability objective the runs were judged against.
    pub slo: f64,
    /// Availability with no disruption, same length and seed.
    pub baseline_availability: Option<f64>,
    /// One row per disruption of the battery that applies to the design.
    pub rows: Vec<CardRow>,
    /// Disruptions of the battery the design has nothing to aim at (e.g. no host without an
    /// `infrastructure`), with the reason.
    pub skipped: Vec<String>,
    /// One grade per disruption type, worst row first.
    pub grades: Vec<Grade>,
}

/// Runs the battery against `t`. Fails only if the design itself does not build.
pub fn assess(t: &Topology, seed: u64) -> Result<Assessment, BuildError> {
    let mut a = Assessor::new(t, seed)?;
    while !a.advance(crate::time::Duration::from_secs(RUN_S as u64))? {}
    Ok(a.card())
}

/// One run of the battery: the design as it runs (with the disruption's experiment, or its
/// traffic changed), and what it is for.
#[derive(Debug)]
pub struct BatteryRun {
    /// What is done, e.g. `lose an availability zone` (`no disruption` for the baseline).
    pub scenario: &'static str,
    /// The design this run simulates.
    pub design: Topology,
    /// The experiment of `design` it plays, by name.
    pub experiment: Option<String>,
    disruption: Disrupt,
}

/// What a battery run changes.
#[derive(Debug)]
enum Disrupt {
    /// Nothing: the baseline.
    Nothing,
    /// Every client's traffic, five times over for [`FAULT_FOR_S`].
    Spike,
    /// The experiment's one action.
    Action(Box<Action>),
}

/// The battery run by run, so a caller with a frame budget (the app's worker) can show progress
/// and stop it: [`Assessor::advance`] a slice of simulated time at a time, then
/// [`Assessor::card`]. [`assess`] is the same, all at once.
#[derive(Debug)]
pub struct Assessor {
    seed: u64,
    slo: f64,
    design: String,
    /// The baseline first, then one per row of the card.
    runs: Vec<BatteryRun>,
    skipped: Vec<String>,
    /// The run under way (index into `runs`) and its simulation.
    current: Option<(usize, Simulation)>,
    /// Runs finished.
    done: Vec<RunResult>,
}

/// The name of the experiment a battery run adds to the design.
pub const EXPERIMENT: &str = "assessment";

impl Assessor {
    /// Plans the battery against `t`. Fails only if the design itself does not build.
    pub fn new(t: &Topology, seed: u64) -> Result<Assessor, BuildError> {
        let mut runs = vec![BatteryRun {
            scenario: "no disruption",
            design: t.clone(),
            experiment: None,
            disruption: Disrupt::Nothing,
        }];
        let mut skipped = Vec::new();
        for (scenario, plan) in battery(t) {
            match plan {
                Plan::Skip(why) => skipped.push(format!("{scenario}: {why}")),
                Plan::Spike => {
                    let mut spiked = t.clone();
                    for c in &mut spiked.components {
                        if let ComponentSpec::Client(p) = &mut c.spec {
                            let base = p.arrival.rate_at(FAULT_AT_S);
                            p.arrival = Arrival::Spike {
                                base_rps: base,
                                peak_rps: base * 5.0,
                                at_s: FAULT_AT_S,
                                duration_s: FAULT_FOR_S,
                            };
                        }
                    }
                    runs.push(BatteryRun { scenario, design: spiked, experiment: None, disruption: Disrupt::Spike });
                }
                Plan::Action(action) => {
                    let mut doc = t.clone();
                    let mut list = doc.experiments();
                    list.retain(|e| e.name != EXPERIMENT);
                    list.push(Experiment {
                        name: EXPERIMENT.into(),
                        description: scenario.into(),
                        actions: vec![(*action).clone()],
                        stop_conditions: Vec::new(),
                    });
                    doc.set_experiments(&list);
                    runs.push(BatteryRun {
                        scenario,
                        design: doc,
                        experiment: Some(EXPERIMENT.into()),
                        disruption: Disrupt::Action(action),
                    });
                }
            }
        }
        let first = Simulation::new(t, SimConfig::with_seed(seed))?;
        Ok(Assessor {
            seed,
            slo: t.slo.availability(),
            design: t.name.clone(),
            runs,
            skipped,
            current: Some((0, first)),
            done: Vec::new(),
        })
    }

    /// Every run: the baseline first, then one per row of the card, in the card's order.
    pub fn runs(&self) -> &[BatteryRun] {
        &self.runs
    }

    /// How far the battery is, 0 to 1 (runs finished, and the share of the current one).
    pub fn progress(&self) -> f64 {
        let within = self.current.as_ref().map_or(0.0, |(_, sim)| sim.now().as_secs_f64() / RUN_S);
        (self.done.len() as f64 + within.min(1.0)) / self.runs.len() as f64
    }

    /// The run under way, if the battery is not finished.
    pub fn running(&self) -> Option<&BatteryRun> {
        self.current.as_ref().map(|(i, _)| &self.runs[*i])
    }

    /// Simulates up to `by` more of the battery (finishing a run and starting the next as they
    /// come). Returns true once every run is done.
    pub fn advance(&mut self, by: crate::time::Duration) -> Result<bool, BuildError> {
        let Some((i, sim)) = &mut self.current else { return Ok(true) };
        let end = SimTime::from_secs(RUN_S as u64);
        sim.step_until(sim.now().saturating_add(by).min(end));
        if sim.now() < end {
            return Ok(false);
        }
        let report = sim.report();
        self.done.push(RunResult {
            availability: report.resilience.availability,
            spike_recovery: sim.recovery_since(FAULT_AT_S),
            resilience: report.resilience,
        });
        let next = *i + 1;
        self.current = match self.runs.get(next) {
            Some(r) => {
                let config = SimConfig { experiment: r.experiment.clone(), ..SimConfig::with_seed(self.seed) };
                Some((next, Simulation::new(&r.design, config)?))
            }
            None => None,
        };
        Ok(self.current.is_none())
    }

    /// The card. Call once [`Assessor::advance`] has returned true (runs not yet done are left
    /// out).
    pub fn card(&self) -> Assessment {
        let slo = self.slo;
        let baseline = self.done.first().and_then(|r| r.availability);
        let mut rows = Vec::new();
        for (run, r) in self.runs.iter().zip(&self.done) {
            rows.push(match &run.disruption {
                Disrupt::Nothing => continue,
                Disrupt::Spike => CardRow {
                    disruption: Disruption::Software,
                    scenario: run.scenario.into(),
                    action: None,
                    target: "every client population".into(),
                    availability: r.availability,
                    time_to_detect_s: None,
                    rto_s: r.spike_recovery.0,
                    rpo_s: Some(0.0),
                    rpo_basis: "a traffic spike loses no stored data".into(),
                    requests_failed: r.spike_recovery.1,
                    meets_slo: r.availability.is_none_or(|a| a >= slo),
                },
                Disrupt::Action(action) => {
                    let original = &self.runs[0].design;
                    let (rpo_s, rpo_basis) = recovery_point(original, action);
                    let incident = r.resilience.incidents.first();
                    CardRow {
                        disruption: action.action.disruption(),
                        scenario: run.scenario.into(),
                        action: Some(action.action),
                        target: action.target.to_string(),
                        availability: r.availability,
                        time_to_detect_s: incident.and_then(|i| i.time_to_detect_s),
                        rto_s: incident.map_or(Some(0.0), |i| i.time_to_recover_s),
                        rpo_s,
                        rpo_basis,
                        requests_failed: incident.map_or(0, |i| i.requests_failed),
                        meets_slo: r.availability.is_none_or(|a| a >= slo),
                    }
                }
            });
        }
        let grades = grades(&rows);
        Assessment {
            design: self.design.clone(),
            seed: self.seed,
            slo,
            baseline_availability: baseline,
            rows,
            skipped: self.skipped.clone(),
            grades,
        }
    }
}

/// One grade per disruption type with rows: its worst figures.
fn grades(rows: &[CardRow]) -> Vec<Grade> {
    [Disruption::Software, Disruption::Hardware, Disruption::Az, Disruption::Region]
        .into_iter()
        .filter_map(|d| {
            let of: Vec<&CardRow> = rows.iter().filter(|r| r.disruption == d).collect();
            if of.is_empty() {
                return None;
            }
            let worst = |f: fn(&CardRow) -> Option<f64>, lower_is_worse: bool| {
                let mut out: Option<f64> = f(of[0]);
                for r in &of[1..] {
                    out = match (out, f(r)) {
                        (None, _) | (_, None) if !lower_is_worse => None,
                        (Some(a), Some(b)) => Some(if lower_is_worse { a.min(b) } else { a.max(b) }),
                        (a, b) => a.or(b),
                    };
                }
                out
            };
            Some(Grade {
                disruption: d,
                availability: worst(|r| r.availability, true),
                rto_s: worst(|r| r.rto_s, false),
                rpo_s: worst(|r| r.rpo_s, false),
                meets_slo: of.iter().all(|r| r.meets_slo),
            })
        })
        .collect()
}

#[derive(Debug)]
struct RunResult {
    availability: Option<f64>,
    resilience: crate::sim::ResilienceReport,
    /// Time to recover and requests failed measured from [`FAULT_AT_S`] (for the spike).
    spike_recovery: (Option<f64>, u64),
}

enum Plan {
    Action(Box<Action>),
    Spike,
    Skip(String),
}

fn act(action: ActionKind, target: Target, duration: bool, params: ActionParams) -> Plan {
    Plan::Action(Box::new(Action {
        action,
        target,
        start_s: FAULT_AT_S,
        duration_s: duration.then_some(FAULT_FOR_S),
        params,
    }))
}

/// The battery as it applies to `t`.
fn battery(t: &Topology) -> Vec<(&'static str, Plan)> {
    let compute = t.components.iter().find(|c| matches!(c.spec.kind(), ComponentKind::Asg | ComponentKind::Ec2));
    let instance = compute.map(|c| Target::Instance { component: c.id.clone(), index: 0 });
    let busiest_az = busiest(t, ContainerKind::Az);
    let busiest_region = busiest(t, ContainerKind::Region);
    let skip = |why: &str| Plan::Skip(why.into());
    // The deepest dependency a compute component calls: the connection to slow down.
    let dependency = t.connections.iter().rev().find(|c| {
        t.component(&c.from).is_some_and(|f| matches!(f.spec.kind(), ComponentKind::Asg | ComponentKind::Ec2))
    });
    let push_target = t
        .components
        .iter()
        .find(|c| c.spec.kind() == ComponentKind::Cloudfront)
        .or(compute)
        .map(|c| Target::Component(c.id.clone()));
    vec![
        (
            "lose an instance",
            instance.clone().map_or(skip("no EC2 instance or Auto Scaling group"), |i| {
                act(ActionKind::TerminateInstance, i, false, ActionParams::default())
            }),
        ),
        (
            "lose a host",
            instance.map_or(skip("no EC2 instance or Auto Scaling group"), |i| {
                act(ActionKind::HostFailure, i, false, ActionParams::default())
            }),
        ),
        (
            "lose an availability zone",
            busiest_az.map_or(skip("nothing is placed in an AZ"), |z| {
                act(ActionKind::AzOutage, Target::Az(z), true, ActionParams::default())
            }),
        ),
        (
            "lose the region",
            busiest_region.map_or(skip("nothing is placed in a region"), |r| {
                act(ActionKind::RegionOutage, Target::Region(r), true, ActionParams::default())
            }),
        ),
        (
            "a dependency slows down 10x",
            dependency.map_or(skip("no compute component calls a dependency"), |c| {
                let mean = t.component(&c.to).map_or(5.0, |x| mean_latency_ms(&x.spec));
                act(
                    ActionKind::NetworkLatency,
                    Target::Connection { from: c.from.clone(), to: c.to.clone() },
                    true,
                    ActionParams { latency_ms: Some((mean * 9.0).max(1.0)), ..ActionParams::default() },
                )
            }),
        ),
        (
            "a bad configuration pushed everywhere at once",
            push_target.map_or(skip("no component to push a configuration to"), |c| {
                act(ActionKind::ConfigPush, c, true, ActionParams::default())
            }),
        ),
        ("a 5x traffic spike", Plan::Spike),
    ]
}

/// Whether container `at` is `container` or lies inside it (a subnet belongs to its AZ even when
/// its parent is the VPC).
fn within(t: &Topology, container: &str, at: Option<&str>) -> bool {
    let mut at = at;
    // Nesting is validated acyclic; the bound only guards a document built without validation.
    for _ in 0..16 {
        let Some(id) = at else { return false };
        if id == container {
            return true;
        }
        let Some(c) = t.container(id) else { return false };
        if c.az.as_deref() == Some(container) {
            return true;
        }
        at = c.parent.as_deref();
    }
    false
}

/// The container of `kind` holding the most components (directly or below), if any.
fn busiest(t: &Topology, kind: ContainerKind) -> Option<String> {
    let holds = |container: &str, at: Option<&str>| within(t, container, at);
    t.containers
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| {
            let n = t.components.iter().filter(|x| holds(&c.id, x.container.as_deref())).count()
                + t.components
                    .iter()
                    .filter_map(|x| match &x.spec {
                        ComponentSpec::Asg(a) => Some(a.subnets.iter().filter(|s| holds(&c.id, Some(s))).count()),
                        _ => None,
                    })
                    .sum::<usize>();
            (n, c.id.clone())
        })
        .filter(|(n, _)| *n > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, id)| id)
}

fn mean_latency_ms(spec: &ComponentSpec) -> f64 {
    match spec {
        ComponentSpec::Rds(p) => p.query_time.mean_ms(),
        ComponentSpec::Elasticache(p) => p.service_time.mean_ms(),
        ComponentSpec::Ec2(p) => p.service_time.mean_ms(),
        ComponentSpec::Asg(p) => p.service_time.mean_ms(),
        ComponentSpec::Dynamodb(p) => p.read_latency.mean_ms(),
        ComponentSpec::S3(p) => p.get_latency.mean_ms(),
        ComponentSpec::Lambda(p) => p.duration.mean_ms(),
        _ => 5.0,
    }
}

/// The recovery point of a disruption: what the design's data stores would lose, as seconds of
/// writes (`None`: no copy survives), and why. For a region's loss, each database and table in
/// it needs a copy outside it: a disaster-recovery RDS copy (`dr_copy`: a replica behind by its
/// `replication_lag_ms`, or backups every `backup_interval_s`; the freshest copy counts) or a
/// DynamoDB global table (behind by `global_table_lag_ms`); the worst store sets the RPO.
pub fn recovery_point(t: &Topology, a: &Action) -> (Option<f64>, String) {
    let dbs: Vec<&crate::topology::Component> =
        t.components.iter().filter(|c| matches!(c.spec, ComponentSpec::Rds(_))).collect();
    let in_container = |c: &crate::topology::Component, id: &str| within(t, id, c.container.as_deref());
    match (&a.action, &a.target) {
        (ActionKind::AzOutage, Target::Az(z)) => {
            let lost: Vec<&str> = dbs
                .iter()
                .filter(|d| in_container(d, z))
                .filter(|d| matches!(&d.spec, ComponentSpec::Rds(p) if !p.multi_az))
                .map(|d| d.id.as_str())
                .collect();
            if lost.is_empty() {
                (Some(0.0), "no single-AZ database in the AZ: Multi-AZ standbys commit synchronously".into())
            } else {
                (
                    Some(300.0),
                    format!(
                        "single-AZ database {} restored to its latest restorable time (transaction logs reach backup storage every 5 minutes)",
                        lost.join(", ")
                    ),
                )
            }
        }
        (ActionKind::RegionOutage, Target::Region(r)) => {
            let outside = |c: &&crate::topology::Component| !in_container(c, r);
            // How far behind the freshest copy outside the region is, and what it is.
            let copy_of = |c: &crate::topology::Component| -> Option<(f64, String)> {
                match &c.spec {
                    ComponentSpec::Rds(_) => dbs
                        .iter()
                        .filter(|d| outside(d))
                        .filter_map(|d| match &d.spec {
                            ComponentSpec::Rds(p) if p.dr_copy == DrCopy::Replica => Some((
                                p.replication_lag_ms / 1000.0,
                                format!("cross-region replica {} ({} ms behind)", d.id, p.replication_lag_ms),
                            )),
                            ComponentSpec::Rds(p) if p.dr_copy == DrCopy::Backup => Some((
                                p.backup_interval_s,
                                format!("backups copied to {} every {} s", d.id, p.backup_interval_s),
                            )),
                            _ => None,
                        })
                        .min_by(|a, b| a.0.total_cmp(&b.0)),
                    ComponentSpec::Dynamodb(p) => {
                        let lag = p.global_table_lag_ms?;
                        let replica = t.components.iter().filter(outside).find(
                            |x| matches!(&x.spec, ComponentSpec::Dynamodb(q) if q.global_table_lag_ms.is_some()),
                        )?;
                        Some((lag / 1000.0, format!("global table replica {} ({lag} ms behind)", replica.id)))
                    }
                    _ => None,
                }
            };
            let lost: Vec<&crate::topology::Component> = t
                .components
                .iter()
                .filter(|c| matches!(c.spec, ComponentSpec::Rds(_) | ComponentSpec::Dynamodb(_)))
                .filter(|c| in_container(c, r))
                .collect();
            if lost.is_empty() {
                return (Some(0.0), "no database in the region".into());
            }
            let mut worst = (0.0f64, Vec::new());
            for c in lost {
                match copy_of(c) {
                    None => {
                        return (
                            None,
                            format!(
                                "{} has no copy outside the region: its data is unreachable until the region returns",
                                c.id
                            ),
                        )
                    }
                    Some((behind, what)) => {
                        worst.0 = worst.0.max(behind);
                        worst.1.push(format!("{}: {what}", c.id));
                    }
                }
            }
            (Some(worst.0), worst.1.join("; "))
        }
        _ => (Some(0.0), "no stored data is lost: instances are stateless and databases keep their storage".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(name: &str) -> Topology {
        let path = format!("{}/../public/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
        Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_battery_stepped_in_slices_equals_it_at_once_and_progress_only_grows() {
        let t = design("az-outage-multi-az");
        let whole = assess(&t, 1).unwrap();
        let mut a = Assessor::new(&t, 1).unwrap();
        let mut last = a.progress();
        let mut steps = 0;
        while !a.advance(crate::time::Duration::from_millis(2_500)).unwrap() {
            let p = a.progress();
            assert!((last..1.0).contains(&p), "progress {p} after {last}");
            last = p;
            steps += 1;
        }
        assert!(steps > a.runs().len() * 100, "{steps} slices");
        assert_eq!(a.running().map(|r| r.scenario), None);
        assert_eq!(a.card(), whole);
        // The baseline, then one run per row, each with its own design and experiment.
        assert_eq!(a.runs().len(), whole.rows.len() + 1);
        assert_eq!(a.runs()[0].experiment, None);
        for (run, row) in a.runs()[1..].iter().zip(&whole.rows) {
            assert_eq!(run.scenario, row.scenario);
            assert_eq!(run.experiment.is_some(), row.action.is_some());
        }
        let kinds: Vec<Disruption> = whole.grades.iter().map(|g| g.disruption).collect();
        assert_eq!(kinds, [Disruption::Software, Disruption::Hardware, Disruption::Az, Disruption::Region]);
    }
}
