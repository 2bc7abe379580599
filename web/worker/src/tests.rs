//! The live run's logic, natively: pacing, pause, step, seek, frames and particles.

use strata_core::sim::{ErrorCause, HopKind, SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::Topology;

use crate::protocol::{Command, PlayState, Segment, SegmentKind, Speed, SEGMENT_STRIDE};
use crate::session::{Frame, Session};

fn design(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../../public/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn start(name: &str, seed: u64, speed: Speed) -> Session {
    let mut s = Session::new();
    s.handle(Command::Start { design: design(name), seed, experiment: None, duration_s: 600.0, speed, paused: false });
    s
}

/// A wall clock that moves `step` ms at every reading.
fn ticking(step: f64) -> impl FnMut() -> f64 {
    let mut t = 0.0;
    move || {
        t += step;
        t
    }
}

/// Pumps until the session waits for a command, collecting the frames.
fn settle(s: &mut Session, clock: &mut dyn FnMut() -> f64) -> Vec<Frame> {
    let mut frames = Vec::new();
    for _ in 0..1_000_000 {
        let p = s.pump(clock, 1e9);
        frames.extend(p.frame);
        if p.again_ms.is_none() {
            return frames;
        }
    }
    panic!("the session never settled");
}

/// Plays `frames` pumps 50 wall ms apart (the page's frame pace), collecting the frames.
fn play(s: &mut Session, frames: usize) -> Vec<Frame> {
    let mut wall = 0.0;
    let mut out = Vec::new();
    for _ in 0..frames {
        wall += 50.0;
        let w = wall;
        out.extend(s.pump(&mut move || w, 1e9).frame);
    }
    out
}

/// The same run in one go, for comparison.
fn reference(name: &str, seed: u64, t: SimTime) -> Simulation {
    let topo = Topology::from_json(&design(name)).unwrap();
    let mut sim = Simulation::new(&topo, SimConfig::with_seed(seed)).unwrap();
    sim.step_until(t);
    sim
}

#[test]
fn a_seek_lands_on_the_engine_s_own_figures_at_that_time() {
    let mut s = start("three-tier", 7, Speed::Times(10.0));
    s.handle(Command::Seek { ms: 12_345 });
    let frames = settle(&mut s, &mut ticking(1.0));
    let last = frames.last().unwrap();
    assert_eq!(last.header.state, PlayState::Paused);
    assert_eq!(last.header.time_ns, 12_345_000_000);
    let summary = last.header.summary.as_ref().expect("a pause carries fresh figures");
    assert_eq!(summary.time_ns, last.header.time_ns);
    let sim = reference("three-tier", 7, SimTime::from_millis(12_345));
    let r = sim.report();
    let c = r.client("users").unwrap();
    let row = &summary.clients[0];
    assert_eq!((row.requests, row.errors), (c.requests, c.errors.total));
    assert_eq!((row.p50_ms, row.p95_ms, row.p99_ms), (c.latency.p50_ms, c.latency.p95_ms, c.latency.p99_ms));
    assert_eq!(s.trace_hash(), Some(sim.trace_hash()));
}

#[test]
fn play_asked_while_a_seek_is_under_way_plays_on_from_where_it_lands() {
    let mut s = start("three-tier", 7, Speed::Times(1.0));
    s.handle(Command::Seek { ms: 30_000 });
    s.handle(Command::Play);
    // 40 pumps 50 wall ms apart: the seek lands at once, then 1.95 s pass at 1x.
    let last = play(&mut s, 40).pop().unwrap().header;
    assert_eq!(last.state, PlayState::Playing);
    assert!((30_000_000_000..32_500_000_000).contains(&last.time_ns), "at {} ns", last.time_ns);
}

#[test]
fn seeking_back_then_forward_lands_on_the_same_figures() {
    let mut s = start("three-tier", 3, Speed::Times(1.0));
    let mut clock = ticking(1.0);
    s.handle(Command::Seek { ms: 20_000 });
    let at_20 = settle(&mut s, &mut clock).pop().unwrap().header;
    s.handle(Command::Seek { ms: 5_000 });
    let back = settle(&mut s, &mut clock);
    assert!(back.iter().any(|f| f.header.rewound), "going back says so (the page drops its particles)");
    assert_eq!(back.last().unwrap().header.time_ns, 5_000_000_000);
    s.handle(Command::Seek { ms: 20_000 });
    let again = settle(&mut s, &mut clock).pop().unwrap().header;
    assert_eq!(again.summary, at_20.summary);
    assert_eq!(again.nodes, at_20.nodes);
}

#[test]
fn pacing_follows_the_wall_clock_times_the_speed_and_never_changes_the_run() {
    // 100 pumps, 50 wall ms apart, at 10x: 50 simulated seconds.
    let mut s = start("three-tier", 7, Speed::Times(10.0));
    let mut wall = 0.0;
    for _ in 0..100 {
        wall += 50.0;
        let w = wall;
        s.pump(&mut move || w, 1e9);
    }
    // The first pump starts the clock: 99 intervals of 500 simulated ms.
    assert_eq!(s.now(), Some(SimTime::from_millis(49_500)));
    assert_eq!(s.trace_hash(), Some(reference("three-tier", 7, SimTime::from_millis(49_500)).trace_hash()));
}

#[test]
fn a_starved_engine_falls_behind_and_says_so() {
    let mut s = start("three-tier", 7, Speed::Times(600.0));
    let mut wall = 0.0;
    let mut behind = false;
    for _ in 0..20 {
        wall += 100.0;
        let w = wall;
        // No time to work: every reading of the clock is past the slice.
        let p = s.pump(&mut move || w, 0.0);
        behind |= p.frame.is_some_and(|f| f.header.behind);
    }
    assert!(behind);
    let now = s.now().unwrap();
    assert!(now < SimTime::from_secs(1_000), "the target does not race away from the engine: {now:?}");
}

#[test]
fn pause_stops_on_a_whole_millisecond_and_holds() {
    let mut s = start("single-ec2", 1, Speed::Times(1.0));
    let mut wall = 0.0;
    for _ in 0..7 {
        wall += 33.3;
        let w = wall;
        s.pump(&mut move || w, 1e9);
    }
    s.handle(Command::Pause);
    let frames = settle(&mut s, &mut ticking(1.0));
    let t = frames.last().unwrap().header.time_ns;
    assert_eq!(t % 1_000_000, 0);
    assert_eq!(s.state(), Some(PlayState::Paused));
    let p = s.pump(&mut ticking(1000.0), 1e9);
    assert_eq!(s.now(), Some(SimTime(t)), "a paused clock stands still");
    assert!(p.again_ms.is_none());
    s.handle(Command::Step { ms: 250 });
    settle(&mut s, &mut ticking(1.0));
    assert_eq!(s.now(), Some(SimTime(t + 250_000_000)));
}

#[test]
fn a_run_finishes_at_its_duration() {
    let mut s = Session::new();
    s.handle(Command::Start {
        design: design("single-ec2"),
        seed: 1,
        experiment: None,
        duration_s: 2.5,
        speed: Speed::Max,
        paused: false,
    });
    let frames = settle(&mut s, &mut ticking(1.0));
    let last = &frames.last().unwrap().header;
    assert_eq!((last.state, last.time_ns), (PlayState::Finished, 2_500_000_000));
    s.handle(Command::Play);
    assert_eq!(s.state(), Some(PlayState::Finished), "a finished run does not play on");
}

#[test]
fn designs_that_cannot_run_say_why() {
    let mut s = Session::new();
    s.handle(Command::Start {
        design: "{\"version\":1,\"name\":\"x\",\"components\":[{\"id\":\"web\",\"kind\":\"ec2\"}],\"connections\":[{\"from\":\"web\",\"to\":\"gone\"}]}".into(),
        seed: 1,
        experiment: None,
        duration_s: 60.0,
        speed: Speed::Times(1.0),
        paused: false,
    });
    let p = s.pump(&mut ticking(1.0), 10.0);
    let why = p.frame.unwrap().header.problem.unwrap();
    assert!(why.starts_with("Fix 1 problem first:") && why.contains("gone"), "{why}");
    s.handle(Command::Start {
        design: "not json".into(),
        seed: 1,
        experiment: None,
        duration_s: 60.0,
        speed: Speed::Times(1.0),
        paused: false,
    });
    let why = s.pump(&mut ticking(1.0), 10.0).frame.unwrap().header.problem.unwrap();
    assert!(why.starts_with("The design could not be read"), "{why}");
    s.handle(Command::Start {
        design: design("single-ec2"),
        seed: 1,
        experiment: Some("no-such-experiment".into()),
        duration_s: 60.0,
        speed: Speed::Times(1.0),
        paused: false,
    });
    let why = s.pump(&mut ticking(1.0), 10.0).frame.unwrap().header.problem.unwrap();
    assert!(why.contains("no-such-experiment"), "{why}");
}

#[test]
fn an_experiment_writes_the_event_log() {
    let mut s = Session::new();
    s.handle(Command::Start {
        design: design("az-outage-multi-az"),
        seed: 7,
        experiment: Some("lose-az1".into()),
        duration_s: 300.0,
        speed: Speed::Max,
        paused: false,
    });
    let frames = settle(&mut s, &mut ticking(1.0));
    let log: Vec<_> = frames.iter().flat_map(|f| f.header.log.iter()).collect();
    assert!(log.iter().any(|l| l.bad), "the outage is logged as a failure: {log:?}");
    // A line about the load balancer's health checks names it, so the page can select it.
    let unhealthy = log.iter().find(|l| l.text.contains("unhealthy")).expect("the ALB notices");
    assert_eq!(unhealthy.component.as_deref(), Some("alb"), "{unhealthy:?}");
    assert!(log.windows(2).all(|w| w[0].time_ns <= w[1].time_ns), "in time order");
}

#[test]
fn particles_follow_the_design_s_connections_and_density_follows_speed() {
    let mut s = start("three-tier", 7, Speed::Times(1.0));
    let frames = play(&mut s, 80);
    let ids = frames[0].header.components.clone().expect("the first frame names the components");
    let topo = Topology::from_json(&design("three-tier")).unwrap();
    let edges: std::collections::BTreeSet<(String, String)> =
        topo.connections.iter().map(|c| (c.from.clone(), c.to.clone())).collect();
    let segs: Vec<f64> = frames.iter().flat_map(|f| f.segments.iter().copied()).collect();
    assert!(segs.len() >= 10 * SEGMENT_STRIDE, "{} numbers", segs.len());
    for seg in segs.chunks(SEGMENT_STRIDE) {
        let (a, b) = (ids[seg[0] as usize].clone(), ids[seg[1] as usize].clone());
        let kind = SegmentKind::from_code(seg[4]);
        let edge = if kind == SegmentKind::Request { (a, b) } else { (b, a) };
        assert!(edges.contains(&edge), "{edge:?} is not a connection");
        assert!(seg[3] >= seg[2], "arrives after it leaves");
    }
    assert_eq!(frames.last().unwrap().header.sample_every, 1, "at 1x a small design draws every request");
    // Faster, fewer requests drawn: the dots per wall-clock second stay about the same.
    let mut sampling = |speed: f64, w: f64| {
        s.handle(Command::SetSpeed { speed: Speed::Times(speed) });
        s.pump(&mut move || w, 1e9).frame.expect("a frame is due").header.sample_every
    };
    // After the 80 frames of 50 ms played.
    let wall = 80.0 * 50.0;
    let at_60x = sampling(60.0, wall + 100.0);
    let at_600x = sampling(600.0, wall + 200.0);
    assert!(at_60x >= 2, "{at_60x}");
    assert!(at_600x >= 9 * at_60x && at_600x <= 11 * at_60x, "60x: every {at_60x}th, 600x: every {at_600x}th");
}

fn outage() -> strata_core::experiment::Action {
    serde_json::from_str(r#"{"action":"az-outage","target":{"az":"use1-az1"},"duration_s":60}"#).unwrap()
}

#[test]
fn an_injected_failure_is_the_same_run_as_that_experiment_written_in_the_document() {
    let mut s = start("az-outage-multi-az", 7, Speed::Times(10.0));
    let mut clock = ticking(1.0);
    s.handle(Command::Seek { ms: 30_000 });
    let before = settle(&mut s, &mut clock).pop().unwrap().header;
    s.handle(Command::Inject { action: serde_json::to_string(&outage()).unwrap() });
    let frames = settle(&mut s, &mut clock);
    let at = frames.last().unwrap();
    assert_eq!(at.header.time_ns, 30_000_000_000, "the replay lands where the run was");
    // Nothing changes before the failure starts (the engine has one more event: the start itself).
    let (now, then) = (at.header.summary.as_ref().unwrap(), before.summary.as_ref().unwrap());
    assert_eq!((&now.clients, &now.busiest), (&then.clients, &then.busiest));
    let injected: Vec<strata_core::experiment::Action> = serde_json::from_str(&at.header.injected_json).unwrap();
    assert_eq!(injected.len(), 1);
    assert_eq!(injected[0].start_s, 30.0);
    assert_eq!(at.header.injected_text, ["az-outage on AZ use1-az1 at 30.000 s for 60 s"]);
    s.handle(Command::Seek { ms: 120_000 });
    let later = settle(&mut s, &mut clock);
    let after = later.last().unwrap().header.clone();
    let log: Vec<_> = frames.iter().chain(&later).flat_map(|f| f.header.log.iter()).filter(|l| l.bad).collect();
    assert!(log.iter().any(|l| l.time_ns == 30_000_000_000), "the log says when it struck: {log:?}");

    // The same action written in the document as an experiment gives the same run.
    let mut topo = Topology::from_json(&design("az-outage-multi-az")).unwrap();
    let mut action = outage();
    action.start_s = 30.0;
    topo.edit_experiments(|l| {
        l.push(strata_core::experiment::Experiment {
            name: "written".into(),
            description: String::new(),
            actions: vec![action],
            stop_conditions: Vec::new(),
        })
    });
    let mut sim =
        Simulation::new(&topo, SimConfig { seed: 7, experiment: Some("written".into()), ..SimConfig::default() })
            .unwrap();
    sim.step_until(SimTime::from_secs(120));
    assert_eq!(s.trace_hash(), Some(sim.trace_hash()));
    let r = sim.report();
    let row = &after.summary.as_ref().unwrap().clients[0];
    assert_eq!(row.errors, r.clients[0].errors.total);
    assert!(row.errors > 0, "an AZ outage of a live design fails some requests");
}

#[test]
fn an_injection_that_cannot_work_is_refused_and_the_run_goes_on() {
    let mut s = start("three-tier", 1, Speed::Times(1.0));
    let mut clock = ticking(1.0);
    s.handle(Command::Seek { ms: 5_000 });
    settle(&mut s, &mut clock);
    let hash = s.trace_hash();
    let bad: strata_core::experiment::Action =
        serde_json::from_str(r#"{"action":"db-failover","target":{"component":"nowhere"}}"#).unwrap();
    s.handle(Command::Inject { action: serde_json::to_string(&bad).unwrap() });
    let f = settle(&mut s, &mut clock).pop().expect("the refusal is said in a frame");
    let why = f.header.refused.expect("refused");
    assert!(why.contains("nowhere"), "{why}");
    assert!(f.header.injected_json.is_empty() && f.header.injected_text.is_empty());
    assert_eq!(s.trace_hash(), hash, "the run is untouched");
    assert_eq!(s.state(), Some(PlayState::Paused));
}

#[test]
fn an_injection_while_playing_keeps_playing() {
    let mut s = start("az-outage-multi-az", 7, Speed::Times(10.0));
    let mut wall = 0.0;
    for _ in 0..20 {
        wall += 50.0;
        let w = wall;
        s.pump(&mut move || w, 1e9);
    }
    s.handle(Command::Inject { action: serde_json::to_string(&outage()).unwrap() });
    assert_eq!(s.state(), Some(PlayState::Seeking), "the run replays to now with the failure");
    for _ in 0..1000 {
        wall += 50.0;
        let w = wall;
        s.pump(&mut move || w, 1e9);
        if s.state() == Some(PlayState::Playing) {
            break;
        }
    }
    assert_eq!(s.state(), Some(PlayState::Playing), "the run plays on after the replay");
}

#[test]
fn an_experiment_that_would_start_after_the_run_ends_is_refused() {
    let mut s = Session::new();
    s.handle(Command::Start {
        design: design("az-outage-multi-az"),
        seed: 1,
        experiment: Some("lose-az1".into()),
        duration_s: 60.0,
        speed: Speed::Times(1.0),
        paused: false,
    });
    let why = s.pump(&mut ticking(1.0), 10.0).frame.unwrap().header.problem.unwrap();
    assert!(why.contains("lose-az1") && why.contains("the run lasts 60 s"), "{why}");
    assert_eq!(s.state(), None, "no run");
}

#[test]
fn launch_phases_reach_the_page_in_order_when_their_time_comes() {
    // The group scales out at 30 s; every instance it launches goes through the six layers.
    let mut s = start("scale-out-layers", 1, Speed::Times(10.0));
    let mut clock = ticking(5.0);
    let mut steps = Vec::new();
    let mut log = Vec::new();
    for _ in 0..100_000 {
        let p = s.pump(&mut clock, 20.0);
        if let Some(f) = p.frame {
            log.extend(f.header.log.clone());
            for step in &f.header.launches {
                assert!(step.time_ns <= f.header.time_ns, "a phase is only sent once the clock has passed it");
            }
            steps.extend(f.header.launches);
        }
        if s.now().is_some_and(|t| t >= SimTime::from_secs(120)) {
            break;
        }
    }
    // The same run straight through the engine, drained once at the end.
    let mut sim = reference("scale-out-layers", 1, s.now().unwrap());
    let direct = sim.drain_lifecycle_events();
    assert!(direct.len() >= 7, "at least one whole launch by 120 s, got {} phases", direct.len());
    assert_eq!(steps.len(), direct.len());
    for (a, b) in steps.iter().zip(&direct) {
        assert_eq!((a.time_ns, &a.instance, a.phase, a.failed), (b.time.0, &b.instance, b.phase, b.failed));
        assert_eq!(a.component.as_deref(), Some("web"));
    }
    // Per instance: the seven phases in their order, at non-decreasing times, ending running.
    let first = &steps[0].instance;
    let mine: Vec<_> = steps.iter().filter(|e| &e.instance == first).collect();
    let phases: Vec<_> = mine.iter().map(|e| e.phase).collect();
    use strata_core::layers::launch::LaunchPhase as P;
    assert_eq!(phases, P::LAUNCH);
    assert!(mine.windows(2).all(|w| w[0].time_ns <= w[1].time_ns));
    let running = mine.last().unwrap();
    assert!(running.host.is_some() && running.private_ip.is_some() && running.volume.is_some());
    // The event log says when it was asked for and when it runs, where.
    let said = format!("{first} running for web on {}", running.host.as_deref().unwrap());
    let line = log.iter().find(|l| l.text.starts_with(&said)).expect("the log says the instance runs");
    assert_eq!((line.time_ns, line.component.as_deref()), (running.time_ns, Some("web")));
    assert!(log
        .iter()
        .any(|l| l.text == format!("{first} launch for web accepted by the EC2 API") && l.time_ns == mine[0].time_ns));
    assert!(log.windows(2).all(|w| w[0].time_ns <= w[1].time_ns), "the log stays in time order");
    // Back to 35 s (from a keyframe): the page is told to forget, then gets exactly the phases
    // up to 35 s again; forward to the end again: the rest, each once.
    let sent = |frames: Vec<Frame>| -> (bool, Vec<(u64, String)>) {
        let rewound = frames.iter().any(|f| f.header.rewound);
        (
            rewound,
            frames
                .into_iter()
                .flat_map(|f| f.header.launches)
                .map(|l| (l.time_ns, format!("{}:{:?}", l.instance, l.phase)))
                .collect(),
        )
    };
    let key = |e: &strata_core::sim::LifecycleEvent| (e.time.0, format!("{}:{:?}", e.instance, e.phase));
    let end = s.now().unwrap();
    s.handle(Command::Seek { ms: 35_000 });
    let (rewound, back) = sent(settle(&mut s, &mut clock));
    assert!(rewound);
    let upto_35: Vec<_> = direct.iter().filter(|e| e.time.0 <= 35_000_000_000).map(key).collect();
    assert!(!upto_35.is_empty());
    assert_eq!(back, upto_35);
    s.handle(Command::Seek { ms: end.0 / 1_000_000 });
    let (_, forward) = sent(settle(&mut s, &mut clock));
    let rest: Vec<_> = direct.iter().filter(|e| e.time.0 > 35_000_000_000).map(key).collect();
    assert_eq!(forward, rest);
}

#[test]
fn the_drill_down_follows_an_instance_and_equals_the_engine_s_detail() {
    let mut s = Session::new();
    let experiment = Some("stop-start-api".to_string());
    s.handle(Command::Start {
        design: design("noisy-neighbour-before"),
        seed: 7,
        experiment: experiment.clone(),
        duration_s: 600.0,
        speed: Speed::Times(10.0),
        paused: true,
    });
    let mut clock = ticking(1.0);
    s.handle(Command::Inspect { target: Some(("api".into(), 0)) });
    s.handle(Command::Seek { ms: 40_000 });
    let before =
        settle(&mut s, &mut clock).pop().unwrap().header.drill.expect("a pause refreshes the drill-down").unwrap();
    let topo = Topology::from_json(&design("noisy-neighbour-before")).unwrap();
    let engine_at = |t: SimTime| {
        let mut sim =
            Simulation::new(&topo, SimConfig { experiment: experiment.clone(), ..SimConfig::with_seed(7) }).unwrap();
        sim.step_until(t);
        sim.instance_detail(sim.component_index("api").unwrap(), 0).unwrap()
    };
    let fact = |d: &crate::drill::DrillView, k: &str| d.facts.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let e = engine_at(SimTime::from_secs(40));
    assert_eq!(before.time_ns, 40_000_000_000);
    assert_eq!(before, crate::drill::present(&e, "api", 0), "the engine's own detail, put into words");
    let noisy = fact(&before, "host").unwrap();
    assert_eq!(noisy, e.host.as_ref().unwrap().name);
    let steal: f64 = fact(&before, "steal").unwrap().parse().unwrap();
    assert_eq!(steal, e.slice.as_ref().unwrap().steal_percent);
    assert!(steal > 50.0, "{steal}");
    assert_eq!(fact(&before, "neighbours"), Some(e.neighbours.len().to_string()));
    assert!(!e.neighbours.is_empty());
    assert_eq!(fact(&before, "volume0_iops"), Some(e.volumes[0].iops_limit.to_string()));
    let keys: Vec<_> = before.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["host", "slice", "neighbours", "network", "volumes", "placement"]);

    // After the stop at 60 s and the start 60 s later, it runs on another host, without steal.
    s.handle(Command::Seek { ms: 200_000 });
    let after = settle(&mut s, &mut clock).pop().unwrap().header.drill.unwrap().unwrap();
    let e = engine_at(SimTime::from_secs(200));
    assert_eq!(after, crate::drill::present(&e, "api", 0));
    assert_ne!(fact(&after, "host").unwrap(), noisy);
    assert!(e.slice.as_ref().unwrap().steal_percent < 1.0, "{:?}", e.slice);
    assert_eq!(fact(&after, "restarts").as_deref(), Some("1"));
    // Placed afresh: the decision is there, every candidate listed, the chosen host marked.
    let placement = after.sections.iter().find(|s| s.key == "placement").unwrap();
    let table = placement.table.as_ref().expect("a placement decision after the start");
    assert_eq!(table.rows.iter().filter(|r| r.1).count(), 1);
    assert_eq!(fact(&after, "placed_on"), fact(&after, "host"));

    // Following nothing, or something without instances, says so instead of showing stale figures.
    s.handle(Command::Inspect { target: Some(("users".into(), 0)) });
    let why = settle(&mut s, &mut clock).pop().unwrap().header.drill.unwrap().unwrap_err();
    assert!(why.contains("users[0] has no instance"), "{why}");
    s.handle(Command::Inspect { target: None });
    assert_eq!(settle(&mut s, &mut clock).pop().unwrap().header.drill, None);
}

#[test]
fn a_pod_s_drill_down_says_where_it_runs_and_why_as_the_engine_decided() {
    let mut s = Session::new();
    s.handle(Command::Start {
        design: design("pods-pending-spike"),
        seed: 1,
        experiment: None,
        duration_s: 600.0,
        speed: Speed::Times(10.0),
        paused: true,
    });
    let mut clock = ticking(1.0);
    let topo = Topology::from_json(&design("pods-pending-spike")).unwrap();
    let mut sim = Simulation::new(&topo, SimConfig::with_seed(1)).unwrap();
    sim.step_until(SimTime::from_secs(200));
    let api = sim.component_index("api").unwrap();
    // A pod that waited for a node the autoscaler added.
    let (slot, e) = (0..40)
        .filter_map(|k| sim.pod_detail(api, k).map(|d| (k, d)))
        .find(|(_, d)| !d.pending.is_empty())
        .expect("a pod that was Pending");
    s.handle(Command::Inspect { target: Some(("api".into(), slot)) });
    s.handle(Command::Seek { ms: 200_000 });
    let view =
        settle(&mut s, &mut clock).pop().unwrap().header.drill.expect("a pause refreshes the drill-down").unwrap();
    assert_eq!(view, crate::drill::present_pod(&e, "api", slot), "the engine's own detail, put into words");
    let fact = |k: &str| view.facts.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    assert_eq!(fact("scheduled_on"), fact("node"));
    assert_eq!(fact("phase").as_deref(), Some("ready"));
    let keys: Vec<_> = view.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["start", "scheduler", "node"]);
    let start = &view.sections[0];
    assert!(start.bad && start.lines.iter().any(|l| l.contains("Insufficient cpu")), "{:?}", start.lines);
    // The scheduler's table: every node at the bind, the chosen one marked and scored, the two
    // full starting nodes filtered out for CPU.
    let table = view.sections[1].table.as_ref().unwrap();
    assert_eq!(table.rows.iter().filter(|r| r.1).count(), 1);
    let chosen = table.rows.iter().find(|r| r.1).unwrap();
    assert_eq!(Some(chosen.0[0].clone()), fact("node"));
    assert!(!chosen.0[1].is_empty(), "the chosen node has a score");
    let full: Vec<_> = table.rows.iter().filter(|r| r.0[2].starts_with("Insufficient cpu")).collect();
    assert!(full.len() >= 2, "{:?}", table.rows);
    assert!(full.iter().any(|r| r.0[0] == "api-node-1") && full.iter().any(|r| r.0[0] == "api-node-2"));
}

/// Seeks and waits until the session lands.
fn seek(s: &mut Session, ms: u64, clock: &mut dyn FnMut() -> f64) -> crate::protocol::Header {
    s.handle(Command::Seek { ms });
    settle(s, clock).pop().expect("a frame").header
}

fn start_with(name: &str, seed: u64, experiment: Option<&str>, duration_s: f64) -> Session {
    let mut s = Session::new();
    s.handle(Command::Start {
        design: design(name),
        seed,
        experiment: experiment.map(str::to_string),
        duration_s,
        speed: Speed::Times(1.0),
        paused: true,
    });
    s
}

#[test]
fn a_seek_back_from_a_keyframe_lands_on_a_fresh_run_s_figures() {
    // Plain, with an experiment, on the layers.
    for (name, experiment) in
        [("three-tier", None), ("az-outage-multi-az", Some("lose-az1")), ("noisy-neighbour-before", None)]
    {
        let mut clock = ticking(1.0);
        let mut s = start_with(name, 7, experiment, 300.0);
        seek(&mut s, 200_000, &mut clock);
        let before = s.events_simulated().unwrap();
        let back = seek(&mut s, 152_345, &mut clock);
        let resimulated = s.events_simulated().unwrap() - before;
        let mut fresh = start_with(name, 7, experiment, 300.0);
        let want = seek(&mut fresh, 152_345, &mut clock);
        assert_eq!(back.time_ns, 152_345_000_000);
        assert_eq!(s.trace_hash(), fresh.trace_hash(), "{name}");
        assert_eq!(back.summary, want.summary, "{name}");
        assert_eq!(back.nodes, want.nodes, "{name}");
        let from_zero = want.summary.unwrap().events;
        assert!(resimulated * 10 < from_zero, "{name}: {resimulated} events re-simulated, {from_zero} from 0 s");
    }
}

#[test]
fn seeking_forward_back_and_forward_over_keyframes_lands_on_the_same_figures() {
    let mut clock = ticking(1.0);
    let mut s = start_with("az-outage-multi-az", 3, Some("lose-az1"), 600.0);
    let first = seek(&mut s, 250_000, &mut clock);
    let hash = s.trace_hash();
    let back = seek(&mut s, 12_500, &mut clock);
    assert_eq!(back.time_ns, 12_500_000_000);
    let before = s.events_simulated().unwrap();
    let again = seek(&mut s, 250_000, &mut clock);
    // Forward too, the run jumps to the latest keyframe on the way instead of re-simulating it all.
    let resimulated = s.events_simulated().unwrap() - before;
    assert!(resimulated * 10 < first.summary.as_ref().unwrap().events, "{resimulated} events");
    assert_eq!(s.trace_hash(), hash);
    assert_eq!((&again.summary, &again.nodes), (&first.summary, &first.nodes));
    // The event log is whole again after going back (sent anew from the start).
    assert!(back.rewound || s.state() == Some(PlayState::Paused));
}

#[test]
fn keyframes_thin_out_to_stay_under_their_cap() {
    let mut s = start_with("single-ec2", 1, None, 600.0);
    seek(&mut s, 600_000, &mut ticking(1.0));
    let times = s.keyframe_times().unwrap();
    // 5 s spacing would be 121 keyframes: doubled twice, every 20 s.
    assert!(times.len() <= 32, "{}", times.len());
    assert_eq!(times.first(), Some(&0));
    assert!(times.iter().all(|t| t % 20_000_000_000 == 0), "{times:?}");
    assert_eq!(times.len(), 31, "{times:?}");
}

#[test]
fn seeking_back_to_590_s_of_600_re_simulates_a_fraction_of_the_run() {
    let mut clock = ticking(1.0);
    let mut s = start_with("three-tier", 5, None, 600.0);
    seek(&mut s, 600_000, &mut clock);
    let before = s.events_simulated().unwrap();
    let wall = std::time::Instant::now();
    let back = seek(&mut s, 590_000, &mut clock);
    let keyframe_ms = wall.elapsed().as_secs_f64() * 1e3;
    let resimulated = s.events_simulated().unwrap() - before;
    // What a seek back cost when it replayed from 0 s: the run from its start.
    let wall = std::time::Instant::now();
    let mut fresh = start_with("three-tier", 5, None, 600.0);
    let want = seek(&mut fresh, 590_000, &mut clock);
    let replay_ms = wall.elapsed().as_secs_f64() * 1e3;
    let from_zero = fresh.events_simulated().unwrap();
    eprintln!(
        "seek back to 590 s of 600 s: {resimulated} events, {keyframe_ms:.1} ms from a keyframe; \
         {from_zero} events, {replay_ms:.1} ms replayed from 0 s; {} keyframes, {} KB",
        s.keyframe_times().unwrap().len(),
        s.keyframe_bytes().unwrap() / 1024
    );
    assert_eq!(s.trace_hash(), fresh.trace_hash());
    assert_eq!(back.summary, want.summary);
    assert_eq!(from_zero, want.summary.unwrap().events);
    assert!(resimulated * 10 < from_zero, "{resimulated} of {from_zero}");
}

#[test]
fn an_injection_re_simulates_from_the_keyframe_before_it() {
    let mut clock = ticking(1.0);
    let mut s = start_with("az-outage-multi-az", 7, None, 600.0);
    seek(&mut s, 200_000, &mut clock);
    let before = s.events_simulated().unwrap();
    s.handle(Command::Inject { action: serde_json::to_string(&outage()).unwrap() });
    let times = s.keyframe_times().unwrap();
    assert!(times.iter().all(|&t| t < 200_000_000_000), "none at or after the failure's start: {times:?}");
    assert_eq!(times.len(), 20, "the 20 before it stay (every 10 s from 0 s): {times:?}");
    let at = settle(&mut s, &mut clock).pop().unwrap().header;
    assert_eq!(at.time_ns, 200_000_000_000);
    let resimulated = s.events_simulated().unwrap() - before;
    assert!(resimulated * 10 < at.summary.as_ref().unwrap().events, "{resimulated} events");

    // The same action written in the document, played from the start.
    let mut topo = Topology::from_json(&design("az-outage-multi-az")).unwrap();
    let mut action = outage();
    action.start_s = 200.0;
    topo.edit_experiments(|l| {
        l.push(strata_core::experiment::Experiment {
            name: "written".into(),
            description: String::new(),
            actions: vec![action],
            stop_conditions: Vec::new(),
        })
    });
    let written = |t: SimTime| {
        let config = SimConfig { seed: 7, experiment: Some("written".into()), ..SimConfig::default() };
        let mut sim = Simulation::new(&topo, config).unwrap();
        sim.step_until(t);
        sim
    };
    assert_eq!(s.trace_hash(), Some(written(SimTime::from_secs(200)).trace_hash()));
    // Later, and back before the failure, and forward again: still that run.
    seek(&mut s, 290_000, &mut clock);
    assert_eq!(s.trace_hash(), Some(written(SimTime::from_secs(290)).trace_hash()));
    seek(&mut s, 150_000, &mut clock);
    assert_eq!(s.trace_hash(), Some(written(SimTime::from_secs(150)).trace_hash()));
    let last = seek(&mut s, 290_000, &mut clock);
    let sim = written(SimTime::from_secs(290));
    assert_eq!(s.trace_hash(), Some(sim.trace_hash()));
    assert_eq!(last.summary.unwrap().clients[0].errors, sim.report().clients[0].errors.total);
}

/// Pumps 50 wall ms apart until a frame reaches `until_ns` of simulated time: the frames and
/// the wall clock then.
fn play_until(s: &mut Session, until_ns: u64) -> (Vec<Frame>, f64) {
    let mut wall = 0.0;
    let mut frames = Vec::new();
    while frames.last().is_none_or(|f: &Frame| f.header.time_ns < until_ns) {
        wall += 50.0;
        let w = wall;
        frames.extend(s.pump(&mut move || w, 1e9).frame);
    }
    (frames, wall)
}

#[test]
fn requests_held_back_are_forgotten_when_the_run_goes_back() {
    // Failed and slow requests pile up for a wall second before they are named; going back in
    // time puts those in the future: they must not be named after the rewind.
    let mut s = start("slow-at-low-cpu-before", 3, Speed::Times(60.0));
    let (_, mut wall) = play_until(&mut s, 40_000_000_000);
    s.handle(Command::Seek { ms: 5_000 });
    let mut after = Vec::new();
    for _ in 0..10 {
        wall += 50.0;
        let w = wall;
        after.extend(s.pump(&mut move || w, 1e9).frame);
    }
    assert!(after.iter().any(|f| f.header.rewound), "went back");
    for f in &after {
        let future: Vec<u64> = f.header.notable.iter().map(|n| n.time_ns).filter(|&t| t > f.header.time_ns).collect();
        assert!(future.is_empty(), "named at {} ns, from the future: {future:?}", f.header.time_ns);
    }
}

#[test]
fn every_segment_carries_the_engine_s_request_number_and_a_failure_its_cause_and_instance() {
    // A worker pool exhausted by a slow query: some calls are refused with a full queue, and
    // their callers answer with a 5xx from the dependency.
    let name = "slow-at-low-cpu-before";
    let mut s = start(name, 3, Speed::Times(60.0));
    let (mut frames, wall) = play_until(&mut s, 40_000_000_000);
    let every = frames.last().unwrap().header.sample_every;
    assert!(frames.iter().all(|f| f.header.sample_every == every) && every > 1, "every {every}th request drawn");
    // While time passes the requests worth tracing are named at most once a wall second (this
    // run took less); pausing names those held back.
    assert!(wall < 1000.0 && frames.iter().all(|f| f.header.notable.is_empty()), "none named yet");
    s.handle(Command::Pause);
    let mut clock = ticking(1.0);
    let mut later = move || wall + clock();
    frames.extend(settle(&mut s, &mut later));
    let end = frames.last().unwrap().header.time_ns;
    let got: Vec<Segment> =
        frames.iter().flat_map(|f| f.segments.chunks_exact(SEGMENT_STRIDE).map(Segment::read)).collect();

    // The engine's own journeys of the same run, sampled alike.
    let topo = Topology::from_json(&design(name)).unwrap();
    let config = SimConfig { journey_sample_every: every, ..SimConfig::with_seed(3) };
    let mut sim = Simulation::new(&topo, config).unwrap();
    let mut events = Vec::new();
    while !sim.step_until_budget(SimTime(end), 10_000) {
        events.extend(sim.drain_journeys());
    }
    events.extend(sim.drain_journeys());
    assert_eq!(sim.journeys_dropped(), 0);
    // Request, from, to, departure (ns), kind, cause, instance.
    type Hop = (u64, u32, u32, u64, SegmentKind, Option<ErrorCause>, Option<u32>);
    let expected: Vec<Hop> = events
        .iter()
        .filter_map(|e| {
            let caller = e.from?.0;
            let instance = (e.instance != u32::MAX).then_some(e.instance);
            let (from, to, kind, cause) = match e.kind {
                HopKind::Arrive => (caller, e.component.0, SegmentKind::Request, None),
                HopKind::Done => (e.component.0, caller, SegmentKind::Response, None),
                HopKind::Error(c) => (e.component.0, caller, SegmentKind::Failure, Some(c)),
                HopKind::Start => return None,
            };
            let at = if kind == SegmentKind::Request { e.time.0 - u64::from(e.link_ns) } else { e.time.0 };
            Some((e.request, from, to, at, kind, cause, instance))
        })
        .collect();
    let seen: Vec<_> =
        got.iter().map(|g| (g.request, g.from, g.to, g.t0 as u64, g.kind, g.cause, g.instance)).collect();
    assert_eq!(seen, expected, "the segments are the engine's journeys, request by request");

    // Requests worth tracing: each failure with the cause the client saw, each slow answer, both
    // with the latency of the engine's own journey (sent to answered at the client).
    let notable: Vec<&crate::protocol::NotableRequest> = frames.iter().flat_map(|f| &f.header.notable).collect();
    let root = |request: u64| events.iter().filter(move |e| e.request == request && e.from.is_none());
    let (mut slow, mut failed) = (0, 0);
    for n in &notable {
        let sent = root(n.request).find(|e| e.kind == HopKind::Arrive).expect("sent").time.0;
        let answer = root(n.request).find(|e| matches!(e.kind, HopKind::Done | HopKind::Error(_))).expect("answered");
        assert_eq!((n.time_ns, n.latency_ms), (answer.time.0, (answer.time.0 - sent) as f64 / 1e6), "#{}", n.request);
        match answer.kind {
            HopKind::Error(c) => {
                assert_eq!(n.cause, c.name());
                failed += 1;
            }
            _ => {
                assert_eq!(n.cause, "slow");
                slow += 1;
            }
        }
    }
    // Slow: beyond the population's p99 of the answers so far (the engine's, at its answer).
    let mut reference_sim = Simulation::new(&topo, SimConfig::with_seed(3)).unwrap();
    let mut slow_ones: Vec<_> = notable.iter().filter(|n| n.cause == "slow").collect();
    slow_ones.sort_by_key(|n| n.time_ns);
    for n in slow_ones {
        reference_sim.step_until(SimTime(n.time_ns));
        let p99 = reference_sim.client_totals().next().unwrap().latency.p99_ms;
        assert!(n.latency_ms > p99, "#{} took {} ms, p99 so far {p99} ms", n.request, n.latency_ms);
    }
    assert!(slow > 0 && failed > 0, "{slow} slow and {failed} failed requests listed");

    // Failures carry their cause (and only they do); calls and answers are multiples of the sampling.
    let failures: Vec<&Segment> = got.iter().filter(|g| g.kind == SegmentKind::Failure).collect();
    let causes: std::collections::BTreeSet<ErrorCause> = failures.iter().filter_map(|f| f.cause).collect();
    assert!(failures.iter().all(|f| f.cause.is_some()), "every failure says why");
    assert!(got.iter().filter(|g| g.kind != SegmentKind::Failure).all(|g| g.cause.is_none()));
    assert!(got.iter().all(|g| g.request.is_multiple_of(every)));
    assert!(
        causes.contains(&ErrorCause::QueueFull) && causes.contains(&ErrorCause::Dependency),
        "{} failures drawn, causes {causes:?}",
        failures.len()
    );
    // The web tier's failures name the instance that refused the call.
    let ids = frames[0].header.components.clone().unwrap();
    let web = ids.iter().position(|id| id == "web").unwrap() as u32;
    assert!(failures.iter().any(|f| f.from == web && f.instance.is_some()));
    // A segment survives the trip through the numbers of a frame.
    let mut numbers = Vec::new();
    failures[0].write(&mut numbers);
    assert_eq!((numbers.len(), Segment::read(&numbers)), (SEGMENT_STRIDE, *failures[0]));
}

/// Every log line a session sends, from the frames after the last rewind (the page clears its
/// log when a frame says the run went back).
fn log_after_rewinds(frames: &[Frame], log: &mut Vec<(u64, String)>) {
    for f in frames {
        if f.header.rewound {
            log.clear();
        }
        log.extend(f.header.log.iter().map(|l| (l.time_ns, l.text.clone())));
    }
}

#[test]
fn the_log_says_when_a_group_scales_as_the_engine_decided() {
    let mut s = start("traffic-spike-slow-scaling", 5, Speed::Max);
    s.handle(Command::Seek { ms: 300_000 });
    let mut log = Vec::new();
    log_after_rewinds(&settle(&mut s, &mut ticking(1.0)), &mut log);
    let sim = reference("traffic-spike-slow-scaling", 5, SimTime::from_millis(300_000));
    let decided: Vec<(u64, String)> = sim
        .scaling_activities()
        .iter()
        .filter_map(|a| {
            let verb = match a.action {
                strata_core::sim::ScalingAction::ScaleOut => "out",
                strata_core::sim::ScalingAction::ScaleIn => "in",
                _ => return None,
            };
            let id = sim.component_id(a.component);
            Some((a.time.0, format!("{id} scales {verb} from {} to {} instances", a.capacity_before, a.desired)))
        })
        .collect();
    assert!(decided.iter().any(|(_, t)| t.contains("scales out")), "the spike makes the group scale out");
    let said: Vec<(u64, String)> = log
        .iter()
        .filter(|(_, t)| t.contains(" scales "))
        .map(|(at, t)| (*at, t.split(" (").next().unwrap().to_string()))
        .collect();
    assert_eq!(said, decided);
}

#[test]
fn after_seeking_back_the_log_is_sent_again_up_to_there_and_then_on_exactly_once() {
    let mut s = start_with("az-outage-multi-az", 7, Some("lose-az1"), 300.0);
    let mut clock = ticking(1.0);
    let mut whole = Vec::new();
    s.handle(Command::Seek { ms: 250_000 });
    log_after_rewinds(&settle(&mut s, &mut clock), &mut whole);
    assert!(whole.len() >= 3, "{whole:?}");
    // Back to just after the outage began: the page's log holds the lines up to then.
    let mut log = whole.clone();
    s.handle(Command::Seek { ms: 140_000 });
    log_after_rewinds(&settle(&mut s, &mut clock), &mut log);
    let upto = |t: u64| whole.iter().filter(|(at, _)| *at <= t).cloned().collect::<Vec<_>>();
    assert_eq!(log, upto(140_000_000_000));
    assert!(log.len() < whole.len(), "some lines come after 140 s");
    // And on again: the same lines, none twice.
    s.handle(Command::Seek { ms: 250_000 });
    log_after_rewinds(&settle(&mut s, &mut clock), &mut log);
    assert_eq!(log, whole);
}

#[test]
fn the_strip_read_from_the_counters_equals_the_engine_s_report() {
    use crate::figures::Summary;
    for (name, experiment) in
        [("three-tier", None), ("az-outage-multi-az", Some("lose-az1")), ("retry-storm-before", Some("db-slowdown"))]
    {
        let topo = Topology::from_json(&design(name)).unwrap();
        let config = SimConfig { experiment: experiment.map(Into::into), ..SimConfig::with_seed(11) };
        let mut sim = Simulation::new(&topo, config).unwrap();
        let mut errors_seen = false;
        for ms in [700, 9_300, 61_000, 170_000] {
            sim.step_until(SimTime::from_millis(ms));
            let (s, r) = (Summary::now(&sim), sim.report());
            assert_eq!(s.time_ns, sim.now().0);
            assert_eq!(s.events, r.events, "{name} at {ms} ms");
            assert_eq!(s.clients.len(), r.clients.len());
            for (row, c) in s.clients.iter().zip(&r.clients) {
                let at = format!("{name}/{} at {ms} ms", c.id);
                assert_eq!(
                    (row.id.as_str(), row.requests, row.errors),
                    (c.id.as_str(), c.requests, c.errors.total),
                    "{at}"
                );
                assert_eq!((row.rps, row.success), (c.throughput_rps, c.success_rate), "{at}");
                assert_eq!(
                    (row.p50_ms, row.p95_ms, row.p99_ms),
                    (c.latency.p50_ms, c.latency.p95_ms, c.latency.p99_ms),
                    "{at}"
                );
                assert_eq!(row.slo, Some(c.slo), "{at}: objectives");
                for cause in ErrorCause::ALL {
                    let n = c.errors.get(cause);
                    assert_eq!(n > 0, row.error_causes.contains(&format!("{} {n}", cause.name())), "{at}: {cause:?}");
                }
                errors_seen |= row.errors > 0;
            }
            let mut busiest: Vec<_> = r.components.iter().filter(|c| c.utilization > 0.0).collect();
            busiest.sort_by(|a, b| b.utilization.total_cmp(&a.utilization).then_with(|| a.id.cmp(&b.id)));
            let expected: Vec<_> = busiest.iter().take(3).map(|c| (c.id.clone(), c.utilization)).collect();
            assert_eq!(s.busiest.iter().map(|b| (b.id.clone(), b.utilization)).collect::<Vec<_>>(), expected);
            let ok: u64 = r.clients.iter().map(|c| c.successes).sum();
            let answered: u64 = r.clients.iter().map(|c| c.successes + c.errors.total).sum();
            assert_eq!(s.availability, (answered > 0).then(|| ok as f64 / answered as f64));
        }
        assert_eq!(errors_seen, experiment.is_some(), "{name}: failures show in the figures");
    }
}

#[test]
fn the_legend_s_number_is_how_many_requests_the_engine_ran_per_request_drawn() {
    // Three-tier at 10x: the legend says "1 dot ≈ n requests" with n the header's sample_every.
    let mut s = start("three-tier", 9, Speed::Times(10.0));
    let frames = play(&mut s, 60);
    let n = frames.last().unwrap().header.sample_every;
    assert!(frames.iter().all(|f| f.header.sample_every == n), "one sampling for the whole run");
    assert!(n >= 2, "at 10x three-tier draws every {n}th request");
    // The requests drawn: those whose call from the client to the entry point was drawn.
    let t = SimTime(frames.last().unwrap().header.time_ns);
    let sim = reference("three-tier", 9, t);
    let client =
        |i: u32| sim.component_kind(strata_core::sim::ComponentIdx(i)) == strata_core::topology::ComponentKind::Client;
    let mut drawn: Vec<u64> = frames
        .iter()
        .flat_map(|f| f.segments.chunks(SEGMENT_STRIDE).map(Segment::read).collect::<Vec<_>>())
        .filter(|g| g.kind == SegmentKind::Request && client(g.from))
        .map(|g| g.request)
        .collect();
    drawn.sort_unstable();
    drawn.dedup();
    let sent: u64 = sim.report().clients.iter().map(|c| c.requests).sum();
    // Every n-th request is drawn: sent / n of them, less those still on their first hop.
    assert!(drawn.iter().all(|r| r % n == 0), "only every {n}th request");
    let expected = sent / n;
    assert!(
        drawn.len() as u64 <= expected && drawn.len() as u64 + 3 >= expected,
        "{} drawn, {sent} sent, 1 in {n}",
        drawn.len()
    );
    assert!(expected > 500, "{expected}");
}

mod charts {
    use super::*;
    use crate::charts::{charts, nice_ceiling, render, ChartKind, ChartView, WINDOW_S};
    use strata_core::sim::ComponentIdx;

    fn topology(name: &str) -> Topology {
        Topology::from_json(&design(name)).unwrap()
    }

    fn line<'a>(c: &'a [crate::charts::ChartData], kind: ChartKind, name: &str) -> &'a crate::charts::Line {
        let chart = c.iter().find(|d| d.kind == kind).unwrap();
        chart.lines.iter().find(|l| l.name == name).unwrap_or_else(|| panic!("{name} in {:?}", chart.lines))
    }

    #[test]
    fn scales_end_on_a_nice_number_at_or_above_the_peak() {
        for (v, nice) in
            [(0.3, 0.5), (7.0, 10.0), (101.0, 200.0), (250.0, 250.0), (1.9, 2.0), (0.0, 1.0), (f64::NAN, 1.0)]
        {
            assert_eq!(nice_ceiling(v), nice, "{v}");
        }
    }

    #[test]
    fn the_lines_are_the_engine_s_series_over_a_window_that_follows_the_run() {
        let t = topology("three-tier");
        for secs in [120u64, 400] {
            let sim = reference("three-tier", 3, SimTime::from_millis(secs * 1000));
            let c = charts(&sim, &t);
            let d = &c[0];
            assert_eq!(d.t1_s, secs as f64);
            assert_eq!(d.t0_s, (secs as f64 - WINDOW_S).max(0.0));
            let users = sim.component_index("users").unwrap();
            let series: Vec<_> = sim.series(users).into_iter().filter(|p| p.t_s > d.t0_s).collect();
            let answered = line(&c, ChartKind::Throughput, "users answered");
            assert_eq!(answered.points, series.iter().map(|p| (p.t_s, p.completions as f64)).collect::<Vec<_>>());
            let p99 = line(&c, ChartKind::Latency, "users p99");
            assert_eq!(p99.points, series.iter().map(|p| (p.t_s, p.p99_ms)).collect::<Vec<_>>());
            assert_eq!(answered.points.len(), (secs as f64).min(WINDOW_S) as usize);
            for chart in &c {
                let peak = chart.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0, f64::max);
                assert!(
                    chart.y_max >= peak && chart.y_max == nice_ceiling(chart.y_max),
                    "{:?}: {peak} > {}",
                    chart.kind,
                    chart.y_max
                );
            }
            // The busiest components first, at most five, in percent.
            let busy = &c.iter().find(|d| d.kind == ChartKind::Utilization).unwrap().lines;
            assert!(!busy.is_empty() && busy.len() <= 5);
            let first = sim.component_index(&busy[0].name).unwrap();
            let last = sim.series(first).last().unwrap().utilization * 100.0;
            assert_eq!(busy[0].points.last().unwrap().1, last);
        }
    }

    #[test]
    fn availability_per_minute_is_the_report_s_and_the_outage_is_marked() {
        let t = topology("az-outage-single-az");
        let mut sim =
            Simulation::new(&t, SimConfig { experiment: Some("lose-az1".into()), ..SimConfig::with_seed(4) }).unwrap();
        sim.step_until(SimTime::from_millis(240_000));
        let c = charts(&sim, &t);
        let a = line(&c, ChartKind::Availability, "availability");
        let minutes = sim.report().resilience.availability_per_minute;
        assert_eq!(a.points.len(), 4);
        for (p, m) in a.points.iter().zip(&minutes) {
            assert_eq!(p.0, m.t_s + 60.0);
            assert!((p.1 - m.availability.unwrap() * 100.0).abs() < 1e-9, "{p:?} {m:?}");
        }
        assert!(a.points[3].1 < 1.0, "the AZ is dark for the fourth minute: {:?}", a.points);
        // Failures by cause: the outage's show, each second's as the engine counted them.
        let users = sim.component_index("users").unwrap();
        let unavailable = line(&c, ChartKind::Failures, "users unavailable");
        let causes = sim.series_error_causes(users);
        let k = strata_core::sim::ErrorCause::ALL.iter().position(|c| c.name() == "unavailable").unwrap();
        let expected: Vec<(f64, f64)> =
            sim.series(users).iter().zip(&causes).map(|(p, b)| (p.t_s, f64::from(b[k]))).collect();
        assert_eq!(unavailable.points, expected);
        assert!(unavailable.points.iter().any(|p| p.1 > 0.0));
        // Later, when the window starts inside a minute (the one the outage began in), that
        // minute still counts whole.
        sim.step_until(SimTime::from_millis(450_000));
        let later = charts(&sim, &t);
        let a = line(&later, ChartKind::Availability, "availability");
        let minutes = sim.report().resilience.availability_per_minute;
        assert_eq!(later[0].t0_s, 150.0);
        assert_eq!(a.points.first().unwrap().0, 180.0, "the minute from 120 s, which ends in the window");
        for p in &a.points {
            let m = minutes.iter().find(|m| m.t_s + 60.0 == p.0 || (m.t_s < p.0 && p.0 < m.t_s + 60.0)).unwrap();
            assert!((p.1 - m.availability.unwrap() * 100.0).abs() < 1e-9, "{p:?} {m:?}");
        }
        let objective = line(&c, ChartKind::Availability, "objective");
        assert!(objective.points.iter().all(|p| p.1 == 99.9));
        let marks = &c[0].marks;
        assert!(marks.iter().any(|m| m.fault && m.t_s == 135.0), "{marks:?}");
        // Drawn: SVG of the requested size, one red line for the fault, the lines inside the plot.
        let view = ChartView { width: 420, height: 160, dark: false };
        let drawn = render(&c[0], view).unwrap();
        assert!(drawn.svg.starts_with("<svg") && drawn.svg.contains("width=\"420\""), "{}", &drawn.svg[..80]);
        assert!(drawn.svg.contains("#EF4444") || drawn.svg.to_lowercase().contains("#ef4444"), "the fault's red line");
        let [x0, y0, x1, y1] = drawn.plot;
        assert!(0.0 < x0 && x0 < x1 && x1 <= 420.0 && 0.0 <= y0 && y0 < y1 && y1 <= 160.0, "{:?}", drawn.plot);
        let dark = render(&c[0], ChartView { dark: true, ..view }).unwrap();
        assert_ne!(dark.svg, drawn.svg);
        let _ = ComponentIdx(0);
    }

    #[test]
    fn while_time_passes_the_charts_are_drawn_twice_a_wall_second() {
        let mut s = start("three-tier", 7, Speed::Times(10.0));
        s.handle(Command::Charts { view: Some(ChartView { width: 380, height: 150, dark: false }) });
        // Four wall seconds of play, pumped every 16 ms.
        let mut wall = 0.0;
        let mut drawn = Vec::new();
        while wall < 4_000.0 {
            wall += 16.0;
            let w = wall;
            if let Some(f) = s.pump(&mut move || w, 1e9).frame {
                if let Some(c) = f.header.charts {
                    drawn.push((w, c[0].as_ref().unwrap().data.t1_s));
                }
            }
        }
        let per_second = drawn.len() as f64 / 4.0;
        assert!((2.0..=2.5).contains(&per_second), "{} drawings in 4 s: {drawn:?}", drawn.len());
        assert!(drawn.windows(2).all(|w| w[1].0 - w[0].0 >= 500.0 - 1e-9), "at most every 500 ms");
        assert!(
            drawn.windows(2).filter(|w| w[1].1 > w[0].1).count() >= drawn.len() - 3,
            "at 10x each shows new seconds"
        );
    }

    #[test]
    fn the_session_draws_charts_only_while_the_page_shows_them() {
        let mut s = start("three-tier", 7, Speed::Times(10.0));
        let mut clock = ticking(1.0);
        s.handle(Command::Seek { ms: 30_000 });
        let frames = settle(&mut s, &mut clock);
        assert!(frames.iter().all(|f| f.header.charts.is_none()), "hidden: none drawn");
        s.handle(Command::Charts { view: Some(ChartView { width: 400, height: 150, dark: true }) });
        let frames = settle(&mut s, &mut clock);
        let charts = frames.iter().find_map(|f| f.header.charts.clone()).expect("drawn when shown, paused too");
        let charts: Vec<_> = charts.into_iter().map(|c| c.unwrap()).collect();
        assert_eq!(charts.len(), 8, "three-tier has no layers: no EBS charts");
        assert_eq!(charts[0].data.t1_s, 30.0);
        s.handle(Command::Charts { view: None });
        s.handle(Command::Seek { ms: 40_000 });
        assert!(settle(&mut s, &mut clock).iter().all(|f| f.header.charts.is_none()));
    }

    #[test]
    fn capacity_shows_what_the_group_asked_for_and_what_serves_with_the_decisions_marked() {
        let t = topology("traffic-spike-slow-scaling");
        let sim = reference("traffic-spike-slow-scaling", 5, SimTime::from_millis(400_000));
        let c = charts(&sim, &t);
        let web = sim.component_index("web").unwrap();
        let in_service = line(&c, ChartKind::Capacity, "web in service");
        assert_eq!(in_service.points.last().unwrap().1, f64::from(sim.series(web).last().unwrap().instances));
        let desired = line(&c, ChartKind::Capacity, "web desired");
        let decisions: Vec<_> = sim
            .scaling_activities()
            .into_iter()
            .filter(|a| {
                matches!(a.action, strata_core::sim::ScalingAction::ScaleOut | strata_core::sim::ScalingAction::ScaleIn)
            })
            .collect();
        assert!(!decisions.is_empty());
        for a in &decisions {
            let t = a.time.0 as f64 / 1e9;
            // From the first second after the decision, the line says what it asked for (until the next).
            let after = desired.points.iter().find(|p| p.0 >= t).unwrap();
            let next = decisions.iter().find(|b| b.time > a.time).map_or(f64::INFINITY, |b| b.time.0 as f64 / 1e9);
            if after.0 < next {
                assert_eq!(after.1, f64::from(a.desired), "at {t} s");
            }
            assert!(c[0].marks.iter().any(|m| !m.fault && m.t_s == t), "the decision at {t} s is marked");
        }
        // The availability chart says how much of the error budget the run has used.
        let r = sim.report();
        let note = c.iter().find(|d| d.kind == ChartKind::Availability).unwrap().note.clone().unwrap();
        let used = format!("error budget used {:.0}%", r.resilience.error_budget.burned * 100.0);
        assert!(note.starts_with(&used), "{note} / {used}");
    }

    #[test]
    fn the_latency_distribution_counts_the_engine_s_requests_in_equal_bars_up_to_the_p999() {
        let t = topology("three-tier");
        let sim = reference("three-tier", 6, SimTime::from_millis(90_000));
        let c = charts(&sim, &t);
        let h = c.iter().find(|d| d.kind == ChartKind::LatencyHistogram).unwrap();
        let totals = sim.client_totals().next().unwrap();
        assert_eq!(h.t1_s, nice_ceiling(totals.latency.p999_ms));
        let bars = &h.lines[0].points;
        assert_eq!(bars.len(), crate::charts::HISTOGRAM_BINS);
        let width = h.t1_s / crate::charts::HISTOGRAM_BINS as f64;
        assert!(bars.windows(2).all(|w| ((w[1].0 - w[0].0) - width).abs() < 1e-9));
        let counted: f64 = bars.iter().map(|b| b.1).sum();
        // Everything up to the p99.9 at least, and never more than the successes.
        assert!(
            counted <= totals.successes as f64 && counted >= 0.999 * totals.successes as f64,
            "{counted} of {}",
            totals.successes
        );
        // The bar holding the median, and those before it, hold half the requests or more.
        let upto_median: f64 = bars.iter().filter(|b| b.0 - width < totals.latency.p50_ms).map(|b| b.1).sum();
        assert!(upto_median >= 0.5 * totals.successes as f64);
        assert!(h.y_max >= bars.iter().map(|b| b.1).fold(0.0, f64::max));
        assert!(h.note.as_ref().unwrap().contains(&format!("p99 {:.1} ms", totals.latency.p99_ms)));
        let drawn = render(h, ChartView { width: 380, height: 150, dark: false }).unwrap();
        assert_eq!(drawn.svg.matches("<rect").count(), bars.len() + 1, "one bar per bin, over the background");
    }

    #[test]
    fn a_group_with_no_instance_in_the_window_still_shows_at_zero() {
        let mut doc: serde_json::Value = serde_json::from_str(&design("three-tier")).unwrap();
        for c in doc["components"].as_array_mut().unwrap() {
            if c["kind"] == "asg" {
                c["min"] = 0.into();
                c["desired"] = 0.into();
            }
        }
        let t = Topology::from_json(&doc.to_string()).unwrap();
        let mut sim = Simulation::new(&t, SimConfig::with_seed(1)).unwrap();
        sim.step_until(SimTime::from_millis(30_000));
        let c = charts(&sim, &t);
        let web = line(&c, ChartKind::Capacity, "web in service");
        assert_eq!(web.points.len(), 30);
        assert!(web.points.iter().all(|p| p.1 == 0.0), "{:?}", web.points);
        // A component that stayed idle is not among the busiest.
        let busy = &c.iter().find(|d| d.kind == ChartKind::Utilization).unwrap().lines;
        assert!(busy.iter().all(|l| l.name != "web"), "{busy:?}");
    }
}

#[test]
fn the_cost_meter_is_the_engine_s_own_bill_at_each_time_and_rises_when_the_group_scales_out() {
    // The group launches 2 instances at 300 s; the strip's bill before and after is the report's.
    let mut s = start("traffic-spike-slow-scaling", 1, Speed::Times(10.0));
    let mut clock = ticking(1.0);
    let mut per_hour = Vec::new();
    for ms in [250_000, 330_000] {
        let header = seek(&mut s, ms, &mut clock);
        let summary = header.summary.expect("a pause carries fresh figures");
        assert_eq!((header.time_ns, summary.time_ns), (ms * 1_000_000, ms * 1_000_000));
        let meter = summary.cost;
        let sim = reference("traffic-spike-slow-scaling", 1, SimTime::from_millis(ms));
        let bill = sim.report().cost;
        assert_eq!(bill, sim.cost(), "the report's section is the engine's bill");
        assert_eq!((meter.per_hour_now, meter.accumulated), (bill.per_hour_now, bill.accumulated), "at {ms} ms");
        assert_eq!((meter.region.as_str(), meter.prices_as_of.as_str()), (bill.region, bill.prices_as_of));
        let categories: Vec<_> =
            bill.by_category.iter().map(|c| (c.category.name(), c.per_hour_now, c.accumulated)).collect();
        let shown: Vec<_> =
            meter.by_category.iter().map(|c| (c.name.as_str(), c.per_hour_now, c.accumulated)).collect();
        assert_eq!(shown, categories);
        assert_eq!(meter.by_component.len(), bill.by_component.len());
        for (m, b) in meter.by_component.iter().zip(&bill.by_component) {
            assert_eq!((m.id.as_str(), m.kind.as_str()), (b.id.as_str(), b.kind));
            assert_eq!((m.per_hour_now, m.accumulated), (b.per_hour_now, b.accumulated), "{}", b.id);
            let lines: Vec<_> = b
                .lines
                .iter()
                .map(|l| (l.item, l.category.name(), l.quantity, l.unit, l.unit_price, l.accumulated, l.per_hour_now))
                .collect();
            let shown: Vec<_> = m
                .lines
                .iter()
                .map(|l| {
                    let c = l.category.as_str();
                    (l.item.as_str(), c, l.quantity, l.unit.as_str(), l.unit_price, l.accumulated, l.per_hour_now)
                })
                .collect();
            assert_eq!(shown, lines, "{}", b.id);
        }
        per_hour.push((meter.per_hour_now, meter.by_category[0].per_hour_now));
    }
    let [(before, compute_before), (after, compute_after)] = per_hour[..] else { unreachable!() };
    assert!(compute_after > compute_before, "2 more c5.large: compute ${compute_before}/h -> ${compute_after}/h");
    assert!(after > before, "${before}/h -> ${after}/h");
}

#[test]
fn badges_of_idle_components_are_not_sent_again_and_the_page_s_copy_stays_whole() {
    // A client calling one function, beside 40 functions nobody calls.
    let mut components =
        vec![serde_json::json!({"id": "users", "kind": "client", "arrival": {"pattern": "constant", "rate_rps": 200}})];
    for i in 0..41 {
        components.push(serde_json::json!({"id": format!("f{i}"), "kind": "lambda"}));
    }
    let doc = serde_json::json!({"version": 1, "name": "idle", "components": components, "connections": [{"from": "users", "to": "f0"}]});
    let mut s = Session::new();
    s.handle(Command::Start {
        design: doc.to_string(),
        seed: 2,
        experiment: None,
        duration_s: 60.0,
        speed: Speed::Times(1.0),
        paused: false,
    });
    let mut wall = 0.0;
    let mut page = std::collections::HashMap::new();
    let mut partial = Vec::new();
    let mut last_time = 0;
    for _ in 0..120 {
        wall += 50.0;
        let w = wall;
        if let Some(f) = s.pump(&mut move || w, 1e9).frame {
            if let Some(u) = f.header.nodes {
                if !u.complete {
                    partial.push(u.nodes.len());
                }
                u.apply(&mut page);
                last_time = f.header.summary.unwrap().time_ns;
            }
        }
    }
    assert!(partial.len() > 20, "{} partial updates", partial.len());
    assert!(partial.iter().all(|&n| n <= 2), "only the client and the function it calls change: {partial:?}");
    // What the page holds is every badge as the engine has it at that time.
    let topo = Topology::from_json(&doc.to_string()).unwrap();
    let mut sim = Simulation::new(&topo, SimConfig::with_seed(2)).unwrap();
    sim.step_until(SimTime(last_time));
    let want = crate::figures::node_figures(&sim);
    assert_eq!(page.len(), want.len());
    for n in want {
        assert_eq!(page[&n.id], n, "{}", n.id);
    }
}

#[test]
fn the_cost_meter_names_the_twenty_largest_charges_and_adds_up_the_rest() {
    // 30 buckets of different sizes of traffic (each is charged for its requests).
    let mut components = Vec::new();
    let mut connections = Vec::new();
    for i in 0..30 {
        let id = format!("u{i}");
        components.push(serde_json::json!({"id": id, "kind": "client", "arrival": {"pattern": "constant", "rate_rps": 10 + 10 * i}}));
        components.push(serde_json::json!({"id": format!("b{i}"), "kind": "s3"}));
        connections.push(serde_json::json!({"from": id, "to": format!("b{i}")}));
    }
    let doc =
        serde_json::json!({"version": 1, "name": "buckets", "components": components, "connections": connections});
    let topo = Topology::from_json(&doc.to_string()).unwrap();
    let mut sim = Simulation::new(&topo, SimConfig::with_seed(1)).unwrap();
    sim.step_until(SimTime::from_millis(20_000));
    let bill = sim.cost();
    assert!(bill.by_component.len() >= 30, "{} charged", bill.by_component.len());
    let meter = crate::cost::CostMeter::of(&bill);
    assert_eq!(meter.by_component.len(), crate::cost::MAX_COMPONENTS);
    let others = meter.others.clone().unwrap();
    assert_eq!(others.count, bill.by_component.len() - crate::cost::MAX_COMPONENTS);
    // The named ones are the largest, in the report's order; with the rest, the whole bill.
    let smallest_named = meter.by_component.iter().map(|k| k.accumulated).fold(f64::INFINITY, f64::min);
    let named: std::collections::BTreeSet<_> = meter.by_component.iter().map(|k| k.id.clone()).collect();
    assert!(bill.by_component.iter().filter(|k| !named.contains(&k.id)).all(|k| k.accumulated <= smallest_named));
    let order: Vec<_> = bill.by_component.iter().filter(|k| named.contains(&k.id)).map(|k| k.id.clone()).collect();
    assert_eq!(meter.by_component.iter().map(|k| k.id.clone()).collect::<Vec<_>>(), order);
    let total: f64 = bill.by_component.iter().map(|k| k.accumulated).sum();
    let shown: f64 = meter.by_component.iter().map(|k| k.accumulated).sum::<f64>() + others.accumulated;
    assert!((total - shown).abs() < 1e-12, "{total} vs {shown}");
}

mod traces {
    use super::*;
    use strata_core::sim::{ErrorCause, JourneyEvent};

    /// Every journey event of the requests sampled every `n`-th, up to `t`.
    fn journeys(name: &str, seed: u64, n: u64, t: SimTime) -> Vec<JourneyEvent> {
        let topo = Topology::from_json(&design(name)).unwrap();
        let mut sim = Simulation::new(&topo, SimConfig::with_seed(seed)).unwrap();
        sim.set_journey_sampling(n);
        let mut out = Vec::new();
        while !sim.step_until_budget(t, 50_000) {
            out.extend(sim.drain_journeys());
        }
        out.extend(sim.drain_journeys());
        out
    }

    fn traced(name: &str, seed: u64, at_ms: u64, request: u64) -> crate::trace::Trace {
        let mut s = start(name, seed, Speed::Times(10.0));
        let mut clock = ticking(1.0);
        s.handle(Command::Seek { ms: at_ms });
        settle(&mut s, &mut clock);
        s.handle(Command::Trace { request });
        let frames = settle(&mut s, &mut clock);
        frames.into_iter().find_map(|f| f.header.trace).expect("a frame carries the trace").unwrap()
    }

    #[test]
    fn a_timed_out_request_s_trace_shows_the_client_giving_up_and_the_work_it_left_behind() {
        let events = journeys("traffic-spike-slow-scaling", 1, 101, SimTime::from_millis(260_000));
        let timed_out = events
            .iter()
            .find(|e| e.from.is_none() && e.kind == HopKind::Error(ErrorCause::Timeout))
            .expect("the spike times requests out")
            .request;
        let t = traced("traffic-spike-slow-scaling", 1, 260_000, timed_out);
        assert_eq!(t.request, timed_out);
        let client = &t.hops[0];
        assert_eq!((client.depth, client.error.as_deref()), (0, Some("timeout")), "{t:?}");
        assert!(t.outcome.contains("timeout"), "{}", t.outcome);
        // The same hops, at the same times, as the engine's own journey of that request.
        let mine: Vec<&JourneyEvent> = events.iter().filter(|e| e.request == timed_out).collect();
        let arrivals: Vec<f64> = mine
            .iter()
            .filter(|e| e.kind == HopKind::Arrive)
            .map(|e| (e.time.0 - mine[0].time.0) as f64 / 1e6)
            .collect();
        assert_eq!(t.hops.iter().map(|h| h.arrived_ms).collect::<Vec<_>>(), arrivals);
        let answered = mine.iter().find(|e| e.from.is_none() && e.kind != HopKind::Arrive).unwrap();
        assert_eq!(client.finished_ms, Some((answered.time.0 - mine[0].time.0) as f64 / 1e6));
        // The client gave up while a call under it had not answered yet, or answered later.
        let cut = t.hops.iter().skip(1).any(|h| h.finished_ms.is_none_or(|f| f > client.finished_ms.unwrap()));
        assert!(cut, "the work under a timed-out request outlives the client's wait: {t:?}");
        assert!(t.hops[0].critical);
    }

    #[test]
    fn an_answered_request_s_hops_nest_inside_their_callers_with_the_critical_path_marked() {
        let t = traced("three-tier", 2, 20_000, 4_321);
        assert!(t.outcome.starts_with("answered in"), "{}", t.outcome);
        assert!(t.hops.len() >= 3, "{t:?}");
        for h in t.hops.iter().skip(1) {
            let caller = &t.hops[h.caller.unwrap()];
            assert_eq!(h.depth, caller.depth + 1);
            // A call leaves after its caller got the request and arrives one network time later;
            // its answer reaches the caller before the caller answers.
            assert!(h.arrived_ms + 1e-9 >= caller.arrived_ms + h.network_ms, "{h:?} under {caller:?}");
            assert!(
                h.finished_ms.unwrap() + h.network_ms <= caller.finished_ms.unwrap() + 1e-9,
                "{h:?} under {caller:?}"
            );
            if let Some(q) = h.queued_ms {
                assert!(q >= 0.0);
            }
        }
        // The critical path is a chain from the client.
        let critical: Vec<_> = t.hops.iter().enumerate().filter(|(_, h)| h.critical).collect();
        assert_eq!(critical[0].0, 0);
        for w in critical.windows(2) {
            assert_eq!(w[1].1.caller, Some(w[0].0));
        }
        assert!(critical.len() >= 2);
    }

    #[test]
    fn a_request_not_sent_yet_is_refused_with_the_count_so_far() {
        let mut s = start("three-tier", 2, Speed::Times(10.0));
        let mut clock = ticking(1.0);
        s.handle(Command::Seek { ms: 1_000 });
        settle(&mut s, &mut clock);
        s.handle(Command::Trace { request: 10_000_000 });
        let why = settle(&mut s, &mut clock).into_iter().find_map(|f| f.header.trace).unwrap().unwrap_err();
        assert!(why.contains("has not been sent yet"), "{why}");
    }
}
