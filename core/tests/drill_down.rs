//! The drill-down (`Simulation::instance_detail`, `connection_reachability`) and the
//! `stop-instance` / `reboot-instance` actions, end to end: the noisy-neighbour fix done as an
//! action, measured against the engine's own figures for the fixed scenario.

use strata_core::experiment::{Action, Experiment};
use strata_core::layers::launch::{InstanceState, LaunchPhase};
use strata_core::layers::placement::CandidateVerdict;
use strata_core::sim::{InstanceStatus, LaunchKind, Report, SimConfig, Simulation};
use strata_core::time::{Duration, SimTime};
use strata_core::topology::Topology;

const SHARED_HOST: &str = "ap-northeast-2a-shared-h07";

fn scenario(name: &str) -> Topology {
    let path = format!("{}/../public/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Topology::from_json(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sim(t: &Topology, seed: u64, experiment: Option<&str>, warmup_s: u64) -> Simulation {
    let cfg = SimConfig {
        experiment: experiment.map(str::to_string),
        warmup: Duration::from_secs(warmup_s),
        ..SimConfig::with_seed(seed)
    };
    Simulation::new(t, cfg).expect("valid topology")
}

fn p95(r: &Report) -> f64 {
    r.component("api").unwrap().latency.p95_ms
}

#[test]
fn instance_detail_shows_the_noisy_host_its_neighbours_slice_network_and_volume() {
    let t = scenario("noisy-neighbour-before");
    let mut s = sim(&t, 7, None, 0);
    s.step_until(SimTime::from_secs(30));
    let api = s.component_index("api").unwrap();
    let d = s.instance_detail(api, 0).expect("api is a layered instance");
    assert_eq!((d.name.as_str(), d.component.as_deref(), d.slot), ("api", Some("api"), Some(0)));
    assert_eq!((d.instance_type.as_str(), d.vcpus, d.memory_gib), ("m5.xlarge", 4, 16.0));
    assert_eq!(d.state, InstanceState::Running);
    assert_eq!(d.status, Some(InstanceStatus::InService));
    assert!(d.takes_traffic);
    assert_eq!(d.az, "ap-northeast-2a");
    assert_eq!(d.subnet.as_deref(), Some("app-a"));

    let host = d.host.as_ref().unwrap();
    assert_eq!(host.name, SHARED_HOST);
    assert!(!host.rack.is_empty() && host.az == "ap-northeast-2a");
    assert_eq!(host.hardware_threads, 64);
    assert_eq!(host.allocated_vcpus, 9 * 16 + 4);
    assert!(host.oversubscription > 2.0, "{}", host.oversubscription);
    assert!(host.cpu_load_percent > 200.0 && host.steal_percent > 40.0, "{host:?}");
    assert_eq!(host.vms, 10);

    assert_eq!(d.neighbours.len(), 9);
    for n in &d.neighbours {
        assert!(n.name.starts_with("tenant-b-batch-"), "{}", n.name);
        assert_eq!((n.account.as_str(), n.component.as_deref(), n.vcpus), ("tenant-b", None, 16));
        assert!((n.cpu_demand_percent - 100.0).abs() < 1e-9);
        assert!(n.steal_percent > 40.0, "{}: steal {}", n.name, n.steal_percent);
    }

    let slice = d.slice.as_ref().unwrap();
    assert_eq!((slice.vcpus, slice.memory_gib, slice.running), (4, 16.0, true));
    assert!(slice.steal_percent > 40.0);
    assert!((2.0..=3.0).contains(&slice.service_time_multiplier), "{}", slice.service_time_multiplier);
    assert!((5.0..=25.0).contains(&slice.guest_cpu_percent), "{}", slice.guest_cpu_percent);

    let net = d.network.as_ref().unwrap();
    assert_eq!((net.private_ip.as_str(), net.subnet_cidr.as_str()), ("10.0.1.50", "10.0.1.0/24"));
    assert_eq!((net.vpc.as_str(), net.vpc_cidr.as_str()), ("vpc-app", "10.0.0.0/16"));
    assert_eq!(net.security_groups.len(), 1);
    assert_eq!(net.security_groups[0].name, "sg-api");
    assert_eq!(net.security_groups[0].inbound, vec!["allow TCP 8080 from 10.0.0.0/16".to_string()]);
    assert!(net.routes.iter().any(|r| r.destination == "10.0.0.0/16" && r.target == "local"), "{:?}", net.routes);
    assert!(!net.route_table.is_empty() && !net.nacl.is_empty());

    assert_eq!(d.volumes.len(), 1);
    let v = &d.volumes[0];
    assert_eq!(v.name, "api-root");
    assert!(v.root && v.serves_disk_step);
    assert_eq!((v.baseline_iops, v.iops_limit, v.burst_balance_percent), (3000, 3000, 100.0));

    // Pinned by the scenario: no placement decision, and the panel says why.
    assert!(d.placement.is_none());
    assert!(d.placement_note.as_deref().unwrap().contains("by the scenario"), "{:?}", d.placement_note);
    assert!(d.last_launch.is_none(), "running from the start: no launch during the run");
    serde_json::to_string(&d).expect("serializable for the page");

    // Another tenant's VM, by name.
    let b = s.instance_detail_by_name("tenant-b-batch-1").unwrap();
    assert_eq!((b.component, b.account.as_str()), (None, "tenant-b"));
    assert_eq!(b.neighbours.len(), 9);
    assert!(b.neighbours.iter().any(|n| n.component.as_deref() == Some("api")));
    assert!(s.instance_detail_by_name("ghost").is_none());
    let users = s.component_index("users").unwrap();
    assert!(s.instance_detail(users, 0).is_none());
    assert!(s.instance_detail(api, 1).is_none());
}

#[test]
fn an_instance_placed_at_the_start_shows_its_placement_decision() {
    let t = scenario("gp2-burst-before");
    let mut s = sim(&t, 7, None, 0);
    s.step_until(SimTime::from_secs(5));
    let db = s.component_index("db").unwrap();
    let d = s.instance_detail(db, 0).unwrap();
    let p = d.placement.as_ref().expect("placed by the placement layer");
    let infra = s.infrastructure().unwrap();
    assert_eq!(p.candidates.len(), infra.fleet.hosts_in_az(p.az).count());
    assert_eq!(infra.fleet.host(p.chosen.unwrap()).name, d.host.as_ref().unwrap().name);
    assert!(d.placement_note.is_none());
    // The data volume serves the disk step, and its IOPS are there.
    let data = d.volumes.iter().find(|v| v.serves_disk_step).unwrap();
    assert!(!data.root && data.baseline_iops == 300 && data.ios_done > 0, "{data:?}");
}

/// Stop at 60 s, start at 120 s (experiment `stop-start-api` of the scenario).
#[test]
fn stop_start_moves_the_api_off_the_noisy_host_and_steal_and_p95_fall_to_the_after_levels() {
    let before = scenario("noisy-neighbour-before");
    let after = scenario("noisy-neighbour-after");
    // Figures over 150-450 s: from about 20 s after the API is back.
    let (warmup, end) = (150, 450);
    let mut fixed = sim(&before, 7, Some("stop-start-api"), warmup);
    fixed.step_until(SimTime::from_secs(end));
    let mut slow = sim(&before, 7, None, warmup);
    slow.step_until(SimTime::from_secs(end));
    let mut good = sim(&after, 7, None, warmup);
    good.step_until(SimTime::from_secs(end));

    let api = fixed.component_index("api").unwrap();
    let d = fixed.instance_detail(api, 0).unwrap();
    let host = d.host.as_ref().unwrap();
    assert_ne!(host.name, SHARED_HOST, "moved by placement");
    assert_eq!((d.state, d.restarts), (InstanceState::Running, 1));
    assert_eq!(d.network.as_ref().unwrap().private_ip, "10.0.1.50", "private IP kept");
    assert_eq!(d.volumes[0].name, "api-root", "same root volume");
    assert!(d.neighbours.iter().all(|n| !n.name.starts_with("tenant-b")));

    let steal = |s: &Simulation| {
        let pts: Vec<f64> = s
            .series(s.component_index("api").unwrap())
            .iter()
            .filter(|p| p.t_s >= warmup as f64)
            .filter_map(|p| p.steal_percent)
            .collect();
        pts.iter().sum::<f64>() / pts.len() as f64
    };
    let (st_slow, st_fixed, st_good) = (steal(&slow), steal(&fixed), steal(&good));
    let (rs, rf, rg) = (slow.report(), fixed.report(), good.report());
    let (p_slow, p_fixed, p_good) = (p95(&rs), p95(&rf), p95(&rg));
    println!(
        "steal {st_slow:.1}% -> {st_fixed:.2}% (after scenario {st_good:.2}%); p95 {p_slow:.1} ms -> {p_fixed:.1} ms (after scenario {p_good:.1} ms); host {}",
        host.name
    );
    assert!(st_slow > 40.0, "{st_slow}");
    assert!(st_fixed < 1.0 && (st_fixed - st_good).abs() < 1.0, "{st_fixed} vs {st_good}");
    assert!(p_slow / p_fixed >= 2.0, "p95 {p_slow} -> {p_fixed}");
    assert!((0.8..=1.25).contains(&(p_fixed / p_good)), "p95 {p_fixed} vs the after scenario's {p_good}");
    assert_eq!(rf.component("api").unwrap().errors.total, 0, "back in service before the window");

    // The restart's phases, in order, for the page to animate; the same in the record.
    let rec = d.last_launch.as_ref().unwrap();
    assert_eq!(rec.kind, LaunchKind::StopStart);
    assert_eq!(rec.requested_at, SimTime::from_secs(60));
    let phases: Vec<LaunchPhase> = rec.phases.iter().map(|e| e.phase).collect();
    use LaunchPhase::*;
    assert_eq!(
        phases,
        vec![
            Stopping,
            Stopped,
            RequestAccepted,
            CapacityReserved,
            VmCreated,
            StorageAttached,
            NetworkConfigured,
            OsBoot,
            Running
        ]
    );
    assert!(rec.phases.windows(2).all(|w| w[0].time <= w[1].time));
    let stopped = &rec.phases[1];
    assert!(stopped.time > SimTime::from_secs(62) && stopped.time < SimTime::from_secs(69), "{:?}", stopped.time);
    assert_eq!(stopped.host.as_deref(), Some(SHARED_HOST));
    assert_eq!(rec.phases[2].time.0 / 1_000_000_000, 120, "started when the action ends");
    assert_eq!(rec.phases[3].host.as_deref(), Some(host.name.as_str()));
    let ready = rec.ready_at.unwrap();
    assert_eq!(rec.phases[8].time, ready);
    let drained = fixed.drain_lifecycle_events();
    assert_eq!(drained.len(), 9);
    assert_eq!(drained, rec.phases);
    println!("down from 60 s to {:.1} s", ready.0 as f64 / 1e9);

    // The placement decision of the start: every host of the AZ, a reason or a score; the
    // winner has the best score; the old host is scored down.
    let p = d.placement.as_ref().unwrap();
    let infra = fixed.infrastructure().unwrap();
    assert_eq!(p.candidates.len(), infra.fleet.hosts_in_az(p.az).count());
    let mut best = (f64::MIN, String::new());
    for c in &p.candidates {
        match &c.verdict {
            CandidateVerdict::Filtered { reason } => assert!(!reason.is_empty()),
            CandidateVerdict::Scored { score, terms } => {
                assert!(!terms.is_empty());
                if *score > best.0 {
                    best = (*score, c.host_name.clone());
                }
            }
        }
    }
    assert_eq!(best.1, host.name);
    assert_eq!(infra.fleet.host(p.chosen.unwrap()).name, host.name);
    let old = p.candidates.iter().find(|c| c.host_name == SHARED_HOST).unwrap();
    match &old.verdict {
        CandidateVerdict::Scored { terms, .. } => {
            assert!(terms.iter().any(|t| t.contains("before the stop")), "{terms:?}")
        }
        CandidateVerdict::Filtered { reason } => panic!("the old host has room: {reason}"),
    }

    // Deterministic.
    let mut again = sim(&before, 7, Some("stop-start-api"), warmup);
    again.step_until(SimTime::from_secs(end));
    assert_eq!(again.trace_hash(), fixed.trace_hash());
}

#[test]
fn reboot_keeps_the_host_and_is_out_of_service_for_the_reboot_time_exactly() {
    let t = scenario("noisy-neighbour-before");
    let mut s = sim(&t, 7, Some("reboot-api"), 0);
    let api = s.component_index("api").unwrap();
    s.step_until(SimTime::from_secs(60));
    let d = s.instance_detail(api, 0).unwrap();
    assert_eq!(d.status, Some(InstanceStatus::Down));
    assert!(!d.takes_traffic);
    let until = d.rebooting_until.expect("rebooting");
    let secs = until.since(SimTime::from_secs(60)).as_secs_f64();
    assert!((20.0..=40.0).contains(&secs), "reboot {secs} s");
    assert_eq!(d.host.as_ref().unwrap().name, SHARED_HOST);
    let rec = d.last_launch.as_ref().unwrap();
    assert_eq!(rec.kind, LaunchKind::Reboot);
    assert_eq!(
        rec.phases.iter().map(|e| e.phase).collect::<Vec<_>>(),
        vec![LaunchPhase::Rebooting, LaunchPhase::Running]
    );
    assert_eq!(rec.phases[1].time, until);

    s.step_until(SimTime(until.0 - 1));
    assert_eq!(s.instances(api)[0].status, InstanceStatus::Down);
    s.step_until(until);
    assert_eq!(s.instances(api)[0].status, InstanceStatus::InService);
    let d = s.instance_detail(api, 0).unwrap();
    assert!(d.takes_traffic && d.rebooting_until.is_none());
    assert_eq!((d.host.as_ref().unwrap().name.as_str(), d.restarts), (SHARED_HOST, 0));
    assert!(s.api_log().iter().any(|c| c.action == "RebootInstances" && c.result.is_ok()));

    // The requests in between failed for want of a target, and only them.
    s.step_until(until + Duration::from_secs(5));
    let r = s.report();
    let users = r.client("users").unwrap();
    let failed = users.errors.total as f64;
    // 30 requests/s for the reboot time, give or take the Poisson noise.
    assert!((failed - 30.0 * secs).abs() < 0.25 * 30.0 * secs, "{failed} failed over {secs} s");
}

#[test]
fn stop_and_reboot_work_without_layers_too() {
    let mut t = scenario("single-ec2");
    let ec2 = t.components.iter().find(|c| c.spec.kind() == strata_core::topology::ComponentKind::Ec2).unwrap();
    let id = ec2.id.clone();
    let action = |json: String| -> Action { serde_json::from_str(&json).unwrap() };
    t.edit_experiments(|l| {
        l.push(Experiment {
            name: "stop".into(),
            description: String::new(),
            actions: vec![action(format!(
                r#"{{"action": "stop-instance", "target": {{"component": "{id}"}}, "start_s": 10, "duration_s": 20}}"#
            ))],
            stop_conditions: Vec::new(),
        })
    });
    let mut s = sim(&t, 7, Some("stop"), 0);
    let c = s.component_index(&id).unwrap();
    s.step_until(SimTime::from_secs(11));
    assert_eq!(s.instances(c)[0].status, InstanceStatus::Down);
    assert!(s.instance_detail(c, 0).is_none(), "no layers: nothing to drill into");
    s.step_until(SimTime::from_secs(31));
    assert_eq!(s.instances(c)[0].status, InstanceStatus::Down, "booting");
    s.step_until(SimTime::from_secs(60));
    assert_eq!(s.instances(c)[0].status, InstanceStatus::InService);
}

#[test]
fn connection_reachability_walks_the_blocked_path_hop_by_hop() {
    let t = scenario("peering-routes-before");
    let s = sim(&t, 7, None, 0);
    let i = t.connections.iter().position(|c| c.from == "app" && c.to == "db").unwrap();
    let r = s.connection_reachability(i).expect("both ends have an ENI");
    assert!(!r.reachable);
    let hop = r.blocking_hop().unwrap();
    let blocked = s.blocked_paths().iter().find(|b| b.connection == i).unwrap();
    assert_eq!(
        (hop.kind, hop.component.as_str(), hop.detail.as_str()),
        (blocked.hop, blocked.at.as_str(), blocked.reason.as_str())
    );
    assert_eq!(r.port, 5432);
    // The client has no network interface.
    let u = t.connections.iter().position(|c| c.from == "users").unwrap();
    assert!(s.connection_reachability(u).is_none());
    assert!(s.connection_reachability(99).is_none());

    let fixed = sim(&scenario("peering-routes-after"), 7, None, 0);
    assert!(fixed.connection_reachability(i).unwrap().reachable);
}
