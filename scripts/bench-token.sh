#!/usr/bin/env bash
# `zdauth token NAME` (valid stored token, plain identity file) beside the stock
# `age -d -i key vault.age` on the same vault, at 10 / 100 / 1,000 connections.
# Whole-process wall time, median of RUNS (default 30) runs each, by hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
for tool in hyperfine age; do
    command -v "$tool" >/dev/null || apt-get install -y "$tool" >/dev/null
done
cargo build --quiet --release --bin zdauth --example bench_world
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-40s %12s %12s %7s  %s\n' figure zdauth "age -d" ratio "target <= 1.3x"
for n in 10 100 1000; do
    target/release/examples/bench_world "$work/$n" "$n" >/dev/null
    hyperfine --shell=none --warmup 3 --runs "$RUNS" --export-csv "$work/$n.csv" \
        "target/release/zdauth --config-dir $work/$n token acme-0001" \
        "age -d -i $work/$n/identity.txt -o /dev/null $work/$n/vault.age" >/dev/null 2>"$work/hyperfine.log" ||
        { cat "$work/hyperfine.log"; exit 1; }
    # CSV columns: command,mean,stddev,median,...; row 2 is zdauth, row 3 is age.
    awk -F, -v label="token, $n connections (median of $RUNS)" '
        NR == 2 { z = $4 } NR == 3 { a = $4 }
        END { r = z / a; printf "%-40s %9.2f ms %9.2f ms %6.2fx  %s\n",
              label, z * 1000, a * 1000, r, (r <= 1.3 ? "met" : "MISSED") }' "$work/$n.csv"
done
