//! strata-core, exported to JavaScript for checks that must run in a real browser.
//!
//! - `tests/determinism.rs` (wasm-bindgen-test, headless Chromium): every gallery scenario gives
//!   the same trace hash in wasm as the native command-line runner.
//! - `bench.mjs` loads this crate's release build in Chromium and times [`bench_mm1`] and
//!   [`bench_three_tier`] with `performance.now()`, beside the native benchmark.
//!
//! The core never reads a clock, so the timing is done by the JavaScript caller.

use wasm_bindgen::prelude::*;

/// Runs the M/M/1 benchmark model for `events` events; returns the events processed and the
/// trace hash as JSON (a u64 does not fit a JS number).
#[wasm_bindgen]
pub fn bench_mm1(events: f64, seed: f64) -> String {
    serde_json::to_string(&strata_core::bench::bench_mm1(events as u64, seed as u64)).unwrap_or_default()
}

/// Runs the three-tier gallery scenario for `events` events; JSON as for [`bench_mm1`].
#[wasm_bindgen]
pub fn bench_three_tier(events: f64, seed: f64) -> String {
    serde_json::to_string(&strata_core::bench::bench_three_tier(events as u64, seed as u64)).unwrap_or_default()
}

/// The trace hash (16 hex digits) of running `topology_json` for `duration_s` simulated seconds
/// with `seed` and the default configuration, exactly as `strata-sim run --json` does.
#[wasm_bindgen]
pub fn trace_hash(topology_json: &str, seed: f64, duration_s: f64) -> Result<String, String> {
    scenario_trace_hash(topology_json, seed as u64, duration_s, None)
}

/// As [`trace_hash`], for Rust callers, optionally playing one of the document's experiments
/// (as `strata-sim run --experiment NAME`).
pub fn scenario_trace_hash(
    topology_json: &str,
    seed: u64,
    duration_s: f64,
    experiment: Option<&str>,
) -> Result<String, String> {
    use strata_core::sim::{SimConfig, Simulation};
    use strata_core::time::{Duration, SimTime};
    let topology = strata_core::topology::Topology::from_json(topology_json).map_err(|e| e.to_string())?;
    let config = SimConfig { experiment: experiment.map(String::from), ..SimConfig::with_seed(seed) };
    let mut sim = Simulation::new(&topology, config).map_err(|e| e.to_string())?;
    sim.step_until(SimTime::ZERO + Duration::from_secs_f64(duration_s));
    Ok(format!("{:016x}", sim.trace_hash()))
}
