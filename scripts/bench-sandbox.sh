#!/usr/bin/env bash
# Load test of the sandbox's hot path: api/finance/get_account_credits under wrk
# (64 connections, 2 threads, 20 s, latency distribution). Builds the release binary, starts
# it on a fresh data directory on loopback, runs wrk once, stops the sandbox.
#
# Usage: scripts/bench-sandbox.sh [DURATION]   (default 20s; needs `wrk`: apt-get install -y wrk)
set -euo pipefail

duration="${1:-20s}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v wrk >/dev/null; then
  echo "wrk is not installed: apt-get install -y wrk" >&2
  exit 1
fi

cargo build --release -p lattica-sandbox

data="$(mktemp -d)"
start_line="$data/start.json"
target/release/lattica-sandbox --listen 127.0.0.1:0 --data "$data/db" >"$start_line" 2>"$data/sandbox.log" &
pid=$!
cleanup() {
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

# The sandbox prints one JSON line once it listens; wait for it (10 s at most).
for _ in $(seq 100); do
  [ -s "$start_line" ] && break
  sleep 0.1
done
if [ ! -s "$start_line" ]; then
  echo "the sandbox did not start:" >&2
  cat "$data/sandbox.log" >&2
  exit 1
fi
url="$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$start_line")"
token="$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$start_line")"

echo "sandbox at $url (release build, $(nproc) cores)"
LATTICA_TOKEN="$token" wrk -t2 -c64 -d"$duration" --latency \
  -s scripts/wrk-credits.lua "$url/api/finance/get_account_credits"
