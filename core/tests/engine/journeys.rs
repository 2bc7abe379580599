//! Sampled journeys: every sampled request appears hop by hop, nested and in time order.

use crate::common::scenario;
use strata_core::sim::{assemble_journeys, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::ComponentKind;

#[test]
fn sampled_requests_form_complete_nested_waterfalls() {
    let t = scenario("three-tier.json");
    let mut sim =
        Simulation::new(&t, SimConfig { seed: 12, journey_sample_every: 10, ..SimConfig::default() }).unwrap();
    sim.step_until(SimTime::from_secs(20));
    let events: Vec<_> = sim.drain_journeys().collect();
    assert!(sim.drain_journeys().next().is_none(), "draining empties the buffer");
    let journeys = assemble_journeys(&events);
    let requests = sim.report().client("users").unwrap().requests;
    assert!(
        (journeys.len() as f64 - requests as f64 / 10.0).abs() < 3.0,
        "{} journeys for {requests} requests",
        journeys.len()
    );
    let mut complete = 0;
    for j in &journeys {
        assert_eq!(j.request % 10, 0);
        let root = &j.hops[0];
        assert_eq!(sim.component_kind(root.component), ComponentKind::Client);
        assert_eq!(root.depth, 0);
        let Some(end) = root.finished else { continue };
        complete += 1;
        for h in &j.hops[1..] {
            assert!(h.depth >= 1 && h.arrived >= root.arrived);
            let f = h.finished.expect("a finished request has finished hops");
            assert!(f >= h.arrived && f <= end);
            if let Some(s) = h.started {
                assert!(s >= h.arrived && s <= f);
            }
        }
        // Static requests stop at the edge or S3; dynamic ones go through the web tier.
        let ty = &t.request_types[j.request_type as usize].name;
        let visits = |id: &str| j.hops.iter().any(|h| sim.component_id(h.component) == id);
        assert!(visits("dns") && visits("cdn"));
        assert_eq!(visits("web"), ty != "static", "request type {ty}");
    }
    assert!(complete as f64 > 0.95 * journeys.len() as f64);
}

#[test]
fn each_hop_names_its_caller_and_link_latency() {
    let t = scenario("three-tier.json");
    let mut sim = Simulation::new(&t, SimConfig { seed: 3, journey_sample_every: 7, ..SimConfig::default() }).unwrap();
    sim.step_until(SimTime::from_secs(10));
    let events: Vec<_> = sim.drain_journeys().collect();
    assert!(!events.is_empty());
    let edges: std::collections::BTreeSet<(String, String)> =
        t.connections.iter().map(|c| (c.from.clone(), c.to.clone())).collect();
    for e in &events {
        match e.from {
            // A client's own request has no caller and no link.
            None => assert_eq!(sim.component_kind(e.component), ComponentKind::Client, "{e:?}"),
            Some(from) => {
                let pair = (sim.component_id(from).to_string(), sim.component_id(e.component).to_string());
                assert!(edges.contains(&pair), "{pair:?} is not a connection of the design");
                assert!(e.link_ns <= 4_000_000_000, "{e:?}");
            }
        }
    }
    // Most hops cross a network; the share that does not is the client's DNS lookup.
    let timed = events.iter().filter(|e| e.from.is_some() && e.link_ns > 0).count();
    let hops = events.iter().filter(|e| e.from.is_some()).count();
    assert!(timed * 2 > hops, "{timed} of {hops} hops have a network latency");
}

#[test]
fn sampling_can_change_during_a_run_without_changing_the_run() {
    let t = scenario("three-tier.json");
    let mut a = Simulation::new(&t, SimConfig::with_seed(5)).unwrap();
    let mut b = Simulation::new(&t, SimConfig::with_seed(5)).unwrap();
    a.step_until(SimTime::from_secs(5));
    b.step_until(SimTime::from_secs(5));
    assert_eq!(b.drain_journeys().count(), 0, "no sampling, no journeys");
    b.set_journey_sampling(3);
    assert_eq!(b.journey_sampling(), 3);
    a.step_until(SimTime::from_secs(10));
    b.step_until(SimTime::from_secs(10));
    let sampled: Vec<_> = b.drain_journeys().collect();
    assert!(!sampled.is_empty() && sampled.iter().all(|e| e.request % 3 == 0));
    assert_eq!(a.trace_hash(), b.trace_hash(), "sampling observes only");
}
