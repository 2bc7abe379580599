#!/usr/bin/env bash
# Installs whatever Strata's build and tests need that this machine lacks.
# Idempotent: every step checks first and is skipped when already satisfied.
# Everything comes from package registries (crates.io, npm, Debian, PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
CFN_LINT_VERSION=1.51.0
# Must equal the `wasm-bindgen` version pinned with `=` in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION=0.2.130

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
skip() { printf '    already present: %s\n' "$*"; }
t0=$(date +%s)

export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

step "Rust wasm32 target"
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  skip wasm32-unknown-unknown
else
  rustup target add wasm32-unknown-unknown
fi

step "Chromium and ChromeDriver (Debian packages)"
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  skip "$(/usr/bin/chromium --version 2>/dev/null | head -1)"
else
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "    installing chromium + chromium-driver (a few minutes)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

step "npm packages (binaryen for wasm-opt, terser for the JavaScript glue, playwright-core for end-to-end tests)"
if [ -x node_modules/.bin/wasm-opt ] && [ -d node_modules/playwright-core ] && [ -d node_modules/terser ] \
   && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  skip "node_modules"
else
  npm ci --no-audit --no-fund --loglevel=error
fi

step "wasm-bindgen CLI $WASM_BINDGEN_VERSION"
if command -v wasm-bindgen >/dev/null && wasm-bindgen --version | grep -q " $WASM_BINDGEN_VERSION\$" \
   && command -v wasm-bindgen-test-runner >/dev/null; then
  skip "$(wasm-bindgen --version)"
else
  echo "    building from crates.io (about 3-5 minutes on 2 cores)"
  # Not --locked: the registry mirror lacks one of the versions its lock file pins.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

step "Trunk $TRUNK_VERSION"
if command -v trunk >/dev/null && trunk --version | grep -q " $TRUNK_VERSION\$"; then
  skip "$(trunk --version)"
else
  echo "    building from crates.io (about 9 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

step "cfn-lint $CFN_LINT_VERSION (PyPI; lints the gallery's CloudFormation exports)"
if command -v cfn-lint >/dev/null && cfn-lint --version 2>/dev/null | grep -q " $CFN_LINT_VERSION\$"; then
  skip "$(cfn-lint --version)"
else
  python3 -m pip install --user --quiet "cfn-lint==$CFN_LINT_VERSION"
  export PATH="$HOME/.local/bin:$PATH"
  cfn-lint --version
fi

printf '\nsetup done in %ss\n' "$(( $(date +%s) - t0 ))"
