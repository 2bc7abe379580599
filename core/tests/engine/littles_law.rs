//! Little's law, L = lambda W, holds for every component (within 1%).

use crate::common::{assert_conserved, run, scenario};
use strata_core::bench::mmc_topology;
use strata_core::sim::Report;

/// Checks every component with at least 1000 arrivals; returns how many were checked.
fn check(r: &Report) -> usize {
    let mut checked = 0;
    for c in &r.components {
        if c.arrivals < 1000 {
            continue;
        }
        let lambda = c.arrivals as f64 / r.measured_s;
        let w = c.mean_time_in_component_ms / 1e3;
        let l = c.mean_in_system;
        let rel = (l - lambda * w).abs() / l.max(1e-12);
        assert!(rel < 0.01, "{}: L = {l:.5} but lambda W = {:.5} ({:.2}%)", c.id, lambda * w, rel * 100.0);
        checked += 1;
    }
    checked
}

#[test]
fn holds_for_every_component_of_the_three_tier_scenario() {
    let (sim, r) = run(&scenario("three-tier.json"), 5, 200.0, 20.0);
    assert_conserved(&sim, &r);
    let checked = check(&r);
    assert_eq!(checked, r.components.len(), "every component of the three tiers was busy enough to check");
}

#[test]
fn holds_for_every_component_of_the_multi_service_scenario() {
    let (sim, r) = run(&scenario("multi-service.json"), 6, 80.0, 10.0);
    assert_conserved(&sim, &r);
    let checked = check(&r);
    assert!(checked >= 13 && r.components.len() == 14, "checked {checked} of {} components", r.components.len());
}

#[test]
fn holds_for_an_mmc_queue() {
    let (_, r) = run(&mmc_topology(1500.0, 1000.0, 2), 9, 120.0, 5.0);
    assert_eq!(check(&r), 1, "the server was checked");
    assert!(r.component("server").unwrap().arrivals > 150_000);
}
