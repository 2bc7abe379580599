#!/usr/bin/env bash
# Exports every gallery design with `strata-sim cloudformation` (the app's template) and lints
# it with cfn-lint: any error fails (warnings are counted, not fatal). The designs AWS would not
# deploy as drawn must be refused, with their reason, and exactly those: REFUSED lists them.
#   scripts/cfn-lint.sh            uses target/ci/strata-sim (built by scripts/test.sh)
#   STRATA_SIM=path scripts/cfn-lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIM=${STRATA_SIM:-target/ci/strata-sim}
# Single-AZ networks: a load balancer or a DB subnet group with subnets in one AZ.
REFUSED="az-outage-single-az eks-noisy-node host-failure-packed host-failure-spread retry-storm-after retry-storm-before
  scale-out-layers slow-at-low-cpu-after slow-at-low-cpu-before traffic-spike-headroom
  traffic-spike-slow-scaling"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0
exported=()
fail() { printf '  %-28s FAILED: %s\n' "$1" "$2"; failures=$((failures + 1)); }
for file in public/scenarios/*.json; do
  name=$(basename "$file" .json)
  [ "$name" = index ] && continue
  expect_refused=false
  [[ " $(echo $REFUSED) " == *" $name "* ]] && expect_refused=true
  sim=0
  "$SIM" cloudformation "$file" >"$out/$name.json" 2>"$out/$name.err" || sim=$?
  if [ "$sim" -ne 0 ]; then
    reasons=$(sed -n "s|^$file: refused: ||p" "$out/$name.err")
    if [ "$sim" -ne 1 ] || [ -z "$reasons" ]; then
      fail "$name" "strata-sim exit $sim: $(cat "$out/$name.err")"
    elif ! $expect_refused; then
      fail "$name" "refused, but expected to export: $reasons"
    else
      printf '  %-28s refused: %s\n' "$name" "${reasons//$'\n'/; }"
    fi
    continue
  fi
  $expect_refused && fail "$name" "exported, but expected to be refused"
  exported+=("$out/$name.json")
done
# One cfn-lint run over every export (its start-up dominates a run per file). Its exit code is a
# bit set: 1 it failed to run, 2 errors, 4 warnings, 8 informational; each finding names its file.
lint=0
if [ "${#exported[@]}" -gt 0 ]; then
  cfn-lint --format parseable -- "${exported[@]}" >"$out/all.lint" 2>&1 || lint=$?
fi
(( lint & 1 )) && { cat "$out/all.lint"; fail "cfn-lint" "did not run (exit $lint)"; }
for file in "${exported[@]}"; do
  name=$(basename "$file" .json)
  errors=$(grep -c "^$file:.*:E[0-9]*:" "$out/all.lint" || true)
  warnings=$(grep -c "^$file:.*:W[0-9]*:" "$out/all.lint" || true)
  if [ "$errors" -gt 0 ]; then
    fail "$name" "$errors cfn-lint error(s)"
    grep "^$file:.*:E[0-9]*:" "$out/all.lint" | sed "s|^$out/||; s/^/      /"
  else
    printf '  %-28s ok (%s warnings)\n' "$name" "$warnings"
  fi
done
(( lint & 2 )) && [ "$failures" -eq 0 ] && fail "cfn-lint" "reported errors (exit $lint) not matched to a file: $(head -5 "$out/all.lint")"
if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s) in the gallery's CloudFormation check"
  exit 1
fi
echo "every gallery template lints without errors or is refused with its reason (cfn-lint $(cfn-lint --version | awk '{print $2}'))"
