//! The one health model (ALB targets, Route 53 records, Auto Scaling status checks): exact
//! detection times, timeouts that fail a target that is up but too slow, the ALB failing open,
//! and the fixes the model brings (a downed group is skipped, no launch into a dark AZ, calls
//! queued at a dead instance fail at once).

use strata_core::experiment::{Action, ActionKind, ActionParams, Experiment, Target};
use strata_core::sim::{ErrorCause, Fault, InstanceStatus, ObservationKind, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::Topology;

const S: u64 = 1_000_000_000;

/// users -> alb (checks every 10 s) -> web (an Auto Scaling group of 4 over AZs a and b).
fn two_az(rate_rps: f64, service_ms: f64) -> Topology {
    serde_json::from_str(&format!(
        r#"{{"version": 1,
          "containers": [
            {{"id": "r", "kind": "region"}},
            {{"id": "a", "kind": "az", "parent": "r"}}, {{"id": "b", "kind": "az", "parent": "r"}},
            {{"id": "vpc", "kind": "vpc", "parent": "r", "cidr": "10.0.0.0/16"}},
            {{"id": "app-a", "kind": "subnet", "parent": "vpc", "az": "a", "cidr": "10.0.1.0/24"}},
            {{"id": "app-b", "kind": "subnet", "parent": "vpc", "az": "b", "cidr": "10.0.2.0/24"}},
            {{"id": "pub-a", "kind": "subnet", "parent": "vpc", "az": "a", "cidr": "10.0.3.0/24", "public": true}}],
          "components": [
            {{"id": "users", "kind": "client", "container": "r",
              "arrival": {{"pattern": "constant", "rate_rps": {rate_rps}}}}},
            {{"id": "alb", "kind": "alb", "container": "pub-a", "health_check_interval_s": 10}},
            {{"id": "web", "kind": "asg", "container": "vpc", "subnets": ["app-a", "app-b"],
              "min": 4, "desired": 4, "max": 12, "evaluation_period_s": 20, "warmup_s": 20,
              "service_time": {{"dist": "exponential", "mean_ms": {service_ms}}}}}],
          "connections": [{{"from": "users", "to": "alb"}}, {{"from": "alb", "to": "web"}}]}}"#
    ))
    .unwrap()
}

/// users -> alb -> `fast` and `slow` (one EC2 instance each, one vCPU): `slow` takes
/// `slow_ms` per request.
fn fast_and_slow(rate_rps: f64, slow_ms: f64) -> Topology {
    serde_json::from_str(&format!(
        r#"{{"version": 1,
          "components": [
            {{"id": "users", "kind": "client", "arrival": {{"pattern": "constant", "rate_rps": {rate_rps}}}}},
            {{"id": "alb", "kind": "alb", "health_check_interval_s": 10}},
            {{"id": "fast", "kind": "ec2", "vcpus": 1, "service_time": {{"dist": "constant", "ms": 5}}}},
            {{"id": "slow", "kind": "ec2", "vcpus": 1, "timeout_ms": 600000,
              "service_time": {{"dist": "constant", "ms": {slow_ms}}}}}],
          "connections": [{{"from": "users", "to": "alb"}}, {{"from": "alb", "to": "fast"}},
                          {{"from": "alb", "to": "slow"}}]}}"#
    ))
    .unwrap()
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

fn sim_x(t: &Topology) -> Simulation {
    Simulation::new(t, SimConfig { experiment: Some("x".into()), ..SimConfig::with_seed(5) }).expect("valid")
}

fn observed_ns(sim: &Simulation, kind: ObservationKind) -> Vec<(u64, String)> {
    sim.observations().iter().filter(|o| o.kind == kind).map(|o| (o.time_ns, o.text.clone())).collect()
}

fn in_rotation(sim: &Simulation, id: &str, slot: u32) -> bool {
    sim.instances(sim.component_index(id).unwrap()).iter().find(|i| i.slot == slot).unwrap().in_rotation
}

#[test]
fn a_target_killed_at_65_s_is_out_of_rotation_at_the_second_check_after_exactly_80_s() {
    // Checks every 10 s (at 10, 20, ... s), unhealthy threshold 2: the checks at 70 s and 80 s
    // fail, and the second one takes the target out: (⌊65 / 10⌋ + 2) × 10 s.
    let t = with_experiment(
        two_az(100.0, 10.0),
        vec![action(ActionKind::TerminateInstance, Target::Instance { component: "web".into(), index: 0 }, 65.0, None)],
    );
    let mut sim = sim_x(&t);
    sim.step_until(SimTime(80 * S - 1));
    assert!(in_rotation(&sim, "web", 0), "one failed check is not enough");
    sim.step_until(SimTime(80 * S));
    assert!(!in_rotation(&sim, "web", 0));
    let out = observed_ns(&sim, ObservationKind::TargetUnhealthy);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].0, 80 * S, "{out:?}");
    assert!(out[0].1.contains("web[0] unhealthy after 2 check(s)"), "{out:?}");
    // The other three stay in rotation.
    assert!((1..4).all(|k| in_rotation(&sim, "web", k)));
}

#[test]
fn a_target_that_is_up_but_slower_than_the_check_timeout_fails_its_checks() {
    // `slow` gets half of 20 req/s and serves 1 a second: its queue grows by about 9 a second,
    // so within seconds its oldest queued request has waited more than the 5 s timeout. It is up
    // the whole time, yet the checks at 10 s and 20 s fail and take it out.
    let t = fast_and_slow(20.0, 1000.0);
    let mut sim = Simulation::new(&t, SimConfig::with_seed(5)).unwrap();
    sim.step_until(SimTime::from_secs(20));
    let out = observed_ns(&sim, ObservationKind::TargetUnhealthy);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].0, 20 * S);
    assert!(out[0].1.contains("slow[0]"), "{out:?}");
    let slow = sim.instances(sim.component_index("slow").unwrap());
    assert_eq!(slow[0].status, InstanceStatus::InService, "up all along");
    assert!(!slow[0].in_rotation && in_rotation(&sim, "fast", 0));
    // Out of rotation, it gets nothing new while `fast` takes everything.
    let arrivals = |sim: &Simulation, id: &str| sim.report().component(id).unwrap().arrivals;
    let before = (arrivals(&sim, "slow"), arrivals(&sim, "fast"));
    sim.step_until(SimTime::from_secs(25));
    assert_eq!(arrivals(&sim, "slow"), before.0);
    assert!(arrivals(&sim, "fast") - before.1 > 90);

    // The same instance at a tenth of the load answers in time: every check passes.
    let t = fast_and_slow(1.0, 1000.0);
    let mut sim = Simulation::new(&t, SimConfig::with_seed(5)).unwrap();
    sim.step_until(SimTime::from_secs(120));
    assert!(observed_ns(&sim, ObservationKind::TargetUnhealthy).is_empty());
}

#[test]
fn an_alb_whose_every_target_fails_its_checks_fails_open() {
    // One target, overloaded past the check timeout: marked unhealthy, it still gets every
    // request (as an AWS ALB routes to all its targets when none is healthy) rather than the ALB
    // refusing them all.
    let mut t = fast_and_slow(5.0, 1000.0);
    t.connections.retain(|c| c.to != "fast");
    t.components.retain(|c| c.id != "fast");
    let mut sim = Simulation::new(&t, SimConfig::with_seed(5)).unwrap();
    sim.step_until(SimTime::from_secs(60));
    assert!(!observed_ns(&sim, ObservationKind::TargetUnhealthy).is_empty());
    assert!(!in_rotation(&sim, "slow", 0));
    let r = sim.report();
    assert_eq!(r.client("users").unwrap().errors.get(ErrorCause::NoHealthyTarget), 0, "{:?}", r.client("users"));
    assert!(r.component("slow").unwrap().arrivals > 250, "it kept receiving requests");
}

#[test]
fn the_alb_takes_the_instances_of_a_downed_group_out_and_sends_to_the_other_target() {
    let t = fast_and_slow(20.0, 5.0);
    let mut sim = Simulation::new(&t, SimConfig::with_seed(5)).unwrap();
    sim.schedule_fault(SimTime::from_secs(45), &Fault::ComponentDown { component: "slow".into() }).unwrap();
    sim.step_until(SimTime::from_secs(120));
    // Down at 45 s: the checks at 50 s and 60 s fail; from then on only `fast` gets traffic.
    assert!(!in_rotation(&sim, "slow", 0) && in_rotation(&sim, "fast", 0));
    let out = observed_ns(&sim, ObservationKind::TargetUnhealthy);
    assert_eq!(out.iter().map(|o| o.0).collect::<Vec<_>>(), vec![60 * S], "{out:?}");
    let errs: Vec<u64> = sim.series(sim.component_index("users").unwrap()).iter().map(|p| p.errors).collect();
    assert_eq!(errs[..45].iter().sum::<u64>(), 0);
    assert!(errs[45..60].iter().sum::<u64>() > 0, "sent to the downed group until the checks noticed");
    assert_eq!(errs[61..].iter().sum::<u64>(), 0, "{errs:?}");
}

#[test]
fn a_scale_out_during_an_az_outage_launches_only_into_the_live_az() {
    // 4 instances at 2 vCPUs and 40 ms: 200 req/s is about 50% CPU; at 400 req/s the group must
    // scale out, and AZ a is dark from 5 s (before any evaluation) to 400 s.
    let t = with_experiment(
        two_az(400.0, 40.0),
        vec![action(ActionKind::AzOutage, Target::Az("a".into()), 5.0, Some(395.0))],
    );
    let mut sim = sim_x(&t);
    let web = sim.component_index("web").unwrap();
    let mut seen_b = 0;
    for s in (40..=390).step_by(10) {
        sim.step_until(SimTime::from_secs(s));
        for i in sim.instances(web) {
            if matches!(i.status, InstanceStatus::Launching | InstanceStatus::InService) {
                assert_eq!(i.az.as_deref(), Some("b"), "at {s} s: {i:?}");
                seen_b += 1;
            }
        }
    }
    let outs =
        sim.scaling_activities().iter().filter(|a| a.action == strata_core::sim::ScalingAction::ScaleOut).count();
    assert!(outs > 0, "the load made it scale out");
    assert!(
        sim.instances(web).iter().filter(|i| i.status == InstanceStatus::InService).count() > 4,
        "{:?}",
        sim.instances(web)
    );
    assert!(seen_b > 0);
}

#[test]
fn requests_queued_at_an_instance_that_dies_fail_at_once() {
    // `slow` holds a queue of requests (1 s each); when it is terminated at 30.5 s every one of
    // them fails then, with `unavailable`, rather than waiting for its timeout.
    let t = with_experiment(
        fast_and_slow(6.0, 1000.0),
        vec![action(
            ActionKind::TerminateInstance,
            Target::Instance { component: "slow".into(), index: 0 },
            30.5,
            None,
        )],
    );
    let mut sim = sim_x(&t);
    sim.step_until(SimTime(30 * S + S / 2 - 1));
    let queued = sim.report().component("slow").unwrap().in_flight;
    assert!(queued > 10, "{queued} in flight before the death");
    sim.step_until(SimTime(30 * S + S / 2));
    let r = sim.report();
    let slow = r.component("slow").unwrap();
    assert!(slow.in_flight <= 1, "only the request on the vCPU is left: {}", slow.in_flight);
    assert!(slow.errors.get(ErrorCause::Unavailable) >= queued - 1, "{:?}", slow.errors);
}
