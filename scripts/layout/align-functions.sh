#!/usr/bin/env bash
# A RUSTC_WRAPPER for scripts/order-functions.sh: compiles lattica-tray-app (the crate that,
# with fat LTO, generates the code of the whole program) with every function at the start of
# a 4 KiB page of its own, and every other crate as it is. Passing the flag this way keeps the
# build's feature set and symbol names those of scripts/build-release.sh.
rustc=$1
shift
for arg in "$@"; do
  if [ "$arg" = lattica_tray_app ]; then
    exec "$rustc" "$@" -C llvm-args=-align-all-functions=12
  fi
done
exec "$rustc" "$@"
