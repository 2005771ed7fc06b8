#!/usr/bin/env bash
# Runs the official Lattica Python clients, unchanged, against a freshly spawned sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(scripts/python-env.sh)
export LATTICA_SANDBOX_BIN=${LATTICA_SANDBOX_BIN:-$PWD/target/debug/lattica-sandbox}
exec "$python" -m pytest tests/python -q -p no:cacheprovider "$@"
