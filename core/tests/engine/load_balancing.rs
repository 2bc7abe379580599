//! Least outstanding requests beats round robin when targets are uneven.

use crate::common::run;
use strata_core::topology::{ComponentKind as K, ComponentSpec, Dist, LbAlgorithm, Topology};

fn topology(algorithm: LbAlgorithm) -> Topology {
    let mut t = Topology::new("lb");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = strata_core::topology::Arrival::Constant { rate_rps: 160.0 };
    }
    if let ComponentSpec::Alb(p) = &mut t.add("alb", K::Alb, None).spec {
        p.algorithm = algorithm;
    }
    t.connect("users", "alb");
    // Two fast and two slow single-vCPU targets (e.g. a noisy neighbour on the slow hosts).
    for (i, ms) in [5.0, 5.0, 20.0, 20.0].into_iter().enumerate() {
        let id = format!("web-{i}");
        if let ComponentSpec::Ec2(p) = &mut t.add(&id, K::Ec2, None).spec {
            p.instance_type = "t2.micro".into();
            p.service_time = Dist::Exponential { mean_ms: ms };
        }
        t.connect("alb", &id);
    }
    t
}

#[test]
fn least_outstanding_has_a_lower_tail_than_round_robin() {
    let (_, rr) = run(&topology(LbAlgorithm::RoundRobin), 11, 300.0, 10.0);
    let (_, lor) = run(&topology(LbAlgorithm::LeastOutstandingRequests), 11, 300.0, 10.0);
    let p99 = |r: &strata_core::sim::Report| r.component("alb").unwrap().latency.p99_ms;
    assert!(p99(&lor) < 0.7 * p99(&rr), "LOR p99 {:.1} ms vs RR p99 {:.1} ms", p99(&lor), p99(&rr));

    // Round robin splits evenly; least outstanding sends more to the fast targets.
    let share = |r: &strata_core::sim::Report, i: usize| {
        r.component(&format!("web-{i}")).unwrap().arrivals as f64 / r.component("alb").unwrap().arrivals as f64
    };
    for i in 0..4 {
        assert!((share(&rr, i) - 0.25).abs() < 0.01, "round robin share of web-{i}: {}", share(&rr, i));
    }
    assert!(share(&lor, 0) + share(&lor, 1) > 0.6, "fast targets get most of the traffic under LOR");
}

fn zonal_topology(cross_zone: bool) -> Topology {
    let t = r#"{"version":1,
      "containers":[
        {"id":"r","kind":"region"},
        {"id":"az-a","kind":"az","parent":"r"},{"id":"az-b","kind":"az","parent":"r"},
        {"id":"vpc","kind":"vpc","parent":"r","cidr":"10.0.0.0/16"},
        {"id":"sa","kind":"subnet","parent":"vpc","az":"az-a","cidr":"10.0.1.0/24"},
        {"id":"sb","kind":"subnet","parent":"vpc","az":"az-b","cidr":"10.0.2.0/24"}],
      "components":[
        {"id":"users","kind":"client","container":"r","arrival":{"pattern":"constant","rate_rps":400}},
        {"id":"alb","kind":"alb","container":"sa"},
        {"id":"a0","kind":"ec2","container":"sa","instance_type":"m5.xlarge"},
        {"id":"b0","kind":"ec2","container":"sb","instance_type":"m5.xlarge"},
        {"id":"b1","kind":"ec2","container":"sb","instance_type":"m5.xlarge"},
        {"id":"b2","kind":"ec2","container":"sb","instance_type":"m5.xlarge"}],
      "connections":[{"from":"users","to":"alb"},{"from":"alb","to":"a0"},{"from":"alb","to":"b0"},
                     {"from":"alb","to":"b1"},{"from":"alb","to":"b2"}]}"#;
    let mut t = Topology::from_json(t).unwrap();
    if let ComponentSpec::Alb(p) = &mut t.components[1].spec {
        p.cross_zone = cross_zone;
    }
    t
}

#[test]
fn without_cross_zone_each_az_gets_an_equal_share_whatever_its_target_count() {
    let share = |r: &strata_core::sim::Report, id: &str| {
        r.component(id).unwrap().arrivals as f64 / r.component("alb").unwrap().arrivals as f64
    };
    let (_, on) = run(&zonal_topology(true), 2, 60.0, 0.0);
    let (_, off) = run(&zonal_topology(false), 2, 60.0, 0.0);
    for id in ["a0", "b0", "b1", "b2"] {
        assert!((share(&on, id) - 0.25).abs() < 0.01, "cross-zone on: {id} {}", share(&on, id));
    }
    assert!(
        (share(&off, "a0") - 0.5).abs() < 0.01,
        "cross-zone off: the lone target in az-a takes half: {}",
        share(&off, "a0")
    );
    for id in ["b0", "b1", "b2"] {
        assert!((share(&off, id) - 1.0 / 6.0).abs() < 0.01, "cross-zone off: {id} {}", share(&off, id));
    }
}
