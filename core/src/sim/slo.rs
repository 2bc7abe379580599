//! Service level objectives per client population: the availability objective (the
//! population's own, or the document's) with its error budget, and an optional latency
//! objective ("99% of successful requests within 300 ms") with its own budget of slow requests.

use serde::Serialize;

use super::outcomes::{burned, error_budget, ErrorBudget};
use super::stats::{count_above, quantiles_across, Histogram};
use crate::topology::{ClientSlo, LatencyObjective};

/// How a client population stands against its objectives.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct SloReport {
    /// The availability objective, percent.
    pub availability_objective_percent: f64,
    /// Share of answered requests that succeeded, percent (`null` before any answer).
    pub availability_percent: Option<f64>,
    /// The failures the objective allows over the requests answered, and how much of that the
    /// run used (`burned` above 1: the objective is missed).
    pub error_budget: ErrorBudget,
    /// The latency objective, when the population has one.
    pub latency: Option<LatencyCompliance>,
    /// Every objective met so far (a population with no answer yet has missed nothing).
    pub met: bool,
}

/// How fast a population's successful requests were against its latency objective.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct LatencyCompliance {
    /// Percent of successful requests that must be within the target.
    pub percentile: f64,
    /// The target, ms.
    pub target_ms: f64,
    /// The population's latency at that percentile, ms (0 before any success).
    pub actual_ms: f64,
    /// Successful requests slower than the target (to the histograms' bucket precision, 1/32).
    pub slow: u64,
    /// Slow requests the objective allows over the successes so far.
    pub allowed_slow: f64,
    /// `slow / allowed_slow`: the share of the latency budget used.
    pub burned: f64,
    /// `actual_ms <= target_ms`.
    pub met: bool,
}

/// A population's objectives with the document's availability objective (percent) filled in
/// where it sets none.
pub(super) fn resolve(slo: &ClientSlo, document: f64) -> ClientSlo {
    ClientSlo { availability_percent: Some(slo.availability_percent.unwrap_or(document)), latency: slo.latency }
}

/// The objectives (resolved) of a population with `successes` and `failures` so far and the
/// latency histograms `lat` (ns) of its successful requests.
pub(super) fn assess<'a>(
    slo: &ClientSlo,
    successes: u64,
    failures: u64,
    lat: impl Iterator<Item = &'a Histogram> + Clone,
) -> SloReport {
    let objective = slo.availability_percent.unwrap_or(100.0);
    let budget = error_budget(objective / 100.0, successes, failures);
    let answered = successes + failures;
    let availability = (answered > 0).then(|| successes as f64 / answered as f64 * 100.0);
    let latency = slo.latency.map(|o| latency(o, successes, lat));
    SloReport {
        availability_objective_percent: objective,
        availability_percent: availability,
        error_budget: budget,
        latency,
        met: availability.is_none_or(|a| a >= objective) && latency.is_none_or(|l| l.met),
    }
}

fn latency<'a>(
    o: LatencyObjective,
    successes: u64,
    lat: impl Iterator<Item = &'a Histogram> + Clone,
) -> LatencyCompliance {
    let target_ns = (o.target_ms * 1e6).round() as u64;
    let actual_ms = quantiles_across(lat.clone(), [o.percentile / 100.0])[0] as f64 / 1e6;
    let slow = count_above(lat, target_ns);
    let allowed = (1.0 - o.percentile / 100.0) * successes as f64;
    LatencyCompliance {
        percentile: o.percentile,
        target_ms: o.target_ms,
        actual_ms,
        slow,
        allowed_slow: allowed,
        burned: burned(slow, allowed),
        met: actual_ms <= o.target_ms,
    }
}
