//! Bounded capacity: an EC2 instance's queue fills and refuses with `queue_full`; an RDS
//! instance refuses connections beyond `max_connections`.

use crate::common::{assert_conserved, run};
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, Dist, Topology};

fn overloaded(rate_rps: f64) -> Topology {
    let mut t = Topology::new("overload");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = Arrival::Constant { rate_rps };
        p.timeout_ms = 1e9;
    }
    t
}

#[test]
fn a_full_ec2_queue_refuses_with_queue_full() {
    let mut t = overloaded(500.0);
    if let ComponentSpec::Ec2(p) = &mut t.add("web", K::Ec2, None).spec {
        p.vcpus = Some(1);
        p.queue_capacity = 5;
        p.service_time = Dist::Constant { ms: 10.0 };
        p.timeout_ms = 1e9;
    }
    t.connect("users", "web");
    let (sim, r) = run(&t, 1, 60.0, 5.0);
    assert_conserved(&sim, &r);
    let web = r.component("web").unwrap();
    // One server at 10 ms serves 100/s; the other ~400/s find 1 + 5 places taken.
    assert!((web.throughput_rps - 100.0).abs() < 1.0, "throughput {}", web.throughput_rps);
    let refused = web.errors.queue_full as f64 / r.measured_s;
    assert!((refused - 400.0).abs() < 20.0, "{refused} refusals/s");
    assert_eq!(web.errors.total, web.errors.queue_full);
    assert!(web.mean_queue_length > 4.5 && web.mean_queue_length <= 5.0, "queue {}", web.mean_queue_length);
    assert!(web.mean_in_system <= 6.0);
    // A request waits for at most the five ahead of it: 10 ms service + up to 50 ms queueing.
    assert!(web.latency.max_ms <= 60.5, "max {}", web.latency.max_ms);
    // The client sees the same refusals as its root cause (up to requests in flight at the
    // warm-up boundary).
    assert!(r.client("users").unwrap().errors.queue_full.abs_diff(web.errors.queue_full) < 20);
}

#[test]
fn rds_refuses_connections_beyond_max_connections() {
    let mut t = overloaded(1_000.0);
    if let ComponentSpec::Rds(p) = &mut t.add("db", K::Rds, None).spec {
        p.vcpus = Some(2);
        p.max_connections = Some(10);
        p.query_time = Dist::Constant { ms: 10.0 };
    }
    t.connect("users", "db");
    let (sim, r) = run(&t, 2, 60.0, 5.0);
    assert_conserved(&sim, &r);
    let db = r.component("db").unwrap();
    // Two vCPUs at 10 ms: 200 queries/s; at most 10 connections open at once.
    assert!((db.throughput_rps - 200.0).abs() < 2.0, "throughput {}", db.throughput_rps);
    assert!(db.mean_in_system <= 10.0 && db.mean_in_system > 9.0, "connections {}", db.mean_in_system);
    let refused = db.errors.queue_full as f64 / r.measured_s;
    assert!((refused - 800.0).abs() < 30.0, "{refused} refusals/s");
    // Eight wait behind two running: at most 40 ms queueing + 10 ms.
    assert!(db.latency.max_ms <= 50.5, "max {}", db.latency.max_ms);
}
