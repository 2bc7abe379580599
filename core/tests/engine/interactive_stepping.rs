//! `step_until_budget` bounds the work of one call (one browser frame) and, called repeatedly,
//! reaches exactly the state `step_until` reaches.

use strata_core::sim::{SimConfig, Simulation};
use strata_core::time::SimTime;
use strata_core::topology::{Arrival, ComponentKind as K, ComponentSpec, Topology};

fn busy() -> Topology {
    let mut t = Topology::new("busy");
    if let ComponentSpec::Client(p) = &mut t.add("users", K::Client, None).spec {
        p.arrival = Arrival::Constant { rate_rps: 20_000.0 };
    }
    if let ComponentSpec::Ec2(p) = &mut t.add("web", K::Ec2, None).spec {
        p.instance_type = "c5.4xlarge".into();
    }
    t.connect("users", "web");
    t
}

#[test]
fn a_frame_never_processes_more_than_its_budget() {
    let target = SimTime::from_secs(2);
    let mut framed = Simulation::new(&busy(), SimConfig { seed: 4, ..SimConfig::default() }).unwrap();
    let mut frames = 0;
    loop {
        let before = framed.events_processed();
        let reached = framed.step_until_budget(target, 5_000);
        let done = framed.events_processed() - before;
        assert!(done <= 5_000, "frame {frames} processed {done} events");
        frames += 1;
        if reached {
            break;
        }
        assert_eq!(done, 5_000, "a frame that stops early used its whole budget");
        assert!(framed.now() < target);
        assert!(frames < 1_000, "never reached the target");
    }
    assert!(frames > 10, "the run needed {frames} frames: the budget did not bind");
    assert_eq!(framed.now(), target);

    let mut whole = Simulation::new(&busy(), SimConfig { seed: 4, ..SimConfig::default() }).unwrap();
    whole.step_until(target);
    assert_eq!(framed.events_processed(), whole.events_processed());
    assert_eq!(framed.trace_hash(), whole.trace_hash(), "frames change nothing but pacing");
    assert_eq!(framed.time_regressions(), 0);
}

#[test]
fn a_zero_budget_does_nothing_and_an_idle_run_reaches_the_target() {
    let mut sim = Simulation::new(&busy(), SimConfig::default()).unwrap();
    assert!(!sim.step_until_budget(SimTime::from_secs(1), 0));
    assert_eq!(sim.events_processed(), 0);
    assert_eq!(sim.now(), SimTime::ZERO);
    // Nothing scheduled before the target: reached at once, the clock moves to it.
    let mut t = busy();
    if let ComponentSpec::Client(p) = &mut t.components[0].spec {
        p.arrival = Arrival::Constant { rate_rps: 0.0 };
    }
    let mut idle = Simulation::new(&t, SimConfig::default()).unwrap();
    assert!(idle.step_until_budget(SimTime::from_millis(500), 0));
    assert_eq!(idle.now(), SimTime::from_millis(500));
}
