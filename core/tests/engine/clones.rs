//! A clone of a run in play is the same run: stepped on, it gives the same trace and report as
//! the original (what the live view's keyframes rely on); and an experiment action joined in play
//! gives the run that had it from the start.

use crate::common::scenario;
use strata_core::experiment::{Action, Experiment};
use strata_core::sim::{JourneyEvent, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::Topology;

fn build(t: &Topology, seed: u64, experiment: Option<&str>) -> Simulation {
    let config = SimConfig {
        seed,
        experiment: experiment.map(str::to_string),
        journey_sample_every: 20,
        ..SimConfig::with_seed(seed)
    };
    Simulation::new(t, config).unwrap()
}

/// Steps `sim` to `end_s` in `chunk_ms` steps, draining its journeys after each.
fn play(sim: &mut Simulation, end_s: u64, chunk_ms: u64, journeys: &mut Vec<JourneyEvent>) {
    let end = SimTime::from_secs(end_s);
    while sim.now() < end {
        let next = SimTime((sim.now().0 + chunk_ms * 1_000_000).min(end.0));
        sim.step_until(next);
        journeys.extend(sim.drain_journeys());
    }
}

fn outcome(sim: &Simulation) -> (u64, u64, String) {
    (sim.trace_hash(), sim.events_processed(), serde_json::to_string(&sim.report()).unwrap())
}

#[test]
fn a_clone_plays_on_exactly_as_the_original() {
    // A design on the layers with an experiment, and one whose host has a noisy neighbour.
    for (name, experiment, end_s) in
        [("az-outage-multi-az.json", Some("lose-az1"), 200), ("noisy-neighbour-before.json", None, 120)]
    {
        let t = scenario(name);
        let mut original = build(&t, 11, experiment);
        let mut before = Vec::new();
        play(&mut original, 40, 1_000, &mut before);
        // Journeys recorded but not drained yet travel with the clone.
        original.step_until(SimTime::from_millis(40_500));
        let mut clone = original.clone();
        assert!(clone.heap_bytes() > 0 && clone.heap_bytes() <= original.heap_bytes() + 4096, "{name}");
        let (mut a, mut b) = (Vec::new(), Vec::new());
        play(&mut original, end_s, 250, &mut a);
        play(&mut clone, end_s, 3_333, &mut b);
        assert_eq!(outcome(&clone), outcome(&original), "{name}");
        assert!(!a.is_empty(), "{name}: journeys were sampled");
        assert_eq!(a, b, "{name}: the same journeys, drained at other times");
        // And both are the run played from the start in one go.
        let mut whole = build(&t, 11, experiment);
        whole.step_until(SimTime::from_secs(end_s));
        assert_eq!(outcome(&whole), outcome(&original), "{name}");
    }
}

fn outage(start_s: f64) -> Action {
    let mut a: Action =
        serde_json::from_str(r#"{"action":"az-outage","target":{"az":"use1-az2"},"duration_s":60}"#).unwrap();
    a.start_s = start_s;
    a
}

fn stress(start_s: f64) -> Action {
    let mut a: Action = serde_json::from_str(
        r#"{"action":"cpu-stress","target":{"instance":{"component":"web","index":1}},"duration_s":30,"params":{"cpu_percent":90}}"#,
    )
    .unwrap();
    a.start_s = start_s;
    a
}

/// The document with an experiment `name` made of `base`'s actions (if any) and `more`.
fn with_experiment(t: &Topology, name: &str, base: Option<&str>, more: &[Action]) -> Topology {
    let mut t = t.clone();
    let mut actions = base.map(|b| t.experiment(b).unwrap().actions).unwrap_or_default();
    actions.extend(more.iter().cloned());
    t.edit_experiments(|l| {
        l.push(Experiment { name: name.into(), description: String::new(), actions, stop_conditions: Vec::new() })
    });
    t
}

#[test]
fn an_action_joined_in_play_is_the_same_run_as_written_from_the_start() {
    let t = scenario("az-outage-multi-az.json");
    // No experiment, then one action joins at 20 s (starting at 30 s), another at 60 s (at 60.001 s).
    let first = with_experiment(&t, "one", None, &[outage(30.0)]);
    let both = with_experiment(&t, "two", None, &[outage(30.0), stress(60.001)]);
    let mut sim = build(&t, 5, None);
    sim.step_until(SimTime::from_secs(20));
    assert!(sim.join_experiment(&build(&first, 5, Some("one"))));
    sim.step_until(SimTime::from_secs(60));
    let before = outcome(&sim);
    // Too late: an action that would have started already cannot join.
    assert!(!sim.join_experiment(&build(
        &with_experiment(&t, "late", None, &[outage(30.0), stress(59.0)]),
        5,
        Some("late")
    )));
    // Not this run's actions first: refused.
    assert!(!sim.join_experiment(&build(&with_experiment(&t, "other", None, &[stress(70.0)]), 5, Some("other"))));
    assert_eq!(outcome(&sim), before, "a refusal changes nothing");
    assert!(sim.join_experiment(&build(&both, 5, Some("two"))));
    sim.step_until(SimTime::from_secs(150));
    let mut written = build(&both, 5, Some("two"));
    written.step_until(SimTime::from_secs(150));
    assert_eq!(outcome(&sim), outcome(&written));
    assert!(written.report().clients[0].errors.total > 0, "the actions did something");

    // With the document's experiment playing: an action joins it.
    let plus = with_experiment(&t, "plus", Some("lose-az1"), &[stress(140.0)]);
    let mut sim = build(&t, 9, Some("lose-az1"));
    sim.step_until(SimTime::from_secs(100));
    assert!(sim.join_experiment(&build(&plus, 9, Some("plus"))));
    sim.step_until(SimTime::from_secs(200));
    let mut written = build(&plus, 9, Some("plus"));
    written.step_until(SimTime::from_secs(200));
    assert_eq!(outcome(&sim), outcome(&written));
}
