//! Observed cache hit ratios match the configured ones; writes are never served from a cache.

use crate::common::{assert_conserved, run};
use strata_core::topology::{ComponentKind as K, ComponentSpec, RequestType, Topology};

fn topology() -> Topology {
    let mut t = Topology::new("caches");
    t.request_types = vec![
        RequestType { name: "a".into(), share: 0.45, write: false },
        RequestType { name: "b".into(), share: 0.45, write: false },
        RequestType { name: "w".into(), share: 0.10, write: true },
    ];
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = strata_core::topology::Arrival::Constant { rate_rps: 2000.0 };
    }
    if let ComponentSpec::Cloudfront(p) = &mut t.add("cdn", K::Cloudfront, None).spec {
        p.hit_ratio_by_type = [("a".to_string(), 0.9), ("b".to_string(), 0.3), ("w".to_string(), 1.0)].into();
    }
    if let ComponentSpec::Ec2(p) = &mut t.add("origin", K::Ec2, None).spec {
        p.instance_type = "c5.4xlarge".into();
        p.service_time = strata_core::topology::Dist::Exponential { mean_ms: 1.0 };
    }
    if let ComponentSpec::Elasticache(p) = &mut t.add("redis", K::Elasticache, None).spec {
        p.hit_ratio = 0.75;
        p.nodes = 2;
    }
    t.add("db", K::Rds, None);
    t.connect("users", "cdn");
    t.connect("cdn", "origin");
    t.connect("origin", "redis");
    t.connect("redis", "db");
    t
}

#[test]
fn observed_hit_ratios_match_configuration() {
    let (sim, r) = run(&topology(), 3, 60.0, 0.0);
    assert_conserved(&sim, &r);
    let users = r.client("users").unwrap();
    let origin = r.component("origin").unwrap();
    let sent = |ty: &str| users.by_request_type.iter().find(|t| t.request_type == ty).unwrap().arrivals as f64;
    let reached = |ty: &str| origin.by_request_type.iter().find(|t| t.request_type == ty).unwrap().arrivals as f64;
    for (ty, ratio) in [("a", 0.9), ("b", 0.3)] {
        let observed = 1.0 - reached(ty) / sent(ty);
        assert!((observed - ratio).abs() < 0.01, "CloudFront `{ty}`: observed {observed:.4}, configured {ratio}");
    }
    // Writes always reach the origin, even with a hit ratio of 1 configured for them.
    assert!(reached("w") <= sent("w") && reached("w") >= sent("w") * 0.999, "{} of {} writes", reached("w"), sent("w"));
    let cdn = r.component("cdn").unwrap();
    let expected = (0.9 * sent("a") + 0.3 * sent("b")) / (sent("a") + sent("b") + sent("w"));
    let observed = cdn.cache_hits as f64 / (cdn.cache_hits + cdn.cache_misses) as f64;
    assert!((observed - expected).abs() < 0.01, "CloudFront overall {observed:.4} vs {expected:.4}");

    let redis = r.component("redis").unwrap();
    let reads = redis.by_request_type.iter().filter(|t| t.request_type != "w").map(|t| t.arrivals).sum::<u64>() as f64;
    let writes = redis.by_request_type.iter().find(|t| t.request_type == "w").unwrap().arrivals as f64;
    let read_hits = redis.cache_hits as f64 / reads;
    assert!((read_hits - 0.75).abs() < 0.01, "ElastiCache read hit ratio {read_hits:.4}");
    let db = r.component("db").unwrap().arrivals as f64;
    assert!((db - (reads * 0.25 + writes)).abs() / db < 0.03, "misses and writes reach the database");
}

/// users -> cdn -> origin (one EC2 instance): 70% page reads (80% edge hits), 30% API writes.
fn edge_over_one_origin(serve_stale: bool, stale_if_error_s: f64) -> Topology {
    let mut t = Topology::new("edge");
    t.request_types = vec![
        RequestType { name: "page".into(), share: 0.7, write: false },
        RequestType { name: "api".into(), share: 0.3, write: true },
    ];
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = strata_core::topology::Arrival::Constant { rate_rps: 1000.0 };
    }
    if let ComponentSpec::Cloudfront(p) = &mut t.add("cdn", K::Cloudfront, None).spec {
        p.hit_ratio = 0.8;
        p.serve_stale_on_error = serve_stale;
        p.stale_if_error_s = stale_if_error_s;
    }
    if let ComponentSpec::Ec2(p) = &mut t.add("origin", K::Ec2, None).spec {
        p.instance_type = "c5.4xlarge".into();
        p.service_time = strata_core::topology::Dist::Exponential { mean_ms: 1.0 };
    }
    t.connect("users", "cdn");
    t.connect("cdn", "origin");
    t
}

#[test]
fn serve_stale_keeps_cacheable_reads_up_through_an_origin_outage_by_the_miss_share() {
    use strata_core::sim::{Fault, Report, SimConfig, Simulation};
    use strata_core::time::SimTime;
    let (share, hit) = (0.7, 0.8);
    let (down_s, up_s, run_s) = (120u64, 420u64, 600u64);
    let play = |serve_stale: bool, stale_if_error_s: f64, outage: bool| -> (u64, Report) {
        let t = edge_over_one_origin(serve_stale, stale_if_error_s);
        assert!(!strata_core::validate::validate(&t).has_errors());
        let mut sim = Simulation::new(&t, SimConfig::with_seed(5)).unwrap();
        if outage {
            let c = "origin".to_string();
            sim.schedule_fault(SimTime::from_secs(down_s), &Fault::ComponentDown { component: c.clone() }).unwrap();
            sim.schedule_fault(SimTime::from_secs(up_s), &Fault::ComponentUp { component: c }).unwrap();
        }
        sim.step_until(SimTime::from_secs(run_s));
        (sim.trace_hash(), sim.report())
    };
    // Availability over the minutes starting in [from, to).
    let window = |r: &Report, from: u64, to: u64| {
        let m = r.resilience.availability_per_minute.iter().filter(|m| m.t_s >= from as f64 && m.t_s < to as f64);
        let (n, ok) = m.fold((0, 0), |(n, ok), m| (n + m.requests, ok + m.successes));
        ok as f64 / n as f64
    };
    let near = |what: &str, got: f64, want: f64, tol: f64| {
        assert!((got - want).abs() <= tol, "{what}: {got:.4}, the model says {want:.4} ± {tol}");
    };

    // Off by default, and on changes nothing while the origin answers.
    let defaults = strata_core::topology::CloudFrontParams::default();
    assert!(!defaults.serve_stale_on_error && defaults.stale_if_error_s == 86_400.0);
    assert_eq!(play(true, 86_400.0, false).0, play(false, 86_400.0, false).0);

    let (_, off) = play(false, 86_400.0, true);
    let (_, on) = play(true, 86_400.0, true);
    // While the origin is down only edge hits succeed without serve-stale; with it every
    // cacheable read does. The difference is the cacheable reads that miss: 0.7 x (1 - 0.8).
    let (a_off, a_on) = (window(&off, down_s, up_s), window(&on, down_s, up_s));
    near("outage availability without serve-stale", a_off, share * hit, 0.01);
    near("outage availability with serve-stale", a_on, share, 0.01);
    near("difference", a_on - a_off, share * (1.0 - hit), 0.01);
    let whole = |r: &Report| r.resilience.availability.unwrap();
    let outage_share = (up_s - down_s) as f64 / run_s as f64;
    near("difference over the run", whole(&on) - whole(&off), outage_share * share * (1.0 - hit), 0.005);
    let stale = on.component("cdn").unwrap().served_stale as f64;
    let predicted = 1000.0 * share * (1.0 - hit) * (up_s - down_s) as f64;
    near("stale answers / predicted", stale / predicted, 1.0, 0.03);
    assert_eq!(off.component("cdn").unwrap().served_stale, 0);
    // Writes fail either way; outside the outage nothing differs.
    for r in [&off, &on] {
        near("before the outage", window(r, 0, down_s), 1.0, 0.0);
        // (Answers to calls the origin refused just before it came back arrive in the next minute.)
        near("after the outage", window(r, up_s, run_s), 1.0, 0.001);
    }

    // A 60 s stale-if-error: the edge serves stale copies for the first minute only.
    let (_, short) = play(true, 60.0, true);
    near("first minute, short stale window", window(&short, down_s, down_s + 60), share, 0.01);
    near("later, short stale window", window(&short, down_s + 60, up_s), share * hit, 0.01);
}
