//! Benchmark entry points. They do not read a clock (the core never does): the caller times
//! them (natively `strata-bench`, in the browser the web crate) and divides.

use crate::sim::{SimConfig, Simulation};
use crate::topology::{Arrival, ComponentKind, ComponentSpec, Dist, Topology};
use serde::Serialize;

/// What a benchmark run did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchResult {
    /// Events processed.
    pub events: u64,
    /// Requests (customers) generated.
    pub customers: u64,
    /// Simulated seconds covered.
    pub simulated_s: f64,
    /// Trace hash at the end (same everywhere for the same inputs).
    pub trace_hash: u64,
    /// Mean time in system at the server, ms (a sanity check against 1/(mu - lambda)).
    pub mean_time_in_system_ms: f64,
}

/// The M/M/1 topology used by benchmarks and tests: one client population with Poisson
/// arrivals at `lambda` per second into one single-vCPU instance with exponential service at
/// rate `mu` per second, no network latency, unbounded queue.
pub fn mm1_topology(lambda: f64, mu: f64) -> Topology {
    mmc_topology(lambda, mu, 1)
}

/// As [`mm1_topology`] with `c` vCPUs (M/M/c).
pub fn mmc_topology(lambda: f64, mu: f64, c: u32) -> Topology {
    let mut t = Topology::new(format!("M/M/{c}"));
    t.network.internet_rtt_ms = 0.0;
    t.add("clients", ComponentKind::Client, None).spec = ComponentSpec::Client(crate::topology::ClientParams {
        arrival: Arrival::Constant { rate_rps: lambda },
        timeout_ms: 1e12,
        ..Default::default()
    });
    let server = t.add("server", ComponentKind::Ec2, None);
    if let ComponentSpec::Ec2(p) = &mut server.spec {
        p.vcpus = Some(c);
        p.service_time = Dist::Exponential { mean_ms: 1000.0 / mu };
        p.queue_capacity = u32::MAX;
        p.timeout_ms = 1e12;
    }
    t.connect("clients", "server");
    t
}

/// Runs `topology` until `events` events have been processed.
pub fn bench_topology(topology: &Topology, events: u64, seed: u64) -> BenchResult {
    let config = SimConfig { seed, series_capacity: 64, ..SimConfig::default() };
    let mut sim = Simulation::new(topology, config).expect("benchmark topology is valid");
    sim.step_events(events);
    let r = sim.report();
    let customers = r.clients.iter().map(|c| c.requests).sum();
    let mean = r.components.iter().map(|c| c.mean_time_in_component_ms).next().unwrap_or(0.0);
    BenchResult {
        events: sim.events_processed(),
        customers,
        simulated_s: r.time_s,
        trace_hash: sim.trace_hash(),
        mean_time_in_system_ms: mean,
    }
}

/// M/M/1 at utilisation 0.8 (lambda = 800/s, mu = 1000/s) for `events` events.
pub fn bench_mm1(events: u64, seed: u64) -> BenchResult {
    bench_topology(&mm1_topology(800.0, 1000.0), events, seed)
}

/// The three-tier gallery scenario, embedded so the web crate can run it without fetching.
pub const THREE_TIER_JSON: &str = include_str!("../../public/scenarios/three-tier.json");

/// The three-tier scenario for `events` events.
pub fn bench_three_tier(events: u64, seed: u64) -> BenchResult {
    let t = Topology::from_json(THREE_TIER_JSON).expect("embedded scenario parses");
    bench_topology(&t, events, seed)
}
