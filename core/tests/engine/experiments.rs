//! Experiments and resilience patterns: each action's effect and recovery, deadlines that fire
//! on time, retries, budgets, breakers and bulkheads, the health-model fixes, determinism, and
//! random experiments over random topologies.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use strata_core::experiment::{Action, ActionKind, ActionParams, Experiment, StopCondition, Target};
use strata_core::resilience::{BreakerPolicy, Jitter, Resilience, RetryBudget, RetryPolicy};
use strata_core::sim::{InstanceStatus, ObservationKind, Report, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, Dist, Topology};

/// users -> alb -> web (an Auto Scaling group of 4 over AZs a and b) -> db (RDS).
fn two_az(multi_az_db: bool) -> Topology {
    let mut t: Topology = serde_json::from_str(
        r#"{"version": 1,
          "containers": [
            {"id": "r", "kind": "region"},
            {"id": "a", "kind": "az", "parent": "r"}, {"id": "b", "kind": "az", "parent": "r"},
            {"id": "vpc", "kind": "vpc", "parent": "r", "cidr": "10.0.0.0/16"},
            {"id": "app-a", "kind": "subnet", "parent": "vpc", "az": "a", "cidr": "10.0.1.0/24"},
            {"id": "app-b", "kind": "subnet", "parent": "vpc", "az": "b", "cidr": "10.0.2.0/24"},
            {"id": "pub-a", "kind": "subnet", "parent": "vpc", "az": "a", "cidr": "10.0.3.0/24", "public": true},
            {"id": "data-a", "kind": "subnet", "parent": "vpc", "az": "a", "cidr": "10.0.4.0/24"}],
          "components": [
            {"id": "users", "kind": "client", "container": "r", "arrival": {"pattern": "constant", "rate_rps": 200}},
            {"id": "alb", "kind": "alb", "container": "pub-a", "health_check_interval_s": 10},
            {"id": "web", "kind": "asg", "container": "vpc", "subnets": ["app-a", "app-b"],
             "min": 4, "desired": 4, "max": 8, "evaluation_period_s": 20,
             "service_time": {"dist": "exponential", "mean_ms": 10}},
            {"id": "db", "kind": "rds", "container": "data-a"}],
          "connections": [{"from": "users", "to": "alb"}, {"from": "alb", "to": "web"}, {"from": "web", "to": "db"}]}"#,
    )
    .unwrap();
    if let Some(ComponentSpec::Rds(p)) = t.components.iter_mut().find(|c| c.id == "db").map(|c| &mut c.spec) {
        p.multi_az = multi_az_db;
    }
    t
}

fn with_experiment(mut t: Topology, actions: Vec<Action>) -> Topology {
    t.edit_experiments(|l| {
        l.push(Experiment { name: "x".into(), description: String::new(), actions, stop_conditions: Vec::new() })
    });
    t
}

fn action(action: ActionKind, target: Target, start_s: f64, duration_s: Option<f64>) -> Action {
    Action { action, target, start_s, duration_s, params: ActionParams::default() }
}

fn run_x(t: &Topology, secs: u64) -> (Simulation, Report) {
    let config = SimConfig { experiment: Some("x".into()), ..SimConfig::with_seed(3) };
    let mut sim = Simulation::new(t, config).expect("valid");
    sim.step_until(SimTime::from_secs(secs));
    let r = sim.report();
    (sim, r)
}

/// Client errors per second, from the client's series.
fn errors_by_second(sim: &Simulation) -> Vec<u64> {
    sim.series(sim.component_index("users").unwrap()).iter().map(|p| p.errors).collect()
}

fn observed(r: &Report, kind: ObservationKind) -> Vec<f64> {
    r.resilience.observations.iter().filter(|o| o.kind == kind).map(|o| o.time_s).collect()
}

#[test]
fn an_unknown_experiment_is_refused_by_name() {
    let t = with_experiment(two_az(true), Vec::new());
    let err = Simulation::new(&t, SimConfig { experiment: Some("nope".into()), ..SimConfig::default() }).unwrap_err();
    assert!(err.to_string().contains("no experiment `nope`") && err.to_string().contains("x"), "{err}");
}

#[test]
fn terminate_instance_is_noticed_by_two_health_checks_and_replaced() {
    let t = with_experiment(
        two_az(true),
        vec![action(ActionKind::TerminateInstance, Target::Instance { component: "web".into(), index: 0 }, 60.0, None)],
    );
    let (sim, r) = run_x(&t, 240);
    let i = &r.resilience.incidents[0];
    // Checks every 10 s, 2 failures in a row: noticed 10-20 s after the death.
    let ttd = i.time_to_detect_s.expect("detected");
    assert!((10.0..=20.0 + 1e-9).contains(&ttd), "time to detect {ttd}");
    let replaced = observed(&r, ObservationKind::InstanceReplaced);
    assert_eq!(replaced.len(), 1, "{:?}", r.resilience.observations);
    assert!(replaced[0] <= 60.0 + 20.0 + 1e-9, "the group's next evaluation replaces it: {replaced:?}");
    // Requests sent to it before the checks noticed failed; then none.
    let errs = errors_by_second(&sim);
    assert_eq!(errs[..60].iter().sum::<u64>(), 0);
    assert!(errs[60..81].iter().sum::<u64>() > 0);
    assert_eq!(errs[90..].iter().sum::<u64>(), 0, "the ALB stopped sending to the dead instance");
    let live: Vec<_> = sim
        .instances(sim.component_index("web").unwrap())
        .into_iter()
        .filter(|i| i.status == InstanceStatus::InService)
        .collect();
    assert_eq!(live.len(), 4, "back to the desired capacity: {live:?}");
    assert!(i.time_to_recover_s.is_some_and(|t| t <= 30.0), "{i:?}");
}

#[test]
fn an_az_outage_moves_the_group_to_the_live_az_and_fails_the_database_over() {
    let t =
        with_experiment(two_az(true), vec![action(ActionKind::AzOutage, Target::Az("a".into()), 60.0, Some(600.0))]);
    let (sim, r) = run_x(&t, 400);
    let web = sim.instances(sim.component_index("web").unwrap());
    let serving: Vec<_> = web.iter().filter(|i| i.status == InstanceStatus::InService).collect();
    assert_eq!(serving.len(), 4, "replacements restore the capacity: {web:?}");
    assert!(serving.iter().all(|i| i.az.as_deref() == Some("b")), "no launch into the dark AZ: {web:?}");
    // The Multi-AZ database fails over within 60-120 s, then serves from its standby.
    let failover =
        &r.resilience.observations.iter().find(|o| o.kind == ObservationKind::Failover).expect("failover").text;
    let secs: f64 = failover.split('(').nth(1).unwrap().trim_end_matches(" s)").parse().unwrap();
    assert!((60.0..=120.0).contains(&secs), "{failover}");
    let errs = errors_by_second(&sim);
    assert_eq!(errs[62 + secs.ceil() as usize + 25..].iter().sum::<u64>(), 0, "recovered while the AZ is still dark");
    assert!(
        r.resilience.incidents[0].time_to_recover_s.is_some_and(|t| (60.0..=150.0).contains(&t)),
        "{:?}",
        r.resilience.incidents
    );
}

#[test]
fn a_single_az_database_stays_down_for_the_outage_and_returns_with_the_az() {
    let t =
        with_experiment(two_az(false), vec![action(ActionKind::AzOutage, Target::Az("a".into()), 60.0, Some(120.0))]);
    let (sim, r) = run_x(&t, 300);
    let errs = errors_by_second(&sim);
    let during: u64 = errs[70..175].iter().sum();
    assert!(during > 100 * 200, "every request fails while the database is down: {during}");
    assert_eq!(errs[200..].iter().sum::<u64>(), 0, "back once the AZ is");
    let i = &r.resilience.incidents[0];
    assert_eq!(i.end_s, Some(180.0));
    assert!(i.time_to_recover_s.is_some_and(|t| (120.0..=125.0).contains(&t)), "{i:?}");
    assert!(i.blast_radius.contains(&"db".to_string()) && i.blast_radius.contains(&"users".to_string()), "{i:?}");
}

#[test]
fn a_region_outage_stops_everything_in_it() {
    let t = with_experiment(
        two_az(true),
        vec![action(ActionKind::RegionOutage, Target::Region("r".into()), 30.0, Some(60.0))],
    );
    let (sim, r) = run_x(&t, 90);
    let errs = errors_by_second(&sim);
    let total = r.client("users").unwrap();
    assert!(errs[35..88].iter().all(|&e| e > 150), "nearly every request fails: {:?}", &errs[35..88]);
    assert!(total.errors.total > 10_000);
}

#[test]
fn network_latency_adds_its_delay_both_ways() {
    let base = two_az(true);
    let mut slow = with_experiment(base.clone(), Vec::new());
    slow.edit_experiments(|l| {
        l[0].actions.push(Action {
            params: ActionParams { latency_ms: Some(50.0), ..ActionParams::default() },
            ..action(ActionKind::NetworkLatency, Target::Connection { from: "web".into(), to: "db".into() }, 0.0, None)
        })
    });
    let before = run_x(&with_experiment(base, Vec::new()), 60).1.client("users").unwrap().latency.p50_ms;
    let after = run_x(&slow, 60).1.client("users").unwrap().latency.p50_ms;
    assert!((after - before - 100.0).abs() < 3.0, "p50 {before:.1} -> {after:.1} ms: +2 x 50 ms");
}

#[test]
fn packet_loss_costs_retransmission_timeouts() {
    let mut t = with_experiment(two_az(true), Vec::new());
    t.edit_experiments(|l| {
        l[0].actions.push(Action {
            params: ActionParams { loss_percent: Some(10.0), ..ActionParams::default() },
            ..action(ActionKind::PacketLoss, Target::Connection { from: "web".into(), to: "db".into() }, 0.0, None)
        })
    });
    let r = run_x(&t, 60).1;
    let lat = &r.client("users").unwrap().latency;
    // One request in ten waits at least one 1 s retransmission timeout.
    assert!(lat.p50_ms < 100.0, "{lat:?}");
    assert!(lat.p95_ms >= 1000.0 && lat.p95_ms < 1200.0, "{lat:?}");
}

#[test]
fn a_partition_loses_calls_across_it_until_the_connection_timeout() {
    // The ALB sits in AZ a; web instances in b are across the partition.
    let t = with_experiment(
        two_az(true),
        vec![action(ActionKind::Partition, Target::Azs(["a".into(), "b".into()]), 30.0, Some(60.0))],
    );
    let (_, r) = run_x(&t, 120);
    let c = r.client("users").unwrap();
    assert!(c.errors.timeout > 1000, "{:?}", c.errors);
}

#[test]
fn a_dns_failure_makes_calls_fail_to_resolve() {
    let t = with_experiment(
        two_az(true),
        vec![action(ActionKind::DnsFailure, Target::Component("db".into()), 30.0, Some(30.0))],
    );
    let (sim, r) = run_x(&t, 90);
    assert!(r.client("users").unwrap().errors.dns_failure > 5000);
    let errs = errors_by_second(&sim);
    assert_eq!(errs[61..].iter().sum::<u64>(), 0, "resolves again when it ends");
}

#[test]
fn cpu_stress_stretches_service_times() {
    let mut t = with_experiment(two_az(true), Vec::new());
    t.edit_experiments(|l| {
        l[0].actions.push(Action {
            params: ActionParams { cpu_percent: Some(75.0), ..ActionParams::default() },
            ..action(ActionKind::CpuStress, Target::Instance { component: "web".into(), index: 0 }, 0.0, None)
        })
    });
    let r = run_x(&t, 60).1;
    let web = r.component("web").unwrap();
    // One instance of four at 4x service time: its share of the mean goes from 10 to 40 ms.
    assert!(web.latency.mean_ms > 14.0, "{:?}", web.latency);
}

#[test]
fn ebs_pause_stalls_the_disk_until_it_ends_and_a_throttle_slows_it() {
    let mut t = Topology::new("disk");
    t.add("users", K::Client, None);
    if let ComponentSpec::Ec2(p) = &mut t.add("web", K::Ec2, None).spec {
        p.disk = Some(strata_core::topology::DiskParams { iops: 3000.0, ios_per_request: 2.0 });
        p.vcpus = Some(8);
    }
    t.connect("users", "web");
    let paused = with_experiment(
        t.clone(),
        vec![action(ActionKind::EbsPause, Target::Component("web".into()), 10.0, Some(5.0))],
    );
    let (sim, _) = run_x(&paused, 30);
    let web = sim.series(sim.component_index("web").unwrap());
    let done = |s: usize| web[s].completions;
    assert!(done(11) == 0 && done(12) == 0 && done(13) == 0, "nothing completes while paused");
    // The 5 s backlog (about 500 requests) completes at the end of the pause.
    assert!(done(14) + done(15) > 450, "the backlog completes when the pause ends: {} {}", done(14), done(15));
    let mut throttled = with_experiment(t, Vec::new());
    throttled.edit_experiments(|l| {
        l[0].actions.push(Action {
            params: ActionParams { iops: Some(150.0), ..ActionParams::default() },
            ..action(ActionKind::EbsThrottle, Target::Component("web".into()), 0.0, None)
        })
    });
    // 100 req/s x 2 I/Os needs 200 IOPS: at 150 the queue grows without bound.
    let r = run_x(&throttled, 30).1;
    assert!(r.component("web").unwrap().latency.p50_ms > 1000.0, "{:?}", r.component("web").unwrap().latency);
}

#[test]
fn db_failover_of_a_multi_az_database_lasts_60_to_120_s() {
    let t =
        with_experiment(two_az(true), vec![action(ActionKind::DbFailover, Target::Component("db".into()), 30.0, None)]);
    let (sim, r) = run_x(&t, 240);
    let i = &r.resilience.incidents[0];
    let window = i.end_s.unwrap() - i.start_s;
    assert!((60.0..=120.0).contains(&window), "{i:?}");
    let errs = errors_by_second(&sim);
    assert!(errs[32..88].iter().all(|&e| e > 100), "down during the failover");
    assert_eq!(errs[(i.end_s.unwrap() as usize + 2)..].iter().sum::<u64>(), 0, "served by the standby after it");
}

#[test]
fn a_capacity_error_blocks_replacements_until_it_ends() {
    let t = with_experiment(
        two_az(true),
        vec![
            action(ActionKind::TerminateInstance, Target::Instance { component: "web".into(), index: 0 }, 30.0, None),
            action(ActionKind::AsgCapacityError, Target::Component("web".into()), 0.0, Some(100.0)),
        ],
    );
    let (sim, r) = run_x(&t, 200);
    let failed = observed(&r, ObservationKind::LaunchFailed);
    assert!(!failed.is_empty() && failed.iter().all(|&t| t < 100.0), "{failed:?}");
    let web = sim.component_index("web").unwrap();
    // Not replaced during the window: the next evaluation after it (at 120 s) launches.
    let ready: Vec<f64> = sim
        .scaling_activities()
        .iter()
        .filter(|a| a.component == web && a.action == strata_core::sim::ScalingAction::InstanceReady)
        .map(|a| a.time.as_secs_f64())
        .collect();
    assert!(!ready.is_empty() && ready.iter().all(|&t| t > 100.0), "{ready:?}");
}

#[test]
fn a_stop_condition_ends_the_experiment_early() {
    let mut t = with_experiment(
        two_az(false),
        vec![action(ActionKind::DbFailover, Target::Component("db".into()), 30.0, Some(300.0))],
    );
    t.edit_experiments(|l| l[0].stop_conditions.push(StopCondition { availability_below: 0.5, window_s: 5.0 }));
    let (sim, r) = run_x(&t, 120);
    let stopped = r.resilience.stopped.as_deref().expect("stopped");
    assert!(stopped.contains("fell below 50.0%"), "{stopped}");
    let end = r.resilience.incidents[0].end_s.unwrap();
    assert!((31.0..=37.0).contains(&end), "ended a few seconds in, not after 300 s: {end}");
    assert_eq!(errors_by_second(&sim)[40..].iter().sum::<u64>(), 0);
}

#[test]
fn a_config_push_fails_the_share_it_reached_and_a_canary_halts_at_its_first_stage() {
    let mut t = Topology::new("push");
    t.add("users", K::Client, None);
    t.add("cdn", K::Cloudfront, None);
    t.add("site", K::S3, None);
    t.connect("users", "cdn");
    t.connect("cdn", "site");
    let all = with_experiment(
        t.clone(),
        vec![action(ActionKind::ConfigPush, Target::Component("cdn".into()), 10.0, Some(20.0))],
    );
    let r = run_x(&all, 60).1;
    let c = r.client("users").unwrap();
    // 100 req/s for 20 s, all failing.
    assert!((1900..=2100).contains(&c.errors.server_error), "{:?}", c.errors);
    let mut canary = with_experiment(t, Vec::new());
    canary.edit_experiments(|l| {
        l[0].actions.push(Action {
            params: ActionParams {
                strategy: Some(strata_core::experiment::PushStrategy::Canary),
                bake_s: Some(10.0),
                ..ActionParams::default()
            },
            ..action(ActionKind::ConfigPush, Target::Component("cdn".into()), 10.0, Some(60.0))
        })
    });
    let r = run_x(&canary, 60).1;
    let c = r.client("users").unwrap();
    // 5% of 100 req/s for the 10 s bake, then rolled back.
    assert!((20..=90).contains(&c.errors.server_error), "{:?}", c.errors);
    assert_eq!(observed(&r, ObservationKind::CanaryHalted).len(), 1);
    assert_eq!(r.resilience.incidents[0].end_s, Some(20.0));
}

/// users -> web -> db where db takes `db_ms` per query; the web tier's call to the database
/// carries `resilience`.
fn slow_dependency(db_ms: f64, resilience: Resilience, client_timeout_ms: f64) -> Topology {
    let mut t = Topology::new("slow");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = Arrival::Constant { rate_rps: 20.0 };
        p.timeout_ms = client_timeout_ms;
    }
    if let ComponentSpec::Ec2(p) = &mut t.add("web", K::Ec2, None).spec {
        p.service_time = Dist::Constant { ms: 1.0 };
        p.vcpus = Some(64);
    }
    if let ComponentSpec::Rds(p) = &mut t.add("db", K::Rds, None).spec {
        p.query_time = Dist::Constant { ms: db_ms };
        p.vcpus = Some(64);
        p.max_connections = Some(100_000);
    }
    t.network.same_az_rtt_ms = 0.0;
    t.network.cross_az_rtt_ms = 0.0;
    t.network.internet_rtt_ms = 0.0;
    t.connect("users", "web");
    t.connect("web", "db").resilience = resilience;
    t
}

#[test]
fn a_timed_out_request_is_recorded_at_its_timeout_not_when_the_server_answers() {
    let t = slow_dependency(5000.0, Resilience::default(), 200.0);
    let config = SimConfig { journey_sample_every: 1, ..SimConfig::with_seed(1) };
    let mut sim = Simulation::new(&t, config).unwrap();
    sim.step_until(SimTime::from_secs(20));
    let users = sim.component_index("users").unwrap();
    let mut start = std::collections::BTreeMap::new();
    let mut checked = 0;
    for j in sim.drain_journeys().filter(|j| j.component == users) {
        match j.kind {
            strata_core::sim::HopKind::Arrive => {
                start.insert(j.request, j.time);
            }
            strata_core::sim::HopKind::Error(strata_core::sim::ErrorCause::Timeout) => {
                let took = j.time.as_secs_f64() - start[&j.request].as_secs_f64();
                assert!((took - 0.2).abs() < 0.001, "request {} took {took} s", j.request);
                checked += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(checked > 300, "{checked} requests checked");
    let r = sim.report();
    assert!(sim.audit().consistent);
    assert_eq!(
        r.client("users").unwrap().errors.timeout,
        r.client("users").unwrap().requests - r.client("users").unwrap().in_flight
    );
}

#[test]
fn retries_after_connection_timeouts_amplify_the_calls_by_the_attempts() {
    let policy = RetryPolicy { max_attempts: 3, base_ms: 10.0, cap_ms: 1000.0, jitter: Jitter::None, budget: None };
    let t = slow_dependency(
        500.0,
        Resilience { timeout_ms: Some(50.0), retry: Some(policy), ..Resilience::default() },
        30_000.0,
    );
    let mut sim = Simulation::new(&t, SimConfig::with_seed(2)).unwrap();
    sim.step_until(SimTime::from_secs(30));
    let r = sim.report();
    let conn = &r.resilience.connections[0];
    assert!((conn.amplification - 3.0).abs() < 0.02, "{conn:?}");
    // Every attempt times out (the database takes 500 ms), but those still in flight at the end.
    assert!(conn.calls + conn.retries - conn.timed_out <= 12, "{conn:?}");
    // Each request: 50 ms, wait 10, 50 ms, wait 20, 50 ms: then the web tier gives up.
    let lat = r.component("web").unwrap();
    assert_eq!(lat.completions, 0);
    let c = r.client("users").unwrap();
    assert!(c.errors.timeout > 500, "root cause is the timeout: {:?}", c.errors);
    let mean_ms = r.components.iter().find(|x| x.id == "web").unwrap().mean_time_in_component_ms;
    assert!((mean_ms - 181.0).abs() < 3.0, "50 + 10 + 50 + 20 + 50 ms (+ 1 ms service): {mean_ms}");
    assert!(sim.audit().consistent);
}

#[test]
fn the_retry_budget_stops_retries_when_its_tokens_run_out() {
    let policy = RetryPolicy {
        max_attempts: 3,
        base_ms: 1.0,
        cap_ms: 10.0,
        jitter: Jitter::Full,
        budget: Some(RetryBudget { tokens: 100, retry_cost: 5, timeout_cost: 10, success_refund: 1 }),
    };
    let t = slow_dependency(
        500.0,
        Resilience { timeout_ms: Some(20.0), retry: Some(policy), ..Resilience::default() },
        30_000.0,
    );
    let mut sim = Simulation::new(&t, SimConfig::with_seed(2)).unwrap();
    sim.step_until(SimTime::from_secs(30));
    let conn = &sim.report().resilience.connections[0];
    // 100 tokens at 10 per retry after a timeout: 10 retries, then none.
    assert_eq!(conn.retries, 10, "{conn:?}");
    assert!(conn.budget_exhausted > 500, "{conn:?}");
}

#[test]
fn a_breaker_opens_on_errors_fails_fast_and_closes_after_the_fault() {
    let mut t =
        slow_dependency(2.0, Resilience { breaker: Some(BreakerPolicy::default()), ..Resilience::default() }, 30_000.0);
    t.edit_experiments(|l| {
        l.push(Experiment {
            name: "x".into(),
            description: String::new(),
            actions: vec![action(ActionKind::DnsFailure, Target::Component("db".into()), 10.0, Some(20.0))],
            stop_conditions: Vec::new(),
        })
    });
    let (sim, r) = run_x(&t, 60);
    let conn = &r.resilience.connections[0];
    assert!(conn.short_circuited > 200, "{conn:?}");
    let opened = observed(&r, ObservationKind::BreakerOpened);
    let closed = observed(&r, ObservationKind::BreakerClosed);
    // Half the calls of the 10 s window must have failed: about 5 s after the fault begins.
    assert!(opened[0] > 12.0 && opened[0] < 16.0, "{opened:?}");
    assert!(
        closed.last().is_some_and(|&c| (30.0..37.0).contains(&c)),
        "closes within one open period of the fault ending: {closed:?}"
    );
    assert!(r.client("users").unwrap().errors.circuit_open > 200);
    assert_eq!(errors_by_second(&sim)[40..].iter().sum::<u64>(), 0);
}

#[test]
fn a_bulkhead_refuses_calls_beyond_its_pool() {
    let t = slow_dependency(1000.0, Resilience { bulkhead: Some(5), ..Resilience::default() }, 30_000.0);
    let mut sim = Simulation::new(&t, SimConfig::with_seed(2)).unwrap();
    sim.step_until(SimTime::from_secs(30));
    let r = sim.report();
    let conn = &r.resilience.connections[0];
    // 20 req/s held 1 s each need 20 slots: 5 go through, about 15 a second are refused.
    assert!(conn.rejected > 350 && conn.rejected < 500, "{conn:?}");
    assert!(r.client("users").unwrap().errors.queue_full == conn.rejected);
}

#[test]
fn a_dead_instance_does_not_drag_the_scaling_average() {
    // Four instances at about 60% CPU; one dies. If its idle CPU counted, the average would look
    // like 45% and the group might scale in; it must instead replace it.
    let mut t = with_experiment(
        two_az(true),
        vec![action(ActionKind::TerminateInstance, Target::Instance { component: "web".into(), index: 1 }, 30.0, None)],
    );
    if let Some(ComponentSpec::Asg(p)) = t.components.iter_mut().find(|c| c.id == "web").map(|c| &mut c.spec) {
        p.min = 1;
        p.cooldown_s = 0.0;
    }
    let (sim, _) = run_x(&t, 200);
    let web = sim.component_index("web").unwrap();
    let ins: Vec<_> =
        sim.scaling_activities().into_iter().filter(|a| a.action == strata_core::sim::ScalingAction::ScaleIn).collect();
    assert!(ins.iter().all(|a| a.cpu > 0.05), "a scale-in decided on a dead instance's idle CPU: {ins:?}");
    assert!(sim.instances(web).iter().all(|i| i.status != InstanceStatus::Down), "replaced");
}

#[test]
fn the_same_experiment_and_seed_give_the_same_run() {
    let t = with_experiment(two_az(true), vec![action(ActionKind::AzOutage, Target::Az("a".into()), 20.0, Some(40.0))]);
    let h1 = run_x(&t, 90).0.trace_hash();
    let h2 = run_x(&t, 90).0.trace_hash();
    assert_eq!(h1, h2);
    let mut plain = Simulation::new(&t, SimConfig::with_seed(3)).unwrap();
    plain.step_until(SimTime::from_secs(90));
    assert_ne!(h1, plain.trace_hash(), "the experiment changes the run");
}

fn random_action(r: &mut rand_chacha::ChaCha8Rng, t: &Topology) -> Action {
    let ids: Vec<&str> = t.components.iter().map(|c| c.id.as_str()).collect();
    let comp = ids[r.random_range(0..ids.len())].to_string();
    let kinds = [
        ActionKind::TerminateInstance,
        ActionKind::HostFailure,
        ActionKind::AzOutage,
        ActionKind::RegionOutage,
        ActionKind::NetworkLatency,
        ActionKind::PacketLoss,
        ActionKind::Partition,
        ActionKind::DnsFailure,
        ActionKind::DbFailover,
        ActionKind::CpuStress,
        ActionKind::ConfigPush,
        ActionKind::AsgCapacityError,
        ActionKind::RebootInstance,
    ];
    let kind = kinds[r.random_range(0..kinds.len())];
    let target = match kind {
        ActionKind::AzOutage => Target::Az(["a", "b"][r.random_range(0..2)].into()),
        ActionKind::RegionOutage => Target::Region("r".into()),
        ActionKind::Partition => Target::Azs(["a".into(), "b".into()]),
        ActionKind::NetworkLatency | ActionKind::PacketLoss => {
            let c = &t.connections[r.random_range(0..t.connections.len())];
            Target::Connection { from: c.from.clone(), to: c.to.clone() }
        }
        ActionKind::TerminateInstance
        | ActionKind::HostFailure
        | ActionKind::CpuStress
        | ActionKind::RebootInstance => Target::Instance { component: "web".into(), index: r.random_range(0..4) },
        ActionKind::DbFailover => Target::Component("db".into()),
        ActionKind::AsgCapacityError => Target::Component("web".into()),
        _ => Target::Component(comp),
    };
    let params = ActionParams {
        latency_ms: Some(r.random_range(1.0..500.0)),
        loss_percent: Some(r.random_range(1.0..60.0)),
        cpu_percent: Some(r.random_range(1.0..99.0)),
        strategy: Some(if r.random_bool(0.5) {
            strata_core::experiment::PushStrategy::Canary
        } else {
            strata_core::experiment::PushStrategy::AllAtOnce
        }),
        bake_s: Some(r.random_range(1.0..10.0)),
        ..ActionParams::default()
    };
    Action {
        action: kind,
        target,
        start_s: r.random_range(0.0..20.0),
        duration_s: (kind != ActionKind::RebootInstance && r.random_bool(0.7)).then(|| r.random_range(1.0..30.0)),
        params,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_experiments_never_panic_hang_or_lose_a_request(seed in any::<u64>(), n in 1usize..5, patterns in any::<bool>()) {
        let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut t = two_az(r.random_bool(0.5));
        if patterns {
            t.connections[2].resilience = Resilience {
                timeout_ms: Some(r.random_range(5.0..200.0)),
                retry: Some(RetryPolicy { max_attempts: r.random_range(1..5), base_ms: r.random_range(1.0..100.0), budget: r.random_bool(0.5).then(RetryBudget::default), ..RetryPolicy::default() }),
                breaker: r.random_bool(0.5).then(BreakerPolicy::default),
                bulkhead: r.random_bool(0.3).then(|| r.random_range(1..50)),
            };
        }
        let actions = (0..n).map(|_| random_action(&mut r, &t)).collect();
        let t = with_experiment(t, actions);
        let v = strata_core::validate::validate(&t);
        prop_assert!(!v.has_errors(), "{:?}", v.diagnostics);
        let mut sim = Simulation::new(&t, SimConfig { experiment: Some("x".into()), ..SimConfig::with_seed(seed) }).unwrap();
        for s in 1..=8u64 {
            sim.step_until(SimTime::from_secs(s * 8));
            prop_assert_eq!(sim.time_regressions(), 0);
            let audit = sim.audit();
            prop_assert!(audit.consistent, "{:?}", audit);
        }
        let rep = sim.report();
        for c in &rep.clients {
            prop_assert_eq!(c.requests, c.successes + c.errors.total + c.in_flight, "{}", c.id);
        }
        let answered: u64 = rep.resilience.availability_per_minute.iter().map(|m| m.requests).sum();
        let c = rep.client("users").unwrap();
        prop_assert_eq!(answered, c.successes + c.errors.total);
    }
}

#[test]
fn a_group_that_lost_every_instance_relaunches_to_its_minimum_once_an_az_returns() {
    // Both AZs dark: every instance dies and launches fail; when they return, the group must
    // launch back to its minimum even though no instance is left to measure CPU on.
    let t = with_experiment(
        two_az(true),
        vec![
            action(ActionKind::AzOutage, Target::Az("a".into()), 20.0, Some(60.0)),
            action(ActionKind::AzOutage, Target::Az("b".into()), 20.0, Some(60.0)),
        ],
    );
    let (sim, r) = run_x(&t, 300);
    let web = sim.instances(sim.component_index("web").unwrap());
    assert_eq!(web.iter().filter(|i| i.status == InstanceStatus::InService).count(), 4, "{web:?}");
    assert!(!observed(&r, ObservationKind::LaunchFailed).is_empty(), "launches failed while both AZs were dark");
    assert_eq!(errors_by_second(&sim)[200..].iter().sum::<u64>(), 0);
}

#[test]
fn a_host_failure_kills_the_instances_on_it_and_retires_the_host() {
    let path = format!("{}/../public/scenarios/noisy-neighbour-before.json", env!("CARGO_MANIFEST_DIR"));
    let base = Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    let host = "ap-northeast-2a-shared-h07";
    for target in [Target::Host(host.into()), Target::Instance { component: "api".into(), index: 0 }] {
        let t = with_experiment(base.clone(), vec![action(ActionKind::HostFailure, target.clone(), 20.0, None)]);
        assert!(!strata_core::validate::validate(&t).has_errors(), "{target}");
        let (sim, r) = run_x(&t, 60);
        let errs = errors_by_second(&sim);
        assert_eq!(errs[..20].iter().sum::<u64>(), 0, "{target}");
        assert!(errs[22..].iter().all(|&e| e > 0), "every request fails once its host is gone ({target})");
        let infra = sim.infrastructure().expect("layers");
        let h = infra.fleet.host_by_name(host).unwrap();
        assert!(!infra.fleet.host(h).in_service, "the layers retire the host ({target})");
        assert!(r.resilience.observations.iter().any(|o| o.text == format!("host {host} fails")), "{target}");
        let api = sim.instances(sim.component_index("api").unwrap());
        assert_eq!(api[0].status, InstanceStatus::Down, "{target}");
    }
}

/// users -> alb -> web (an Auto Scaling group of 4 over AZs a and b) on a two-AZ fleet, with a
/// spare volume in each AZ.
fn layered_two_az() -> Topology {
    serde_json::from_str(
        r#"{"version": 1,
          "containers": [
            {"id": "ap-northeast-2", "kind": "region"},
            {"id": "ap-northeast-2a", "kind": "az", "parent": "ap-northeast-2"},
            {"id": "ap-northeast-2b", "kind": "az", "parent": "ap-northeast-2"},
            {"id": "vpc", "kind": "vpc", "parent": "ap-northeast-2", "cidr": "10.0.0.0/16"},
            {"id": "app-a", "kind": "subnet", "parent": "vpc", "az": "ap-northeast-2a", "cidr": "10.0.1.0/24"},
            {"id": "app-b", "kind": "subnet", "parent": "vpc", "az": "ap-northeast-2b", "cidr": "10.0.2.0/24"}],
          "components": [
            {"id": "users", "kind": "client", "container": "ap-northeast-2",
             "arrival": {"pattern": "constant", "rate_rps": 50}},
            {"id": "alb", "kind": "alb", "container": "vpc", "health_check_interval_s": 10},
            {"id": "web", "kind": "asg", "container": "vpc", "subnets": ["app-a", "app-b"],
             "min": 4, "desired": 4, "max": 8, "evaluation_period_s": 20,
             "service_time": {"dist": "exponential", "mean_ms": 10}}],
          "connections": [{"from": "users", "to": "alb"}, {"from": "alb", "to": "web"}],
          "infrastructure": {
            "fleet": {"region": "ap-northeast-2", "azs": ["a", "b"]},
            "network": {"vpcs": [{"name": "vpc", "cidr": "10.0.0.0/16", "subnets": [
              {"name": "app-a", "cidr": "10.0.1.0/24", "az": "a"},
              {"name": "app-b", "cidr": "10.0.2.0/24", "az": "b"}]}]},
            "volumes": [{"name": "archive-a", "kind": "gp3", "size_gib": 100, "az": "a"},
                        {"name": "archive-b", "kind": "gp3", "size_gib": 100, "az": "b"}]}}"#,
    )
    .unwrap()
}

#[test]
fn an_az_outage_makes_the_az_hosts_and_volumes_unavailable_in_the_layers_until_it_ends() {
    use strata_core::layers::LaunchRequest;
    use strata_core::sim::{AzLayers, LayersReport};
    let (lost, kept) = ("ap-northeast-2a", "ap-northeast-2b");
    let t = with_experiment(
        layered_two_az(),
        vec![action(ActionKind::AzOutage, Target::Az(lost.into()), 30.0, Some(60.0))],
    );
    assert!(!strata_core::validate::validate(&t).has_errors(), "{:?}", strata_core::validate::validate(&t).diagnostics);
    let config = SimConfig { experiment: Some("x".into()), ..SimConfig::with_seed(3) };
    let mut sim = Simulation::new(&t, config).unwrap();
    let layers_at = |sim: &mut Simulation, s: u64| -> LayersReport {
        sim.step_until(SimTime::from_secs(s));
        sim.report().layers.expect("layered")
    };
    let az = |l: &LayersReport, name: &str| -> AzLayers { l.azs.iter().find(|a| a.name == name).unwrap().clone() };
    let whole =
        |a: &AzLayers| a.available && a.hosts > 0 && a.hosts_available == a.hosts && a.volumes_available == a.volumes;

    let before = layers_at(&mut sim, 20);
    assert_eq!(before.azs.len(), 2);
    assert!(before.azs.iter().all(whole), "{:?}", before.azs);
    // Two web instances (with their root volumes) and the spare volume in each AZ.
    assert_eq!((az(&before, lost).volumes, az(&before, kept).volumes), (3, 3));

    let during = layers_at(&mut sim, 60);
    let a = az(&during, lost);
    assert!(!a.available && a.hosts == az(&before, lost).hosts, "{a:?}");
    assert_eq!((a.hosts_available, a.volumes_available), (0, 0), "{a:?}");
    assert!(a.volumes > 0);
    for v in during.volumes.iter() {
        assert_eq!(v.available, v.az != lost, "{v:?}");
    }
    for i in during.instances.iter() {
        assert_eq!(i.available, i.az != lost, "{i:?}");
    }
    // Nothing in the other AZ changes: its hosts and volumes stay available.
    let b = az(&during, kept);
    assert!(whole(&b), "{b:?}");
    assert_eq!(b.hosts, az(&before, kept).hosts);
    // A launch aimed at the lost AZ fails in the layers; one aimed at the other runs.
    let plan = sim.launch_instance(&LaunchRequest::new("probe-a", "t3.medium", "app-a", "alice")).unwrap();
    let failure = plan.outcome.expect_err("the lost AZ refuses launches");
    assert!(failure.reason.contains("not accepting launches"), "{}", failure.reason);
    let plan = sim.launch_instance(&LaunchRequest::new("probe-b", "t3.medium", "app-b", "alice")).unwrap();
    assert!(plan.outcome.is_ok(), "{:?}", plan.outcome);

    let after = layers_at(&mut sim, 150);
    assert!(after.azs.iter().all(whole), "{:?}", after.azs);
    assert!(after.volumes.iter().all(|v| v.available) && after.instances.iter().all(|i| i.available));
    assert!(after.volumes.iter().any(|v| v.name == "archive-a"), "the spare volume in the lost AZ survives");
    // The group replaced its two instances of the lost AZ in the other one: every web instance
    // the layers run is there.
    let web: Vec<_> = after
        .instances
        .iter()
        .filter(|i| {
            i.component.as_deref() == Some("web") && i.state == strata_core::layers::launch::InstanceState::Running
        })
        .collect();
    assert_eq!(web.len(), 4, "{web:?}");
    assert!(web.iter().all(|i| i.az == kept), "{web:?}");
    let r = sim.report();
    let text = format!(
        "layers: {} host(s) and {} volume(s) of {lost} unavailable; launches there refused",
        a.hosts,
        az(&before, lost).volumes
    );
    assert!(r.resilience.observations.iter().any(|o| o.text == text), "{:?}", r.resilience.observations);
}
