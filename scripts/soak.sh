#!/usr/bin/env bash
# The soak under faults (BENCHMARKS.md, "Reliability"): the real app, refreshing every second
# and paying with its one-click top-up, beside a second client paying with a saved card and
# 3-D Secure, against the sandbox with faults changing every few seconds, the app and the
# sandbox each killed with SIGKILL and restarted at seeded moments; then the invariants, from
# the sandbox's own database. It is the end-to-end test
# `soak::a_soak_under_faults_loses_and_doubles_nothing` (a one-minute run of it is part of
# `make test`), run longer, in the headless session, with its output shown.
#
# Usage: scripts/soak.sh [--minutes N] [--seed S] [--no-build]
#   --minutes N   how long (default 10; the figures in BENCHMARKS.md need at least 10)
#   --seed S      repeat a run's plan (kill moments, fault sequence, amounts): its first line
#                 prints the seed
#   --no-build    reuse the binaries as built
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

minutes=10 seed= build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=${2:?--minutes needs a number}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    --no-build) build=; shift ;;
    *) echo "unknown option: $1 (see the top of $0)" >&2; exit 2 ;;
  esac
done

nextest=(cargo nextest run --workspace)
[ -n "$build" ] && "${nextest[@]}" --no-run
export LATTICA_SOAK_MINUTES=$minutes
[ -n "$seed" ] && export LATTICA_SOAK_SEED=$seed
echo "soak: $minutes minutes on $(uname -srm), $(nproc) cores, $(date -u +%FT%TZ)"
exec scripts/headless-session.sh "${nextest[@]}" --no-capture --test-threads=1 \
  -E 'package(lattica-e2e) and test(=soak::a_soak_under_faults_loses_and_doubles_nothing)'
