//! Target tracking on CPU scales out after load rises and in after it falls, launching in
//! 8-15 s, leaving warming instances out of the metric and waiting out the cooldown.

use strata_core::sim::{ScalingAction, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, Dist, Topology};

const WARMUP_S: f64 = 60.0;
const COOLDOWN_S: f64 = 120.0;
const SPIKE_AT: f64 = 120.0;
const SPIKE_END: f64 = 720.0;

fn topology() -> Topology {
    let mut t = Topology::new("scaling");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival =
            Arrival::Spike { base_rps: 40.0, peak_rps: 400.0, at_s: SPIKE_AT, duration_s: SPIKE_END - SPIKE_AT };
    }
    if let ComponentSpec::Alb(p) = &mut t.add("alb", K::Alb, None).spec {
        p.health_check_interval_s = 5.0;
        p.healthy_threshold = 2;
    }
    if let ComponentSpec::Asg(p) = &mut t.add("web", K::Asg, None).spec {
        p.instance_type = "t3.medium".into(); // 2 vCPU: 200 req/s at 10 ms
        p.service_time = Dist::Exponential { mean_ms: 10.0 };
        p.min = 1;
        p.desired = 1;
        p.max = 6;
        p.target_cpu_percent = 50.0;
        p.warmup_s = WARMUP_S;
        p.cooldown_s = COOLDOWN_S;
        p.evaluation_period_s = 30.0;
    }
    t.connect("users", "alb");
    t.connect("alb", "web");
    t
}

#[test]
fn scales_out_on_load_and_back_in_after_it_falls() {
    let mut sim = Simulation::new(&topology(), SimConfig::with_seed(4)).unwrap();
    let web = sim.component_index("web").unwrap();
    let mut peak = 0;
    let mut before_spike = 0;
    for s in 1..=1500u64 {
        sim.step_until(SimTime::from_secs(s));
        let n = sim.instances_in_service(web);
        peak = peak.max(n);
        if (s as f64) < SPIKE_AT {
            before_spike = before_spike.max(n);
        }
    }
    let log = sim.scaling_activities();
    let secs = |t: SimTime| t.as_secs_f64();
    let outs: Vec<_> = log.iter().filter(|a| a.action == ScalingAction::ScaleOut).collect();
    let ins: Vec<_> = log.iter().filter(|a| a.action == ScalingAction::ScaleIn).collect();
    let ready: Vec<_> = log.iter().filter(|a| a.action == ScalingAction::InstanceReady).collect();

    assert_eq!(before_spike, 1, "no scaling before the load rises");
    assert!(
        !outs.is_empty() && secs(outs[0].time) > SPIKE_AT && secs(outs[0].time) <= SPIKE_AT + 30.0 + 1e-9,
        "first scale-out within one evaluation period of the spike: {outs:?}"
    );
    assert!(peak >= 4, "400 req/s at 10 ms needs 4 vCPUs at 50%: 4+ instances, got {peak}");
    assert!(outs.iter().all(|a| secs(a.time) < SPIKE_END + 1.0), "no scale-out after the load falls");

    // Launches take 8-15 s from the decision that asked for them.
    for r in &ready {
        let ok = outs.iter().any(|o| (8.0..=15.0 + 1e-9).contains(&(secs(r.time) - secs(o.time))));
        assert!(ok, "instance ready at {} s is not 8-15 s after a scale-out: {outs:?}", secs(r.time));
    }
    for a in &log {
        eprintln!(
            "{:>7.1} s {:?} capacity {} -> {} (cpu {:.0}%)",
            secs(a.time),
            a.action,
            a.capacity_before,
            a.desired,
            a.cpu * 100.0
        );
    }
    // Scale-in: after the load falls, never while an instance is still warming up, and only
    // a cooldown after the previous scaling action.
    assert!(!ins.is_empty(), "scales back in after the spike");
    for i in ins.iter().filter(|i| secs(i.time) <= SPIKE_END) {
        assert!(i.desired >= 4, "scale-in during the spike below what the load needs: {i:?}");
    }
    assert!(ins.iter().any(|i| secs(i.time) > SPIKE_END), "scales in after the load falls: {ins:?}");
    for i in &ins {
        for r in &ready {
            let since = secs(i.time) - secs(r.time);
            assert!(
                !(0.0..WARMUP_S).contains(&since),
                "scale-in at {} while an instance was warming ({} s)",
                secs(i.time),
                since
            );
        }
        let prev = log.iter().rfind(|a| a.action != ScalingAction::InstanceReady && a.time < i.time);
        if let Some(p) = prev {
            assert!(
                secs(i.time) - secs(p.time) >= COOLDOWN_S,
                "scale-in {} s after the previous action",
                secs(i.time) - secs(p.time)
            );
        }
    }
    let end = sim.instances_in_service(web);
    assert!(end < peak && end <= 2, "back near the minimum at the end: {end} (peak {peak})");
    let r = sim.report();
    let users = r.client("users").unwrap();
    assert!(users.success_rate.unwrap() > 0.9, "scaling kept most requests succeeding: {:?}", users.success_rate);
}

/// The gallery's scale-out through the layers: every launch goes through the six layers in
/// order, at the durations the description states, and the report agrees with the phases.
#[test]
fn the_layered_scale_out_scenario_launches_through_every_layer_as_described() {
    use strata_core::layers::launch::LaunchPhase as P;
    let t = crate::common::scenario("scale-out-layers.json");
    let v = strata_core::validate::validate(&t);
    assert!(v.diagnostics.is_empty(), "{:?}", v.diagnostics);
    let mut sim = Simulation::new(&t, SimConfig::with_seed(1)).unwrap();
    sim.step_until(SimTime::from_secs(300));
    let events = sim.drain_lifecycle_events();
    let r = sim.report();
    let layers = r.layers.as_ref().expect("the scenario has layers");
    let mut launched = Vec::new();
    for call in layers.api_log.iter().filter(|c| c.action == "RunInstances") {
        let mine: Vec<_> = events.iter().filter(|e| e.instance == call.target).collect();
        let phases: Vec<_> = mine.iter().map(|e| e.phase).collect();
        assert_eq!(phases, P::LAUNCH, "{}", call.target);
        // The API call is logged when it is made; its first phase completes a moment later.
        let accepted_after = mine[0].time.0 - call.at.0;
        assert!(accepted_after < 2_000_000_000, "accepted {accepted_after} ns after the call");
        assert!(mine.windows(2).all(|w| w[0].time <= w[1].time));
        let running = mine.last().unwrap();
        let inst = layers.instances.iter().find(|i| i.name == call.target).unwrap();
        assert_eq!(running.host, inst.host);
        assert_eq!(running.private_ip, inst.private_ip);
        let secs = |e: &&strata_core::sim::LifecycleEvent| e.time.0 as f64 / 1e9;
        launched.push((call.target.clone(), secs(&mine[0]), secs(&mine[6])));
    }
    assert_eq!(launched.len(), 2, "{launched:?}");
    // What the description states (seed 1).
    let d = &t.description;
    for (name, requested, running) in &launched {
        let said = format!("{name} requested at {requested:.1} s, running at {running:.1} s");
        assert!(d.contains(&said), "the description no longer states `{said}`: {d}");
    }
    let users = r.client("users").unwrap();
    assert_eq!(users.success_rate, Some(1.0));
    let p99 = format!("p99 {:.0} ms", users.latency.p99_ms);
    assert!(d.contains(&p99), "the description no longer states `{p99}`: {d}");
}
