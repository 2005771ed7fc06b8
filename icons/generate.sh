#!/usr/bin/env bash
# Regenerates the committed icons from the SVG sources in icons/src: the tray PNGs, the app
# PNGs (Linux), `app/icon.ico` (Windows: the executable's icon and the installer's) and
# `app/icon.icns` (macOS). A build never runs this: the icons are committed.
# Needs rsvg-convert (librsvg2-bin), ImageMagick's convert and png2icns (icnsutils); `make icons`
# installs them with `scripts/install-deps.sh icons`.
set -euo pipefail
cd "$(dirname "$0")"
for tool in rsvg-convert convert png2icns; do
  command -v "$tool" >/dev/null || { echo "$tool not found: run scripts/install-deps.sh icons" >&2; exit 1; }
done

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

# Each size drawn from the SVG itself (not scaled down from one bitmap), so small ones stay sharp.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" src/app.svg -o "$work/$size.png"
done
# Windows: the sizes Explorer, the taskbar and the title bar pick from (256 is stored as PNG).
convert "$work"/{16,24,32,48,64,256}.png app/icon.ico
# macOS: 16, 32, 48, 128, 256 and 512 px (png2icns picks each element's type from its size).
png2icns app/icon.icns "$work"/{16,32,48,128,256,512}.png >/dev/null
echo "icons regenerated"
