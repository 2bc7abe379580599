#!/usr/bin/env bash
# Engine benchmark: Strata natively vs SimPy and Ciw on the same M/M/1 model
# (lambda = 800/s, mu = 1000/s, same number of customers), plus Strata's headline events/s on
# M/M/1 and on the three-tier scenario.
#
#   bench/run.sh [CUSTOMERS]        (default 200000)
# Installs SimPy and Ciw from PyPI if missing. Ends with the wasm build in headless Chromium
# against native (needs the tools scripts/setup.sh installs).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
N="${1:-200000}"
python3 -c 'import simpy, ciw' 2>/dev/null || pip install -q simpy ciw

cargo build -q --profile bench-native -p strata-core --bin strata-bench
BIN=target/bench-native/strata-bench

echo "== Strata native, headline (20M events each)"
$BIN

echo
echo "== Same M/M/1, $N customers each"
STRATA=$($BIN --customers "$N" --json)
PEERS=$(python3 bench/mm1_peers.py --customers "$N")
python3 - "$STRATA" "$PEERS" <<'PY'
import json, sys
strata = [r for r in json.loads(sys.argv[1]) if r["model"] == "mm1"][0]
rows = [{"engine": "strata", **strata}] + [json.loads(l) for l in sys.argv[2].splitlines() if l.strip()]
base = strata["customers_per_s"]
print(f"{'engine':<8} {'customers':>10} {'seconds':>9} {'customers/s':>13} {'W ms':>7} {'strata is':>11}")
for r in rows:
    if "error" in r:
        print(f"{r['engine']:<8} {r['error']}")
        continue
    ratio = base / r["customers_per_s"]
    print(f"{r['engine']:<8} {r['customers']:>10} {r['seconds']:>9.3f} {r['customers_per_s']:>13,.0f} {r['mean_time_in_system_ms']:>7.3f} {ratio:>10.1f}x")
PY

echo
echo "== wasm in headless Chromium vs native (same models, same event count)"
echo "-- the engine as the app ships it (release profile: strata-core at opt-level s)"
node tests/wasm/bench.mjs --events 20000000 --wasm-profile release
echo "-- the engine built for speed (opt-level 3)"
node tests/wasm/bench.mjs --events 20000000 --wasm-profile bench-wasm
