//! The `resilience` part of the report: availability overall and per minute, the error budget
//! against the document's SLO, one incident per experiment action (time to detect, time to
//! recover, requests failed, blast radius), the observation log, and what each connection's
//! resilience patterns did (retry amplification, breaker, bulkhead).

use super::core::{Observation, ObservationKind};
use super::outcomes::{self, ErrorBudget, MinuteAvailability};
use super::Simulation;
use crate::experiment::ActionKind;
use serde::Serialize;

/// Availability, budget, incidents and patterns of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResilienceReport {
    /// Share of client requests answered since the warm-up that succeeded (null before any).
    pub availability: Option<f64>,
    /// The SLO's error budget.
    pub error_budget: ErrorBudget,
    /// Availability per simulated minute since the start of the run.
    pub availability_per_minute: Vec<MinuteAvailability>,
    /// The experiment played, if any.
    pub experiment: Option<String>,
    /// Why and when the experiment was stopped early by a stop condition.
    pub stopped: Option<String>,
    /// One per action of the experiment that has started.
    pub incidents: Vec<Incident>,
    /// What happened, in order: actions, deaths, health checks that noticed, failovers,
    /// breakers, replacements.
    pub observations: Vec<Observation>,
    /// The control-plane calls made, in order (CloudTrail's records): deployments and their
    /// steps, rollbacks, alarm actions, injected pod faults.
    pub trail: Vec<super::core::TrailRecord>,
    /// Connections with resilience patterns.
    pub connections: Vec<ConnectionReport>,
}

/// What one experiment action did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incident {
    /// The action.
    pub action: ActionKind,
    /// Its target, in words.
    pub target: String,
    /// When it started, s.
    pub start_s: f64,
    /// When it ended (by its duration, a failover, a halted canary or a stop condition), s.
    pub end_s: Option<f64>,
    /// From the start to the first health check, breaker, canary check or failover that
    /// noticed, s; null if nothing noticed.
    pub time_to_detect_s: Option<f64>,
    /// When clients first saw availability below the SLO (over 10 s), s; null: never.
    pub impact_s: Option<f64>,
    /// From the start until client availability was back at the SLO (over 10 s), s; 0 when
    /// clients never noticed; null when it had not recovered by the end of the run.
    pub time_to_recover_s: Option<f64>,
    /// Client requests that failed from the impact to the recovery.
    pub requests_failed: u64,
    /// Components and client populations that answered errors from the impact to the recovery.
    pub blast_radius: Vec<String>,
}

/// What a connection's patterns did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConnectionReport {
    /// Caller.
    pub from: String,
    /// Callee.
    pub to: String,
    /// Calls the caller wanted to make (first attempts).
    pub calls: u64,
    /// Retries on top of them.
    pub retries: u64,
    /// Calls sent per call wanted: `(calls + retries) / calls`.
    pub amplification: f64,
    /// Calls failed at once by the open breaker.
    pub short_circuited: u64,
    /// Calls refused by the bulkhead.
    pub rejected: u64,
    /// Retries the retry budget refused.
    pub budget_exhausted: u64,
    /// Calls abandoned at the connection's timeout.
    pub timed_out: u64,
}

/// Kinds of observation that count as the system noticing a failure.
fn detects(kind: ObservationKind) -> bool {
    matches!(
        kind,
        ObservationKind::TargetUnhealthy
            | ObservationKind::RecordUnhealthy
            | ObservationKind::BreakerOpened
            | ObservationKind::CanaryHalted
            | ObservationKind::Failover
            | ObservationKind::InstanceReplaced
            | ObservationKind::ExperimentStopped
    )
}

pub(super) fn build(sim: &Simulation) -> ResilienceReport {
    let seconds = sim.core.outcomes.seconds();
    let (ok, bad) = outcomes::totals(seconds);
    let slo = sim.slo;
    let mut incidents = Vec::new();
    if let Some(run) = &sim.experiment {
        for (i, a) in run.actions.iter().enumerate() {
            if sim.core.now < a.start_ns || (!a.active && a.ended_at.is_none()) {
                continue;
            }
            let start_s = (a.start_ns / 1_000_000_000) as usize;
            let imp = outcomes::impact(seconds, start_s.min(seconds.len()), slo);
            let detected = sim
                .core
                .observations
                .iter()
                .find(|o| o.time_ns >= a.start_ns && detects(o.kind) && o.action.is_none_or(|x| x == i as u32))
                .map(|o| (o.time_ns - a.start_ns) as f64 / 1e9);
            let window = imp.impact_s.map(|from| (from, imp.recovered_s.unwrap_or(seconds.len())));
            incidents.push(Incident {
                action: a.kind,
                target: a.target.clone(),
                start_s: a.start_ns as f64 / 1e9,
                end_s: a.ended_at.map(|t| t as f64 / 1e9),
                time_to_detect_s: detected,
                impact_s: imp.impact_s.map(|s| s as f64),
                time_to_recover_s: imp.time_to_recover(a.start_ns as f64 / 1e9),
                requests_failed: imp.failed,
                blast_radius: window.map_or(Vec::new(), |(from, to)| sim.erring_components(from, to)),
            });
        }
    }
    ResilienceReport {
        availability: outcomes::availability(seconds),
        error_budget: outcomes::error_budget(slo, ok, bad),
        availability_per_minute: outcomes::per_minute(seconds),
        experiment: sim.experiment.as_ref().map(|r| r.name.clone()),
        stopped: sim.experiment.as_ref().and_then(|r| r.stopped.as_ref().map(|(_, why)| why.clone())),
        incidents,
        observations: sim.core.observations.clone(),
        trail: sim.core.trail.clone(),
        connections: sim.connection_reports(),
    }
}

impl Simulation {
    /// What every connection with resilience patterns did.
    fn connection_reports(&self) -> Vec<ConnectionReport> {
        self.core
            .conn_states
            .iter()
            .map(|(from, to, s)| ConnectionReport {
                from: self.core.meta[*from as usize].id.clone(),
                to: self.core.meta[*to as usize].id.clone(),
                calls: s.calls,
                retries: s.retries,
                amplification: if s.calls > 0 { (s.calls + s.retries) as f64 / s.calls as f64 } else { 1.0 },
                short_circuited: s.short_circuited,
                rejected: s.bulkhead_rejected,
                budget_exhausted: s.budget_exhausted,
                timed_out: s.timed_out,
            })
            .collect()
    }

    /// Components (and client populations) whose series show errors in seconds `from..to`.
    fn erring_components(&self, from: usize, to: usize) -> Vec<String> {
        let mut out = Vec::new();
        for (c, s) in self.core.stats.iter().enumerate() {
            let erred = s.series.iter().any(|p| {
                let t = p.t_s as usize;
                // A point covers the second before its time.
                t > from && t <= to + 1 && p.errors > 0
            });
            if erred {
                out.push(self.core.meta[c].id.clone());
            }
        }
        out
    }

    /// Client availability from `from_s` on, measured like an incident's (for disruptions that
    /// are not experiment actions, such as a traffic spike): (time to recover, requests failed).
    pub fn recovery_since(&self, from_s: f64) -> (Option<f64>, u64) {
        let seconds = self.core.outcomes.seconds();
        let start = (from_s.max(0.0) as usize).min(seconds.len());
        let imp = outcomes::impact(seconds, start, self.slo);
        (imp.time_to_recover(from_s), imp.failed)
    }
}
