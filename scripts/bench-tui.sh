#!/usr/bin/env bash
# The real TUI in tmux with 1,000 connections: CPU used while idle for SECONDS (default 30),
# from utime+stime in /proc/PID/stat, and peak RSS (VmHWM in /proc/PID/status).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_IDLE=${SECONDS_IDLE:-30}
command -v tmux >/dev/null || apt-get install -y tmux >/dev/null
cargo build --quiet --release --bin zdauth --example bench_world
work=$(mktemp -d)
sock="$work/tmux.sock"
trap 'tmux -S "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

target/release/examples/bench_world "$work/dir" 1000 >/dev/null
tmux -S "$sock" new-session -d -s bench -x 120 -y 40 \
    "exec $PWD/target/release/zdauth --config-dir $work/dir"
pid=$(tmux -S "$sock" display-message -p -t bench '#{pane_pid}')
for _ in $(seq 100); do
    tmux -S "$sock" capture-pane -p -t bench | grep -q acme-0001 && break
    sleep 0.1
done
tmux -S "$sock" capture-pane -p -t bench | grep -q acme-0001 || {
    echo "the TUI did not show its list:"; tmux -S "$sock" capture-pane -p -t bench; exit 1; }
sleep 2 # let start-up work finish: idle is what is measured

ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep "$SECONDS_IDLE"
after=$(ticks)
hwm_kb=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
tmux -S "$sock" send-keys -t bench q

printf '%-40s %12s %12s %7s  %s\n' figure measured target ratio verdict
awk -v d=$((after - before)) -v hz="$hz" -v s="$SECONDS_IDLE" 'BEGIN {
    pct = d / hz / s * 100; r = pct / 0.5
    printf "%-40s %10.3f %% %10.1f %% %6.2fx  %s\n", "TUI idle CPU, 1,000 conns, " s " s", pct, 0.5, r,
           (pct < 0.5 ? "met" : "MISSED") }'
awk -v kb="$hwm_kb" 'BEGIN { mb = kb / 1024; r = mb / 30
    printf "%-40s %9.1f MB %9.1f MB %6.2fx  %s\n", "TUI peak RSS (VmHWM), 1,000 conns", mb, 30, r,
           (mb < 30 ? "met" : "MISSED") }'
