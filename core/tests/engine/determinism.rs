//! Same topology and seed: the same trace hash and the same report, however the run is driven.

use crate::common::scenario;
use strata_core::sim::{SimConfig, Simulation};
use strata_core::time::SimTime;

fn hash_of(name: &str, seed: u64, chunks: &[u64], end_s: u64) -> (u64, String, usize) {
    let t = scenario(name);
    let config = SimConfig { seed, journey_sample_every: 50, ..SimConfig::default() };
    let mut sim = Simulation::new(&t, config).unwrap();
    let mut journeys = 0;
    let mut now = 0;
    for &c in chunks.iter().cycle() {
        now = (now + c).min(end_s * 1_000_000_000);
        sim.step_until(SimTime(now));
        journeys += sim.drain_journeys().count();
        if now == end_s * 1_000_000_000 {
            break;
        }
    }
    let report = serde_json::to_string(&sim.report()).unwrap();
    (sim.trace_hash(), report, journeys)
}

#[test]
fn same_seed_gives_the_same_trace_twice() {
    for name in ["three-tier.json", "multi-service.json", "static-site.json"] {
        let a = hash_of(name, 42, &[1_000_000_000], 20);
        let b = hash_of(name, 42, &[1_000_000_000], 20);
        assert_eq!(a, b, "{name}");
        assert!(a.2 > 0, "{name}: journeys were sampled");
    }
}

#[test]
fn different_seeds_give_different_traces() {
    let a = hash_of("three-tier.json", 1, &[1_000_000_000], 10);
    let b = hash_of("three-tier.json", 2, &[1_000_000_000], 10);
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
}

#[test]
fn how_the_caller_steps_time_does_not_change_the_run() {
    // One big step, or many uneven small ones (as an animation frame loop would).
    let whole = hash_of("multi-service.json", 7, &[15_000_000_000], 15);
    let frames = hash_of("multi-service.json", 7, &[16_666_667, 3_000_001, 250_000_000, 1], 15);
    assert_eq!(whole, frames);
}
