//! The document's CloudWatch-style alarms in the engine: each reads its component's figures
//! period by period, goes to ALARM when enough periods breach, and runs its action then.

use strata_core::sim::{ObservationKind, SimConfig, Simulation};
use strata_core::time::SimTime;

use crate::common::{assert_conserved, scenario, scenario_edited};

fn fifteen_minutes(file: &str) -> Simulation {
    let t = scenario(file);
    let mut sim = Simulation::new(&t, SimConfig::with_seed(1)).unwrap();
    sim.step_until(SimTime::from_secs(900));
    sim
}

#[test]
fn a_cpu_alarm_scales_out_before_the_group_s_own_five_minute_evaluation() {
    let slow = fifteen_minutes("traffic-spike-slow-scaling.json");
    let alarmed = fifteen_minutes("traffic-spike-alarm.json");
    let obs = alarmed.observations();
    let fired: Vec<_> = obs.iter().filter(|o| o.kind == ObservationKind::AlarmFired).collect();
    // The spike begins at 120 s: the period 120-180 s is the first at 100% CPU.
    let cpu = fired.iter().find(|o| o.text.starts_with("alarm web-cpu-high")).expect("the CPU alarm fired");
    assert_eq!(cpu.time_s, 180.0);
    assert!(cpu.text.ends_with("launches 4 instance(s) into web (2 -> 6)"), "{}", cpu.text);
    // The notify-only alarm on the load balancer's errors fires too; both are OK again once
    // the six instances carry the spike (its errors stop before it ends at 420 s) or it is
    // over.
    let errors = fired.iter().find(|o| o.text.starts_with("alarm users-errors")).unwrap();
    assert!(errors.text.ends_with(": notifies"), "{}", errors.text);
    let ok: Vec<f64> = obs.iter().filter(|o| o.kind == ObservationKind::AlarmOk).map(|o| o.time_s).collect();
    assert_eq!(ok.len(), 2, "{obs:#?}");
    assert!(ok.iter().all(|t| *t > 300.0 && *t <= 540.0), "{ok:?}");
    // Four more instances, launched two minutes before the group would have: more requests
    // served.
    let web = alarmed.component_index("web").unwrap();
    let launched = alarmed.scaling_activities().iter().filter(|a| a.component == web).count();
    assert!(launched > 0);
    let (a, b) = (slow.report(), alarmed.report());
    // CloudTrail has the alarms' calls: the scaling policy executed, the notification sent.
    let calls: Vec<(&str, &str, &str)> =
        b.resilience.trail.iter().map(|t| (t.principal.as_str(), t.call.as_str(), t.resource.as_str())).collect();
    assert!(calls.contains(&("cloudwatch-alarm:web-cpu-high", "autoscaling:ExecutePolicy", "web")), "{calls:?}");
    assert!(calls.contains(&("cloudwatch-alarm:users-errors", "sns:Publish", "alb")), "{calls:?}");
    assert!(a.resilience.trail.is_empty());
    let ok = |r: &strata_core::sim::Report| r.clients[0].successes as f64 / r.clients[0].requests as f64;
    println!("5x spike: availability {:.2}% with the group's 5-minute target tracking, {:.2}% with a 1-minute CPU alarm scaling out by 4", ok(&a) * 100.0, ok(&b) * 100.0);
    assert!(ok(&b) > ok(&a) + 0.1);
    assert_conserved(&alarmed, &b);
    // Same document and seed, the same run.
    assert_eq!(fifteen_minutes("traffic-spike-alarm.json").trace_hash(), alarmed.trace_hash());
}

#[test]
fn an_error_alarm_in_the_document_rolls_back_a_deployment_that_has_none_of_its_own() {
    // deploy-all-at-once's v2 (20% errors) without its own alarm, and a document alarm on the
    // load balancer's errors above 5% for 2 minutes that rolls the deployment back.
    let t = scenario_edited("deploy-all-at-once.json", |v| {
        v["experiments"][0]["actions"][0]["params"].as_object_mut().unwrap().remove("halt_error_percent");
        v["alarms"] = serde_json::json!([{"name": "alb-5xx", "component": "alb", "metric": "error_percent",
            "threshold": 5, "period_s": 60, "evaluation_periods": 2, "action": {"do": "rollback", "target": "api"}}]);
    });
    assert!(!strata_core::validate::validate(&t).has_errors());
    let config = SimConfig { experiment: Some("deploy-v2".into()), ..SimConfig::with_seed(1) };
    let mut sim = Simulation::new(&t, config).unwrap();
    sim.step_until(SimTime::from_secs(600));
    let obs = sim.observations();
    let fired = obs.iter().find(|o| o.kind == ObservationKind::AlarmFired).expect("the alarm fired");
    // Deployed at 60 s: the periods 60-120 and 120-180 s breach.
    assert_eq!(fired.time_s, 180.0);
    assert!(fired.text.ends_with("rolls back api's deployment"), "{}", fired.text);
    assert!(obs.iter().any(|o| o.text.contains("rolled back, every pod runs v1 again")));
    let users = sim.component_index("users").unwrap();
    let late: u64 = sim.series(users).iter().filter(|p| p.t_s > 240.0).map(|p| p.errors).sum();
    assert_eq!(late, 0);
}

#[test]
fn a_latency_alarm_fails_a_multi_az_database_over_and_clouds_trail_says_who() {
    // The three-tier design with an alarm on the database's mean latency (below 1 s: it always
    // breaches) that fails it over at the end of its first minute.
    let path = format!("{}/../public/scenarios/three-tier.json", env!("CARGO_MANIFEST_DIR"));
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let db = v["components"].as_array().unwrap().iter().find(|c| c["kind"] == "rds").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    v["alarms"] = serde_json::json!([{"name": "db-slow", "component": db, "metric": "latency_ms", "threshold": 1000,
        "comparison": "below", "period_s": 60, "action": {"do": "failover"}}]);
    let t = strata_core::topology::Topology::from_json(&v.to_string()).unwrap();
    let problems: Vec<_> = strata_core::validate::validate(&t)
        .diagnostics
        .into_iter()
        .filter(|d| d.code == strata_core::validate::Code::Alarm)
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
    let mut sim = Simulation::new(&t, SimConfig::with_seed(1)).unwrap();
    sim.step_until(SimTime::from_secs(300));
    let obs = sim.observations();
    let fired = obs.iter().find(|o| o.kind == ObservationKind::AlarmFired).expect("fired");
    assert_eq!(fired.time_s, 60.0);
    assert!(fired.text.ends_with(&format!("fails {db} over to its standby")), "{}", fired.text);
    let failover = obs.iter().find(|o| o.kind == ObservationKind::Failover).unwrap();
    let secs: f64 = failover.text.split('(').nth(1).unwrap().trim_end_matches(" s)").parse().unwrap();
    assert!((60.0..=120.0).contains(&secs), "{}", failover.text);
    let r = sim.report();
    let trail = &r.resilience.trail;
    assert_eq!(
        (trail[0].time_s, trail[0].principal.as_str(), trail[0].call.as_str(), trail[0].resource.as_str()),
        (60.0, "cloudwatch-alarm:db-slow", "rds:RebootDBInstance (ForceFailover)", db.as_str())
    );
    // A minute of failover with no query answered has no latency: missing data does not breach,
    // so the alarm is OK, then fires again the minute after (an alarm that can never be OK
    // fails the database over every other minute, as CloudWatch's would).
    let ok = obs.iter().find(|o| o.kind == ObservationKind::AlarmOk).expect("OK again").time_s;
    assert_eq!(ok, 120.0);
    assert_eq!(trail.get(1).map(|t| t.time_s), Some(180.0));
    // Writes fail while it has no writer, then it serves again.
    let users = sim.component_index(r.clients[0].id.as_str()).unwrap();
    let errors: u64 =
        sim.series(users).iter().filter(|p| p.t_s > 61.0 && p.t_s <= 60.0 + secs - 1.0).map(|p| p.errors).sum();
    assert!(errors > 0, "the failover cost requests");
    let after: u64 =
        sim.series(users).iter().filter(|p| p.t_s > 60.0 + secs + 5.0 && p.t_s <= 180.0).map(|p| p.errors).sum();
    assert_eq!(after, 0, "served again after the failover");
}

#[test]
fn an_alarm_reads_its_periods_from_the_end_of_the_warm_up() {
    // With a 90 s warm-up the statistics restart inside the alarm's second period: it reads that
    // period from the restart, and fires at the same time as without one.
    let t = scenario("traffic-spike-alarm.json");
    let config = SimConfig { warmup: strata_core::time::Duration::from_secs_f64(90.0), ..SimConfig::with_seed(1) };
    let mut sim = Simulation::new(&t, config).unwrap();
    sim.step_until(SimTime::from_secs(600));
    let fired: Vec<f64> = sim
        .observations()
        .iter()
        .filter(|o| o.kind == ObservationKind::AlarmFired && o.text.starts_with("alarm web-cpu-high"))
        .map(|o| o.time_s)
        .collect();
    assert_eq!(fired, [180.0]);
}
