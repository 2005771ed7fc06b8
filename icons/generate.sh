#!/usr/bin/env bash
# Regenerates the committed PNGs from the SVG sources in icons/src.
# Needs rsvg-convert (Debian: librsvg2-bin). A build never runs this: the PNGs are committed.
set -euo pipefail
cd "$(dirname "$0")"
command -v rsvg-convert >/dev/null || { echo "rsvg-convert not found: apt-get install librsvg2-bin" >&2; exit 1; }

mkdir -p tray app
# Tray icons: one per state, 64 px (panels scale them down; 64 stays crisp on HiDPI).
for svg in src/tray-*.svg; do
  name=$(basename "$svg" .svg)
  rsvg-convert --width 64 --height 64 --format png "$svg" -o "tray/${name#tray-}.png"
done
# App icon in the sizes the bundler and the window manager ask for.
rsvg-convert -w 32 -h 32 src/app.svg -o app/32x32.png
rsvg-convert -w 128 -h 128 src/app.svg -o app/128x128.png
rsvg-convert -w 256 -h 256 src/app.svg -o app/128x128@2x.png
rsvg-convert -w 512 -h 512 src/app.svg -o app/icon.png
echo "icons regenerated"
