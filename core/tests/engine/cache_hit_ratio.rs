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
