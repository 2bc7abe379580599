#!/usr/bin/env bash
# Installs whatever is missing, builds Strata and serves it on http://127.0.0.1:8080/
# (set STRATA_PORT to use another port). Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
scripts/setup.sh
PORT=${STRATA_PORT:-8080}
printf '\n\033[1mStrata will be at http://127.0.0.1:%s/ once the builds below finish\033[0m\n\n' "$PORT"
# The embeddable viewer first: the app's build takes it in as /viewer/ (and /demo.html embeds it).
scripts/build-viewer.sh
exec trunk serve --release --offline --address 127.0.0.1 --port "$PORT"
