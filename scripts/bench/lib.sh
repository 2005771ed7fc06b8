# Helpers for scripts/bench/footprint-session.sh: the tray item over D-Bus, the popover's paint
# mark in an app's log, and a process tree's memory and CPU from /proc. Sourced, not run.
#
# Times are microseconds since the epoch: $EPOCHREALTIME (bash 5, no fork) on our side and the
# log line's RFC 3339 timestamp on the app's side; both read the same realtime clock.

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# --- The platform ------------------------------------------------------------------------------

# Starts the sandbox from binaries folder $1 with its data in $2, outside any measured process
# tree, as a remote platform would be, and signs lattica-tray in to it (the keychain of the
# session); exports LATTICA_BE_URL and sets PLATFORM_PID. The caller ends it.
start_platform() { # binaries data
  local line
  mkdir -p "$2"
  coproc PLATFORM { exec "$1/lattica-sandbox" --listen 127.0.0.1:0 --data "$2" 2>/dev/null; }
  read -r line <&"${PLATFORM[0]}" || { echo "the platform did not start" >&2; return 1; }
  LATTICA_BE_URL=$(jq -r .url <<<"$line")
  export LATTICA_BE_URL
  jq -r .token <<<"$line" | "$1/lattica-tray" login >/dev/null ||
    { echo "lattica-tray login to the platform failed" >&2; return 1; }
}

# --- The tray item, as a tray host sees it ---------------------------------------------------

# The watcher's registered items, one per line ("SERVICE" or "SERVICE/OBJECT/PATH").
tray_items() {
  busctl --user --json=short get-property org.kde.StatusNotifierWatcher /StatusNotifierWatcher \
    org.kde.StatusNotifierWatcher RegisteredStatusNotifierItems 2>/dev/null | jq -r '.data[]'
}

# Waits until an item not in $1 (a newline-separated list) is registered; prints
# "TIME_US ENTRY", TIME_US being when the poll that saw it started. Polls every 5 ms.
wait_new_item() { # known-items deadline-seconds
  local known=$1 deadline=$((SECONDS + $2)) started entry
  while [ $SECONDS -lt "$deadline" ]; do
    started=$(now_us)
    entry=$(tray_items | grep -vxF -e "${known:-<none>}" | head -n1 || true)
    if [ -n "$entry" ]; then
      echo "$started $entry"
      return 0
    fi
    sleep 0.005
  done
  return 1
}

# "SERVICE OBJECT MENU" for a registered entry. The app's item is at /StatusNotifierItem;
# the baseline (bench/bare-tray, Tauri's tray through libappindicator) at
# /org/ayatana/NotificationItem/<id>.
item_paths() { # entry
  local service=${1%%/*} object=
  [ "$1" != "$service" ] && object=/${1#*/}
  if [ -z "$object" ]; then
    object=$(busctl --user tree "$service" --list |
      grep -m1 -E '^(/StatusNotifierItem|/org/ayatana/NotificationItem/[^/]+)$')
  fi
  local menu
  menu=$(busctl --user --json=short get-property "$service" "$object" \
    org.kde.StatusNotifierItem Menu | jq -r .data)
  echo "$service $object $menu"
}

# The text next to the icon.
item_label() { # service object
  busctl --user --json=short get-property "$1" "$2" org.kde.StatusNotifierItem XAyatanaLabel |
    jq -r .data
}

# The dbusmenu id of the top-level entry labelled exactly $3 (mnemonic underscores dropped).
menu_id() { # service menu label
  busctl --user --json=short call "$1" "$2" com.canonical.dbusmenu GetLayout iias 0 -- -1 0 |
    jq -r --arg want "$3" '.data[1][2][].data
      | select((.[1]["label"].data // "" | gsub("_"; "")) == $want) | .[0]' | head -n1
}

# Clicks a menu entry by id, as a tray host does (this runs the app's own menu handler).
menu_click() { # service menu id
  busctl --user call "$1" "$2" com.canonical.dbusmenu Event isvu "$3" clicked s "" 0 >/dev/null
}

# --- The paint mark in the app's log ----------------------------------------------------------

MARK='bench: popover painted'

mark_count() { grep -c "$MARK" "$1" 2>/dev/null || true; }

# Waits for mark number $2 in log $1; prints its timestamp in microseconds since the epoch.
wait_mark() { # log n deadline-seconds
  local deadline=$((SECONDS + $3)) line
  while [ $SECONDS -lt "$deadline" ]; do
    if [ "$(mark_count "$1")" -ge "$2" ]; then
      # The first field is the RFC 3339 time (colours stripped in case a terminal slipped in).
      line=$(grep "$MARK" "$1" | sed -n "$2p" | sed 's/\x1b\[[0-9;]*m//g')
      date -u -d "${line%% *}" +%s%6N
      return 0
    fi
    sleep 0.01
  done
  return 1
}

# --- The popover's window ---------------------------------------------------------------------

# The popover's window title for app $1 (lattica-tray, lattica-tray-app or a bare app).
popover_title() { case $1 in lattica-tray*) echo Lattica ;; *) echo "Bare popover" ;; esac; }

# Hides the popover the way a user does, with Escape (the page's own handler hides it). A key
# can land before the focus does; press again, as a user would, until it is hidden. Fails when
# it is still shown after 15 s.
hide_popover() { # name
  local title wid deadline=$((SECONDS + 15)) tries
  title=$(popover_title "$1")
  while wid=$(xdotool search --onlyvisible --name "^$title\$" | head -n1) && [ -n "$wid" ]; do
    [ $SECONDS -lt $deadline ] || return 1
    timeout 5 xdotool windowfocus --sync "$wid" key Escape || true
    for tries in $(seq 20); do
      xdotool search --onlyvisible --name "^$title\$" >/dev/null 2>&1 || return 0
      sleep 0.05
    done
  done
}

# --- A process tree from /proc ----------------------------------------------------------------

# The pid and all its descendants (WebKit's web and network processes), one per line.
tree_pids() { # pid
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2 }
    END {
      keep[root] = 1; changed = 1
      while (changed) {
        changed = 0
        for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; changed = 1 }
      }
      for (p in keep) if (p in parent) print p
    }'
}

# The tree's memory in kB and its number of processes: "PSS PRIVATE COUNT". PSS charges each
# shared page in part, so it falls when other processes on the machine map the same libraries
# (another WebKit app); private memory (Private_Clean + Private_Dirty) does not, which makes it
# the steadier series for growth.
tree_memory() { # pid
  local pss=0 private=0 count=0 pid p c d
  for pid in $(tree_pids "$1"); do
    read -r p c d < <(awk '/^Pss:/ { p = $2 } /^Private_Clean:/ { c = $2 }
      /^Private_Dirty:/ { d = $2 } END { print p + 0, c + 0, d + 0 }' \
      "/proc/$pid/smaps_rollup" 2>/dev/null) || continue
    [ "${p:-0}" -gt 0 ] || continue
    pss=$((pss + p)) private=$((private + c + d)) count=$((count + 1))
  done
  echo "$pss $private $count"
}

# WebKit processes on the machine outside the given trees: they lower every PSS figure.
foreign_webkit() { # pid...
  local ours=" " root pid count=0
  for root in "$@"; do ours+="$(tree_pids "$root" | tr '\n' ' ')"; done
  for pid in $(pgrep -f 'WebKit(Web|Network)Process' || true); do
    [[ $ours == *" $pid "* ]] || count=$((count + 1))
  done
  echo "$count"
}

# The program file's own code in process $1: "RESIDENT_KB SIZE_KB" of its executable mapping
# (the kernel maps code around each page run, so resident is more than what ran).
code_resident() { # pid
  awk -v exe="$(readlink "/proc/$1/exe")" '/^[0-9a-f]+-[0-9a-f]+ / { on = ($2 ~ /x/ && $6 == exe) }
    on && /^Size:/ { size += $2 } on && /^Rss:/ { rss += $2 } END { print rss + 0, size + 0 }' \
    "/proc/$1/smaps"
}

# CPU time of the tree in clock ticks: user + system of every live process, plus what the root
# has collected from children that already ended.
tree_ticks() { # pid
  local total=0 pid stat fields
  for pid in $(tree_pids "$1"); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    # Fields after the command name, which may hold spaces: state is field 3, utime 14.
    read -r -a fields <<<"${stat##*) }"
    total=$((total + fields[11] + fields[12]))
    [ "$pid" = "$1" ] && total=$((total + fields[13] + fields[14]))
  done
  echo "$total"
}
