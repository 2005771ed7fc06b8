#!/usr/bin/env bash
# The release binaries as they ship, in target/release: lattica-tray (the command line),
# lattica-tray-app and lattica-sandbox, built in one invocation with the feature Tauri's own
# `tauri build` adds (tauri/custom-protocol). One command for the packages, the benchmarks and
# scripts/order-functions.sh: the app's function order (src-tauri/layout/functions.order) names
# functions by their symbols, which depend on the features every crate is built with.
# Extra arguments go to cargo.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo build --release -p lattica-cli -p lattica-sandbox -p lattica-tray \
  --features tauri/custom-protocol "$@"
