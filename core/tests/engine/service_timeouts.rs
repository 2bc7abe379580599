//! A component's service timeout (`timeout_ms` of EC2 and Auto Scaling instances) fires at the
//! deadline: the component answers with a timeout exactly that long after the request arrived,
//! whatever the request is doing then (queued, on a vCPU, waiting for its database), and the
//! request's work goes on unobserved, holding what it holds until it ends.

use crate::common::assert_conserved;
use std::collections::BTreeMap;
use strata_core::sim::{ErrorCause, HopKind, JourneyEvent, Report, SimConfig, Simulation};
use strata_core::time::{Duration, SimTime};
use strata_core::topology::Topology;

/// users -> alb -> web (one EC2 instance) [-> db], in one AZ.
fn stack(rate: f64, web: &str, db_query_ms: Option<f64>) -> Topology {
    let (db, conn) = match db_query_ms {
        Some(ms) => (
            format!(
                r#", {{"id": "db", "kind": "rds", "container": "s", "vcpus": 64, "multi_az": false,
                    "query_time": {{"dist": "constant", "ms": {ms}}}}}"#
            ),
            r#", {"from": "web", "to": "db"}"#,
        ),
        None => (String::new(), ""),
    };
    let json = format!(
        r#"{{
  "version": 1, "name": "timeouts",
  "containers": [
    {{"id": "r", "kind": "region"}}, {{"id": "a", "kind": "az", "parent": "r"}},
    {{"id": "v", "kind": "vpc", "parent": "r", "cidr": "10.0.0.0/16"}},
    {{"id": "s", "kind": "subnet", "parent": "v", "az": "a", "cidr": "10.0.1.0/24"}}
  ],
  "components": [
    {{"id": "users", "kind": "client", "container": "r", "arrival": {{"pattern": "constant", "rate_rps": {rate}}}}},
    {{"id": "alb", "kind": "alb", "container": "s"}},
    {{"id": "web", "kind": "ec2", "container": "s", {web}}}{db}
  ],
  "connections": [{{"from": "users", "to": "alb"}}, {{"from": "alb", "to": "web"}}{conn}]
}}"#
    );
    Topology::from_json(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// Runs `secs` with every request's journey recorded.
fn play(t: &Topology, secs: u64) -> (Simulation, Report, Vec<JourneyEvent>) {
    let config = SimConfig { journey_sample_every: 1, journey_buffer: 1 << 22, ..SimConfig::with_seed(4) };
    let mut sim = Simulation::new(t, config).unwrap();
    sim.step_until(SimTime(Duration::from_secs(secs).as_nanos()));
    let r = sim.report();
    assert_conserved(&sim, &r);
    let events: Vec<JourneyEvent> = sim.drain_journeys().collect();
    assert_eq!(sim.journeys_dropped(), 0);
    (sim, r, events)
}

/// Per request answered with a timeout at `comp`: the time from its arrival there to that
/// answer, in ms.
fn timeout_latencies(events: &[JourneyEvent], comp: u32) -> Vec<f64> {
    let mut arrived = BTreeMap::new();
    let mut out = Vec::new();
    for e in events.iter().filter(|e| e.component.0 == comp) {
        match e.kind {
            HopKind::Arrive => {
                arrived.insert(e.request, e.time.0);
            }
            HopKind::Error(ErrorCause::Timeout) => out.push((e.time.0 - arrived[&e.request]) as f64 / 1e6),
            _ => {}
        }
    }
    out
}

#[test]
fn a_request_waiting_for_its_database_times_out_at_the_deadline() {
    // Every query takes 500 ms; the instance gives up at 200 ms.
    let web = r#""vcpus": 4, "service_time": {"dist": "constant", "ms": 5.0}, "timeout_ms": 200.0"#;
    let t = stack(20.0, web, Some(500.0));
    let (sim, r, events) = play(&t, 60);
    let web_idx = sim.component_index("web").unwrap().0;
    let lat = timeout_latencies(&events, web_idx);
    let w = r.component("web").unwrap();
    assert!(lat.len() > 1000, "{} timeouts", lat.len());
    assert_eq!(lat.len() as u64, w.errors.timeout);
    for l in &lat {
        assert!((l - 200.0).abs() <= 1.0, "timed out after {l} ms, not at the 200 ms deadline");
    }
    assert_eq!(w.completions, 0);
    assert_eq!(w.errors.timeout, w.errors.total);
    assert!((w.mean_time_in_component_ms - 200.0).abs() <= 1.0, "{}", w.mean_time_in_component_ms);
    // The failure carries its cause to the user, who hears of it 200 ms + the hops later.
    let users = &r.clients[0];
    assert_eq!(users.errors.timeout, users.errors.total);
    assert!(users.errors.timeout + users.in_flight == users.requests, "{users:?}");
    // The work went on unobserved: every query the instance sent ran to its end.
    let db = r.component("db").unwrap();
    assert!(db.completions + db.in_flight == w.arrivals, "{} queries for {} requests", db.completions, w.arrivals);
}

#[test]
fn a_queued_request_times_out_at_the_deadline_not_when_dequeued() {
    // One vCPU, 100 ms per request, 20 requests/s: twice what it can serve. The timeout is
    // 250 ms, so a request starting service late in its wait is answered during its service.
    let web = r#""vcpus": 1, "service_time": {"dist": "constant", "ms": 100.0}, "timeout_ms": 250.0"#;
    let t = stack(20.0, web, None);
    let (sim, r, events) = play(&t, 60);
    let lat = timeout_latencies(&events, sim.component_index("web").unwrap().0);
    let w = r.component("web").unwrap();
    assert!(lat.len() as u64 == w.errors.timeout && w.errors.timeout > 400, "{:?}", w.errors);
    for l in &lat {
        assert!((l - 250.0).abs() <= 1.0, "timed out after {l} ms, not at the 250 ms deadline");
    }
    // Nobody is answered later than the timeout.
    assert!(w.latency.max_ms <= 251.0, "{}", w.latency.max_ms);
    // The queue only grows, so the oldest request still unanswered is next: requests that
    // timed out while they waited are dropped, but the one served has usually waited more than
    // 150 ms and times out during its 100 ms of service (its work goes on). It succeeds only if
    // nothing arrived in the 100 ms before the last 150 ms: probability e^(-20/s x 0.1 s), of
    // the 10 per second the busy vCPU serves.
    assert!(w.utilization > 0.95, "{}", w.utilization);
    let goodput = 10.0 * (-2.0f64).exp();
    assert!((w.throughput_rps - goodput).abs() < 0.5 * goodput, "{} served/s, expected {goodput:.2}", w.throughput_rps);
}

#[test]
fn timed_out_requests_keep_their_workers_until_their_work_ends() {
    // 2 workers, a 500 ms query, a 200 ms timeout, 20 requests/s: every request times out at
    // 200 ms, but each holds its worker for 5 + 0.3 + 500 ms, so only 2 / 0.5053 s = 3.96 of
    // them per second get a worker; the others wait and are dropped when dequeued.
    let web = r#""vcpus": 4, "service_time": {"dist": "constant", "ms": 5.0}, "timeout_ms": 200.0, "workers": 2,
        "queue_capacity": 1000"#;
    let t = stack(20.0, web, Some(500.0));
    let (sim, r, events) = play(&t, 60);
    let lat = timeout_latencies(&events, sim.component_index("web").unwrap().0);
    assert!(lat.iter().all(|l| (l - 200.0).abs() <= 1.0));
    let w = r.component("web").unwrap();
    assert!(w.worker_utilization.unwrap() > 0.99, "{:?}", w.worker_utilization);
    let queries = r.component("db").unwrap().arrivals as f64 / 60.0;
    let expected = 2.0 / 0.5053;
    assert!((queries - expected).abs() < 0.03 * expected, "{queries:.2} queries/s, expected {expected:.2}");
    assert_eq!(w.errors.timeout, w.errors.total);
}
