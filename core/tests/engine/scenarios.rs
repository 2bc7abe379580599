//! The gallery scenarios load, validate cleanly and run with every request accounted for.

use crate::common::{assert_conserved, run, scenario};
use strata_core::validate::validate;

#[test]
fn index_lists_scenarios_that_exist() {
    let path = format!("{}/../public/scenarios/index.json", env!("CARGO_MANIFEST_DIR"));
    let index: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let list = index["scenarios"].as_array().unwrap();
    assert!(list.len() >= 4);
    for s in list {
        let file = s["file"].as_str().unwrap();
        assert!(!s["title"].as_str().unwrap().is_empty() && !s["description"].as_str().unwrap().is_empty());
        let t = scenario(file);
        assert!(!t.name.is_empty());
    }
}

#[test]
fn every_scenario_validates_and_runs() {
    for name in ["single-ec2.json", "three-tier.json", "static-site.json", "multi-service.json"] {
        let t = scenario(name);
        let v = validate(&t);
        assert!(v.diagnostics.is_empty(), "{name}: {:?}", v.diagnostics);
        let (sim, r) = run(&t, 1, 30.0, 0.0);
        assert_conserved(&sim, &r);
        for c in &r.clients {
            assert!(c.requests > 500, "{name}: {} sent {}", c.id, c.requests);
            assert!(c.success_rate.unwrap() > 0.99, "{name}: {} success {:?}", c.id, c.success_rate);
        }
        for c in &r.components {
            assert!(c.arrivals > 0, "{name}: {} never reached", c.id);
        }
    }
}

#[test]
fn three_tier_paths_follow_request_types() {
    let (_, r) = run(&scenario("three-tier.json"), 2, 60.0, 0.0);
    let only = |id: &str, types: &[&str]| {
        for t in &r.component(id).unwrap().by_request_type {
            assert_eq!(
                t.arrivals > 0,
                types.contains(&t.request_type.as_str()),
                "{id} got {} `{}`",
                t.arrivals,
                t.request_type
            );
        }
    };
    only("assets", &["static"]);
    only("web", &["read", "write"]);
    only("sessions", &["read"]);
    only("db", &["read", "write"]);
    let cdn = r.component("cdn").unwrap();
    assert!(cdn.cache_hits > cdn.cache_misses);
}
