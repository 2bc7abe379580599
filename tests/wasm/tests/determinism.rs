//! Same topology + same seed = the same run, in the browser and natively.
//!
//! `scripts/test.sh` runs every gallery scenario with the native `strata-sim run --json` first and
//! passes the hashes in `STRATA_NATIVE_TRACE_HASHES` (`name=hash;...`) at compile time; this test
//! recomputes them in wasm32 inside headless Chromium and compares.
#![cfg(target_arch = "wasm32")]

use strata_wasm_checks::scenario_trace_hash;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SEED: u64 = 7;
const DURATION_S: f64 = 20.0;

macro_rules! scenarios {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../public/scenarios/", $name, ".json")))),*]
    };
}

const SCENARIOS: &[(&str, &str)] = scenarios![
    "single-ec2",
    "three-tier",
    "static-site",
    "multi-service",
    "noisy-neighbour-before",
    "gp2-burst-before",
    "peering-routes-before",
    "pods-pending-spike",
    "ecs-fargate-spike",
];

/// Failure scenarios played with an experiment, for [`EXPERIMENT_DURATION_S`]: `name@experiment`.
const EXPERIMENTS: &[(&str, &str, &str)] = &[
    ("az-outage-multi-az", "lose-az1", include_str!("../../../public/scenarios/az-outage-multi-az.json")),
    ("eks-noisy-node", "drain-noisy-node", include_str!("../../../public/scenarios/eks-noisy-node.json")),
    ("retry-storm-after", "db-slowdown", include_str!("../../../public/scenarios/retry-storm-after.json")),
    ("config-push-canary", "bad-push", include_str!("../../../public/scenarios/config-push-canary.json")),
    ("deploy-canary", "deploy-v2", include_str!("../../../public/scenarios/deploy-canary.json")),
    ("deploy-blue-green", "bad-v2-rolled-back", include_str!("../../../public/scenarios/deploy-blue-green.json")),
    ("deploy-rolling", "max-unavailable-5", include_str!("../../../public/scenarios/deploy-rolling.json")),
];
/// Long enough for each experiment's first actions to play (they start at 60-135 s).
const EXPERIMENT_DURATION_S: f64 = 300.0;

#[wasm_bindgen_test]
fn a_run_repeats_exactly_in_wasm() {
    for (name, json) in SCENARIOS {
        let a = scenario_trace_hash(json, SEED, DURATION_S, None).unwrap();
        let b = scenario_trace_hash(json, SEED, DURATION_S, None).unwrap();
        assert_eq!(a, b, "{name}: two runs with seed {SEED} differ");
        let other = scenario_trace_hash(json, SEED + 1, DURATION_S, None).unwrap();
        assert_ne!(a, other, "{name}: the seed must matter");
    }
}

#[wasm_bindgen_test]
fn wasm_runs_match_the_native_runner() {
    let native = option_env!("STRATA_NATIVE_TRACE_HASHES")
        .expect("run through scripts/test.sh, which computes the native hashes first");
    let mut compared = 0;
    for pair in native.split(';').filter(|p| !p.is_empty()) {
        let (name, hash) = pair.split_once('=').expect("name=hash");
        let wasm = match name.split_once('@') {
            Some((file, experiment)) => {
                let (_, _, json) = EXPERIMENTS
                    .iter()
                    .find(|(n, e, _)| *n == file && *e == experiment)
                    .unwrap_or_else(|| panic!("native hash for unknown experiment {name}"));
                scenario_trace_hash(json, SEED, EXPERIMENT_DURATION_S, Some(experiment)).unwrap()
            }
            None => {
                let (_, json) = SCENARIOS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .unwrap_or_else(|| panic!("native hash for unknown scenario {name}"));
                scenario_trace_hash(json, SEED, DURATION_S, None).unwrap()
            }
        };
        assert_eq!(wasm, hash, "{name}: wasm trace hash differs from native");
        compared += 1;
    }
    assert_eq!(compared, SCENARIOS.len() + EXPERIMENTS.len(), "every scenario and experiment compared");
}
