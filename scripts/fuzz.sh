#!/usr/bin/env bash
# Runs each cargo fuzz target in fuzz/ for SECONDS (default 60) and prints its run count.
# cargo fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain take them.
# Corpora and crash artifacts stay in fuzz/corpus and fuzz/artifacts (not committed).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

secs="${1:-60}"
shift || true
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    if ! cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1; then
        tail -40 "$log"
        echo "fuzz.sh: $target failed; the input is in fuzz/artifacts/$target" >&2
        exit 1
    fi
    runs="$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)"
    echo "$target: ${runs:-no summary} (corpus $(find "corpus/$target" -type f | wc -l) inputs)"
done
