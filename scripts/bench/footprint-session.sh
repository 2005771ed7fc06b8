#!/usr/bin/env bash
# The tray app footprint benchmark proper; scripts/bench-footprint.sh runs it inside
# scripts/headless-session.sh (virtual X, private D-Bus, tray host, keyring, dunst).
#
# Three apps, measured alike: the bare tray app with a popover created hidden at start
# (bare-hidden), the one that creates it only when opened (bare-lazy), and lattica-tray as a
# real account runs it: signed in (`lattica-tray login`) to a platform outside its process tree
# (a lattica-sandbox this script starts, as a remote platform would be). Each app gets its own
# XDG folders under the session's temporary root.
#  1. Latency, one app at a time: a warm-up launch, then BENCH_REPEATS launches, each measuring
#     launch -> tray item registered, then "Open" -> popover painted with data (cold), hide,
#     "Open" again -> painted (warm), hide, "Quit".
#  2. Idle, the three apps side by side, lattica-tray at its default settings: summed PSS of
#     each process tree BENCH_IDLE_SECS after launch, the popover never opened; then open and
#     hide it once, wait BENCH_IDLE_SECS again, summed PSS; CPU over the next BENCH_CPU_SECS.
#  3. lattica-tray relaunched refreshing every BENCH_REFRESH_SECS (set in its settings file, as
#     a user would), opened and hidden once; after BENCH_IDLE_SECS, PSS of all three every
#     BENCH_SAMPLE_SECS for BENCH_GROWTH_SECS, and lattica-tray's CPU over the first
#     BENCH_CPU_SECS of it.
# With BENCH_PHASES=latency only the first part runs; with BENCH_PHASES=growth only the third
# (after launching the three apps and opening and hiding each once).
# Raw numbers go to $BENCH_OUT/footprint.csv (app,metric,run,value,unit); the Markdown table
# to stdout and $BENCH_OUT/footprint.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"

: "${BENCH_OUT:?set by scripts/bench-footprint.sh}"
repeats=${BENCH_REPEATS:-7}
idle_secs=${BENCH_IDLE_SECS:-60}
cpu_secs=${BENCH_CPU_SECS:-300}
growth_secs=${BENCH_GROWTH_SECS:-3600}
sample_secs=${BENCH_SAMPLE_SECS:-60}
refresh_secs=${BENCH_REFRESH_SECS:-15}
# A user does not click the instant the icon appears: every first click waits this long (and,
# for lattica-tray, until its label shows the balance), so the hidden variant's page has loaded.
settle_secs=2

apps=(bare-hidden bare-lazy lattica-tray)
work=$LATTICA_SESSION_ROOT/bench
csv=$BENCH_OUT/footprint.csv
mkdir -p "$work" "$BENCH_OUT"
echo "app,metric,run,value,unit" >"$csv"

say() { echo "bench: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# The platform lattica-tray is signed in to: not part of any measured tree.
bin=${BENCH_BIN:-$root/target/release}
start_platform "$bin" "$work/platform" || fail "no platform"
trap 'kill "$PLATFORM_PID" 2>/dev/null || true' EXIT
record() { echo "$1,$2,$3,$4,$5" >>"$csv"; }
# Other work on the machine shows in every figure: keep the 1-minute load average beside them.
record_load() { record machine "$1" "$2" "$(cut -d' ' -f1 /proc/loadavg)" load; }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }

# Starts app $1 with log $2; sets APP_PID and LAUNCHED_US (just before the spawn). For
# lattica-tray, $3 is the refresh interval written to its settings file (empty: the default).
start_app() { # name log [refresh-secs]
  local name=$1 dir=$work/$1 args=()
  mkdir -p "$dir"/{config,data,cache,state}
  if [ "$name" = lattica-tray ]; then
    mkdir -p "$dir/config/ai.lattica.tray"
    if [ -n "${3:-}" ]; then
      echo "{\"refreshIntervalSecs\": $3}" >"$dir/config/ai.lattica.tray/settings.json"
    else
      rm -f "$dir/config/ai.lattica.tray/settings.json"
    fi
  fi
  LAUNCHED_US=$(now_us)
  XDG_CONFIG_HOME=$dir/config XDG_DATA_HOME=$dir/data XDG_CACHE_HOME=$dir/cache \
    XDG_STATE_HOME=$dir/state NO_COLOR=1 \
    "${BENCH_BIN:-$root/target/release}/$name" "${args[@]}" >/dev/null 2>"$2" &
  APP_PID=$!
}

# After registration: sets SERVICE OBJECT MENU, waits until the app shows data, then settles.
ready() { # name entry
  read -r SERVICE OBJECT MENU < <(item_paths "$2")
  if [ "$1" = lattica-tray ]; then
    local deadline=$((SECONDS + 60)) label=
    until label=$(item_label "$SERVICE" "$OBJECT") && [ -n "$label" ] && [ "$label" != "—" ]; do
      [ $SECONDS -lt $deadline ] || fail "lattica-tray showed no balance (label '$label')"
      sleep 0.1
    done
  fi
  sleep "$settle_secs"
}

# Clicks "Open" and waits for the page's paint mark; prints the delay in microseconds.
open_measured() { # log
  local n t ts id
  id=$(menu_id "$SERVICE" "$MENU" Open)
  [ -n "$id" ] || fail "no Open entry in the tray menu"
  n=$(($(mark_count "$1") + 1))
  t=$(now_us)
  menu_click "$SERVICE" "$MENU" "$id"
  ts=$(wait_mark "$1" "$n" 30) || fail "no paint mark after Open (see $1)"
  echo $((ts - t))
}

# "Quit" from the menu, then waits for the process to end (SIGTERM after 20 s).
quit_app() {
  local id deadline=$((SECONDS + 20))
  id=$(menu_id "$SERVICE" "$MENU" Quit)
  [ -n "$id" ] && menu_click "$SERVICE" "$MENU" "$id" || true
  while [ -e "/proc/$APP_PID" ] && [ "$(awk '{ print $3 }' "/proc/$APP_PID/stat" 2>/dev/null)" != Z ]; do
    if [ $SECONDS -ge $deadline ]; then
      say "pid $APP_PID did not quit; terminating it"
      kill -TERM "$APP_PID" 2>/dev/null || true
      break
    fi
    sleep 0.05
  done
  wait "$APP_PID" 2>/dev/null || true
  # WebKit's helpers end when their parent's sockets close; give them a moment.
  sleep 1
}

for setting in repeats idle_secs cpu_secs growth_secs sample_secs refresh_secs; do
  record - "$setting" 0 "${!setting}" setting
done

# --- 1. Latency ---------------------------------------------------------------------------------
phases=${BENCH_PHASES:-all}
if [ "$phases" != growth ]; then
  for name in "${apps[@]}"; do
    for run in $(seq 0 "$repeats"); do
      log=$work/$name-run$run.log
      known=$(tray_items)
      start_app "$name" "$log"
      read -r registered entry < <(wait_new_item "$known" 60) ||
        fail "$name: no tray item registered (see $log)"
      launch=$((registered - LAUNCHED_US))
      ready "$name" "$entry"
      cold=$(open_measured "$log")
      sleep 1
      hide_popover "$name" || fail "$name: the popover did not hide on Escape"
      sleep 1
      warm=$(open_measured "$log")
      sleep 1
      hide_popover "$name" || fail "$name: the popover did not hide on Escape"
      quit_app
      if [ "$run" -eq 0 ]; then
        say "$name warm-up: launch $(ms "$launch") ms, cold $(ms "$cold") ms, warm $(ms "$warm") ms"
        continue
      fi
      say "$name run $run: launch $(ms "$launch") ms, cold $(ms "$cold") ms, warm $(ms "$warm") ms"
      record_load load_latency "$run"
      record "$name" launch_to_tray "$run" "$(ms "$launch")" ms
      record "$name" click_to_painted_cold "$run" "$(ms "$cold")" ms
      record "$name" click_to_painted_warm "$run" "$(ms "$warm")" ms
    done
  done
fi

if [ "$phases" = latency ]; then
  "$here/footprint-report.sh" "$csv" | tee "$BENCH_OUT/footprint.md"
  exit 0
fi

# CPU ticks of each app's tree, for a CPU window.
declare -A pid svc mnu ticks0
cpu_start() { for name in "$@"; do ticks0[$name]=$(tree_ticks "${pid[$name]}"); done; CPU_FROM=$(now_us); }
cpu_end() { # metric apps...
  local metric=$1 name used elapsed pct clk
  shift
  clk=$(getconf CLK_TCK) elapsed=$(($(now_us) - CPU_FROM))
  for name in "$@"; do
    used=$(($(tree_ticks "${pid[$name]}") - ticks0[$name]))
    pct=$(awk -v t="$used" -v clk="$clk" -v us="$elapsed" \
      'BEGIN { printf "%.3f", 100 * t / clk / (us / 1e6) }')
    record "$name" "$metric" 0 "$pct" percent
    say "$name $metric over $((elapsed / 1000000)) s: $pct %"
  done
}
pss_record() { # metric-suffix apps...
  local suffix=$1 name kb private count size
  shift
  for name in "$@"; do
    [ -e "/proc/${pid[$name]}" ] || fail "$name ended while idle"
    read -r kb private count < <(tree_memory "${pid[$name]}")
    record "$name" "pss_$suffix" 0 "$kb" kB
    record "$name" "private_$suffix" 0 "$private" kB
    record "$name" "processes_$suffix" 0 "$count" count
    read -r kb size < <(code_resident "${pid[$name]}")
    record "$name" "code_resident_$suffix" 0 "$kb" kB
    record "$name" "code_size_$suffix" 0 "$size" kB
    say "$name $suffix: $count processes, $((kb / 1024)) MiB PSS, $((private / 1024)) MiB private"
  done
  record machine "foreign_webkit_$suffix" 0 "$(foreign_webkit "${pid[@]}")" count
}
launch_idle() { # name [refresh-secs]
  local known entry
  known=$(tray_items)
  start_app "$1" "$work/$1-idle.log" "${2:-}"
  read -r _ entry < <(wait_new_item "$known" 60) || fail "$1: no tray item"
  ready "$1" "$entry"
  pid[$1]=$APP_PID svc[$1]=$SERVICE mnu[$1]=$MENU
}
open_and_hide() { # name
  SERVICE=${svc[$1]} MENU=${mnu[$1]}
  open_measured "$work/$1-idle.log" >/dev/null
  sleep 1
  hide_popover "$1" || fail "$1: the popover did not hide on Escape"
}

# --- 2. Idle, side by side, lattica-tray at its default settings --------------------------------
if [ "$phases" = growth ]; then
  # Only the hour: every app launched, opened and hidden once, as in part 2.
  for name in "${apps[@]}"; do launch_idle "$name"; open_and_hide "$name"; done
else
  for name in "${apps[@]}"; do launch_idle "$name"; done
  # First as launched, the popover never opened: what an app costs that nobody has looked at.
  say "idle: popovers never opened; waiting ${idle_secs} s"
  sleep "$idle_secs"
  pss_record unopened "${apps[@]}"
  # Then the case the targets are about: the popover was looked at once and is hidden again.
  for name in "${apps[@]}"; do open_and_hide "$name"; done
  say "idle: popovers opened once and hidden; waiting ${idle_secs} s"
  sleep "$idle_secs"
  pss_record idle "${apps[@]}"
  cpu_start "${apps[@]}"
  sleep "$cpu_secs"
  cpu_end idle_cpu "${apps[@]}"
fi

# --- 3. An hour of idle, lattica-tray refreshing every $refresh_secs s -----------------------
# Its settings file is read at start: relaunch it with the shorter interval.
APP_PID=${pid[lattica-tray]} SERVICE=${svc[lattica-tray]} MENU=${mnu[lattica-tray]}
quit_app
launch_idle lattica-tray "$refresh_secs"
open_and_hide lattica-tray
say "growth: lattica-tray relaunched refreshing every ${refresh_secs} s; waiting ${idle_secs} s"
sleep "$idle_secs"
start=$(now_us)
cpu_start lattica-tray
cpu_done=0
samples=$((growth_secs / sample_secs))
for k in $(seq 0 "$samples"); do
  # Sleep to the sample's deadline, so the series does not drift.
  due=$((start + k * sample_secs * 1000000))
  while [ "$(now_us)" -lt "$due" ]; do sleep 0.2; done
  for name in "${apps[@]}"; do
    [ -e "/proc/${pid[$name]}" ] || fail "$name ended during the idle hour"
    read -r kb private _ < <(tree_memory "${pid[$name]}")
    record "$name" pss_sample "$k" "$kb" kB
    record "$name" private_sample "$k" "$private" kB
  done
  record machine foreign_webkit "$k" "$(foreign_webkit "${pid[@]}")" count
  if [ "$cpu_done" -eq 0 ] && [ $(($(now_us) - start)) -ge $((cpu_secs * 1000000)) ]; then
    cpu_end idle_cpu_fast_refresh lattica-tray
    cpu_done=1
  fi
  record_load load_idle "$k"
  [ $((k % 10)) -ne 0 ] || say "growth sample $k/$samples"
done

for name in "${apps[@]}"; do
  APP_PID=${pid[$name]} SERVICE=${svc[$name]} MENU=${mnu[$name]}
  quit_app
done

"$here/footprint-report.sh" "$csv" | tee "$BENCH_OUT/footprint.md"
