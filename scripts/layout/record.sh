#!/usr/bin/env bash
# The profiling run of scripts/order-functions.sh, inside scripts/headless-session.sh: the app
# from $1 (lattica-tray-app built with a page per function, lattica-tray, lattica-sandbox and
# touched-pages.so), signed in to a sandbox of its own process as a real account's app is to
# its platform, refreshing every 15 s. Writes the code pages run to $2.idle after it has
# started and idled through two refreshes, and to $2.opened after its popover was then opened,
# hidden and dropped (its 30 s keep).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../bench/lib.sh
source "$here/../bench/lib.sh"
bin=${1:?binaries folder} out=${2:?output prefix}
work=$(mktemp -d -t order-functions.XXXXXX)
say() { echo "order-functions: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

start_platform "$bin" "$work/platform" || fail "no platform"
trap 'kill "$PLATFORM_PID" 2>/dev/null || true' EXIT

mkdir -p "$work"/{config/ai.lattica.tray,data,cache,state}
echo '{"refreshIntervalSecs": 15}' >"$work/config/ai.lattica.tray/settings.json"
known=$(tray_items)
XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data XDG_CACHE_HOME=$work/cache \
  XDG_STATE_HOME=$work/state NO_COLOR=1 LD_PRELOAD=$bin/touched-pages.so TOUCHED_PAGES_OUT=$out \
  "$bin/lattica-tray-app" >/dev/null 2>"$work/app.log" &
app=$!
trap 'kill "$PLATFORM_PID" "$app" 2>/dev/null || true' EXIT

# Asks the recorder for the pages run so far and waits for them.
record() { # phase
  rm -f "$out.$1"
  echo "$1" >"$out.request"
  local deadline=$((SECONDS + 10))
  while [ -e "$out.request" ] || [ ! -s "$out.$1" ]; do
    [ $SECONDS -lt $deadline ] || fail "the recorder wrote no $1 pages"
    sleep 0.1
  done
  say "$1: $(wc -l <"$out.$1") code pages run"
}

read -r _ entry < <(wait_new_item "$known" 60) || fail "no tray item (see $work/app.log)"
read -r SERVICE OBJECT MENU < <(item_paths "$entry")
deadline=$((SECONDS + 60))
until label=$(item_label "$SERVICE" "$OBJECT") && [ -n "$label" ] && [ "$label" != "—" ]; do
  [ $SECONDS -lt $deadline ] || fail "the app showed no balance"
  sleep 0.1
done
sleep 35
record idle

menu_click "$SERVICE" "$MENU" "$(menu_id "$SERVICE" "$MENU" Open)"
wait_mark "$work/app.log" 1 30 >/dev/null || fail "the popover did not paint (see $work/app.log)"
sleep 1
hide_popover lattica-tray-app || fail "the popover did not hide on Escape"
sleep 35
record opened

menu_click "$SERVICE" "$MENU" "$(menu_id "$SERVICE" "$MENU" Quit)" || true
wait "$app" 2>/dev/null || true
rm -rf "$work"
