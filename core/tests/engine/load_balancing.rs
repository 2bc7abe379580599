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
