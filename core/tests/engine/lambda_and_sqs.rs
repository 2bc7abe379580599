//! Lambda cold starts and throttling; SQS decouples a fast producer from a slow consumer.

use crate::common::{assert_conserved, run};
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, Dist, Topology};

#[test]
fn lambda_reuses_warm_environments_and_throttles_beyond_its_limit() {
    let mut t = Topology::new("fn");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = Arrival::Constant { rate_rps: 100.0 };
    }
    if let ComponentSpec::Lambda(p) = &mut t.add("fn", K::Lambda, None).spec {
        p.duration = Dist::Exponential { mean_ms: 50.0 };
        p.concurrency_limit = 50;
    }
    t.connect("users", "fn");
    let (sim, r) = run(&t, 5, 60.0, 0.0);
    assert_conserved(&sim, &r);
    let f = r.component("fn").unwrap();
    // About 5 concurrent executions: a few dozen environments at most, not one per call.
    assert!(f.cold_starts > 0 && f.cold_starts < 60, "cold starts {}", f.cold_starts);
    assert_eq!(f.errors.total, 0);

    // 400 req/s of 50 ms work needs ~20 concurrent executions: a limit of 5 throttles.
    if let ComponentSpec::Client(p) = &mut t.components[0].spec {
        p.arrival = Arrival::Constant { rate_rps: 400.0 };
    }
    if let ComponentSpec::Lambda(p) = &mut t.components[1].spec {
        p.concurrency_limit = 5;
    }
    let (_, r) = run(&t, 5, 30.0, 0.0);
    let f = r.component("fn").unwrap();
    assert!(f.errors.throttled as f64 > 0.5 * f.arrivals as f64, "throttled {} of {}", f.errors.throttled, f.arrivals);
    let seen = r.client("users").unwrap().errors.throttled;
    assert!(
        seen <= f.errors.throttled && seen as f64 >= 0.99 * f.errors.throttled as f64,
        "clients see the root cause: {seen}"
    );
}

#[test]
fn sqs_keeps_the_producer_fast_while_the_backlog_absorbs_a_slow_consumer() {
    let mut t = Topology::new("queue");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = Arrival::Spike { base_rps: 20.0, peak_rps: 200.0, at_s: 10.0, duration_s: 10.0 };
    }
    if let ComponentSpec::Ec2(p) = &mut t.add("api", K::Ec2, None).spec {
        p.service_time = Dist::Exponential { mean_ms: 2.0 };
    }
    t.add("jobs", K::Sqs, None);
    if let ComponentSpec::Lambda(p) = &mut t.add("worker", K::Lambda, None).spec {
        p.duration = Dist::Constant { ms: 100.0 };
    }
    t.connect("users", "api");
    t.connect("api", "jobs");
    t.connect("jobs", "worker");
    // 10 consumers x 10 msg/s = 100 msg/s < the 200 req/s peak.
    let (sim, r) = run(&t, 6, 60.0, 0.0);
    assert_conserved(&sim, &r);
    let jobs = r.component("jobs").unwrap();
    let api = r.component("api").unwrap();
    assert!(jobs.mean_queue_length > 10.0, "backlog built up: {}", jobs.mean_queue_length);
    assert!(api.latency.p99_ms < 150.0, "the producer does not wait for the consumer: p99 {}", api.latency.p99_ms);
    assert_eq!(
        jobs.delivered + jobs.delivery_failed,
        r.component("worker").unwrap().arrivals - r.component("worker").unwrap().in_flight
    );
    assert!(jobs.delivered as f64 > 0.95 * jobs.completions as f64, "the backlog drains after the spike");
}
