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
