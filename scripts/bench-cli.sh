#!/usr/bin/env bash
# `lattica-tray status --json` against the official Python client reading the same figures from
# the same sandbox, in the same run: peak resident memory (GNU time's %M) and wall time, the
# median of RUNS runs each. Needs the headless session for the keychain; starts it itself.
# Usage: scripts/bench-cli.sh [RUNS]   (release build of lattica-tray and lattica-sandbox)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
if [ -z "${LATTICA_IN_SESSION:-}" ]; then
  scripts/install-deps.sh test
  command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
  cargo build --release -q -p lattica-cli -p lattica-sandbox
  exec scripts/headless-session.sh "$0" "$@"
fi
python=$(scripts/python-env.sh)
data=$(mktemp -d)
coproc SANDBOX { exec target/release/lattica-sandbox --listen 127.0.0.1:0 --data "$data" --control; }
trap 'kill $SANDBOX_PID 2>/dev/null; rm -rf "$data"' EXIT
read -r line <&"${SANDBOX[0]}"
export LATTICA_BE_URL=$(jq -r .url <<<"$line")
export LATTICA_TOKEN=$(jq -r .token <<<"$line")
printf '%s' "$LATTICA_TOKEN" | target/release/lattica-tray login >/dev/null

# Both read the same figures: check once before timing.
ours=$(target/release/lattica-tray status --json | jq -c '{balance, runningWorkers}')
theirs=$("$python" scripts/bench/status_python.py | tail -n 1 | jq -c "{balance, runningWorkers}")
echo "lattica-tray: $ours; python: $theirs" >&2

measure() { # label, command…: prints "label median_ms median_kib"
  local label=$1; shift
  local times=() mems=() report start end
  report=$(mktemp)
  for _ in $(seq "$runs"); do
    start=$EPOCHREALTIME
    /usr/bin/time -o "$report" -f '%M' "$@" >/dev/null 2>&1
    end=$EPOCHREALTIME
    times+=("$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", (e - s) * 1000}')")
    mems+=("$(tail -1 "$report")")
  done
  rm -f "$report"
  local t m
  t=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  m=$(printf '%s\n' "${mems[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$label $t $m"
}
echo "# what              wall_ms  peak_kib  (median of $runs runs)"
measure "lattica-tray" target/release/lattica-tray status --json
measure "python-studio" "$python" scripts/bench/status_python.py
