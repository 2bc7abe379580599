//! The engine without validation in front of it: the library API can build a run from any
//! topology, so absurd parameters must neither hang it nor move its clock backwards.

use super::build::build;
use super::{SimConfig, Simulation};
use crate::time::{Duration, SimTime};
use crate::topology::{Arrival, ComponentKind as K, ComponentSpec, Dist, Topology};

fn two_tier(rate_rps: f64, service: Dist) -> Topology {
    let mut t = Topology::new("extreme");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = Arrival::Constant { rate_rps };
    }
    if let ComponentSpec::Ec2(p) = &mut t.add("web", K::Ec2, None).spec {
        p.service_time = service;
    }
    t.connect("users", "web");
    t
}

fn unvalidated(t: &Topology) -> Simulation {
    assert!(crate::validate::validate(t).has_errors(), "the topology should be one validation refuses");
    build(t, SimConfig::default()).expect("builds without validation")
}

#[test]
fn huge_rate_never_hangs_at_t0() {
    // 1e300 req/s: every gap rounds to 0 ns. Each arrival must still move the clock by 1 ns.
    let mut sim = unvalidated(&two_tier(1e300, Dist::Constant { ms: 1.0 }));
    sim.step_until(SimTime(20_000));
    assert_eq!(sim.now(), SimTime(20_000));
    let arrivals = sim.report().client("users").unwrap().requests;
    assert!((1..=20_001).contains(&arrivals), "{arrivals} arrivals in 20 µs");
    assert_eq!(sim.time_regressions(), 0);
}

#[test]
fn billion_rps_advances() {
    let mut sim = unvalidated(&two_tier(1e9, Dist::Constant { ms: 0.001 }));
    sim.step_until(SimTime(50_000));
    assert_eq!(sim.now(), SimTime(50_000));
    assert_eq!(sim.time_regressions(), 0);
}

#[test]
fn huge_service_time_never_moves_time_backwards() {
    // 1e300 ms saturates to u64::MAX ns; `now + d` must not wrap around to the past.
    let mut sim = unvalidated(&two_tier(100.0, Dist::Constant { ms: 1e300 }));
    let mut last = SimTime::ZERO;
    for s in 1..=5 {
        sim.step_until(SimTime::from_secs(s));
        assert!(sim.now() >= last);
        last = sim.now();
    }
    assert_eq!(sim.now(), SimTime::from_secs(5));
    assert_eq!(sim.time_regressions(), 0);
    let r = sim.report();
    let web = r.components.iter().find(|c| c.id == "web").unwrap();
    assert_eq!(web.completions, 0, "nothing can finish a service that never ends");
    assert!(web.arrivals > 300);
}

#[test]
fn huge_and_negative_rtts_neither_wrap_nor_go_back() {
    let mut t = two_tier(100.0, Dist::Constant { ms: 1.0 });
    t.network.internet_rtt_ms = 1e300;
    t.network.cross_region_rtt_ms = 1e300;
    t.network.same_az_rtt_ms = -5.0;
    let mut sim = unvalidated(&t);
    sim.step_until(SimTime::from_secs(10));
    assert_eq!(sim.now(), SimTime::from_secs(10));
    assert_eq!(sim.time_regressions(), 0);
    // Tiny periodic intervals still move time forward.
    let mut t = two_tier(10.0, Dist::Constant { ms: 1.0 });
    if let ComponentSpec::Client(p) = &mut t.components[0].spec {
        p.arrival = Arrival::Ramp { from_rps: 1.0, to_rps: 10.0, start_s: 0.0, duration_s: -1.0 };
    }
    let mut sim = unvalidated(&t);
    sim.step_until(SimTime(Duration::from_millis(500).as_nanos()));
    assert_eq!(sim.time_regressions(), 0);
}
