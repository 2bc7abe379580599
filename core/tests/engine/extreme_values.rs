//! Absurd parameters are refused by validation with a diagnostic naming the element, instead of
//! hanging the run or breaking its clock; the largest accepted values still run.

use strata_core::sim::{BuildError, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, Dist, Topology};
use strata_core::validate::{validate, Code, Element, Severity};

fn two_tier(arrival: Arrival, service: Dist) -> Topology {
    let mut t = Topology::new("extreme");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = arrival;
    }
    if let ComponentSpec::Ec2(p) = &mut t.add("web", K::Ec2, None).spec {
        p.service_time = service;
    }
    t.connect("users", "web");
    t
}

fn constant(rate_rps: f64) -> Arrival {
    Arrival::Constant { rate_rps }
}

/// The error messages about `element` with code `invalid_parameter`.
fn errors_about(t: &Topology, element: Element) -> Vec<String> {
    validate(t)
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error && d.code == Code::InvalidParameter && d.element == element)
        .map(|d| d.message)
        .collect()
}

fn component(id: &str) -> Element {
    Element::Component(id.into())
}

#[test]
fn huge_rate_is_refused_not_hung() {
    for rate in [1e300, 1e9, 1.000_001e7] {
        let t = two_tier(constant(rate), Dist::Constant { ms: 1.0 });
        let errs = errors_about(&t, component("users"));
        assert!(
            errs.iter().any(|m| m.contains("exceeds the simulator's 10 million requests/s per population")),
            "{rate}: {errs:?}"
        );
        assert!(matches!(Simulation::new(&t, SimConfig::default()), Err(BuildError::Invalid { .. })));
    }
    // A daily cycle's peak counts, not only its mean.
    let t = two_tier(
        Arrival::DailyCycle { mean_rps: 6e6, amplitude: 0.9, period_s: 3600.0, peak_at_s: 0.0 },
        Dist::Constant { ms: 1.0 },
    );
    assert!(!errors_about(&t, component("users")).is_empty());
}

#[test]
fn the_highest_accepted_rate_runs() {
    let mut t = two_tier(constant(1e7), Dist::Constant { ms: 0.0 });
    if let ComponentSpec::Ec2(p) = &mut t.components[1].spec {
        p.instance_type = "c5.4xlarge".into();
    }
    assert!(errors_about(&t, component("users")).is_empty());
    let mut sim = Simulation::new(&t, SimConfig::default()).unwrap();
    sim.step_until(SimTime::from_millis(5));
    let n = sim.report().client("users").unwrap().requests;
    assert!((40_000..60_000).contains(&n), "{n} requests in 5 ms at 10M/s");
    assert_eq!(sim.time_regressions(), 0);
}

#[test]
fn huge_service_time_is_refused() {
    for d in [
        Dist::Constant { ms: 1e300 },
        Dist::Exponential { mean_ms: 3_600_001.0 },
        Dist::Uniform { min_ms: 0.0, max_ms: 1e12 },
        Dist::LogNormal { mean_ms: 10.0, cv: 1e6 },
    ] {
        let t = two_tier(constant(10.0), d.clone());
        let errs = errors_about(&t, component("web"));
        assert!(errs.iter().any(|m| m.starts_with("service_time:")), "{d:?}: {errs:?}");
    }
    // One hour is still accepted.
    let t = two_tier(constant(10.0), Dist::Exponential { mean_ms: 3_600_000.0 });
    assert!(errors_about(&t, component("web")).is_empty());
}

#[test]
fn negative_and_huge_rtts_are_refused() {
    let mut t = two_tier(constant(10.0), Dist::Constant { ms: 1.0 });
    t.network.same_az_rtt_ms = -0.3;
    t.network.cross_region_rtt_ms = 10_000.0;
    t.network.internet_rtt_ms = f64::NAN;
    let errs = errors_about(&t, Element::Document);
    assert!(errs.iter().any(|m| m.starts_with("network.same_az_rtt_ms:") && m.contains("zero or more")), "{errs:?}");
    assert!(errs.iter().any(|m| m.starts_with("network.cross_region_rtt_ms:") && m.contains("exceeds")), "{errs:?}");
    assert!(errs.iter().any(|m| m.starts_with("network.internet_rtt_ms:")), "{errs:?}");
    assert!(!errs.iter().any(|m| m.contains("cross_az")), "the valid default is not reported: {errs:?}");
    assert!(Simulation::new(&t, SimConfig::default()).is_err());
    // A CloudFront edge round trip beyond what one hop can carry is refused as well.
    let mut t = two_tier(constant(10.0), Dist::Constant { ms: 1.0 });
    if let ComponentSpec::Cloudfront(p) = &mut t.add("cdn", K::Cloudfront, None).spec {
        p.edge_rtt_ms = 9_000.0;
    }
    assert!(errors_about(&t, component("cdn")).iter().any(|m| m.starts_with("edge_rtt_ms:")));
}

#[test]
fn absurd_arrival_shapes_are_refused() {
    let cases = [
        (Arrival::Ramp { from_rps: 1.0, to_rps: 10.0, start_s: 0.0, duration_s: -5.0 }, "arrival.duration_s"),
        (Arrival::Ramp { from_rps: 1.0, to_rps: 10.0, start_s: f64::INFINITY, duration_s: 5.0 }, "arrival.start_s"),
        (Arrival::Spike { base_rps: 1.0, peak_rps: 10.0, at_s: 5.0, duration_s: -1.0 }, "arrival.duration_s"),
        (Arrival::DailyCycle { mean_rps: 10.0, amplitude: 0.5, period_s: 1e-9, peak_at_s: 0.0 }, "arrival.period_s"),
        (Arrival::DailyCycle { mean_rps: 10.0, amplitude: 0.5, period_s: 1e12, peak_at_s: 0.0 }, "arrival.period_s"),
    ];
    for (arrival, field) in cases {
        let t = two_tier(arrival.clone(), Dist::Constant { ms: 1.0 });
        let errs = errors_about(&t, component("users"));
        assert!(errs.iter().any(|m| m.starts_with(field)), "{arrival:?}: {errs:?}");
    }
}

#[test]
fn tiny_health_check_intervals_are_refused() {
    let mut t = two_tier(constant(10.0), Dist::Constant { ms: 1.0 });
    if let ComponentSpec::Route53(p) = &mut t.add("dns", K::Route53, None).spec {
        p.health_check_interval_s = 1e-12;
    }
    t.connect("dns", "web");
    assert!(errors_about(&t, component("dns")).iter().any(|m| m.starts_with("health_check_interval_s:")));
}

#[test]
fn impossible_health_checks_are_refused_with_their_reason() {
    let mut t = two_tier(constant(10.0), Dist::Constant { ms: 1.0 });
    if let ComponentSpec::Alb(p) = &mut t.add("alb", K::Alb, None).spec {
        p.health_check_interval_s = 10.0;
        p.health_check_timeout_s = Some(10.0);
        p.healthy_threshold = 0;
        p.unhealthy_threshold = 0;
    }
    if let ComponentSpec::Route53(p) = &mut t.add("dns", K::Route53, None).spec {
        p.health_check_timeout_s = Some(0.0);
        p.failure_threshold = 0;
    }
    t.connect("users", "alb");
    t.connect("alb", "dns");
    t.connect("dns", "web");
    let alb = errors_about(&t, component("alb"));
    for want in [
        "health_check_timeout_s: 10 s must be shorter than health_check_interval_s (10 s)",
        "healthy_threshold: 0 checks can never change a target's health: at least 1",
        "unhealthy_threshold: 0 checks can never change a target's health: at least 1",
    ] {
        assert!(alb.iter().any(|m| m == want), "{want}: {alb:?}");
    }
    let dns = errors_about(&t, component("dns"));
    assert!(dns.iter().any(|m| m == "health_check_timeout_s: 0 s must be positive"), "{dns:?}");
    assert!(dns.iter().any(|m| m.starts_with("failure_threshold: 0 checks")), "{dns:?}");
    // Unset, the timeout is the default capped at half the interval: a short interval is fine.
    if let ComponentSpec::Alb(p) = &mut t.components.iter_mut().find(|c| c.id == "alb").unwrap().spec {
        p.health_check_timeout_s = None;
        p.healthy_threshold = 5;
        p.unhealthy_threshold = 2;
        p.health_check_interval_s = 5.0;
        assert_eq!(p.effective_health_check_timeout_s(), 2.5);
    }
    assert!(errors_about(&t, component("alb")).is_empty());
}
