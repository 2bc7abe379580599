//! The live view's one stream ([`Simulation::observe`]): it hands out, in time order, exactly
//! what the targeted reads give (sampled journeys, launch phases, scaling history, observation
//! log), once each, and a clone read with a fresh cursor repeats the logs but not the calls.

use strata_core::sim::{Observed, SimConfig, Simulation, StreamCursor};
use strata_core::time::{Duration, SimTime};

use crate::common::scenario;

/// What a reader collected, by source.
#[derive(Debug, Default, PartialEq)]
struct Seen {
    calls: Vec<strata_core::sim::JourneyEvent>,
    launches: Vec<strata_core::sim::LifecycleEvent>,
    scaling: Vec<strata_core::sim::ScalingActivity>,
    notes: Vec<(u64, String)>,
}

fn sim(name: &str, experiment: Option<&str>) -> Simulation {
    let t = scenario(name);
    let config = SimConfig { experiment: experiment.map(Into::into), ..SimConfig::with_seed(7) };
    let mut sim = Simulation::new(&t, config).expect("valid scenario");
    sim.set_journey_sampling(97);
    sim
}

fn read(sim: &mut Simulation, cursor: &mut StreamCursor, seen: &mut Seen, last: &mut SimTime) {
    sim.observe(cursor, |o| {
        assert!(o.time() >= *last, "out of order: {o:?} after {last:?}");
        *last = o.time();
        match o {
            Observed::Call(e) => seen.calls.push(e),
            Observed::Launch(e) => seen.launches.push(e),
            Observed::Scaling(a) => seen.scaling.push(a),
            Observed::Note(n) => seen.notes.push((n.time_ns, n.text.clone())),
        }
    });
}

#[test]
fn the_stream_is_the_targeted_reads_merged_in_time_order() {
    // Scenario, experiment, seconds, and whether it launches through the layers and scales.
    let cases = [
        ("scale-out-layers.json", None, 240, true, true),
        ("host-failure-spread.json", Some("lose-host"), 240, false, false),
        ("az-outage-multi-az.json", Some("lose-az1"), 200, false, false),
        ("traffic-spike-slow-scaling.json", None, 300, false, true),
    ];
    for (name, experiment, secs, launches, scales) in cases {
        let (mut streamed, mut direct) = (sim(name, experiment), sim(name, experiment));
        let (mut cursor, mut seen, mut last) = (StreamCursor::default(), Seen::default(), SimTime::ZERO);
        let mut expected = Seen::default();
        // Read every 700 ms of simulated time, so reads fall between and on events.
        let mut t = SimTime::ZERO;
        while t < SimTime(Duration::from_secs(secs).as_nanos()) {
            t += Duration::from_millis(700);
            streamed.step_until(t);
            direct.step_until(t);
            read(&mut streamed, &mut cursor, &mut seen, &mut last);
            expected.calls.extend(direct.drain_journeys());
            expected.launches.extend(direct.drain_lifecycle_events());
        }
        expected.scaling = direct.scaling_activities();
        expected.notes = direct.observations().iter().map(|o| (o.time_ns, o.text.clone())).collect();
        assert_eq!(seen.calls, expected.calls, "{name}: calls");
        assert_eq!(seen.launches, expected.launches, "{name}: launch phases");
        assert_eq!(seen.scaling, expected.scaling, "{name}: scaling");
        assert_eq!(seen.notes, expected.notes, "{name}: log lines");
        // Something of each kind the scenario makes happened.
        assert!(seen.calls.len() > 1_000, "{name}: {} sampled hops", seen.calls.len());
        assert_eq!(!seen.scaling.is_empty(), scales, "{name}: scaling");
        assert_eq!(!seen.launches.is_empty(), launches, "{name}: launch phases");
        assert!(experiment.is_none() || !seen.notes.is_empty(), "{name}: the experiment is not in the log");
        // Reading again at once gives nothing: each thing is handed out once.
        let mut again = Seen::default();
        read(&mut streamed, &mut cursor, &mut again, &mut last);
        assert_eq!(again, Seen::default(), "{name}: read twice");
        // The stream does not change the run.
        assert_eq!(streamed.trace_hash(), direct.trace_hash(), "{name}");
    }
}

#[test]
fn a_clone_read_afresh_repeats_the_logs_but_not_the_calls_before_it() {
    let mut sim = sim("host-failure-spread.json", Some("lose-host"));
    let (mut cursor, mut seen, mut last) = (StreamCursor::default(), Seen::default(), SimTime::ZERO);
    sim.step_until(SimTime(Duration::from_secs(150).as_nanos()));
    read(&mut sim, &mut cursor, &mut seen, &mut last);
    let keyframe = sim.clone();
    sim.step_until(SimTime(Duration::from_secs(180).as_nanos()));
    read(&mut sim, &mut cursor, &mut seen, &mut last);

    // Back to the clone, with a fresh cursor, then on to the same time.
    let mut replay = keyframe;
    let (mut fresh, mut again, mut last) = (StreamCursor::default(), Seen::default(), SimTime::ZERO);
    replay.step_until(SimTime(Duration::from_secs(180).as_nanos()));
    read(&mut replay, &mut fresh, &mut again, &mut last);
    let at_clone = Duration::from_secs(150).as_nanos();
    // The logs come again whole; calls and launch phases only from the clone on.
    assert_eq!(again.notes, seen.notes);
    assert_eq!(again.scaling, seen.scaling);
    let later =
        |v: &[strata_core::sim::JourneyEvent]| v.iter().filter(|e| e.time.0 > at_clone).copied().collect::<Vec<_>>();
    assert_eq!(again.calls, later(&seen.calls));
    assert!(again.calls.iter().all(|e| e.time.0 > at_clone));
    assert!(seen.notes.iter().any(|(t, _)| *t <= at_clone), "the failure at 120 s is logged before the clone");
}
