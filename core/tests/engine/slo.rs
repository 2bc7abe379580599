//! Objectives per client population: availability (its own or the document's) with the error
//! budget, and a latency objective with its budget of slow requests.

use strata_core::topology::{ClientSlo, ComponentSpec, LatencyObjective, Topology};
use strata_core::validate::validate;

use crate::common::{run, scenario};

fn with_slo(mut t: Topology, slo: ClientSlo) -> Topology {
    for c in &mut t.components {
        if let ComponentSpec::Client(p) = &mut c.spec {
            p.slo = slo.clone();
        }
    }
    t
}

#[test]
fn a_latency_objective_is_met_above_the_percentile_and_missed_below_it() {
    let base = scenario("three-tier.json");
    let (_, plain) = run(&base, 4, 60.0, 0.0);
    let p99 = plain.clients[0].latency.p99_ms;
    let p50 = plain.clients[0].latency.p50_ms;
    // Met: 99% within twice the run's own p99.
    let loose = LatencyObjective { percentile: 99.0, target_ms: 2.0 * p99 };
    let (_, r) = run(&with_slo(base.clone(), ClientSlo { latency: Some(loose), ..Default::default() }), 4, 60.0, 0.0);
    let c = &r.clients[0];
    assert_eq!(
        (c.requests, c.latency),
        (plain.clients[0].requests, plain.clients[0].latency),
        "objectives only observe"
    );
    let l = c.slo.latency.expect("a latency objective");
    assert_eq!(l.actual_ms, p99, "the actual figure is the population's p99");
    assert!(l.met && c.slo.met);
    assert!(l.burned < 1.0 && l.slow as f64 <= l.allowed_slow, "{l:?}");
    assert!((l.allowed_slow - 0.01 * c.successes as f64).abs() < 1e-6);
    // Missed: 99% within the median.
    let tight = LatencyObjective { percentile: 99.0, target_ms: p50 };
    let (_, r) = run(&with_slo(base, ClientSlo { latency: Some(tight), ..Default::default() }), 4, 60.0, 0.0);
    let c = &r.clients[0];
    let l = c.slo.latency.unwrap();
    assert!(!l.met && !c.slo.met);
    // At most half the successes are slower than the median's value, and far more than the 1%
    // the objective allows.
    let share = l.slow as f64 / c.successes as f64;
    assert!(share > 0.1 && share <= 0.5, "{share}");
    assert!((l.burned - l.slow as f64 / (0.01 * c.successes as f64)).abs() < 1e-9);
    assert!(c.slo.availability_percent.unwrap() >= 99.9, "availability is met: only latency misses");
}

#[test]
fn an_outage_spends_the_error_budget_and_a_population_s_own_objective_overrides_the_document_s() {
    let t = scenario("az-outage-single-az.json");
    let config = |seed| strata_core::sim::SimConfig {
        experiment: Some("lose-az1".into()),
        ..strata_core::sim::SimConfig::with_seed(seed)
    };
    let report = |t: &Topology| {
        let mut sim = strata_core::sim::Simulation::new(t, config(3)).unwrap();
        sim.step_until(strata_core::time::SimTime::from_millis(300_000));
        sim.report()
    };
    let r = report(&t);
    let c = &r.clients[0];
    assert_eq!(c.slo.availability_objective_percent, 99.9, "the document's objective");
    let answered = c.successes + c.errors.total;
    assert!(c.errors.total > 0);
    assert_eq!(c.slo.error_budget.failures, c.errors.total);
    assert!((c.slo.error_budget.allowed_failures - 0.001 * answered as f64).abs() < 1e-6);
    assert!(!c.slo.met && c.slo.error_budget.burned > 1.0, "{:?}", c.slo);
    assert_eq!(c.slo.availability_percent, c.success_rate.map(|s| s * 100.0));
    // The population asks only for 40% (the outage leaves 45%): met, the same failures, a
    // larger budget.
    let lenient = with_slo(t, ClientSlo { availability_percent: Some(40.0), ..Default::default() });
    let r = report(&lenient);
    let l = &r.clients[0];
    assert_eq!(l.errors.total, c.errors.total, "objectives only observe");
    assert_eq!(l.slo.availability_objective_percent, 40.0);
    assert!(l.slo.met && l.slo.error_budget.burned < 1.0, "{:?}", l.slo);
    assert!((l.slo.error_budget.allowed_failures - 0.6 * answered as f64).abs() < 1e-6);
}

#[test]
fn impossible_objectives_are_refused_with_their_field_named() {
    let base = scenario("three-tier.json");
    for (slo, field) in [
        (ClientSlo { availability_percent: Some(100.0), latency: None }, "slo.availability_percent"),
        (ClientSlo { availability_percent: Some(0.0), latency: None }, "slo.availability_percent"),
        (
            ClientSlo { latency: Some(LatencyObjective { percentile: 100.0, target_ms: 200.0 }), ..Default::default() },
            "slo.latency.percentile",
        ),
        (
            ClientSlo { latency: Some(LatencyObjective { percentile: 99.0, target_ms: 0.0 }), ..Default::default() },
            "slo.latency.target_ms",
        ),
        (
            ClientSlo {
                latency: Some(LatencyObjective { percentile: 99.0, target_ms: f64::NAN }),
                ..Default::default()
            },
            "slo.latency.target_ms",
        ),
    ] {
        let v = validate(&with_slo(base.clone(), slo.clone()));
        assert!(v.has_errors(), "{slo:?}");
        assert!(v.errors().any(|d| d.message.contains(field)), "{slo:?}: {:?}", v.diagnostics);
    }
    // Written out only when set, and read back the same.
    let plain: serde_json::Value = serde_json::from_str(&base.to_json()).unwrap();
    let clients = || plain["components"].as_array().unwrap().iter().filter(|c| c["kind"] == "client");
    assert!(clients().count() > 0 && clients().all(|c| c.get("slo").is_none()), "nothing written when nothing is set");
    let set = with_slo(
        base,
        ClientSlo {
            availability_percent: Some(99.5),
            latency: Some(LatencyObjective { percentile: 95.0, target_ms: 250.0 }),
        },
    );
    let back = Topology::from_json(&set.to_json()).unwrap();
    assert_eq!(back, set);
}
