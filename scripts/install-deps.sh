#!/usr/bin/env bash
# Installs what building, running and testing Lattica Tray needs, and only what is missing:
# Debian packages (Tauri's WebKitGTK stack and the headless desktop session), the Rust
# components, tauri-driver, and the Python environment that runs the official Lattica clients.
# Usage: scripts/install-deps.sh [build|session|test|icons|installer|package]
#   build: what building and running needs; session: + the headless desktop session;
#   test: + tauri-driver, the Python clients, and the Windows target with the MinGW compiler
#   (for `make lint-windows`: its build scripts compile C for Windows); icons: the tools
#   `make icons` uses (a build never regenerates the committed icons); installer: what
#   building the Windows installer needs besides the Tauri CLI (NSIS, MinGW, the Windows
#   target; README.md, Platforms); package: what `make package` and `make package-test` need
#   besides the Tauri CLI (rpm to build the .rpm, the validators: lintian, desktop-file-utils,
#   appstream; README.md, Packages)
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-test}

build_pkgs=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev build-essential
  pkg-config libssl-dev librsvg2-bin)
test_pkgs=(xvfb xauth x11-utils webkit2gtk-driver gnome-keyring libsecret-tools dunst keyutils
  haskell-status-notifier-item-utils imagemagick xdotool libdbusmenu-tools jq wrk python3-venv
  gcc-mingw-w64-x86-64)
icon_pkgs=(librsvg2-bin imagemagick icnsutils)
installer_pkgs=(nsis gcc-mingw-w64-x86-64)
package_pkgs=(rpm lintian desktop-file-utils appstream file)
# npm fetches the prebuilt Tauri CLI; a Node.js from elsewhere (NodeSource) carries its own npm.
command -v npm >/dev/null || package_pkgs+=(npm)
# dbus-daemon (headless-session.sh and lattica-sni's tests) comes with gnome-keyring's session bus;
# it is its own package only since Debian 12 (before: dbus), so it is not named here.
# Deliberately absent: dbus-x11 (it autostarts a stray session bus under ~/.dbus).

case "$what" in
  build) pkgs=("${build_pkgs[@]}") ;;
  icons) pkgs=("${icon_pkgs[@]}") ;;
  installer) pkgs=("${build_pkgs[@]}" "${installer_pkgs[@]}") ;;
  # The headless session's packages too: package-test runs the installed app in it.
  package) pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}" "${package_pkgs[@]}") ;;
  *) pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

[ "$what" = icons ] && exit 0

command -v cargo >/dev/null || { echo "install-deps: cargo not found; install Rust with rustup first" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

if [ "$what" = test ] || [ "$what" = package ]; then
  if ! cargo nextest --version >/dev/null 2>&1; then
    echo "install-deps: installing cargo-nextest" >&2
    cargo install cargo-nextest --locked --quiet
  fi
fi
if [ "$what" = test ]; then
  if ! command -v tauri-driver >/dev/null || ! tauri-driver --help >/dev/null 2>&1; then
    echo "install-deps: installing tauri-driver" >&2
    cargo install tauri-driver --locked --version '^2' --quiet
  fi
  scripts/python-env.sh >/dev/null
fi
if [ "$what" = test ] || [ "$what" = installer ]; then
  # The Windows target for `make lint-windows`. Not fatal: where rustup cannot add it (no
  # network, a toolchain not managed by rustup) that step says so and is skipped.
  win=x86_64-pc-windows-gnu
  if ! rustup target list --installed 2>/dev/null | grep -qx "$win"; then
    echo "install-deps: adding the Rust target $win" >&2
    rustup target add "$win" >&2 || echo "install-deps: could not add $win; make lint-windows will be skipped" >&2
  fi
fi
