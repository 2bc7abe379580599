//! Memory stays bounded over a long run at 10k requests/s: every internal buffer stops growing
//! once the run is in steady state. One simulated hour in optimised builds, one minute in debug.

use strata_core::sim::{SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, Dist, Topology};

#[test]
fn buffers_stay_bounded_at_10k_requests_per_second() {
    let secs: u64 = if cfg!(debug_assertions) { 60 } else { 3600 };
    let mut t = Topology::new("load");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = Arrival::Constant { rate_rps: 10_000.0 };
    }
    if let ComponentSpec::Ec2(p) = &mut t.add("web", K::Ec2, None).spec {
        p.instance_type = "c5.4xlarge".into();
        p.service_time = Dist::Exponential { mean_ms: 1.0 };
    }
    t.connect("users", "web");
    let config = SimConfig {
        seed: 3,
        journey_sample_every: 100,
        journey_buffer: 10_000,
        series_capacity: 600,
        ..SimConfig::default()
    };
    let mut sim = Simulation::new(&t, config).unwrap();
    sim.step_until(SimTime::from_secs(secs / 10));
    let early = sim.memory_use();
    sim.step_until(SimTime::from_secs(secs));
    let late = sim.memory_use();
    let r = sim.report();
    assert!(r.client("users").unwrap().requests as f64 > 9_900.0 * secs as f64);
    // Nothing keeps growing after the first tenth of the run...
    assert_eq!(early.call_slots, late.call_slots, "call slab grew: {early:?} -> {late:?}");
    assert_eq!(early.event_capacity, late.event_capacity);
    assert_eq!(early.queue_capacity, late.queue_capacity);
    // ...and every buffer is within its configured or small bound.
    assert!(late.call_slots <= 8192, "{late:?}");
    assert!(late.event_capacity <= 8192, "{late:?}");
    assert!(late.series_capacity <= 600);
    assert!(late.journey_capacity <= 10_000);
    assert!(sim.journeys_dropped() > 0, "the undrained journey buffer dropped old entries instead of growing");
    assert_eq!(sim.series(sim.component_index("web").unwrap()).len(), (secs as usize).min(600));
}
