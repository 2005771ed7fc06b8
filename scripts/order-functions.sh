#!/usr/bin/env bash
# The order of lattica-tray-app's functions in its release build (src-tauri/layout/
# functions.order, applied by src-tauri/build.rs): the functions it runs to start and idle
# side by side, then those its popover adds, so that the code it keeps resident is about the
# code it runs (BENCHMARKS.md, "Resident code").
#
# Usage: scripts/order-functions.sh            profile the app and write the order anew
#        scripts/order-functions.sh --check [BINARY]
#                                              check that a release build follows it
#
# Profiling: the app is built once more with every function at the start of a page of its
# own (LLVM's -align-all-functions=12, on the final crate only, by a compiler wrapper:
# scripts/layout/align-functions.sh; the dependencies' builds are reused), run in the headless session (scripts/layout/record.sh) with a recorder preloaded
# (scripts/layout/touched-pages.c) that notes each code page as it first runs, and the pages
# are turned into function names (scripts/layout/functions.py). About 10 minutes with the
# release dependencies built. Then the release app is linked again with the new order and
# checked. Run it after a change of dependencies or of the start-up or refresh path; a stale
# order only costs memory (--check says how stale).
#
# --check: the share of listed functions found in BINARY (default target/release/
# lattica-tray-app) and how densely they lie at the start of its code; fails below 90 % found
# or 80 % dense.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
order=src-tauri/layout/functions.order

check() { # binary
  python3 - "$1" "$order" <<'PY'
import subprocess, sys
binary, order = sys.argv[1], sys.argv[2]
listed = [l.strip() for l in open(order) if l.strip() and not l.startswith("#")]
defined = {}
for line in subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True,
                           text=True, check=True).stdout.splitlines():
    f = line.split()
    if len(f) == 4 and f[2] in "tTwW":
        defined[f[3]] = (int(f[0], 16), int(f[1], 16))
found = [defined[s] for s in listed if s in defined]
if not found:
    sys.exit(f"order-functions: none of the {len(listed)} listed functions is in {binary}")
span = max(a + n for a, n in found) - min(a for a, _ in found)
dense = sum(n for _, n in found) / span
share = len(found) / len(listed)
print(f"order-functions: {len(found)} of {len(listed)} listed functions in {binary} "
      f"({share:.0%}), laid out {dense:.0%} densely")
if share < 0.9:
    sys.exit("order-functions: the order is stale; run scripts/order-functions.sh")
if dense < 0.8:
    sys.exit("order-functions: the binary does not follow the order (src-tauri/build.rs)")
PY
}

case ${1:-} in
  --check) check "${2:-target/release/lattica-tray-app}"; exit ;;
  "") ;;
  *) echo "order-functions: unknown argument $1 (see the head of $0)" >&2; exit 2 ;;
esac

for tool in cc nm readelf python3 xvfb-run busctl jq xdotool; do
  command -v "$tool" >/dev/null || {
    echo "order-functions: $tool is missing; run scripts/install-deps.sh test" >&2
    exit 1
  }
done
work=$(mktemp -d -t order-functions.XXXXXX)
trap 'rm -rf "$work"' EXIT

scripts/build-release.sh
cp target/release/{lattica-tray,lattica-sandbox} "$work/"
# The app once more, its code generated with a page per function: the same build (features,
# symbols) with the flag added by a compiler wrapper; touching its main makes cargo link it.
touch src-tauri/src/main.rs
RUSTC_WRAPPER=$root/scripts/layout/align-functions.sh scripts/build-release.sh
cp target/release/lattica-tray-app "$work/"
touch src-tauri/src/main.rs
cc -shared -fPIC -O2 -Wall -o "$work/touched-pages.so" scripts/layout/touched-pages.c -lpthread

scripts/headless-session.sh scripts/layout/record.sh "$work" "$work/pages"
scripts/layout/functions.py "$work/lattica-tray-app" "$work/pages" "$work/pages.idle" \
  "$work/pages.opened" "$order"

# The release app again, linked in the new order (cargo relinks it: the flags changed back).
scripts/build-release.sh
check target/release/lattica-tray-app
