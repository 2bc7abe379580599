//! Worker pools on compute instances: a request holds a worker from the start of its service
//! until it answers, its database call included, and uses a vCPU only for its own service time.

use crate::common::{assert_conserved, run};
use strata_core::sim::{ErrorCause, Fault, SimConfig, Simulation};
use strata_core::time::{Duration, SimTime};
use strata_core::topology::Topology;
use strata_core::validate::{validate, Code};

/// Clients at `rate` req/s -> `instances` web instances with `workers` workers and 8 vCPUs
/// (never fewer vCPUs than workers, so CPU work never waits), a constant 4 ms of CPU each ->
/// a database with a vCPU for every worker and a constant 40 ms query, all in one AZ
/// (0.3 ms round trip). A worker is held 4 + 0.3 + 40 = 44.3 ms.
fn stack(rate: f64, instances: u32, workers: Option<u32>) -> Topology {
    let workers = workers.map_or("null".to_string(), |w| w.to_string());
    let json = format!(
        r#"{{
  "version": 1, "name": "pool",
  "containers": [
    {{"id": "r", "kind": "region"}}, {{"id": "a", "kind": "az", "parent": "r"}},
    {{"id": "v", "kind": "vpc", "parent": "r", "cidr": "10.0.0.0/16"}},
    {{"id": "s", "kind": "subnet", "parent": "v", "az": "a", "cidr": "10.0.1.0/24"}}
  ],
  "components": [
    {{"id": "users", "kind": "client", "container": "r", "arrival": {{"pattern": "constant", "rate_rps": {rate}}}}},
    {{"id": "web", "kind": "asg", "container": "s", "instance_type": "c5.2xlarge", "min": {instances},
      "desired": {instances}, "max": {instances}, "service_time": {{"dist": "constant", "ms": 4.0}},
      "queue_capacity": 50, "workers": {workers}}},
    {{"id": "db", "kind": "rds", "container": "s", "instance_class": "db.r5.2xlarge", "vcpus": 64,
      "multi_az": false, "query_time": {{"dist": "constant", "ms": 40.0}}}}
  ],
  "connections": [{{"from": "users", "to": "web"}}, {{"from": "web", "to": "db"}}]
}}"#
    );
    Topology::from_json(&json).unwrap()
}

const HOLD_S: f64 = (4.0 + 0.3 + 40.0) / 1e3;

#[test]
fn saturated_pool_serves_workers_times_instances_over_the_hold_time() {
    for (instances, workers) in [(3, 5), (1, 2), (2, 8)] {
        let capacity = f64::from(instances * workers) / HOLD_S;
        // Twice what the pool can serve: its workers are never idle.
        let t = stack(2.0 * capacity, instances, Some(workers));
        assert!(validate(&t).diagnostics.is_empty(), "{:?}", validate(&t).diagnostics);
        // Served between 10 s and 70 s (the report counts only requests that arrived after a
        // warm-up, so a full queue at its end would be missing from its throughput).
        let mut sim = Simulation::new(&t, SimConfig::with_seed(3)).unwrap();
        sim.step_until(SimTime(Duration::from_secs(10).as_nanos()));
        let first = sim.report().component("web").unwrap().completions;
        sim.step_until(SimTime(Duration::from_secs(70).as_nanos()));
        let r = sim.report();
        assert_conserved(&sim, &r);
        let web = r.component("web").unwrap();
        let x = (web.completions - first) as f64 / 60.0;
        assert!(
            (x - capacity).abs() < 0.01 * capacity,
            "{instances}x{workers}: {x:.1}/s, Little's law {capacity:.1}/s"
        );
        let busy = web.worker_utilization.unwrap();
        assert!(busy > 0.999, "{instances}x{workers}: workers {busy}");
        // CPU: 4 ms of each 44.3 ms, on 8 vCPUs per instance.
        let cpu = x * 0.004 / f64::from(8 * instances);
        assert!((web.utilization - cpu).abs() < 0.002, "CPU {} vs {cpu}", web.utilization);
        assert_eq!(web.errors.queue_full, web.errors.total);
        assert!(web.errors.total > 0, "the overload is refused");
        // The database never queues: it has more vCPUs than there are workers.
        assert!(r.component("db").unwrap().mean_wait_ms < 1e-3);
    }
}

#[test]
fn busy_workers_are_the_arrival_rate_times_the_hold_time() {
    // Little's law below saturation: 100 req/s x 44.3 ms = 4.43 workers busy of 15.
    let t = stack(100.0, 3, Some(5));
    let (sim, r) = run(&t, 5, 130.0, 10.0);
    assert_conserved(&sim, &r);
    let web = r.component("web").unwrap();
    let busy = web.worker_utilization.unwrap() * 15.0;
    let expected = web.throughput_rps * HOLD_S;
    assert!((busy - expected).abs() < 0.02 * expected, "{busy:.3} workers busy, expected {expected:.3}");
    assert!(web.throughput_rps > 97.0 && web.throughput_rps < 103.0, "{}", web.throughput_rps);
    // Per instance, the three shares add up to the group's.
    let sum: f64 = web.by_instance.iter().map(|i| i.worker_utilization).sum::<f64>() / 3.0;
    assert!((sum - web.worker_utilization.unwrap()).abs() < 1e-9, "{sum} vs {:?}", web.worker_utilization);
    let series = sim.series(sim.component_index("web").unwrap());
    let last = series.last().unwrap();
    assert!(last.worker_utilization.is_some_and(|u| u > 0.0 && u < 1.0), "{last:?}");
}

#[test]
fn without_a_pool_the_database_wait_holds_nothing() {
    // The same overload without workers: the instances' 8 vCPUs are held only 4 ms per request,
    // so they take far more than a 15-worker pool would (and no worker figures appear).
    let capacity = 15.0 / HOLD_S;
    let t = stack(2.0 * capacity, 3, None);
    let (_, r) = run(&t, 3, 40.0, 10.0);
    let web = r.component("web").unwrap();
    assert!(web.throughput_rps > 1.9 * capacity, "{}", web.throughput_rps);
    assert_eq!(web.errors.total, 0);
    assert!(web.workers.is_none() && web.worker_utilization.is_none() && web.by_instance.is_empty());
    let json = serde_json::to_value(web).unwrap();
    assert!(json.get("worker_utilization").is_none() && json.get("by_instance").is_none(), "{json}");
}

#[test]
fn an_instance_that_fails_loses_the_requests_waiting_for_its_workers() {
    let capacity = 10.0 / HOLD_S;
    let t = stack(2.0 * capacity, 2, Some(5));
    let mut sim = Simulation::new(&t, SimConfig::with_seed(9)).unwrap();
    let down = Fault::InstanceDown { component: "web".into(), instance: 0 };
    let up = Fault::InstanceUp { component: "web".into(), instance: 0 };
    sim.schedule_fault(SimTime(Duration::from_secs(10).as_nanos()), &down).unwrap();
    sim.schedule_fault(SimTime(Duration::from_secs(20).as_nanos()), &up).unwrap();
    sim.step_until(SimTime(Duration::from_secs(30).as_nanos()));
    let r = sim.report();
    assert_conserved(&sim, &r);
    let web = r.component("web").unwrap();
    // The 50 requests queued for its workers fail at once (and those at their CPU step when it
    // ends); while it is down, requests go to the other instance.
    assert!(web.errors.get(ErrorCause::Unavailable) >= 50, "{:?}", web.errors);
    // Back up, it serves again: its workers were all given back, none to a dead request.
    let i0 = web.by_instance.iter().find(|i| i.slot == 0).unwrap();
    assert!(i0.worker_utilization > 0.5, "{i0:?}");
    sim.step_until(SimTime(Duration::from_secs(40).as_nanos()));
    let before = sim.report().component("web").unwrap().completions;
    sim.step_until(SimTime(Duration::from_secs(50).as_nanos()));
    let served = sim.report().component("web").unwrap().completions - before;
    let expected = capacity * 10.0;
    assert!((served as f64 - expected).abs() < 0.02 * expected, "{served} served in 10 s, capacity {expected:.0}");
}

#[test]
fn zero_workers_is_refused() {
    let mut t = stack(10.0, 1, Some(0));
    let v = validate(&t);
    assert!(
        v.diagnostics.iter().any(|d| d.code == Code::InvalidParameter && d.message.contains("workers")),
        "{:?}",
        v.diagnostics
    );
    t = stack(10.0, 1, Some(1));
    assert!(validate(&t).diagnostics.is_empty());
}
