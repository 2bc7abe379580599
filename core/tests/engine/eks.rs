//! EKS deployments in the engine: pods are the capacity, and in a spike they arrive through the
//! chain the cluster model spells out (HPA -> Pending -> cluster autoscaler -> node launch and
//! join -> image pull -> readiness -> the load balancer's checks). Spare nodes cut the chain
//! short.

use strata_core::sim::{InstanceStatus, ObservationKind, SimConfig, Simulation};
use strata_core::time::SimTime;

use crate::common::{assert_conserved, scenario, scenario_edited};

/// The spike begins here (the scenarios' client).
const SPIKE_S: u64 = 60;

/// Steps a scenario second by second for 15 minutes: pods in service each second, and the
/// simulation at the end.
fn timeline(file: &str, seed: u64) -> (Vec<u32>, Simulation) {
    let t = scenario(file);
    let mut sim = Simulation::new(&t, SimConfig::with_seed(seed)).unwrap();
    let api = sim.component_index("api").unwrap();
    let mut pods = Vec::new();
    for s in 0..=900 {
        sim.step_until(SimTime::from_secs(s));
        pods.push(sim.instances_in_service(api));
    }
    (pods, sim)
}

/// The first second at or after the spike with at least `n` pods in service.
fn first_with(pods: &[u32], n: u32) -> Option<u64> {
    pods.iter().enumerate().skip(SPIKE_S as usize).find(|(_, p)| **p >= n).map(|(s, _)| s as u64)
}

#[test]
fn pods_pending_in_a_spike_come_from_new_nodes_and_spare_nodes_serve_sooner() {
    let (cold, sim) = timeline("pods-pending-spike.json", 1);
    assert_eq!(cold[0], 4, "four pods at the start");
    let obs = sim.observations();
    let first = |k: ObservationKind| obs.iter().find(|o| o.kind == k).unwrap_or_else(|| panic!("no {k:?}: {obs:#?}"));
    let scaled = first(ObservationKind::PodsScaled);
    let pending = first(ObservationKind::PodPending);
    let added = first(ObservationKind::NodesAdded);
    let joined = first(ObservationKind::NodeJoined);
    assert!(pending.text.contains("Insufficient cpu"), "{}", pending.text);
    // The chain, in order: the HPA asks, pods go Pending, nodes are launched, join.
    assert!(scaled.time_s >= SPIKE_S as f64 && scaled.time_s <= SPIKE_S as f64 + 15.0, "{}", scaled.time_s);
    assert!(pending.time_s >= scaled.time_s && added.time_s >= pending.time_s);
    assert!(added.time_s - pending.time_s <= 10.0, "the autoscaler looks every 10 s");
    // A node: the EC2 launch phases (8.18-14.92 s) then the join (20-40 s).
    let took = joined.time_s - added.time_s;
    assert!((28.18..=54.92).contains(&took), "node ready {took} s after its launch");
    // Two nodes hold six 500 m pods; more need the new nodes.
    let six = first_with(&cold, 6).unwrap();
    let ten = first_with(&cold, 10).unwrap();
    assert!(six < ten);
    assert!(ten as f64 > joined.time_s, "pods beyond six wait for a new node");

    let (warm, warm_sim) = timeline("pods-spare-nodes.json", 1);
    assert!(warm_sim.observations().iter().all(|o| o.kind != ObservationKind::PodPending), "nothing Pending");
    let warm_ten = first_with(&warm, 10).unwrap();
    println!(
        "5x spike: 10 pods serving {} s after it on 2 nodes (pods Pending, nodes launched), {} s with 6 nodes",
        ten - SPIKE_S,
        warm_ten - SPIKE_S
    );
    assert!(warm_ten + 20 < ten, "spare nodes: {warm_ten} s, autoscaled: {ten} s");
    let r = sim.report();
    let w = warm_sim.report();
    let ok = |r: &strata_core::sim::Report| r.clients[0].successes as f64 / r.clients[0].requests as f64;
    println!("availability over 15 min: {:.2}% autoscaled, {:.2}% with spare nodes", ok(&r) * 100.0, ok(&w) * 100.0);
    assert!(ok(&w) > ok(&r));
    assert_conserved(&sim, &r);
    assert_conserved(&warm_sim, &w);
}

#[test]
fn an_eks_run_is_deterministic_and_bills_nodes_and_the_cluster() {
    let t = scenario("pods-pending-spike.json");
    let run = |seed| {
        let mut sim = Simulation::new(&t, SimConfig::with_seed(seed)).unwrap();
        sim.step_until(SimTime::from_secs(300));
        sim
    };
    let (a, b, c) = (run(7), run(7), run(8));
    assert_eq!(a.trace_hash(), b.trace_hash());
    assert_ne!(a.trace_hash(), c.trace_hash());
    // Before the spike: two m5.large nodes for 60 s and the cluster fee, nothing else.
    let mut quiet = Simulation::new(&t, SimConfig::with_seed(1)).unwrap();
    quiet.step_until(SimTime::from_secs(SPIKE_S));
    let cost = quiet.cost();
    let api = cost.by_component.iter().find(|c| c.id == "api").unwrap();
    let line = |item: &str| api.lines.iter().find(|l| l.item == item).unwrap_or_else(|| panic!("{item}: {api:?}"));
    let hours = SPIKE_S as f64 / 3600.0;
    assert!((line("node instance-hours").quantity - 2.0 * hours).abs() < 1e-9);
    assert!((line("node instance-hours").unit_price - 0.096).abs() < 1e-12, "m5.large");
    assert!((line("EKS cluster hours").quantity - hours).abs() < 1e-9);
    assert!((line("EKS cluster hours").unit_price - 0.10).abs() < 1e-12);
}

#[test]
fn an_az_outage_stops_its_pods_at_once_and_kubernetes_replaces_them_after_its_eviction_delay() {
    // Six nodes over two AZs, four pods at a steady 100 requests/s, no HPA: the AZ us-east-1a
    // goes dark at 120 s.
    let mut sim = steady(serde_json::json!([
        {"action": "az-outage", "target": {"az": "use1-az1"}, "start_s": 120, "duration_s": 600}]));
    let api = sim.component_index("api").unwrap();
    // Pods answering, and where the pods (answering or not) are.
    let mut at = |s: u64| {
        sim.step_until(SimTime::from_secs(s));
        let pods = sim.instances(api);
        let answering = pods.iter().filter(|i| i.status == InstanceStatus::InService).count() as u32;
        (answering, pods.into_iter().filter_map(|i| i.az).collect::<Vec<String>>())
    };
    let (before, azs) = at(119);
    assert_eq!(before, 4);
    assert_eq!(azs.iter().filter(|a| *a == "use1-az1").count(), 2, "spread over both AZs: {azs:?}");
    // Its two pods stop answering with their nodes (still there for the load balancer, until
    // its checks take them out)...
    let (down, azs) = at(121);
    assert_eq!((down, azs.len()), (2, 4));
    // ...but Kubernetes replaces them only after 40 s + 300 s (at 460 s), on the other AZ's
    // nodes, where the image is: 11.2 s to Ready.
    assert_eq!(at(459).0, 2);
    assert_eq!(at(471).0, 2);
    let (after, azs) = at(472);
    assert_eq!(after, 4);
    assert!(azs.iter().all(|a| a == "use1-az2"), "{azs:?}");
    let r = sim.report();
    assert!(r.resilience.observations.iter().any(|o| o.kind == ObservationKind::ZoneLost), "the outage is in the log");
    assert_conserved(&sim, &r);
}

#[test]
fn a_bad_version_all_at_once_against_a_canary_with_an_alarm_in_the_engine() {
    let run = |file: &str| {
        let t = scenario(file);
        let config = SimConfig { experiment: Some("deploy-v2".into()), ..SimConfig::with_seed(1) };
        let mut sim = Simulation::new(&t, config).unwrap();
        sim.step_until(SimTime::from_secs(600));
        let r = sim.report();
        assert_conserved(&sim, &r);
        (sim, r)
    };
    let at = |sim: &Simulation, kind: ObservationKind| {
        sim.observations().iter().find(|o| o.kind == kind).map(|o| o.time_s).unwrap_or_else(|| panic!("no {kind:?}"))
    };
    let (all, ra) = run("deploy-all-at-once.json");
    let (canary, rc) = run("deploy-canary.json");
    // Both alarms see two bad minutes (120-180 s) and roll back at 180 s.
    assert_eq!(at(&all, ObservationKind::AlarmFired), 180.0);
    assert_eq!(at(&canary, ObservationKind::AlarmFired), 180.0);
    let failed = |r: &strata_core::sim::Report| r.clients[0].errors.total;
    // All at once: nothing in rotation from 60 s until the v2 pods pass the checks at 105 s.
    assert!(ra.clients[0].errors.no_healthy_target > 0);
    // The canary: one pod of ten takes a tenth of the 200 requests/s from 105 s (its checks
    // passed) to 180 s, and fails a fifth of them: about 300 (binomial, 4 standard deviations).
    let expect = 200.0 * 0.1 * 0.2 * 75.0;
    let sd = (expect / 0.2 * 0.2 * 0.8_f64).sqrt();
    let got = failed(&rc) as f64;
    assert!((got - expect).abs() < 4.0 * sd + 0.1 * expect, "canary failed {got}, expected about {expect}");
    assert_eq!(rc.clients[0].errors.no_healthy_target, 0, "the canary never emptied the rotation");
    println!("bad version in the engine: all at once {} failed, canary {} failed", failed(&ra), failed(&rc));
    assert!(failed(&ra) > 20 * failed(&rc));
    // Both end on v1, and nothing fails after the rollback has settled.
    for sim in [&all, &canary] {
        let users = sim.component_index("users").unwrap();
        let late: u64 = sim.series(users).iter().filter(|p| p.t_s > 240.0).map(|p| p.errors).sum();
        assert_eq!(late, 0);
    }
}

/// Runs experiment `name` of a deployment scenario for 10 minutes, second by second: the pods
/// the load balancer sends traffic to and the client's p99 latency in each second, and the
/// simulation at the end.
fn deployment(file: &str, name: &str) -> (Vec<u32>, Vec<f64>, Simulation) {
    let t = scenario(file);
    let config = SimConfig { experiment: Some(name.into()), ..SimConfig::with_seed(1) };
    let mut sim = Simulation::new(&t, config).unwrap();
    let api = sim.component_index("api").unwrap();
    let mut rotation = Vec::new();
    for s in 0..=600 {
        sim.step_until(SimTime::from_secs(s));
        rotation.push(sim.instances(api).iter().filter(|i| i.in_rotation).count() as u32);
    }
    let users = sim.component_index("users").unwrap();
    let p99 = sim.series(users).iter().map(|p| p.p99_ms).collect();
    (rotation, p99, sim)
}

#[test]
fn a_blue_green_switch_fails_nothing_and_its_rollback_is_instant() {
    let switched_at = |sim: &Simulation| {
        let o = sim.observations().iter().find(|o| o.text.contains("100% of the traffic on the new version"));
        o.map(|o| o.time_s).expect("the switch is in the log")
    };
    // A good v2: ten v2 pods start beside the ten v1 pods, the load balancer checks them while
    // they stand by, and the traffic switches once all ten are healthy (the readiness gate).
    let (rotation, _, good) = deployment("deploy-blue-green.json", "switch-v2");
    let r = good.report();
    assert_conserved(&good, &r);
    assert_eq!(r.clients[0].errors.total, 0, "{:?}", r.clients[0].errors);
    assert!(rotation.iter().all(|n| *n == 10), "ten targets in rotation every second: {rotation:?}");
    let switch = switched_at(&good);
    // The new pods' start (17 s) and two checks 15 s apart: 90-105 s after a 60 s start.
    assert!((90.0..=105.0).contains(&switch), "switched at {switch} s");
    let api = good.component_index("api").unwrap();
    let standing = |sim: &mut Simulation, s: u64| {
        sim.step_until(SimTime::from_secs(s));
        sim.instances(api).iter().filter(|i| i.status == InstanceStatus::Standby).count()
    };
    // The v1 set stands by for 5 minutes after the switch, then goes.
    let mut good = good;
    assert_eq!(standing(&mut good, 600), 0);
    let t = scenario("deploy-blue-green.json");
    let config = SimConfig { experiment: Some("switch-v2".into()), ..SimConfig::with_seed(1) };
    let mut again = Simulation::new(&t, config).unwrap();
    assert_eq!(standing(&mut again, 80), 10, "the v2 set stands by before the switch");
    assert_eq!(standing(&mut again, switch as u64 + 10), 10, "the v1 set stands by after it");
    assert_eq!(standing(&mut again, switch as u64 + 310), 0, "and is gone 5 minutes later");

    // A bad v2 (20% errors): the alarm sees two bad minutes and rolls back; the v1 set was
    // standing by, so the traffic is back on it at once.
    let (rotation, _, bad) = deployment("deploy-blue-green.json", "bad-v2-rolled-back");
    let r = bad.report();
    assert_conserved(&bad, &r);
    assert!(rotation.iter().all(|n| *n == 10), "{rotation:?}");
    let fired = bad.observations().iter().find(|o| o.kind == ObservationKind::AlarmFired).unwrap().time_s;
    assert_eq!(fired, 180.0);
    let switch = switched_at(&bad);
    let users = bad.component_index("users").unwrap();
    let series = bad.series(users);
    // Points are seconds ending at `t_s`: the one ending a second after the alarm holds the
    // requests already at a v2 pod when it fired (a pod finishes what reached it).
    let after: u64 = series.iter().filter(|p| p.t_s > fired + 1.0).map(|p| p.errors).sum();
    let in_flight: u64 = series.iter().filter(|p| p.t_s > fired && p.t_s <= fired + 1.0).map(|p| p.errors).sum();
    let before: u64 = series.iter().filter(|p| p.t_s <= switch).map(|p| p.errors).sum();
    assert_eq!((before, after), (0, 0), "errors only while v2 had the traffic");
    assert!(in_flight <= 5, "{in_flight} failed as the traffic went back");
    // 200 requests/s, a fifth failed, from the switch to the alarm (4 standard deviations).
    let expect = 200.0 * 0.2 * (fired - switch);
    let got = r.clients[0].errors.server_error as f64;
    let sd = (expect * 0.8).sqrt();
    assert!((got - expect).abs() < 4.0 * sd + 0.05 * expect, "{got} server errors, expected about {expect}");
    // CloudTrail has every step: the deployment, the switch at the listener, the alarm's
    // rollback and the switch back.
    let trail: Vec<(f64, &str, &str, &str)> = r
        .resilience
        .trail
        .iter()
        .map(|t| (t.time_s, t.principal.as_str(), t.call.as_str(), t.detail.as_str()))
        .collect();
    assert_eq!(
        trail,
        [
            (60.0, "user:deployer", "k8s:patch deployments", "v1 -> v2, blue-green"),
            (
                switch,
                "deployment-controller",
                "elasticloadbalancing:ModifyListener",
                "100% of the traffic to the new version"
            ),
            (
                180.0,
                "cloudwatch-alarm:api-v2-errors",
                "k8s:rollout undo deployments",
                "roll back (alarm api-v2-errors)"
            ),
            (
                180.0,
                "deployment-controller",
                "elasticloadbalancing:ModifyListener",
                "0% of the traffic to the new version"
            ),
        ]
    );
    // Beyond them, at most the requests already on their way to a v2 pod as it stopped.
    assert!(r.clients[0].errors.unavailable <= 5, "{:?}", r.clients[0].errors);
    assert_eq!(r.clients[0].errors.no_healthy_target, 0);
    println!(
        "blue-green: switched at {switch} s, nothing failed; a bad v2 failed {got} requests until its alarm at {fired} s, none after, {} in flight",
        r.clients[0].errors.unavailable
    );
}

#[test]
fn a_rolling_update_with_max_unavailable_too_high_dips_under_load() {
    // 300 requests/s on ten pods that serve 50 each: 60% busy. Max unavailable 5 leaves five
    // pods for 300 requests/s (120%) until the new ones pass their checks.
    let (rotation, p99, sim) = deployment("deploy-rolling.json", "max-unavailable-5");
    let r = sim.report();
    assert_conserved(&sim, &r);
    let window = 61..200;
    let low = rotation[window.clone()].iter().copied().min().unwrap();
    let dipped = rotation[window.clone()].iter().filter(|n| **n <= 5).count();
    let worst = p99[window.clone()].iter().copied().fold(0.0, f64::max);
    let before = p99[10..60].iter().copied().fold(0.0, f64::max);
    assert_eq!(low, 5, "{rotation:?}");
    assert!(dipped >= 30, "five pods for {dipped} s");
    assert!(worst > 5.0 * before, "p99 {worst} ms during the update, {before} ms before");
    assert!(r.clients[0].errors.queue_full > 0, "{:?}", r.clients[0].errors);
    // Max surge 2, max unavailable 0, with the readiness gate: ten pods in rotation throughout.
    let (safe_rotation, safe_p99, safe) = deployment("deploy-rolling.json", "max-surge-2");
    let rs = safe.report();
    assert_conserved(&safe, &rs);
    assert!(safe_rotation.iter().all(|n| *n >= 10), "{safe_rotation:?}");
    let safe_worst = safe_p99[window].iter().copied().fold(0.0, f64::max);
    assert!(safe_worst < 3.0 * before.max(100.0), "p99 {safe_worst} ms, {before} ms before");
    assert_eq!(rs.clients[0].errors.total, 0);
    for s in [&sim, &safe] {
        assert!(s.observations().iter().any(|o| o.text.ends_with("every pod runs v2")), "both complete");
    }
    println!(
        "rolling at 300 requests/s: max unavailable 5 left 5 pods for {dipped} s, p99 up to {worst:.0} ms (before {before:.0}), {} refused; max surge 2: 10 pods throughout, p99 up to {safe_worst:.0} ms, none refused",
        r.clients[0].errors.queue_full
    );
}

#[test]
fn a_slower_version_and_a_leaking_one_load_their_pods_as_their_numbers_say() {
    // The canary scenario's design (200 requests/s on ten 500 m pods: 40% busy), deploying at
    // 60 s all at once a v2 whose service time is 150% of v1's, or one that leaks 10% per minute.
    let run = |params: serde_json::Value| {
        let mut sim = with_v2("deploy-canary.json", params, 3);
        sim.step_until(SimTime::from_secs(600));
        let api = sim.component_index("api").unwrap();
        let series = sim.series(api);
        let busy = move |from: f64, to: f64| {
            let w: Vec<f64> = series.iter().filter(|p| p.t_s > from && p.t_s <= to).map(|p| p.utilization).collect();
            w.iter().sum::<f64>() / w.len() as f64
        };
        (busy(10.0, 60.0), busy, sim)
    };
    let (before, busy, sim) = run(serde_json::json!({"service_time_percent": 150}));
    let after = busy(300.0, 600.0);
    println!("a v2 at 150% service time: pods {:.1}% busy before, {:.1}% after", before * 100.0, after * 100.0);
    assert!((after / before - 1.5).abs() < 0.1, "{before} -> {after}");
    assert!(sim.observations().iter().any(|o| o.text.ends_with("every pod runs v2")));

    let (before, busy, _) = run(serde_json::json!({"leak_percent_per_min": 10}));
    // The v2 pods serve from about 105 s: 5 minutes later their work takes 1.5x as long, and
    // the load grows steadily in between.
    let (early, late) = (busy(110.0, 130.0), busy(395.0, 415.0));
    println!(
        "a v2 leaking 10%/min: {:.1}% busy before, {:.1}% at 2 min, {:.1}% at 6.7 min",
        before * 100.0,
        early * 100.0,
        late * 100.0
    );
    assert!(early / before < 1.1, "{before} -> {early}");
    assert!((late / before - 1.5).abs() < 0.12, "{before} -> {late}");
    assert!(busy(200.0, 260.0) < busy(300.0, 360.0));
}

#[test]
fn a_config_change_restarts_pods_without_pulling_an_image() {
    // The same v2 as a new image (300 MB at 50 MB/s: 6 s) and as a config change (the image
    // the nodes hold: no pull).
    let pull = |params: serde_json::Value| {
        let mut sim = with_v2("deploy-all-at-once.json", params, 1);
        sim.step_until(SimTime::from_secs(150));
        let api = sim.component_index("api").unwrap();
        let pods: Vec<_> = (0..40).filter_map(|s| sim.pod_detail(api, s)).filter(|d| d.version == "v2").collect();
        assert_eq!(pods.len(), 10, "ten v2 pods serving");
        let at = |d: &strata_core::sim::PodDetail, phase: &str| d.phases.iter().find(|p| p.0 == phase).unwrap().1;
        pods.iter().map(|d| at(d, "starting") - at(d, "pulling image")).fold(0.0, f64::max)
    };
    let image = pull(serde_json::json!({}));
    let config = pull(serde_json::json!({"config_only": true}));
    println!("longest pull of a v2 pod: new image {image:.2} s, config change {config:.2} s");
    assert!((image - 6.0).abs() < 1e-6, "{image}");
    assert!(config < 1.0, "{config}");
}

/// Pods-spare-nodes at a steady 100 requests/s without its HPA (six nodes over two AZs, four
/// pods) with one experiment, `x`, of `actions`, ready to run with seed 1.
fn steady(actions: serde_json::Value) -> Simulation {
    let t = scenario_edited("pods-spare-nodes.json", |v| {
        for c in v["components"].as_array_mut().unwrap() {
            if c["id"] == "users" {
                c["arrival"] = serde_json::json!({"pattern": "constant", "rate_rps": 100.0});
            }
            if c["id"] == "api" {
                c["hpa_target_cpu_percent"] = serde_json::json!(0.0);
            }
        }
        v["experiments"] = serde_json::json!([{"name": "x", "actions": actions}]);
    });
    let v = strata_core::validate::validate(&t);
    assert!(v.diagnostics.iter().all(|d| d.severity != strata_core::validate::Severity::Error), "{:?}", v.diagnostics);
    Simulation::new(&t, SimConfig { experiment: Some("x".into()), ..SimConfig::with_seed(1) }).unwrap()
}

/// The steady design running `action` aimed at slot 0 at 120 s.
fn steady_with(action: &str) -> Simulation {
    steady(
        serde_json::json!([{"action": action, "target": {"instance": {"component": "api", "index": 0}}, "start_s": 120}]),
    )
}

/// Scenario `file` deploying at 60 s a v2 with `params` (experiment `v2`), ready to run with
/// `seed`.
fn with_v2(file: &str, params: serde_json::Value, seed: u64) -> Simulation {
    let t = scenario_edited(file, |v| {
        v["experiments"] = serde_json::json!([{"name": "v2", "actions": [
            {"action": "deploy", "target": {"component": "api"}, "start_s": 60, "params": params}]}]);
    });
    Simulation::new(&t, SimConfig { experiment: Some("v2".into()), ..SimConfig::with_seed(seed) }).unwrap()
}

#[test]
fn a_deleted_pod_is_replaced_at_once_a_drained_node_s_elsewhere_and_a_failed_node_s_after_the_eviction_delay() {
    let serving_at = |sim: &mut Simulation, s: u64| {
        sim.step_until(SimTime::from_secs(s));
        let api = sim.component_index("api").unwrap();
        sim.instances_in_service(api)
    };
    let said = |sim: &Simulation| {
        sim.observations().iter().find(|o| o.kind == ObservationKind::PodStopped).map(|o| o.text.clone()).unwrap()
    };
    // Deleted: three pods serve at once; the replacement (its image cached, 11.2 s to Ready)
    // serves once the ALB's checks pass.
    let mut sim = steady_with("pod-delete");
    assert_eq!(serving_at(&mut sim, 119), 4);
    assert_eq!(serving_at(&mut sim, 121), 3);
    assert_eq!(serving_at(&mut sim, 160), 4);
    assert!(said(&sim).starts_with("api: pod api-") && said(&sim).contains("deleted"), "{}", said(&sim));
    let r = sim.report();
    let t = &r.resilience.trail;
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(
        (t[0].time_s, t[0].principal.as_str(), t[0].call.as_str()),
        (120.0, "fis-experiment", "k8s:delete pods")
    );
    assert_conserved(&sim, &r);
    assert_eq!(r.clients[0].errors.total, 0, "three pods carry 100 requests/s: {:?}", r.clients[0].errors);

    // Drained: the node's pods go and come back on other nodes; the node takes nothing new.
    let mut sim = steady_with("drain-node");
    assert_eq!(serving_at(&mut sim, 119), 4);
    assert!(serving_at(&mut sim, 121) < 4);
    assert_eq!(serving_at(&mut sim, 160), 4);
    let text = said(&sim);
    assert!(text.contains("drained: nothing new goes there"), "{text}");
    let node = text.split_whitespace().nth(2).unwrap().to_string();
    let api = sim.component_index("api").unwrap();
    for slot in 0..20 {
        if let Some(d) = sim.pod_detail(api, slot) {
            assert_ne!(d.node.as_deref(), Some(node.as_str()), "a pod back on the drained node");
        }
    }

    // Failed: the node's pods stop answering at once; the load balancer sends them requests
    // (which fail) until two checks 15 s apart take them out; Kubernetes replaces them only
    // after 340 s.
    let mut sim = steady_with("node-failure");
    let api = sim.component_index("api").unwrap();
    let look = |sim: &mut Simulation, s: u64| {
        sim.step_until(SimTime::from_secs(s));
        let pods = sim.instances(api);
        let answering = pods.iter().filter(|i| i.status == InstanceStatus::InService).count();
        (answering, pods.iter().filter(|i| i.in_rotation).count())
    };
    assert_eq!(look(&mut sim, 119), (4, 4));
    let (answering, rotation) = look(&mut sim, 121);
    assert!(answering < 4 && rotation == 4, "{answering} answering, {rotation} in rotation");
    assert!(said(&sim).contains("replaced after 340 s"), "{}", said(&sim));
    assert_eq!(look(&mut sim, 160), (answering, answering), "out of rotation after two failed checks");
    assert_eq!(look(&mut sim, 455), (answering, answering), "nothing replaced before 120 + 340 s");
    assert_eq!(look(&mut sim, 500), (4, 4));
    let r = sim.report();
    assert_conserved(&sim, &r);
    let users = sim.component_index("users").unwrap();
    let failed: Vec<(f64, u64)> =
        sim.series(users).iter().filter(|p| p.errors > 0).map(|p| (p.t_s, p.errors)).collect();
    assert!(!failed.is_empty() && failed.iter().all(|(t, _)| *t > 120.0 && *t <= 151.0), "{failed:?}");
    assert_eq!(r.clients[0].errors.total, r.clients[0].errors.unavailable);
    println!(
        "node failure at 120 s: {answering} of 4 pods answering until 460 s, {} requests failed until the ALB took the dead ones out (by {:.0} s)",
        r.clients[0].errors.total,
        failed.last().unwrap().0
    );
}

#[test]
fn pod_faults_refuse_what_is_not_a_pod() {
    let t = scenario("pods-spare-nodes.json");
    let check = |json: &str| {
        let a: strata_core::experiment::Action = serde_json::from_str(json).unwrap();
        strata_core::experiment::check_action(&t, &a)
    };
    assert!(check(r#"{"action": "pod-delete", "target": {"component": "api"}}"#).is_empty());
    let got = check(r#"{"action": "drain-node", "target": {"component": "alb"}}"#);
    assert!(got.iter().any(|m| m.contains("it takes a pod (task) or an EKS deployment or ECS service")), "{got:?}");
    let got = check(r#"{"action": "node-failure", "target": {"instance": {"component": "api", "index": 500}}}"#);
    assert!(got.iter().any(|m| m.contains("pod slot(s); index 500 is beyond them")), "{got:?}");
    let got = check(r#"{"action": "pod-delete", "target": {"component": "api"}, "duration_s": 30}"#);
    assert!(got.iter().any(|m| m.contains("pod-delete takes no duration_s")), "{got:?}");
}

#[test]
fn ecs_on_fargate_in_the_same_spike_has_no_node_to_wait_for_but_every_task_starts_cold() {
    let (fargate, sim) = timeline("ecs-fargate-spike.json", 1);
    let (nodes, _) = timeline("pods-pending-spike.json", 1);
    let (spare, _) = timeline("pods-spare-nodes.json", 1);
    let first = |pods: &[u32], n| first_with(pods, n).unwrap() - SPIKE_S;
    println!(
        "5x spike, seconds to 6 / 10 serving: Fargate {} / {}, 2 autoscaled nodes {} / {}, spare nodes {} / {}",
        first(&fargate, 6),
        first(&fargate, 10),
        first(&nodes, 6),
        first(&nodes, 10),
        first(&spare, 6),
        first(&spare, 10)
    );
    let obs = sim.observations();
    assert!(obs.iter().all(|o| o.kind != ObservationKind::NodesAdded), "no node launched");
    let pending = obs.iter().find(|o| o.kind == ObservationKind::PodPending).expect("tasks wait for capacity");
    assert!(pending.text.contains("task") && pending.text.contains("Fargate capacity"), "{}", pending.text);
    let scaled = obs.iter().find(|o| o.kind == ObservationKind::PodsScaled).unwrap();
    assert!(scaled.text.contains("service auto scaling set"), "{}", scaled.text);
    // Every task starts cold: its micro-VM (10-25 s), then 1 s + 300 MB at 50 MB/s + the
    // probe's first pass 10 s after the start: 27-42 s from its creation to Ready.
    let api = sim.component_index("api").unwrap();
    let mut cold = 0;
    for slot in 0..40 {
        let Some(d) = sim.pod_detail(api, slot) else { continue };
        let at = |phase: &str| d.phases.iter().find(|p| p.0 == phase).map(|p| p.1);
        if let (Some(created), Some(ready)) = (at("created"), at("ready")) {
            assert!((27.0 - 1e-6..=42.0 + 1e-6).contains(&(ready - created)), "{}: {}", d.pod, ready - created);
            cold += 1;
        }
    }
    assert!(cold >= 6, "{cold} tasks started during the run");
    // Service auto scaling's target tracking waits for 3 one-minute averages above its target
    // before each step, and sees at most 100% CPU: 4 -> 7 three minutes into the spike, 7 -> 12
    // four minutes later; the HPA asked at its first 15 s evaluation.
    let steps: Vec<(f64, &str)> = obs
        .iter()
        .filter(|o| o.kind == ObservationKind::PodsScaled)
        .map(|o| (o.time_s, o.text.as_str()))
        .take(2)
        .collect();
    assert_eq!(
        steps,
        [
            (240.0, "api: service auto scaling set 7 tasks (was 4)"),
            (480.0, "api: service auto scaling set 12 tasks (was 7)")
        ]
    );
    assert!(first(&fargate, 6) > first(&nodes, 6));
    assert!(first(&spare, 10) < first(&nodes, 10) && first(&nodes, 10) < first(&fargate, 10));
    // Billed per vCPU-hour and GB-hour of the tasks (0.5 vCPU and 1 GiB each), no nodes.
    let cost = sim.cost();
    let api = cost.by_component.iter().find(|c| c.id == "api").unwrap();
    let line = |item: &str| api.lines.iter().find(|l| l.item == item).unwrap_or_else(|| panic!("{item}: {api:?}"));
    let (vcpu, gb) = (line("Fargate vCPU-hours"), line("Fargate GB-hours"));
    assert!((vcpu.unit_price - 0.04048).abs() < 1e-12 && (gb.unit_price - 0.004445).abs() < 1e-12);
    assert!((gb.quantity - 2.0 * vcpu.quantity).abs() < 1e-9, "1 GiB per 0.5 vCPU");
    assert!(api.lines.iter().all(|l| !l.item.contains("node") && !l.item.contains("EKS")), "{api:?}");
    let r = sim.report();
    assert_conserved(&sim, &r);
}
