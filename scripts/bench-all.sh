#!/usr/bin/env bash
# Every benchmark of docs/performance.md, one after the other. Not part of .ci/run: slow,
# and its figures depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cargo bench --quiet --bench vault
cargo bench --quiet --bench tui_frame
cargo bench --quiet --bench refresh_all
cargo bench --quiet --bench api
cargo bench --quiet --bench token
scripts/bench-token.sh
scripts/bench-tui.sh
