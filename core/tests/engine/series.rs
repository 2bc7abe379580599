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

#[test]
fn a_client_s_failures_by_cause_per_second_add_up_to_its_report() {
    use strata_core::sim::{ErrorCause, SimConfig, Simulation};
    let t = scenario("az-outage-single-az.json");
    let mut sim =
        Simulation::new(&t, SimConfig { experiment: Some("lose-az1".into()), ..SimConfig::with_seed(2) }).unwrap();
    sim.step_until(strata_core::time::SimTime::from_millis(300_000));
    let users = sim.component_index("users").unwrap();
    let causes = sim.series_error_causes(users);
    let points = sim.series(users);
    assert_eq!(causes.len(), points.len(), "one bucket of causes per point");
    let r = sim.report();
    let c = r.client("users").unwrap();
    assert!(c.errors.total > 1000);
    for (k, cause) in ErrorCause::ALL.iter().enumerate() {
        let sum: u64 = causes.iter().map(|b| u64::from(b[k])).sum();
        assert_eq!(sum, c.errors.get(*cause), "{cause:?}");
    }
    for (b, p) in causes.iter().zip(&points) {
        assert_eq!(b.iter().map(|&n| u64::from(n)).sum::<u64>(), p.errors, "at {} s", p.t_s);
    }
    // Components other than clients keep none.
    let web = sim.component_index("web").unwrap();
    assert!(sim.series_error_causes(web).is_empty());
}
