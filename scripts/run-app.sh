#!/usr/bin/env bash
# `make run`: starts Lattica Tray on its embedded sandbox, signed in to the demo account.
# On a desktop it simply runs the app. Without one (an SSH session, a CI box) it runs the app
# inside a virtual headless desktop instead and prints what the tray shows, read over D-Bus,
# until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
app=$PWD/target/debug/lattica-tray
# Extra flags for the app, e.g. `make run ARGS=--published-only` for the published platform.
read -r -a extra <<<"${ARGS:-}"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$app" --sandbox "${extra[@]}"
fi

echo "No desktop session (DISPLAY/WAYLAND_DISPLAY unset): running the app in a virtual"
echo "headless desktop and printing its tray every 5 s. Ctrl-C stops it."
scripts/install-deps.sh session
exec scripts/headless-session.sh bash -c '
  "$0" --sandbox "${@}" 2>"$LATTICA_SESSION_ROOT/app.log" &
  app=$!
  trap "kill $app 2>/dev/null" EXIT INT TERM
  while kill -0 $app 2>/dev/null; do
    sleep 5
    item=$(busctl --user --json=short get-property org.kde.StatusNotifierWatcher /StatusNotifierWatcher \
      org.kde.StatusNotifierWatcher RegisteredStatusNotifierItems | jq -r ".data[0] // empty")
    [ -n "$item" ] || { echo "(waiting for the tray item)"; continue; }
    obj=$(busctl --user tree "$item" --list | grep -m1 -x /StatusNotifierItem)
    label=$(busctl --user --json=short get-property "$item" "$obj" org.kde.StatusNotifierItem XAyatanaLabel | jq -r .data)
    menu=$(busctl --user --json=short get-property "$item" "$obj" org.kde.StatusNotifierItem Menu | jq -r .data)
    rows=$(busctl --user --json=short call "$item" "$menu" com.canonical.dbusmenu GetLayout iias 0 -- -1 0 |
      jq -r "[.data[1][2][].data[1].label.data // empty] | map(select(. != \"\")) | .[0:4] | join(\"  |  \")")
    echo "$(date +%T)  tray: $label  |  $rows"
  done
' "$app" "${extra[@]}"
