#!/usr/bin/env bash
# The long versions of the reliability suites that `cargo test` runs CI-sized:
#   - 1,000 SIGKILLs of a vault writer (tests/crash.rs; CI: 250)
#   - the TUI with auto-refresh plus 16 `zdauth token` loops for 60 s against strict
#     rotation (tests/soak.rs; CI: 10 s); needs tmux
#   - the property tests with 10,000 cases each (tests/properties.rs; CI: 256)
# Usage: scripts/soak.sh [KILLS] [SECONDS] [CASES]
set -euo pipefail
cd "$(dirname "$0")/.."

kills="${1:-1000}"
secs="${2:-60}"
cases="${3:-10000}"

command -v tmux >/dev/null || { echo "soak.sh: tmux is needed (apt-get install tmux)" >&2; exit 1; }

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# Prints the suite's summary lines; the whole output if it fails.
run() {
    echo "== $*"
    if ! "$@" >"$log" 2>&1; then
        cat "$log"
        exit 1
    fi
    grep -E "kills|token calls|test result" "$log"
}

ZDAUTH_CRASH_ROUNDS="$kills" run cargo test --test tests crash:: -- --nocapture
ZDAUTH_SOAK_SECS="$secs" run cargo test --test tests soak:: -- --nocapture
PROPTEST_CASES="$cases" run cargo test --test tests properties::
