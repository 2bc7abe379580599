#!/usr/bin/env bash
# Builds the embeddable viewer (viewer.html: one WebAssembly module for its page and its engine's
# worker, and the GIF export's worker) into
# target/viewer-dist, which the app's release build then takes in as dist/viewer/
# (scripts/post-build.mjs). Run it before `trunk build --release` or `trunk serve --release`.
set -euo pipefail
cd "$(dirname "$0")/.."
trunk build --release --offline=true --public-url ./ --dist target/viewer-dist viewer.html
