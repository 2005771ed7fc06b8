#!/usr/bin/env bash
# Creates target/pyenv: a virtualenv holding the official Lattica Python clients
# (lattica-query, lattica-studio, lattica-build) at pinned versions, with the HTTP-side
# dependencies they need, and pytest. Their numeric stack (torch, the FHE core) is not installed:
# the tests stub those imports, as the HTTP paths under test never call them (see
# tests/python/conftest.py). Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/pyenv
stamp=$venv/.installed-v1
if [ ! -f "$stamp" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    'requests>=2.31,<3' 'protobuf>=5.27.1,<6' 'python-dotenv>=1,<2' pyyaml 'pytest>=8'
  "$venv/bin/pip" install -q --disable-pip-version-check --no-deps \
    lattica-query==2.11.0 lattica-studio==0.12.0 lattica-build==0.12.0
  touch "$stamp"
fi
echo "$venv/bin/python"
