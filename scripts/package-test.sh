#!/usr/bin/env bash
# Tests the packages by installing them (`make package-test`): bundles the workspace's debug
# build (scripts/package.sh debug), checks both packages (lintian with no error,
# desktop-file-validate, appstreamcli validate, the .rpm's file list equal to the .deb's),
# installs the .deb with apt-get, runs `lattica-tray --version` from /usr/bin, starts the
# installed app from its desktop entry's Exec line in a headless session (scripts/
# headless-session.sh) signed in to a sandbox, waits for its tray item and runs
# `status --json`, switches launch at login on in its Settings window (the end-to-end suite's
# test with LATTICA_BIN_DIR=/usr/bin), then removes the package and checks nothing of it is
# left in /usr.
# Needs root or sudo (apt-get). Usage: scripts/package-test.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "package-test: FAILED: $*" >&2; exit 1; }
step() { echo "package-test: $*" >&2; }
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)

if [ "${1:-}" = --in-session ]; then
  # Inside the headless session: the installed app, started as the desktop entry says.
  work=$(mktemp -d)
  pids=()
  trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
  # Only the system's folders on PATH: nothing may come from the build tree.
  export PATH=/usr/local/bin:/usr/bin:/bin
  coproc SANDBOX { exec /usr/bin/lattica-sandbox --listen 127.0.0.1:0 --data "$work/sandbox"; }
  pids+=("$SANDBOX_PID")
  read -r line <&"${SANDBOX[0]}"
  export LATTICA_BE_URL
  LATTICA_BE_URL=$(jq -r .url <<<"$line")
  jq -r .token <<<"$line" | lattica-tray login >/dev/null || fail "lattica-tray login"

  entry=/usr/share/applications/ai.lattica.tray.desktop
  exec_line=$(sed -n 's/^Exec=//p' "$entry")
  [ -n "$exec_line" ] || fail "no Exec line in $entry"
  step "starting the desktop entry's Exec line: $exec_line"
  # The Exec line has no field codes (desktop-file-validate checked it): split on spaces.
  read -r -a exec_words <<<"$exec_line"
  "${exec_words[@]}" >"$work/app.log" 2>&1 &
  app=$!
  pids+=("$app")

  deadline=$((SECONDS + 90))
  item=""
  until [ -n "$item" ]; do
    kill -0 "$app" 2>/dev/null || { cat "$work/app.log" >&2; fail "the app exited"; }
    [ $SECONDS -lt $deadline ] || { cat "$work/app.log" >&2; fail "no tray item within 90 s"; }
    for service in $(busctl --user --json=short get-property org.kde.StatusNotifierWatcher \
      /StatusNotifierWatcher org.kde.StatusNotifierWatcher RegisteredStatusNotifierItems |
      jq -r '.data[]' | sed 's|/.*||'); do
      owner=$(busctl --user --json=short call org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus GetConnectionUnixProcessID s "$service" 2>/dev/null |
        jq -r '.data[0]') || continue
      [ "$owner" = "$app" ] && item=$service
    done
    [ -n "$item" ] || sleep 0.2
  done
  exe=$(readlink "/proc/$app/exe")
  [ "$exe" = /usr/bin/lattica-tray-app ] || fail "the running app is $exe, not /usr/bin/lattica-tray-app"
  step "tray item registered by $exe (pid $app) as $item"
  # Memory of the installed app: PSS of its process tree, once its item is up, or after
  # LATTICA_PACKAGE_IDLE_SECS of idling (a measurement for BENCHMARKS.md, not a wait for state).
  sleep "${LATTICA_PACKAGE_IDLE_SECS:-0}"
  pss=0 procs=""
  for pid in $app $(pgrep -P "$app" || true); do
    kib=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup")
    pss=$((pss + kib)) procs="$procs $(cat "/proc/$pid/comm")=$((kib / 1024))"
  done
  step "summed PSS of the installed app ${LATTICA_PACKAGE_IDLE_SECS:-0} s after its tray item: $((pss / 1024)) MiB (MiB:$procs)"

  status=$(lattica-tray status --json) || fail "lattica-tray status --json"
  jq -e '.balance != null and .stale == false' <<<"$status" >/dev/null || fail "status --json has no balance: $status"
  step "status --json: $(jq -c '{balance, level}' <<<"$status")"

  # `reset` removes what the app keeps for the user: the token, the autostart entry, folders.
  kill "$app" && wait "$app" 2>/dev/null || true
  data=${XDG_DATA_HOME:-$HOME/.local/share}/ai.lattica.tray
  [ -d "$data" ] || fail "the app kept nothing in $data"
  state=${XDG_STATE_HOME:-$HOME/.local/state}/ai.lattica.tray
  ls "$state"/lattica-tray.*.log >/dev/null 2>&1 || fail "no log file in $state"
  mkdir -p "$XDG_CONFIG_HOME/autostart"
  cp "$entry" "$XDG_CONFIG_HOME/autostart/Lattica Tray.desktop"
  code=0; lattica-tray reset >"$work/reset.out" || code=$?
  [ $code -eq 2 ] && [ -d "$data" ] || fail "reset without --yes removed something or did not refuse ($code)"
  grep -qF "$data" "$work/reset.out" || fail "reset without --yes does not list $data"
  lattica-tray reset --yes >&2 || fail "lattica-tray reset --yes"
  [ ! -e "$data" ] && [ ! -e "$state" ] && [ ! -e "$XDG_CONFIG_HOME/autostart/Lattica Tray.desktop" ] ||
    fail "reset --yes left the data folder, the logs or the autostart entry"
  code=0; lattica-tray status >/dev/null 2>&1 || code=$?
  [ $code -eq 3 ] || fail "after reset, status exited $code, not 3 (not signed in)"
  step "reset --yes removed the token, the autostart entry, the data folder and the logs"
  exit 0
fi

if [ "${1:-}" != --no-build ]; then
  start=$SECONDS
  scripts/package.sh debug
  step "packages built in $((SECONDS - start)) s"
fi
out=target/package/out
deb=$(ls "$out"/lattica-tray_*.deb)
rpm=$(ls "$out"/lattica-tray-*.rpm)

# The two packages install the same files.
extract=$(mktemp -d)
# One cleanup for the whole run: the temporary folders made so far, and the package once
# installed.
temps=() deb_installed=0
cleanup() {
  [ "$deb_installed" = 0 ] || "${sudo_cmd[@]}" apt-get purge -y -qq lattica-tray >/dev/null 2>&1 || true
  rm -rf "${temps[@]}"
}
trap cleanup EXIT
temps+=("$extract")
dpkg-deb -x "$deb" "$extract"
deb_files=$(cd "$extract" && find . ! -type d | sed 's|^\.||' | sort)
rpm_files=$(rpm -qlp "$rpm" 2>/dev/null | sort)
diff <(echo "$deb_files") <(echo "$rpm_files") || fail "the .rpm's files differ from the .deb's (< deb, > rpm)"
step "the .rpm installs the same $(wc -l <<<"$deb_files") files as the .deb"
for path in /usr/bin/lattica-tray /usr/bin/lattica-tray-app /usr/bin/lattica-sandbox \
  /usr/share/applications/ai.lattica.tray.desktop /usr/share/metainfo/ai.lattica.tray.metainfo.xml \
  /usr/share/icons/hicolor/scalable/apps/ai.lattica.tray.svg /usr/share/man/man1/lattica-tray.1.gz \
  /usr/share/bash-completion/completions/lattica-tray /usr/share/doc/lattica-tray/copyright; do
  grep -qx "$path" <<<"$deb_files" || fail "$path is not in the package"
done

# The .rpm installed and erased by rpm itself, into a root of its own: this Debian host has no
# rpm database of its libraries, so dependencies are not resolved (--nodeps); each library the
# package requires is checked against the host's linker cache instead.
rpmroot=$(mktemp -d)
temps+=("$rpmroot")
rpm_quiet() { rpm --root "$rpmroot" "$@" 2> >(grep -v -e 'use Alien' -e 'know what you are doing' >&2); }
rpm_quiet --initdb
rpm_quiet -i --nodeps "$rpm" || fail "rpm -i $rpm"
rpm_version=$("$rpmroot/usr/bin/lattica-tray" --version) || fail "lattica-tray --version from the .rpm's files"
installed=$(cd "$rpmroot" && find usr ! -type d | sed 's|^|/|' | sort)
diff <(echo "$rpm_files") <(echo "$installed") || fail "rpm installed other files than the .rpm lists"
for lib in $(rpm -qpR "$rpm" 2>/dev/null | sed -n 's/^\(lib[^(]*\.so[^(]*\)(.*/\1/p'); do
  ldconfig -p | grep -q "^[[:space:]]*$lib " || fail "the .rpm requires $lib, which this host does not have"
done
rpm_quiet -e lattica-tray || fail "rpm -e lattica-tray"
[ -z "$(cd "$rpmroot" && find usr ! -type d 2>/dev/null)" ] || fail "rpm -e left files in /usr"
step "the .rpm installed with rpm into its own root ($rpm_version), erased leaving nothing"

# The metadata as packaged.
for entry in "$extract"/usr/share/applications/*.desktop; do
  desktop-file-validate "$entry" || fail "desktop-file-validate $(basename "$entry")"
done
appstreamcli validate --no-net --pedantic "$extract"/usr/share/metainfo/ai.lattica.tray.metainfo.xml ||
  fail "appstreamcli validate"
step "desktop entries and AppStream metadata valid"

# lintian: no error. Tags explained in README.md (Packages) are suppressed; the debug
# package's binaries keep their symbols, which only the test package has.
explained=$(grep -v '^#' src-tauri/packaging/lintian-explained | paste -sd, || true)
lintian_args=(--tag-display-limit 0)
[ -z "$explained" ] || lintian_args+=(--suppress-tags "$explained")
lintian_out=$(lintian "${lintian_args[@]}" "$deb" 2>&1 || true)
echo "$lintian_out" >&2
if grep -q '^E: ' <<<"$lintian_out"; then fail "lintian reports errors"; fi
step "lintian: no error"

# Install, run, remove.
before=$(find /usr -iname '*lattica*' 2>/dev/null | sort)
if dpkg-query -W -f='${Status}' lattica-tray 2>/dev/null | grep -q "install ok installed"; then
  "${sudo_cmd[@]}" apt-get purge -y -qq lattica-tray >/dev/null
  before=$(find /usr -iname '*lattica*' 2>/dev/null | sort)
fi
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  "./$deb" >/dev/null || fail "apt-get install ./$deb"
deb_installed=1
version=$(/usr/bin/lattica-tray --version)
expected="lattica-tray $(dpkg-query -W -f='${Version}' lattica-tray)"
[ "$version" = "$expected" ] || fail "/usr/bin/lattica-tray --version said '$version', not '$expected'"
step "installed: $version"
man -w lattica-tray >/dev/null 2>&1 || [ -f /usr/share/man/man1/lattica-tray.1.gz ] || fail "no man page"

scripts/headless-session.sh "$0" --in-session

# Launch at login switched on in the installed app's Settings window, and "Try the demo
# account" clicked in its sign-in window, as a user does (the end-to-end suite's own tests,
# driving /usr/bin's binaries through WebDriver): the login item must start the installed
# binary, and the demo the installed sandbox.
LATTICA_BIN_DIR=/usr/bin scripts/headless-session.sh cargo nextest run --workspace \
  -E 'package(lattica-e2e) and test(/launch_at_login|the_demo_is_reached_from_the_sign_in_window/)' \
  --test-threads=1 || fail "launch at login or the demo from the installed app"
step "launch at login from the installed app: its login item starts /usr/bin/lattica-tray-app"
step "the installed app's sign-in window reached the demo (/usr/bin/lattica-sandbox) and left it"

DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get purge -y -qq lattica-tray >/dev/null ||
  fail "apt-get purge lattica-tray"
after=$(find /usr -iname '*lattica*' 2>/dev/null | sort)
left=$(comm -13 <(echo "$before") <(echo "$after"))
[ -z "$left" ] || fail "left in /usr after removal: $left"
while read -r path; do
  [ ! -e "$path" ] || fail "$path is still there after removal"
done <<<"$deb_files"
step "removed: none of its $(wc -l <<<"$deb_files") files left in /usr"
echo "package-test: passed"
