//! Property tests over random topologies, loads and faults: no panic, every request accounted
//! for, time never goes backwards.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use strata_core::sim::{Fault, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::*;
use strata_core::validate::validate;

fn dist(r: &mut rand_chacha::ChaCha8Rng, max_ms: f64) -> Dist {
    let m = r.random_range(0.01..max_ms);
    match r.random_range(0..4u32) {
        0 => Dist::Constant { ms: m },
        1 => Dist::Exponential { mean_ms: m },
        2 => Dist::LogNormal { mean_ms: m, cv: r.random_range(0.0..2.0) },
        _ => Dist::Uniform { min_ms: m / 2.0, max_ms: m },
    }
}

fn random_topology(seed: u64) -> Topology {
    let mut r = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut t = Topology::new("random");
    let nt = r.random_range(1..=3usize);
    t.request_types = (0..nt)
        .map(|i| RequestType { name: format!("t{i}"), share: r.random_range(0.1..1.0), write: r.random_bool(0.3) })
        .collect();
    let n = r.random_range(1..=8usize);
    let kinds = &ComponentKind::ALL[1..];
    for i in 0..n {
        let kind = kinds[r.random_range(0..kinds.len())];
        let c = t.add(&format!("c{i}"), kind, None);
        match &mut c.spec {
            ComponentSpec::Ec2(p) => {
                p.vcpus = Some(r.random_range(1..=4));
                p.service_time = dist(&mut r, 30.0);
                p.queue_capacity = r.random_range(0..50);
                p.timeout_ms = r.random_range(20.0..3000.0);
            }
            ComponentSpec::Asg(p) => {
                p.min = r.random_range(0..=2);
                p.desired = p.min + r.random_range(0..=2);
                p.max = p.desired + r.random_range(1..=3);
                p.evaluation_period_s = r.random_range(0.5..5.0);
                p.warmup_s = r.random_range(0.0..5.0);
                p.cooldown_s = r.random_range(0.0..5.0);
                p.launch_min_s = 0.5;
                p.launch_max_s = 2.0;
                p.service_time = dist(&mut r, 30.0);
                p.queue_capacity = r.random_range(0..30);
            }
            ComponentSpec::Alb(p) => {
                p.algorithm =
                    if r.random_bool(0.5) { LbAlgorithm::RoundRobin } else { LbAlgorithm::LeastOutstandingRequests };
                p.cross_zone = r.random_bool(0.5);
                p.health_check_interval_s = 1.0;
            }
            ComponentSpec::Route53(p) => {
                p.policy =
                    [RoutingPolicy::Simple, RoutingPolicy::Weighted, RoutingPolicy::Latency, RoutingPolicy::Failover]
                        [r.random_range(0..4)];
                p.ttl_s = r.random_range(0.0..5.0);
                p.resolvers = r.random_range(1..8);
                p.health_check_interval_s = 1.0;
            }
            ComponentSpec::Cloudfront(p) => p.hit_ratio = r.random_range(0.0..1.0),
            ComponentSpec::Elasticache(p) => {
                p.hit_ratio = r.random_range(0.0..1.0);
                p.queue_capacity = r.random_range(0..20);
            }
            ComponentSpec::Rds(p) => {
                p.read_replicas = r.random_range(0..3);
                p.max_connections = Some(r.random_range(1..40));
                p.query_time = dist(&mut r, 10.0);
            }
            ComponentSpec::S3(p) => {
                p.get_rps_per_prefix = r.random_range(5.0..300.0);
                p.put_rps_per_prefix = r.random_range(5.0..300.0);
                p.prefixes = r.random_range(1..4);
            }
            ComponentSpec::Dynamodb(p) => p.read_capacity_rps = r.random_range(5.0..300.0),
            ComponentSpec::Lambda(p) => {
                p.concurrency_limit = r.random_range(1..20);
                p.keep_warm_s = r.random_range(0.0..3.0);
                p.cold_start = dist(&mut r, 200.0);
            }
            ComponentSpec::Sqs(p) => {
                p.consumer_concurrency = r.random_range(1..5);
                p.max_messages = r.random_range(1..100);
            }
            ComponentSpec::Eks(p) | ComponentSpec::Ecs(p) => {
                p.node_type = "t3.medium".into();
                p.nodes_min = 0;
                p.nodes = r.random_range(0..=2);
                p.nodes_max = p.nodes + r.random_range(1..=2);
                p.replicas = r.random_range(1..=4);
                p.cpu_m = r.random_range(200..=1500);
                p.image_mb = r.random_range(0.0..200.0);
                p.app_start_s = r.random_range(0.0..3.0);
                p.readiness_period_s = r.random_range(0.5..3.0);
                p.hpa_target_cpu_percent = if r.random_bool(0.5) { r.random_range(20.0..90.0) } else { 0.0 };
                p.hpa_min = 1;
                p.hpa_max = p.replicas + r.random_range(0..=4);
                p.service_time = dist(&mut r, 30.0);
                p.queue_capacity = r.random_range(0..30);
            }
            ComponentSpec::Client(_) => {}
        }
    }
    for i in 0..n {
        for j in 0..n {
            let forward = j > i && r.random_bool(0.4);
            let back = j <= i && r.random_bool(0.05);
            if forward || back {
                let conn = t.connect(&format!("c{i}"), &format!("c{j}"));
                conn.share = r.random_range(0.0..2.0);
                if r.random_bool(0.3) {
                    conn.request_types = vec![format!("t{}", r.random_range(0..nt))];
                }
            }
        }
    }
    for k in 0..r.random_range(1..=2) {
        let id = format!("users{k}");
        let rate = r.random_range(0.0..600.0);
        let arrival = match r.random_range(0..4u32) {
            0 => Arrival::Constant { rate_rps: rate },
            1 => Arrival::Ramp { from_rps: 0.0, to_rps: rate, start_s: 0.5, duration_s: 2.0 },
            2 => Arrival::Spike { base_rps: rate / 4.0, peak_rps: rate, at_s: 1.0, duration_s: 1.0 },
            _ => Arrival::DailyCycle {
                mean_rps: rate,
                amplitude: r.random_range(0.0..1.0),
                period_s: 3.0,
                peak_at_s: 0.0,
            },
        };
        t.add(&id, ComponentKind::Client, None).spec = ComponentSpec::Client(ClientParams {
            arrival,
            timeout_ms: r.random_range(50.0..5000.0),
            ..Default::default()
        });
        let target = format!("c{}", r.random_range(0..n));
        t.connect(&id, &target);
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn random_runs_account_for_every_request(topo in any::<u64>(), seed in any::<u64>(), steps in prop::collection::vec(1u64..700_000_000, 1..12)) {
        let mut t = random_topology(topo);
        // Now and then an absurd value (which validation must refuse).
        let absurd = seed % 16 == 0;
        if absurd {
            t.network.cross_az_rtt_ms = if seed % 32 == 0 { -1.0 } else { 1e300 };
        }
        let v = validate(&t);
        let built = Simulation::new(&t, SimConfig { seed, journey_sample_every: 7, max_calls: 20_000, ..SimConfig::default() });
        prop_assert!(!absurd || v.has_errors(), "an absurd round trip was accepted");
        if v.has_errors() {
            prop_assert!(built.is_err());
            return Ok(());
        }
        let mut sim = built.unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..3 {
            let c = format!("c{}", rng.random_range(0..t.components.len() - 1).min(t.components.len() - 1));
            if t.component(&c).is_none() { continue; }
            let at = SimTime(rng.random_range(0..4_000_000_000));
            let up = SimTime(at.0 + rng.random_range(0..2_000_000_000));
            let _ = sim.schedule_fault(at, &Fault::ComponentDown { component: c.clone() });
            let _ = sim.schedule_fault(up, &Fault::ComponentUp { component: c.clone() });
            let _ = sim.schedule_fault(at, &Fault::InstanceDown { component: c.clone(), instance: 0 });
            let _ = sim.schedule_fault(up, &Fault::InstanceUp { component: c, instance: 0 });
        }
        let mut last = SimTime::ZERO;
        let mut last_journey = SimTime::ZERO;
        let mut target = 0;
        for s in &steps {
            target += s;
            sim.step_until(SimTime(target));
            prop_assert!(sim.now() >= last);
            prop_assert_eq!(sim.now(), SimTime(target));
            // Every processed event came at or after the one before it (a real check, unlike
            // the event loop's debug assertion, which optimised builds drop).
            prop_assert_eq!(sim.time_regressions(), 0);
            last = sim.now();
            for j in sim.drain_journeys() {
                prop_assert!(j.time >= last_journey && j.time <= last);
                last_journey = j.time;
            }
            let audit = sim.audit();
            prop_assert!(audit.consistent, "{:?}", audit);
        }
        // Going back in time is refused.
        sim.step_until(SimTime(target / 2));
        prop_assert_eq!(sim.now(), SimTime(target));
        let r = sim.report();
        for c in &r.components {
            prop_assert_eq!(c.arrivals, c.completions + c.errors.total + c.in_flight, "{}", c.id);
        }
        for c in &r.clients {
            prop_assert_eq!(c.requests, c.successes + c.errors.total + c.in_flight, "{}", c.id);
        }
    }
}

/// The generator produces mostly valid topologies, so the property above (which only checks that
/// a refused topology is not built) is not vacuous.
#[test]
fn most_random_topologies_are_valid() {
    let n = 400;
    let valid = (0..n).filter(|&i| !validate(&random_topology(i * 7919 + 1)).has_errors()).count();
    // 374 of 400 today.
    assert!(valid * 100 >= n as usize * 85, "only {valid} of {n} random topologies are valid");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// The layered engine (hosts, hypervisors, volumes, network) under random seeds, steps and
    /// faults: every request accounted for, time monotone.
    #[test]
    fn layered_runs_account_for_every_request(which in 0usize..4, seed in any::<u64>(), steps in prop::collection::vec(1u64..2_000_000_000, 1..6)) {
        let name = ["noisy-neighbour-before.json", "gp2-burst-before.json", "peering-routes-before.json", "noisy-neighbour-after.json"][which];
        let t = crate::common::scenario(name);
        let mut sim = Simulation::new(&t, SimConfig { seed, journey_sample_every: 11, ..SimConfig::default() }).unwrap();
        let victim = t.components.iter().find(|c| c.spec.kind() != ComponentKind::Client).map(|c| c.id.clone()).unwrap();
        let _ = sim.schedule_fault(SimTime::from_secs(2), &Fault::InstanceDown { component: victim.clone(), instance: 0 });
        let _ = sim.schedule_fault(SimTime::from_secs(4), &Fault::InstanceUp { component: victim, instance: 0 });
        let mut target = 0;
        for s in &steps {
            target += s;
            sim.step_until(SimTime(target));
            prop_assert_eq!(sim.now(), SimTime(target));
            prop_assert_eq!(sim.time_regressions(), 0);
            prop_assert!(sim.audit().consistent);
        }
        let r = sim.report();
        for c in &r.components {
            prop_assert_eq!(c.arrivals, c.completions + c.errors.total + c.in_flight, "{}", c.id);
        }
        for c in &r.clients {
            prop_assert_eq!(c.requests, c.successes + c.errors.total + c.in_flight, "{}", c.id);
        }
    }
}
