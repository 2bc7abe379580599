#!/usr/bin/env bash
# Prints the trace hash of every gallery scenario under a few seeds and durations, one line each.
# A change that must not alter behaviour (a refactor) leaves this output identical:
#   scripts/trace-hashes.sh > before.txt; ...; scripts/trace-hashes.sh | diff before.txt -
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --profile ci -p strata-core --bin strata-sim
for f in public/scenarios/*.json; do
  [ "$(basename "$f")" = index.json ] && continue
  for seed in 1 7; do
    for d in 20s 120s; do
      h=$(target/ci/strata-sim run "$f" --seed "$seed" --duration "$d" --json \
        | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["trace_hash"], r["events"] if "events" in r else "")')
      echo "$(basename "$f" .json) seed=$seed duration=$d $h"
    done
  done
done
