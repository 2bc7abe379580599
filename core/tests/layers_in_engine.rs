//! The layers seen through the engine: each troubleshooting case of DOMAIN.md §3 run end to end
//! through `Simulation` (symptom before, fix after, in numbers), Auto Scaling launches through
//! the layered launch, and determinism with layers.

use strata_core::layers::launch::{LaunchPhase, Layer};
use strata_core::layers::LaunchRequest;
use strata_core::sim::{ErrorCause, Report, ScalingAction, SeriesPoint, SimConfig, Simulation};
use strata_core::time::{Duration, SimTime};
use strata_core::topology::Topology;
use strata_core::validate::{validate, Code, Element};

fn scenario(name: &str) -> Topology {
    let path = format!("{}/../public/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Topology::from_json(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn run(t: &Topology, seed: u64, secs: u64) -> (Simulation, Report) {
    let mut sim = Simulation::new(t, SimConfig::with_seed(seed)).expect("valid topology");
    sim.step_until(SimTime::from_secs(secs));
    let r = sim.report();
    (sim, r)
}

fn series(sim: &Simulation, id: &str) -> Vec<SeriesPoint> {
    sim.series(sim.component_index(id).unwrap())
}

// ---------------------------------------------------------------------------------------------
// Noisy neighbour

#[test]
fn noisy_neighbour_slows_the_api_two_to_three_times_at_low_guest_cpu_and_a_move_fixes_it() {
    let (_, before) = run(&scenario("noisy-neighbour-before"), 3, 120);
    let (_, after) = run(&scenario("noisy-neighbour-after"), 3, 120);
    let (b, a) = (before.component("api").unwrap(), after.component("api").unwrap());
    let ratio = b.latency.p50_ms / a.latency.p50_ms;
    assert!(
        (2.0..=3.0).contains(&ratio),
        "p50 {} ms before vs {} ms after: x{ratio:.2}",
        b.latency.p50_ms,
        a.latency.p50_ms
    );
    assert!(b.latency.mean_ms / a.latency.mean_ms >= 2.0);
    assert_eq!(b.errors.total, 0, "no errors anywhere: only slower");

    let layer = |r: &Report| r.layers.as_ref().unwrap().instances.iter().find(|i| i.name == "api").unwrap().clone();
    let (lb, la) = (layer(&before), layer(&after));
    assert_eq!(lb.component.as_deref(), Some("api"));
    assert_eq!(lb.host.as_deref(), Some("ap-northeast-2a-shared-h07"));
    assert_eq!(la.host.as_deref(), Some("ap-northeast-2a-dc1-r02-h03"));
    // The guest sees ~15% CPU in both cases; the difference is steal.
    for g in [lb.guest_cpu_percent, la.guest_cpu_percent] {
        assert!((10.0..=20.0).contains(&g), "guest CPU {g}%");
    }
    assert!(lb.steal_percent > 40.0, "steal before {}", lb.steal_percent);
    assert!(la.steal_percent < 1.0, "steal after {}", la.steal_percent);
    assert!((2.0..=3.0).contains(&lb.service_time_multiplier), "{}", lb.service_time_multiplier);
    assert!(la.service_time_multiplier < 1.05);
    // The neighbours are in the report too, on the same host.
    let l = before.layers.as_ref().unwrap();
    assert_eq!(l.instances.iter().filter(|i| i.host == lb.host && i.component.is_none()).count(), 9);
}

#[test]
fn noisy_neighbour_series_carry_steal_and_guest_cpu() {
    let (sim, _) = run(&scenario("noisy-neighbour-before"), 1, 30);
    let s = series(&sim, "api");
    let last = s.last().unwrap();
    assert!(last.steal_percent.unwrap() > 40.0);
    assert!((10.0..=20.0).contains(&last.guest_cpu_percent.unwrap()), "{last:?}");
    assert!(last.service_time_multiplier.unwrap() > 2.0);
    // Busy time (stretched) is well above what the guest reports.
    assert!(last.utilization > 0.3 || s.iter().map(|p| p.utilization).sum::<f64>() / s.len() as f64 > 0.3);
}

// ---------------------------------------------------------------------------------------------
// gp2 burst credits

const GP2_RUN_S: u64 = 6_300;

fn cliff(s: &[SeriesPoint]) -> Option<f64> {
    s.iter().find(|p| p.burst_balance_percent == Some(0.0)).map(|p| p.t_s)
}

#[test]
fn gp2_volume_runs_fast_then_falls_to_300_iops_when_burst_balance_hits_zero() {
    let t = scenario("gp2-burst-before");
    let mut sim = Simulation::new(&t, SimConfig::with_seed(5)).unwrap();
    let db = sim.component_index("db").unwrap();
    let mut fast = Vec::new();
    let mut seen: Vec<SeriesPoint> = Vec::new();
    // Read the series as it goes (the ring keeps the last hour).
    for k in 1..=GP2_RUN_S / 300 {
        sim.step_until(SimTime::from_secs(k * 300));
        for p in sim.series(db) {
            if seen.last().is_none_or(|l| p.t_s > l.t_s) {
                seen.push(p);
            }
        }
    }
    let at = cliff(&seen).expect("BurstBalance reaches 0%");
    // 20% of 5.4M credits drained at ~200 net credits/s: about 90 minutes.
    assert!((4_800.0..=6_000.0).contains(&at), "cliff at {at} s");
    for p in seen.iter().filter(|p| p.t_s > 60.0 && p.t_s < at - 60.0) {
        fast.push(p.mean_latency_ms);
        assert!(p.burst_balance_percent.unwrap() > 0.0);
    }
    let fast_mean = fast.iter().sum::<f64>() / fast.len() as f64;
    assert!(fast_mean < 15.0, "latency while bursting {fast_mean} ms");
    // After the cliff: the volume serves 300 IOPS, requests queue behind it.
    let late: Vec<&SeriesPoint> = seen.iter().filter(|p| p.t_s > at + 120.0).collect();
    let iops = late.iter().map(|p| p.disk_iops.unwrap()).sum::<f64>() / late.len() as f64;
    assert!((270.0..=330.0).contains(&iops), "IOPS after the cliff {iops}");
    let slow = late.iter().filter(|p| p.completions > 0).map(|p| p.mean_latency_ms).fold(0.0, f64::max);
    let errors: u64 = late.iter().map(|p| p.errors).sum();
    assert!(slow > 20.0 * fast_mean || errors > 0, "no slowdown after the cliff: {slow} ms, {errors} errors");
    let r = sim.report();
    let v = r.layers.as_ref().unwrap().volumes.iter().find(|v| v.name == "db-data").unwrap();
    assert_eq!((v.baseline_iops, v.burst_iops, v.iops_limit), (300, 3000, 300));
    assert_eq!(v.burst_balance_percent, 0.0);
    // No error says "disk": only timeouts, as in the case description.
    let c = r.component("db").unwrap();
    assert_eq!(c.errors.total, c.errors.timeout);
}

#[test]
fn gp2_grown_to_200_gb_or_moved_to_gp3_has_no_cliff() {
    for (name, baseline) in [("gp2-burst-after", 600), ("gp2-burst-after-gp3", 3000)] {
        let (sim, r) = run(&scenario(name), 5, GP2_RUN_S);
        let s = series(&sim, "db");
        assert_eq!(cliff(&s), None, "{name}");
        assert!(s.iter().all(|p| p.burst_balance_percent.unwrap() >= 20.0), "{name}");
        let worst = s.iter().map(|p| p.mean_latency_ms).fold(0.0, f64::max);
        assert!(worst < 15.0, "{name}: worst bucket {worst} ms");
        let c = r.component("db").unwrap();
        assert_eq!(c.errors.total, 0, "{name}");
        let v = r.layers.as_ref().unwrap().volumes.iter().find(|v| v.name == "db-data").unwrap();
        assert_eq!(v.baseline_iops, baseline, "{name}");
        assert!(v.iops_limit >= 600, "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// VPC peering

#[test]
fn peering_without_routes_fails_every_cross_vpc_request_with_the_route_reason() {
    let t = scenario("peering-routes-before");
    let v = validate(&t);
    let d = v.diagnostics.iter().find(|d| d.code == Code::NetworkBlocked).expect("validation warns before the run");
    assert_eq!(d.element, Element::Connection(1));
    assert!(d.message.contains("rtb-a") && d.message.contains("10.1.0.0/16 -> pcx-ab"), "{}", d.message);

    let (sim, r) = run(&t, 2, 60);
    let users = r.client("users").unwrap();
    assert!(users.requests > 1000);
    assert_eq!(users.successes, 0);
    assert_eq!(users.errors.get(ErrorCause::NetworkBlocked), users.errors.total);
    let app = r.component("app").unwrap();
    assert_eq!(app.errors.network_blocked, app.arrivals - app.in_flight);
    assert_eq!(r.component("db").unwrap().arrivals, 0, "no packet reaches the database");
    let b = &sim.blocked_paths()[0];
    assert_eq!((b.from.as_str(), b.to.as_str(), b.port, b.at.as_str()), ("app", "db", 5432, "rtb-a"));
    assert!(b.reason.contains("no route") && b.reason.contains("pcx-ab"), "{}", b.reason);
    assert_eq!(b.failures, app.errors.network_blocked);
    assert_eq!(
        d.message.split(": ").last(),
        b.reason.split(": ").last(),
        "validation and the run give the same reason"
    );
}

#[test]
fn peering_with_routes_and_the_sg_rule_passes_traffic() {
    let t = scenario("peering-routes-after");
    assert!(!validate(&t).has(Code::NetworkBlocked));
    let (sim, r) = run(&t, 2, 60);
    let users = r.client("users").unwrap();
    assert_eq!(users.errors.total, 0);
    assert!(users.success_rate.unwrap() > 0.999);
    assert_eq!(r.component("db").unwrap().completions, r.component("app").unwrap().completions);
    assert!(sim.blocked_paths().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Launches

fn asg_topology(fleet: &str, instance_type: &str, service_ms: f64) -> Topology {
    let text = format!(
        r#"{{
      "version": 1,
      "name": "layered scaling",
      "containers": [
        {{"id": "ap-northeast-2", "kind": "region"}},
        {{"id": "ap-northeast-2a", "kind": "az", "parent": "ap-northeast-2"}},
        {{"id": "vpc", "kind": "vpc", "parent": "ap-northeast-2", "cidr": "10.0.0.0/16"}},
        {{"id": "app-a", "kind": "subnet", "parent": "vpc", "cidr": "10.0.1.0/24", "az": "ap-northeast-2a"}}
      ],
      "components": [
        {{"id": "users", "kind": "client", "container": "ap-northeast-2",
          "arrival": {{"pattern": "spike", "base_rps": 20, "peak_rps": 400, "at_s": 60, "duration_s": 100000}}}},
        {{"id": "alb", "kind": "alb", "container": "vpc", "health_check_interval_s": 5, "healthy_threshold": 2}},
        {{"id": "web", "kind": "asg", "container": "app-a", "instance_type": "{instance_type}",
          "min": 1, "desired": 1, "max": 4, "subnets": ["app-a"], "target_cpu_percent": 50,
          "warmup_s": 30, "cooldown_s": 60, "evaluation_period_s": 20,
          "service_time": {{"dist": "exponential", "mean_ms": {service_ms}}}}}
      ],
      "connections": [{{"from": "users", "to": "alb"}}, {{"from": "alb", "to": "web"}}],
      "infrastructure": {{
        "fleet": {fleet},
        "network": {{"vpcs": [{{"name": "vpc", "cidr": "10.0.0.0/16",
          "subnets": [{{"name": "app-a", "cidr": "10.0.1.0/24", "az": "a"}}]}}]}}
      }}
    }}"#
    );
    let t = Topology::from_json(&text).unwrap();
    assert!(!validate(&t).has_errors(), "{:?}", validate(&t).diagnostics);
    t
}

const ONE_AZ: &str = r#"{"region": "ap-northeast-2", "azs": ["a"]}"#;

#[test]
fn auto_scaling_launches_go_through_every_layer_in_order_and_take_8_to_15_s() {
    let t = asg_topology(ONE_AZ, "t3.medium", 10.0);
    let mut sim = Simulation::new(&t, SimConfig::with_seed(11)).unwrap();
    let web = sim.component_index("web").unwrap();
    let mut events = Vec::new();
    for s in 1..=400 {
        sim.step_until(SimTime::from_secs(s));
        for e in sim.drain_lifecycle_events() {
            assert!(e.time <= sim.now(), "a phase is reported only once it has happened");
            events.push(e);
        }
    }
    let launched: std::collections::BTreeSet<&str> = events.iter().map(|e| e.instance.as_str()).collect();
    assert!(launched.len() >= 2, "the step in load scales out: {launched:?}");
    let order = LaunchPhase::LAUNCH;
    let log = sim.scaling_activities();
    for name in &launched {
        let ev: Vec<_> = events.iter().filter(|e| e.instance == *name).collect();
        assert_eq!(ev.iter().map(|e| e.phase).collect::<Vec<_>>(), order, "{name}");
        assert_eq!(
            ev.iter().map(|e| e.layer).collect::<Vec<_>>()[1..5],
            [Layer::Placement, Layer::Hypervisor, Layer::Storage, Layer::Network]
        );
        assert!(ev.windows(2).all(|w| w[0].time <= w[1].time));
        assert_eq!(ev[0].component, Some(web));
        let host = ev[1].host.as_deref().unwrap();
        assert!(host.starts_with("ap-northeast-2a-"), "{host}");
        assert!(ev[4].private_ip.as_deref().unwrap().starts_with("10.0.1."));
        assert_eq!(ev[3].volume.as_deref(), Some(format!("{name}-root").as_str()));
        // From the scale-out decision to running: 8-15 s.
        let decided = log
            .iter()
            .filter(|a| a.action == ScalingAction::ScaleOut && a.time <= ev[0].time)
            .map(|a| a.time)
            .max()
            .unwrap();
        let total = ev[6].time.since(decided).as_secs_f64();
        assert!((8.0..=15.0).contains(&total), "{name}: {total} s");
        // It takes traffic only from then: the group counts it in service at that moment.
        let ready = log.iter().find(|a| a.action == ScalingAction::InstanceReady && a.time == ev[6].time);
        assert!(ready.is_some(), "{name}: ready when running");
    }
    let r = sim.report();
    let l = r.layers.as_ref().unwrap();
    assert_eq!(l.launches as usize, launched.len());
    assert_eq!(l.failed_launches, 0);
    let runs: Vec<_> = l.api_log.iter().filter(|c| c.action == "RunInstances").collect();
    assert_eq!(runs.len(), launched.len());
    assert!(runs.iter().all(|c| c.principal.to_string() == "autoscaling:web" && c.result.is_ok()));
    // Every in-service instance of the group runs on a host in the layers.
    let mine: Vec<_> = l.instances.iter().filter(|i| i.component.as_deref() == Some("web")).collect();
    assert_eq!(mine.len() as u32, r.component("web").unwrap().instances);
    assert!(mine.iter().all(|i| i.host.is_some() && i.private_ip.is_some()));
}

#[test]
fn a_launch_without_capacity_fails_releases_what_it_reserved_and_is_reported() {
    // One 16-vCPU host: the first m5.4xlarge takes it whole; scale-out cannot fit another.
    let fleet = r#"{"region": "ap-northeast-2", "azs": ["a"], "per_az": {"data_centers": 1,
        "racks_per_data_center": 1, "compute_hosts_per_rack": 1, "memory_hosts_per_rack": 0,
        "compute_host": {"kind": "compute", "cores": 8, "threads_per_core": 2, "memory_gib": 64}}}"#;
    let t = asg_topology(fleet, "m5.4xlarge", 60.0);
    let mut sim = Simulation::new(&t, SimConfig::with_seed(3)).unwrap();
    sim.step_until(SimTime::from_secs(300));
    let events = sim.drain_lifecycle_events();
    let failed: Vec<_> = events.iter().filter(|e| e.failed).collect();
    assert!(!failed.is_empty(), "{events:?}");
    for e in &failed {
        assert_eq!(e.phase, LaunchPhase::CapacityReserved);
        assert!(
            e.detail.contains("InsufficientInstanceCapacity") || e.detail.to_lowercase().contains("capacity"),
            "{}",
            e.detail
        );
        assert_eq!(e.host, None);
    }
    assert!(sim.scaling_activities().iter().any(|a| a.action == ScalingAction::LaunchFailed));
    let r = sim.report();
    let l = r.layers.as_ref().unwrap();
    assert_eq!(l.launches, 0);
    // The newest failure may still be under way (its phases are not due yet).
    assert!((l.failed_launches as usize).abs_diff(failed.len()) <= 1, "{} vs {}", l.failed_launches, failed.len());
    assert!(l.api_log.iter().any(|c| c.action == "RunInstances" && c.result.is_err()));
    // The host holds only the one running instance; failed launches left nothing behind.
    let infra = sim.infrastructure().unwrap();
    let host = &infra.hypervisors.host(infra.fleet.hosts[0].id);
    assert_eq!(host.used_vcpus, 16);
    assert_eq!(host.vms.len(), 1);
    assert_eq!(r.component("web").unwrap().instances, 1, "the group keeps serving with what it has");
}

#[test]
fn a_user_launch_reports_its_phases_as_they_happen() {
    let t = scenario("peering-routes-after");
    let mut sim = Simulation::new(&t, SimConfig::with_seed(9)).unwrap();
    sim.step_until(SimTime::from_secs(5));
    let mut req = LaunchRequest::new("bastion", "t3.medium", "a-app", "alice");
    req.security_groups = vec!["sg-app".into()];
    let plan = sim.launch_instance(&req).unwrap();
    let total = plan.total().unwrap().as_secs_f64();
    assert!((8.0..=15.0).contains(&total), "{total}");
    assert!(sim.drain_lifecycle_events().is_empty(), "nothing has happened yet at the call");
    sim.step_until(SimTime::from_secs(7));
    let early = sim.drain_lifecycle_events();
    assert!(!early.is_empty() && early.iter().all(|e| e.time <= SimTime::from_secs(7)));
    sim.step_until(SimTime::from_secs(30));
    let rest = sim.drain_lifecycle_events();
    assert_eq!(early.len() + rest.len(), plan.events.len());
    assert_eq!(rest.last().unwrap().phase, LaunchPhase::Running);
    assert!(sim.api_log().iter().any(|c| c.action == "RunInstances" && c.target == "bastion"));
}

#[test]
fn a_launch_runs_in_the_layers_at_its_plan_s_exact_time_not_at_the_next_metrics_tick() {
    use strata_core::layers::launch::InstanceState;
    let t = scenario("peering-routes-after");
    let mut sim = Simulation::new(&t, SimConfig::with_seed(9)).unwrap();
    // Between two metrics ticks (one a second).
    sim.step_until(SimTime(5_300_000_000));
    let mut req = LaunchRequest::new("bastion", "t3.medium", "a-app", "alice");
    req.security_groups = vec!["sg-app".into()];
    let plan = sim.launch_instance(&req).unwrap();
    let running = *plan.outcome.as_ref().expect("launched");
    assert_ne!(running.0 % 1_000_000_000, 0, "the plan ends between two ticks: {running:?}");
    let state = |sim: &Simulation| sim.infrastructure().unwrap().instance(plan.instance).state;
    sim.step_until(SimTime(running.0 - 1));
    assert_eq!(state(&sim), InstanceState::Pending, "one nanosecond before its time");
    sim.step_until(running);
    assert_eq!(state(&sim), InstanceState::Running, "running at the plan's completion time, not the next tick");
    let events = sim.drain_lifecycle_events();
    let last = events.last().unwrap();
    assert_eq!((last.phase, last.time), (LaunchPhase::Running, running));
    assert_eq!(last.time, plan.events.last().unwrap().at);
}

// ---------------------------------------------------------------------------------------------
// Determinism and the plain engine

#[test]
fn runs_with_layers_are_deterministic_and_independent_of_stepping() {
    let topologies = [
        scenario("noisy-neighbour-before"),
        scenario("gp2-burst-before"),
        scenario("peering-routes-before"),
        asg_topology(ONE_AZ, "t3.medium", 10.0),
    ];
    for t in &topologies {
        let one = |chunk_ms: u64| {
            let mut sim = Simulation::new(t, SimConfig::with_seed(21)).unwrap();
            let end = 200_000u64;
            let mut now = 0;
            while now < end {
                now = (now + chunk_ms).min(end);
                sim.step_until(SimTime(Duration::from_millis(now).as_nanos()));
                let _ = sim.drain_lifecycle_events();
            }
            (sim.trace_hash(), serde_json::to_string(&sim.report()).unwrap())
        };
        let (h1, r1) = one(200_000);
        let (h2, r2) = one(777);
        assert_eq!(h1, h2, "{}", t.name);
        assert_eq!(r1, r2, "{}", t.name);
        let other = Simulation::new(t, SimConfig::with_seed(22)).map(|mut s| {
            s.step_until(SimTime::from_secs(200));
            s.trace_hash()
        });
        assert_ne!(other.unwrap(), h1, "{}: the seed matters", t.name);
    }
}

#[test]
fn a_topology_without_infrastructure_has_no_layers_in_its_report() {
    let t = scenario("three-tier");
    assert!(t.infrastructure.is_none());
    let (sim, r) = run(&t, 1, 10);
    assert!(!sim.has_layers() && r.layers.is_none());
    let json = serde_json::to_value(&r).unwrap();
    assert!(json.get("layers").is_none());
    assert!(json["components"][0].get("steal_percent").is_none());
    assert!(sim
        .series(sim.component_index("web").unwrap_or(strata_core::sim::ComponentIdx(1)))
        .iter()
        .all(|p| p.steal_percent.is_none()));
    // Saving keeps the document as it was: no `infrastructure` key appears.
    assert!(!t.to_json().contains("infrastructure"));
}
