#!/usr/bin/env bash
# `zdauth token NAME` with a fresh token in the team store (10 connections, plain identity
# file) beside the store's own CLI fetching the same secret, `bao kv get -field=payload
# secret/zdauth/NAME`, in one hyperfine run (median of RUNS, default 30). The store is an
# OpenBao dev server on a free loopback port, stopped at the end; the entries get there by
# `zdauth store migrate`, as a user moves them. bao: $ZDAUTH_TEST_BAO, else
# target/openbao-venv/bin/bao (.ci/run installs it), else bao on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
command -v hyperfine >/dev/null || apt-get install -y hyperfine >/dev/null
bao=${ZDAUTH_TEST_BAO:-target/openbao-venv/bin/bao}
[ -x "$bao" ] || bao=$(command -v bao) || { echo "bao is missing: run .ci/run" >&2; exit 1; }
cargo build --quiet --release --bin zdauth --example bench_world
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BAO_ADDR="http://127.0.0.1:$port"
BAO_TOKEN="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
export BAO_TOKEN
"$bao" server -dev -dev-root-token-id="$BAO_TOKEN" -dev-listen-address="127.0.0.1:$port" \
    >"$work/bao.log" 2>&1 &
bao_pid=$!
trap 'kill "$bao_pid" 2>/dev/null; wait "$bao_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do "$bao" status >/dev/null 2>&1 && break; sleep 0.1; done

dir="$work/10"
target/release/examples/bench_world "$dir" 10 >/dev/null
# [store] ahead of the connections, as a user writes it.
awk -v addr="$BAO_ADDR" '!done && /^\[\[connection\]\]/ {
        print "[store]\nkind = \"openbao\"\naddress = \"" addr "\"\n"; done = 1 } { print }' \
    "$dir/config.toml" >"$work/config.toml" && mv "$work/config.toml" "$dir/config.toml"
target/release/zdauth --config-dir "$dir" store migrate >/dev/null

printf '%-40s %12s %12s %7s  %s\n' figure zdauth "bao kv get" ratio "target <= 1.0x"
hyperfine --shell=none --warmup 3 --runs "$RUNS" --export-csv "$work/token.csv" \
    "target/release/zdauth --config-dir $dir token acme-0001" \
    "$bao kv get -field=payload secret/zdauth/acme-0001" >/dev/null 2>"$work/hyperfine.log" ||
    { cat "$work/hyperfine.log"; exit 1; }
awk -F, -v label="token, fresh in the store (median of $RUNS)" '
    NR == 2 { z = $4 } NR == 3 { b = $4 }
    END { r = z / b; printf "%-40s %9.2f ms %9.2f ms %6.2fx  %s\n",
          label, z * 1000, b * 1000, r, (r <= 1.0 ? "met" : "MISSED") }' "$work/token.csv"
