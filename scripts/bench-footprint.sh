#!/usr/bin/env bash
# The tray app's footprint benchmark (BENCHMARKS.md, "Tray app footprint"): lattica-tray,
# signed in to a platform of its own process (a sandbox started outside the measured trees),
# side by side with two bare Tauri tray apps (bench/bare-tray), one whose popover
# webview is created hidden at start and one that creates it only when opened. Measures launch
# to tray item registered; "Open" to popover painted with data, cold and warm; summed PSS and
# process count after idle with the popover hidden; idle CPU; PSS growth over an hour of idle
# while lattica-tray refreshes every 15 s. Builds the release binaries once, runs everything
# in a headless session (scripts/headless-session.sh), prints a Markdown table and writes the
# raw numbers to artifacts/bench/footprint-<time>/.
#
# Usage: scripts/bench-footprint.sh [--quick] [--latency] [--growth MINUTES] [--repeats N]
#                                    [--no-build]
#   default   the full run: about 80 minutes, mostly idle (7 launches per app, 60 s idle,
#             CPU over 300 s, PSS every 60 s for 60 minutes)
#   --quick   a smoke run of about 10 minutes: 3 launches per app, 40 s idle (still past
#             lattica-tray's 30 s popover keep), CPU over 60 s, PSS every 30 s for 2 minutes
#   --latency     only the launches (tray registered, cold and warm paint): a few minutes, for
#                 working on startup or on the popover's first paint
#   --growth MINUTES   only the growth part, that long (samples every minute), with the
#                 three apps launched, opened and hidden once
#   --repeats N   launches per app (after a warm-up launch that is not counted)
#   --no-build    reuse target/release as it is
# Needs the headless session's tools (scripts/install-deps.sh test) and an otherwise quiet
# machine: other load shows in every figure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

export BENCH_REPEATS=7 BENCH_IDLE_SECS=60 BENCH_CPU_SECS=300 BENCH_GROWTH_SECS=3600 \
  BENCH_SAMPLE_SECS=60 BENCH_REFRESH_SECS=15 BENCH_PHASES=all
build=1 repeats= command="scripts/bench-footprint.sh $*"
while [ $# -gt 0 ]; do
  case $1 in
    --quick)
      BENCH_IDLE_SECS=40 BENCH_CPU_SECS=60 BENCH_GROWTH_SECS=120 BENCH_SAMPLE_SECS=30
      : "${repeats:=3}" ;;
    --latency) BENCH_PHASES=latency ;;
    --growth)
      BENCH_PHASES=growth BENCH_GROWTH_SECS=$((${2:?--growth needs minutes} * 60)) BENCH_SAMPLE_SECS=60
      BENCH_CPU_SECS=$((BENCH_GROWTH_SECS < 300 ? BENCH_GROWTH_SECS : 300))
      shift ;;
    --repeats) repeats=${2:?--repeats needs a number}; shift ;;
    --no-build) build=0 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-footprint: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -z "$repeats" ] || BENCH_REPEATS=$repeats

for tool in xvfb-run dbus-run-session gnome-keyring-daemon status-notifier-watcher dunst \
  busctl jq xdotool; do
  command -v "$tool" >/dev/null || {
    echo "bench-footprint: $tool is missing; run scripts/install-deps.sh test" >&2
    exit 1
  }
done

if [ "$build" = 1 ]; then
  scripts/build-release.sh
  cargo build --release -p bare-tray --features tauri/custom-protocol
fi
# The app measured as it ships: its code laid out as profiled (BENCHMARKS.md, "Resident code").
layout=$(scripts/order-functions.sh --check target/release/lattica-tray-app)
# Run copies: a build elsewhere in this checkout must not swap a binary in the middle of the run.
export BENCH_BIN=$(mktemp -d -t bench-footprint-bin.XXXXXX)
trap 'rm -rf "$BENCH_BIN"' EXIT
for bin in lattica-tray lattica-tray-app lattica-sandbox bare-hidden bare-lazy; do
  [ -x "target/release/$bin" ] || { echo "bench-footprint: target/release/$bin is missing" >&2; exit 1; }
  cp "target/release/$bin" "$BENCH_BIN/"
done

export BENCH_OUT=$root/artifacts/bench/footprint-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BENCH_OUT"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "uncommitted changes built in: $(git status --short -- src-tauri ui crates bench \
    2>/dev/null | awk '{ print $2 }' | tr '\n' ' ')"
  echo "command: $command"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
  echo "memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "os: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "webkit2gtk: $(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo unknown)"
  echo "tauri: $(awk '/^name = "tauri"$/ { getline; print $3 }' Cargo.lock | tr -d '"')"
  echo "function order: ${layout#order-functions: }"
  echo "load before start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$BENCH_OUT/machine.txt" >&2

scripts/headless-session.sh scripts/bench/footprint-session.sh
echo >&2
echo "bench-footprint: raw numbers in ${BENCH_OUT#"$root"/}" >&2
