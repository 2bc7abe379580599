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
REFUSED="az-outage-single-az host-failure-packed host-failure-spread retry-storm-after retry-storm-before
  scale-out-layers slow-at-low-cpu-after slow-at-low-cpu-before traffic-spike-headroom traffic-spike-slow-scaling"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failures=0
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
  # cfn-lint's exit code is a bit set: 1 it failed to run, 2 errors, 4 warnings, 8 informational.
  lint=0
  cfn-lint --format parseable -- "$out/$name.json" >"$out/$name.lint" 2>&1 || lint=$?
  warnings=$(grep -c ':W[0-9]*:' "$out/$name.lint" || true)
  if (( lint & 3 )); then
    fail "$name" "cfn-lint exit $lint"
    sed "s|^$out/||" "$out/$name.lint" | grep -v ':[WI][0-9]*:' | sed 's/^/      /'
  else
    printf '  %-28s ok (%s warnings)\n' "$name" "$warnings"
  fi
done
if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s) in the gallery's CloudFormation check"
  exit 1
fi
echo "every gallery template lints without errors or is refused with its reason (cfn-lint $(cfn-lint --version | awk '{print $2}'))"
