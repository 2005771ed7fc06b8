#!/usr/bin/env bash
# Clippy for Windows: the whole workspace, tests included, type-checked for x86_64-pc-windows-gnu
# with the MinGW cross compiler (a few build scripts compile C for the target), so the Windows
# branches (`cfg(windows)`, `cfg(not(unix))`, …) are checked on every change. Check only: nothing
# is linked or run. Where the target or the compiler is missing it says so and is skipped;
# `scripts/install-deps.sh test` installs both.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
skip() {
  echo "lint-windows: SKIPPED, the Windows build is NOT checked: $*" >&2
  exit 0
}
command -v rustup >/dev/null || skip "rustup is not installed, so the target $target cannot be added"
rustup target list --installed 2>/dev/null | grep -qx "$target" ||
  skip "the Rust target $target is not installed (scripts/install-deps.sh test adds it with rustup target add; that failed or did not run)"
command -v x86_64-w64-mingw32-gcc >/dev/null ||
  skip "the MinGW compiler x86_64-w64-mingw32-gcc is missing (Debian: gcc-mingw-w64-x86-64, which scripts/install-deps.sh test installs)"

exec "${CARGO:-cargo}" clippy --target "$target" --workspace --all-targets -- -D warnings
