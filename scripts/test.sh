#!/usr/bin/env bash
# Installs whatever is missing, then runs every test layer of Strata, timing each stage.
#   formatting and clippy, native core tests, core purity + wasm32 build, native tests of the web crate's pure logic,
#   browser component tests (wasm-bindgen-test in
#   headless Chromium), cfn-lint on the gallery's CloudFormation exports, release bundle + size budget,
#   end-to-end tests (playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$HOME/.local/bin:$PWD/node_modules/.bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TERM_COLOR=never

LOG_DIR=$(mktemp -d)
STAGES=()
TIMES=()
run_stage() {
  local name=$1; shift
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  local t0; t0=$(date +%s)
  local log="$LOG_DIR/${#STAGES[@]}.log"
  if ! "$@" 2>&1 | tee "$log"; then
    printf '\nFAILED: %s (after %ss)\n' "$name" "$(( $(date +%s) - t0 ))"
    exit 1
  fi
  STAGES+=("$name"); TIMES+=("$(( $(date +%s) - t0 ))")
}

core_is_pure() {
  local tree; tree=$(cargo tree -p strata-core -e normal --prefix none)
  if grep -E '^(wasm-bindgen|web-sys|js-sys|leptos)[^ ]* v' <<<"$tree"; then
    echo "strata-core depends on a web crate (above): the core must stay pure"; return 1
  fi
  echo "strata-core has $(sort -u <<<"$tree" | wc -l) crates in its normal dependency tree, none of them web crates"
  cargo build -p strata-core --lib --target wasm32-unknown-unknown
}

# Native trace hashes of the gallery scenarios, for the wasm determinism check to compare against.
DETERMINISM_SCENARIOS="single-ec2 three-tier static-site multi-service noisy-neighbour-before gp2-burst-before peering-routes-before pods-pending-spike ecs-fargate-spike"
# Failure scenarios played with an experiment (file@experiment), 300 s each.
DETERMINISM_EXPERIMENTS="az-outage-multi-az@lose-az1 eks-noisy-node@drain-noisy-node retry-storm-after@db-slowdown config-push-canary@bad-push deploy-canary@deploy-v2 deploy-blue-green@bad-v2-rolled-back deploy-rolling@max-unavailable-5"
native_trace_hashes() {
  cargo build --profile ci -p strata-core --bin strata-sim
  local pairs="" name hash
  for name in $DETERMINISM_SCENARIOS; do
    hash=$(target/ci/strata-sim run "public/scenarios/$name.json" --seed 7 --duration 20s --json \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).trace_hash))')
    echo "  native $name: $hash"
    pairs+="$name=$hash;"
  done
  local pair file experiment
  for pair in $DETERMINISM_EXPERIMENTS; do
    file=${pair%@*}; experiment=${pair#*@}
    hash=$(target/ci/strata-sim run "public/scenarios/$file.json" --seed 7 --duration 300s --experiment "$experiment" --json \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).trace_hash))')
    echo "  native $pair: $hash"
    pairs+="$pair=$hash;"
  done
  echo "$pairs" > target/native-trace-hashes
}
wasm_determinism() {
  STRATA_NATIVE_TRACE_HASHES=$(cat target/native-trace-hashes) \
    cargo test -p strata-wasm-checks --target wasm32-unknown-unknown
}

format_and_lint() {
  cargo fmt --all --check
  cargo clippy --workspace --all-targets --profile ci -- -D warnings
}

T_ALL=$(date +%s)
run_stage "setup (install what is missing)" scripts/setup.sh
run_stage "format and lint (cargo fmt --check, clippy -D warnings)" format_and_lint
run_stage "core purity and wasm32 build" core_is_pure
run_stage "core tests (native, optimised: includes queueing theory and the 1-hour memory run)" \
  cargo test -p strata-core --profile ci
run_stage "web logic tests (native: geometry, routing, undo, formats, the live run's pacing and frames)" \
  cargo test -p strata-web -p strata-worker --lib
run_stage "browser component tests (wasm-bindgen-test, headless Chromium)" \
  cargo test -p strata-web --target wasm32-unknown-unknown
run_stage "native trace hashes (strata-sim run --json)" native_trace_hashes
# Uses the strata-sim that native_trace_hashes built.
run_stage "cfn-lint on the gallery's CloudFormation exports (or their refusals)" scripts/cfn-lint.sh
run_stage "determinism: wasm in headless Chromium vs native" wasm_determinism
# In sequence. Built in the background (in its own target directory) beside the compiling
# stages, or beside the native runner and the determinism check, it slowed them more than it
# saved: 20.3 and 20.5 min, against 19.5 min in sequence with a few fewer tests.
run_stage "embeddable viewer (trunk build --release viewer.html)" scripts/build-viewer.sh
run_stage "release bundle (trunk build --release)" trunk build --release --offline
run_stage "bundle size" node scripts/bundle-size.mjs
run_stage "end-to-end tests (playwright-core, headless Chromium)" \
  node --test --test-concurrency=1 tests/e2e/

printf '\n\033[1m==> summary\033[0m\n'
for i in "${!STAGES[@]}"; do printf '  %-66s %5ss\n' "${STAGES[$i]}" "${TIMES[$i]}"; done
printf '  %-66s %5ss\n' "total" "$(( $(date +%s) - T_ALL ))"
sum() { awk '{ s += $1 } END { print s + 0 }'; }
passed=$(cat "$LOG_DIR"/*.log | sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed.*/\1/p; s/^# pass ([0-9]+)$/\1/p' | sum)
failed=$(cat "$LOG_DIR"/*.log | sed -nE 's/^test result: [a-zA-Z]+\. [0-9]+ passed; ([0-9]+) failed.*/\1/p; s/^# fail ([0-9]+)$/\1/p' | sum)
echo
echo "all: ${passed} passed, ${failed} failed"
