//! Route 53 weighted routing splits lookups by the records' weights.

use crate::common::run;
use strata_core::topology::{ComponentKind as K, ComponentSpec, RoutingPolicy, Topology};

#[test]
fn weighted_records_split_traffic_by_weight() {
    let mut t = Topology::new("weighted");
    t.add("users", K::Client, None);
    if let ComponentSpec::Route53(p) = &mut t.add("dns", K::Route53, None).spec {
        p.policy = RoutingPolicy::Weighted;
        // Every request resolves afresh, so each one is a weighted draw.
        p.ttl_s = 0.0;
    }
    for id in ["blue", "green", "canary"] {
        if let ComponentSpec::Ec2(p) = &mut t.add(id, K::Ec2, None).spec {
            p.instance_type = "c5.4xlarge".into();
        }
    }
    t.connect("users", "dns");
    t.connect("dns", "blue").share = 0.7;
    t.connect("dns", "green").share = 0.2;
    t.connect("dns", "canary").share = 0.1;
    let (_, r) = run(&t, 11, 120.0, 0.0);
    let arrivals = |id: &str| r.component(id).unwrap().arrivals as f64;
    let total = arrivals("blue") + arrivals("green") + arrivals("canary");
    assert!(total > 10_000.0, "{total}");
    for (id, w) in [("blue", 0.7), ("green", 0.2), ("canary", 0.1)] {
        let share = arrivals(id) / total;
        // Five binomial standard deviations.
        let tol = 5.0 * (w * (1.0 - w) / total).sqrt();
        assert!((share - w).abs() < tol, "{id}: {share:.4} of lookups, weight {w} (±{tol:.4})");
    }
}

#[test]
fn an_unhealthy_weighted_record_gets_nothing() {
    use strata_core::sim::{Fault, SimConfig, Simulation};
    use strata_core::time::SimTime;
    let mut t = Topology::new("weighted-health");
    t.add("users", K::Client, None);
    if let ComponentSpec::Route53(p) = &mut t.add("dns", K::Route53, None).spec {
        p.policy = RoutingPolicy::Weighted;
        p.ttl_s = 0.0;
        p.health_check_interval_s = 1.0;
        p.failure_threshold = 1;
    }
    // Big enough for all the traffic once green is out (else blue's own queue would fail its
    // checks' timeout too, and with no healthy record left the lookups would spread over both).
    for id in ["blue", "green"] {
        if let ComponentSpec::Ec2(p) = &mut t.add(id, K::Ec2, None).spec {
            p.instance_type = "c5.4xlarge".into();
        }
    }
    t.connect("users", "dns");
    t.connect("dns", "blue").share = 0.5;
    t.connect("dns", "green").share = 0.5;
    let mut sim = Simulation::new(&t, SimConfig::with_seed(2)).unwrap();
    sim.schedule_fault(SimTime::ZERO, &Fault::ComponentDown { component: "green".into() }).unwrap();
    sim.step_until(SimTime::from_secs(2));
    let before = sim.report().component("green").unwrap().arrivals;
    sim.step_until(SimTime::from_secs(30));
    let r = sim.report();
    assert_eq!(
        r.component("green").unwrap().arrivals,
        before,
        "no lookup chose the failed record after its health check"
    );
    assert!(r.component("blue").unwrap().arrivals > 2_500);
}
