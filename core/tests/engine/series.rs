//! The time series: one point per component per second, with the second's latency percentiles.

use strata_core::sim::ComponentIdx;

use crate::common::{run, scenario};

#[test]
fn each_second_has_its_own_latency_percentiles_in_order() {
    let (sim, r) = run(&scenario("three-tier.json"), 2, 40.0, 0.0);
    let users = sim.component_index("users").unwrap();
    let points = sim.series(users);
    assert_eq!(points.len(), 40, "one point per second");
    let busy: Vec<_> = points.iter().filter(|p| p.completions > 0).collect();
    assert!(busy.len() >= 38);
    for p in &busy {
        assert!(0.0 < p.p50_ms && p.p50_ms <= p.p95_ms && p.p95_ms <= p.p99_ms, "{p:?}");
    }
    // The seconds' medians centre on the run's median (each is a median of ~300 requests).
    let mut medians: Vec<f64> = busy.iter().map(|p| p.p50_ms).collect();
    medians.sort_by(f64::total_cmp);
    let run_p50 = r.client("users").unwrap().latency.p50_ms;
    let mid = medians[medians.len() / 2];
    assert!((mid - run_p50).abs() / run_p50 < 0.15, "median of the seconds' medians {mid} ms, run {run_p50} ms");
    // A component that never answers has zeros, not garbage.
    let idle = (0..sim.component_count())
        .map(|i| ComponentIdx(i as u32))
        .find(|&c| sim.series(c).iter().all(|p| p.completions == 0));
    if let Some(c) = idle {
        assert!(sim.series(c).iter().all(|p| p.p50_ms == 0.0 && p.p95_ms == 0.0 && p.p99_ms == 0.0));
    }
}
