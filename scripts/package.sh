#!/usr/bin/env bash
# Builds the Linux packages (.deb and .rpm) with the Tauri bundler and writes them to
# target/package/out/, printing their sizes. Usage: scripts/package.sh [release|debug]
#   release (`make package`): optimised binaries built here with the feature Tauri's own
#     `tauri build` adds (tauri/custom-protocol), then bundled;
#   debug (`make package-test`): bundles the binaries of the workspace's debug build as they
#     are, so nothing is compiled again (README.md, Packages).
# Every package carries the three binaries (lattica-tray, lattica-tray-app, lattica-sandbox),
# the desktop entry, icons, AppStream metadata, the man page and the shell completions
# (generated from the clap definitions by the built `lattica-tray`), and the copyright file.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${1:-release}
# The Tauri CLI, pinned to the release matching the `tauri` crate in Cargo.lock. npm's
# prebuilt binary of the same CLI installs in seconds; `cargo install tauri-cli` compiles for
# many minutes (README.md, Packages).
cli_version=2.11.5
cli=$PWD/target/tauri-cli/node_modules/.bin/tauri
if ! "$cli" --version 2>/dev/null | grep -qx "tauri-cli $cli_version"; then
  echo "package: installing the Tauri CLI $cli_version (npm, prebuilt)" >&2
  npm install --prefix target/tauri-cli --no-save --no-audit --no-fund --loglevel=error \
    "@tauri-apps/cli@$cli_version" >&2
fi

bundle_args=(--bundles deb,rpm --config packaging/linux.conf.json --no-sign --ci)
case "$profile" in
  release)
    bin_dir=target/release
    scripts/build-release.sh
    # The app's code laid out as profiled (BENCHMARKS.md, "Resident code").
    scripts/order-functions.sh --check "$bin_dir/lattica-tray-app"
    ;;
  debug)
    bin_dir=target/debug
    # Built by `cargo nextest run --workspace --no-run` (make build), the tests' feature set.
    # Large unoptimised binaries: a fast rpm compression (the .deb is gzip either way).
    bundle_args+=(--debug --config '{"bundle":{"linux":{"rpm":{"compression":{"type":"gzip","level":1}}}}}')
    ;;
  *) echo "usage: scripts/package.sh [release|debug]" >&2; exit 2 ;;
esac

# The binaries as packaged: copies without symbols (Debian policy, lintian's
# unstripped-binary-or-object; the debug build's are mostly debug information, which also
# makes the bundler slow), in a target folder of their own where the bundler looks for them
# (and marks its bundle type in the main binary, leaving the build's own untouched).
tree=target/package/tree
rm -rf "$tree" && mkdir -p "$tree/$profile"
for b in lattica-tray lattica-tray-app lattica-sandbox; do
  [ -x "$bin_dir/$b" ] || { echo "package: $bin_dir/$b missing; run make build" >&2; exit 1; }
  strip --strip-unneeded -o "$tree/$profile/$b" "$bin_dir/$b"
done
bin_dir=$tree/$profile
export CARGO_TARGET_DIR=$PWD/$tree

# What the packages install besides the main binary, staged where linux.conf.json expects it.
stage=target/package/stage
rm -rf "$stage" && mkdir -p "$stage/bin" "$stage/completions" "$stage/icons"
triple=$(rustc -vV | sed -n 's/^host: //p')
for b in lattica-tray lattica-sandbox; do
  cp "$bin_dir/$b" "$stage/bin/$b-$triple"
done
"$bin_dir/lattica-tray" man | gzip -9n >"$stage/lattica-tray.1.gz"
gzip -9nc src-tauri/packaging/changelog >"$stage/changelog.gz"
"$bin_dir/lattica-tray" completions bash >"$stage/completions/lattica-tray.bash"
"$bin_dir/lattica-tray" completions zsh >"$stage/completions/_lattica-tray"
"$bin_dir/lattica-tray" completions fish >"$stage/completions/lattica-tray.fish"
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" icons/src/app.svg -o "$stage/icons/$size.png"
done
chmod 644 "$stage"/*.gz "$stage"/completions/* "$stage"/icons/*

# Each package depends on the glibc release its binaries need (the newest symbol version they use).
glibc=$(objdump -T "$bin_dir"/lattica-tray-app "$stage"/bin/* | grep -o 'GLIBC_[0-9.]*' |
  sed 's/GLIBC_//' | sort -uV | tail -1)
deb_depends=$(jq -c --arg libc "libc6 (>= $glibc)" '.bundle.linux.deb.depends + [$libc]' \
  src-tauri/packaging/linux.conf.json)
rpm_depends=$(jq -c --arg libc "libc.so.6(GLIBC_$glibc)(64bit)" '.bundle.linux.rpm.depends + [$libc]' \
  src-tauri/packaging/linux.conf.json)
bundle_args+=(--config "{\"bundle\":{\"linux\":{\"deb\":{\"depends\":$deb_depends},\"rpm\":{\"depends\":$rpm_depends}}}}")

rm -rf "$bin_dir/bundle/deb" "$bin_dir/bundle/rpm"
(cd src-tauri && "$cli" bundle "${bundle_args[@]}")

out=target/package/out
rm -rf "$out" && mkdir -p "$out"
# The bundler names them after the product name; the package is called lattica-tray.
for f in "$bin_dir"/bundle/deb/*.deb "$bin_dir"/bundle/rpm/*.rpm; do
  name=$(basename "$f")
  cp "$f" "$out/lattica-tray${name#Lattica Tray}"
done
echo "package: $profile packages in $out:"
ls -l "$out" | awk 'NR > 1 { printf "  %-40s %6.1f MiB\n", $9, $5 / 1048576 }'
