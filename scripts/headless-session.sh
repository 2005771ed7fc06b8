#!/usr/bin/env bash
# Runs a command inside a throwaway headless desktop session: a virtual X display, a private
# D-Bus session bus, an unlocked Secret Service (gnome-keyring), a StatusNotifier tray host and a
# notification daemon (dunst). HOME and the XDG folders point at a temporary directory, so nothing
# touches the user's real keychain or files. Usage: scripts/headless-session.sh CMD [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${LATTICA_IN_SESSION:-}" != 1 ]; then
  session_root=$(mktemp -d -t lattica-session.XXXXXX)
  # The document portal may leave a FUSE mount under runtime/doc: unmount it before cleaning.
  trap 'fusermount -u "$session_root/runtime/doc" 2>/dev/null || true; rm -rf "$session_root" 2>/dev/null || true' EXIT
  export LATTICA_SESSION_ROOT=$session_root
  # Keep the build environment (cargo, rustup) reachable from the fake HOME.
  export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo} RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
  export HOME=$session_root/home XDG_CONFIG_HOME=$session_root/config \
    XDG_DATA_HOME=$session_root/data XDG_CACHE_HOME=$session_root/cache \
    XDG_RUNTIME_DIR=$session_root/runtime XDG_STATE_HOME=$session_root/state
  mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
  mkdir -m 700 -p "$XDG_RUNTIME_DIR"
  export LATTICA_IN_SESSION=1
  status=0
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$@" || status=$?
  exit $status
fi

wait_for_name() { # a bus name, a deadline in seconds
  local deadline=$((SECONDS + $2))
  until busctl --user status "$1" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "headless-session: $1 did not appear on the session bus" >&2
      return 1
    fi
    sleep 0.1
  done
}

# The keyring daemon daemonizes and lives as long as the bus.
echo -n "lattica-session" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
wait_for_name org.freedesktop.secrets 10

status-notifier-watcher >"$LATTICA_SESSION_ROOT/watcher.log" 2>&1 &
watcher=$!
wait_for_name org.kde.StatusNotifierWatcher 10

mkdir -p "$XDG_CONFIG_HOME/dunst"
# A quiet daemon that keeps every notification on screen until a test closes it.
cat >"$XDG_CONFIG_HOME/dunst/dunstrc" <<'RC'
[global]
    timeout = 0
    history_length = 100
    # The context menu (dunstctl context) picks the action a test names in
    # $XDG_RUNTIME_DIR/dunst-pick, as a user picks one from the menu.
    dmenu = /bin/sh -c 'grep -m1 -F -- "$(cat "$XDG_RUNTIME_DIR/dunst-pick" 2>/dev/null)"'

[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
RC
dunst -config "$XDG_CONFIG_HOME/dunst/dunstrc" >"$LATTICA_SESSION_ROOT/dunst.log" 2>&1 &
notifier=$!
wait_for_name org.freedesktop.Notifications 10

cleanup() { kill "$watcher" "$notifier" 2>/dev/null || true; }
trap cleanup EXIT
status=0
"$@" || status=$?
exit $status
