use strata_core::sim::{Report, SimConfig, Simulation};
use strata_core::time::{Duration, SimTime};
use strata_core::topology::{Container, ContainerKind, Topology};

pub(crate) fn scenario(name: &str) -> Topology {
    let path = format!("{}/../public/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Topology::from_json(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Scenario `name` as `edit` leaves its JSON.
pub(crate) fn scenario_edited(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Topology {
    let path = format!("{}/../public/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    edit(&mut v);
    Topology::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{path} edited: {e}"))
}

pub(crate) fn run(t: &Topology, seed: u64, secs: f64, warmup_s: f64) -> (Simulation, Report) {
    let config = SimConfig { seed, warmup: Duration::from_secs_f64(warmup_s), ..SimConfig::default() };
    let mut sim = Simulation::new(t, config).expect("valid topology");
    sim.step_until(SimTime(Duration::from_secs_f64(secs).as_nanos()));
    let r = sim.report();
    (sim, r)
}

/// Every component and client: arrivals = completions + errors + in-flight, and the
/// independent recount of live calls agrees.
pub(crate) fn assert_conserved(sim: &Simulation, r: &Report) {
    for c in &r.components {
        assert_eq!(c.arrivals, c.completions + c.errors.total + c.in_flight, "component {}", c.id);
    }
    for c in &r.clients {
        assert_eq!(c.requests, c.successes + c.errors.total + c.in_flight, "client {}", c.id);
    }
    let audit = sim.audit();
    assert!(audit.consistent, "audit disagrees with counters: {audit:?}");
}

/// A container with no CIDR, label or AZ.
pub(crate) fn container(id: &str, kind: ContainerKind, parent: Option<&str>) -> Container {
    Container {
        id: id.into(),
        kind,
        parent: parent.map(Into::into),
        label: String::new(),
        cidr: None,
        public: false,
        az: None,
    }
}
