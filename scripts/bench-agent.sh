#!/usr/bin/env bash
# The agent's figures (issue 13 §5), each beside its reference from the same run:
# - `zdauth token NAME` with a sealed identity (default work factor) and an unlocked agent,
#   beside `age -d -i key vault.age` (a plain identity) on the same vault, at 10 / 100 / 1,000
#   connections, by hyperfine (median of RUNS, default 30); and once without the agent
#   (`settings.agent = "off"`, passphrase in the environment: scrypt every call);
# - the agent idle for SECONDS_IDLE (default 60) seconds at 1,000 connections: CPU from
#   utime+stime in /proc/PID/stat, RSS (VmRSS) after the run of `token` calls.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
SECONDS_IDLE=${SECONDS_IDLE:-60}
for tool in hyperfine age; do
    command -v "$tool" >/dev/null || apt-get install -y "$tool" >/dev/null
done
cargo build --quiet --release --bin zdauth --example bench_world
work=$(mktemp -d)
export XDG_RUNTIME_DIR="$work/run"
mkdir -m 0700 "$XDG_RUNTIME_DIR"
zdauth=$PWD/target/release/zdauth
stop_all() {
    for d in "$work"/*/; do "$zdauth" --config-dir "$d" agent stop >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap stop_all EXIT
export ZDAUTH_PASSPHRASE="bench passphrase"

printf '%-48s %12s %12s %7s  %s\n' figure measured reference ratio target
for n in 10 100 1000; do
    dir="$work/$n"
    target/release/examples/bench_world "$dir" "$n" --sealed >/dev/null
    "$zdauth" --config-dir "$dir" unlock >/dev/null
    ZDAUTH_PASSPHRASE='' hyperfine --shell=none --warmup 3 --runs "$RUNS" --export-csv "$work/$n.csv" \
        "$zdauth --config-dir $dir token acme-0001" \
        "age -d -i $dir/identity.txt -o /dev/null $dir/vault.age" >/dev/null 2>"$work/hyperfine.log" ||
        { cat "$work/hyperfine.log"; exit 1; }
    # CSV columns: command,mean,stddev,median,...; row 2 is zdauth, row 3 is age.
    awk -F, -v label="token via agent, sealed, $n connections" '
        NR == 2 { z = $4 } NR == 3 { a = $4 }
        END { r = z / a; printf "%-48s %9.2f ms %9.2f ms %6.2fx  %s\n",
              label, z * 1000, a * 1000, r, (r <= 1.3 ? "<= 1.3x met" : "<= 1.3x MISSED") }' "$work/$n.csv"
done

# Without the agent, as before issue 13: scrypt on every call (a few runs are enough).
dir="$work/1000"
sed -i 's/^agent = "auto"/agent = "off"/' "$dir/config.toml"
"$zdauth" --config-dir "$dir" agent stop >/dev/null
hyperfine --shell=none --warmup 1 --runs 5 --export-csv "$work/off.csv" \
    "$zdauth --config-dir $dir token acme-0001" >/dev/null 2>"$work/hyperfine.log" ||
    { cat "$work/hyperfine.log"; exit 1; }
awk -F, 'NR == 2 { printf "%-48s %9.2f ms %12s %7s  %s\n",
    "token without agent, sealed, 1000 connections", $4 * 1000, "-", "-", "(before issue 13)" }' "$work/off.csv"

# Idle: unlock, a burst of calls, then nothing for SECONDS_IDLE.
sed -i 's/^agent = "off"/agent = "auto"/' "$dir/config.toml"
"$zdauth" --config-dir "$dir" unlock >/dev/null
for _ in $(seq 20); do ZDAUTH_PASSPHRASE='' "$zdauth" --config-dir "$dir" token acme-0001 >/dev/null; done
pid=$("$zdauth" --config-dir "$dir" agent status --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep "$SECONDS_IDLE"
after=$(ticks)
rss_kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
awk -v d=$((after - before)) -v hz="$hz" -v s="$SECONDS_IDLE" 'BEGIN {
    pct = d / hz / s * 100
    printf "%-48s %10.3f %% %10.1f %% %6.2fx  %s\n", "agent idle CPU, 1,000 conns, " s " s", pct, 0.1,
           pct / 0.1, (pct < 0.1 ? "< 0.1 % met" : "< 0.1 % MISSED") }'
awk -v kb="$rss_kb" 'BEGIN { mb = kb / 1024
    printf "%-48s %9.1f MB %9.1f MB %6.2fx  %s\n", "agent RSS (VmRSS), 1,000 conns", mb, 20, mb / 20,
           (mb < 20 ? "< 20 MB met" : "< 20 MB MISSED") }'
