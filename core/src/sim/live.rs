//! What a live view reads while a run plays, straight from the engine's counters: a client
//! population's totals and a component's utilisation. Nothing is built or allocated (a full
//! [`Simulation::report`] also lays out the layers, resilience and cost), and the report uses the
//! same counters and the same [`LatencySummary::across`], so the two always agree.

use super::report::ErrorCounts;
use super::stats::{count_above, LatencySummary};
use super::{ComponentIdx, Simulation};
use crate::topology::ComponentKind;

/// One client population's figures since the warm-up ended, as the report's `clients` row has
/// them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClientTotals<'a> {
    /// Component id.
    pub id: &'a str,
    /// Requests sent.
    pub requests: u64,
    /// Requests answered successfully.
    pub successes: u64,
    /// Requests failed, by cause.
    pub errors: ErrorCounts,
    /// Successful requests per second of measured time.
    pub throughput_rps: f64,
    /// Latency of the successful requests.
    pub latency: LatencySummary,
}

impl ClientTotals<'_> {
    /// Share of answered requests that succeeded (`None` before any answer).
    pub fn success_rate(&self) -> Option<f64> {
        let answered = self.successes + self.errors.total;
        (answered > 0).then(|| self.successes as f64 / answered as f64)
    }
}

impl Simulation {
    /// Every client population's totals now, in engine order.
    pub fn client_totals(&self) -> impl Iterator<Item = ClientTotals<'_>> {
        let core = &self.core;
        let measured_s = core.now.saturating_sub(core.measure_start) as f64 / 1e9;
        core.stats.iter().zip(&core.meta).filter(|(_, m)| m.kind == ComponentKind::Client).map(move |(s, m)| {
            let mut errors = ErrorCounts::default();
            let (mut requests, mut successes) = (0, 0);
            for t in &s.types {
                requests += t.arrivals;
                successes += t.completions;
                errors.add(&t.errors);
            }
            ClientTotals {
                id: &m.id,
                requests,
                successes,
                errors,
                throughput_rps: if measured_s > 0.0 { successes as f64 / measured_s } else { 0.0 },
                latency: LatencySummary::across(s.types.iter().map(|t| &t.lat)),
            }
        })
    }

    /// How a client population stands against its objectives now (the report's `slo` for it);
    /// `None` for other components.
    pub fn client_slo(&self, component: ComponentIdx) -> Option<super::SloReport> {
        let c = component.0 as usize;
        if self.core.meta.get(c)?.kind != ComponentKind::Client {
            return None;
        }
        let s = &self.core.stats[c];
        let (mut ok, mut failed) = (0, 0);
        for t in &s.types {
            ok += t.completions;
            failed += t.errors.iter().sum::<u64>();
        }
        Some(super::slo::assess(&self.client_slos[c], ok, failed, s.types.iter().map(|t| &t.lat)))
    }

    /// How many of a component's successful calls since the warm-up took each span of time:
    /// `edges_ms` ascending, one count per span between two edges (a call counts in the span
    /// holding its histogram bucket's midpoint, as the percentiles do; those beyond the last
    /// edge are not counted).
    pub fn latency_counts(&self, component: ComponentIdx, edges_ms: &[f64]) -> Vec<u64> {
        let Some(s) = self.core.stats.get(component.0 as usize) else { return Vec::new() };
        let lat = || s.types.iter().map(|t| &t.lat);
        let above = |ms: f64| count_above(lat(), (ms * 1e6).round() as u64);
        edges_ms.windows(2).map(|w| above(w[0]).saturating_sub(above(w[1]))).collect()
    }

    /// Busy share of a component's servers since the warm-up ended (time-weighted busy servers
    /// over servers available), 0 when it had none.
    pub fn utilization(&self, component: ComponentIdx) -> f64 {
        let now = self.core.now;
        self.core.stats.get(component.0 as usize).map_or(0.0, |s| {
            let cap = s.cap.integral(now);
            if cap > 0 {
                s.busy.integral(now) as f64 / cap as f64
            } else {
                0.0
            }
        })
    }
}
