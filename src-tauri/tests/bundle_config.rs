//! The bundle configuration of every platform, read as the Tauri CLI reads it for that
//! platform (`tauri.conf.json` merged with `tauri.<platform>.conf.json`): each parses, names the
//! installer that platform builds, and lists icons that exist in the format it needs. macOS is
//! never compiled here, so this is the only check its configuration gets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use tauri_utils::config::{BundleType, Config};
use tauri_utils::platform::Target;

fn config(target: Target) -> Config {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (merged, _files) = tauri_utils::config::parse::read_from(target, dir)
        .unwrap_or_else(|e| panic!("{target:?}: {e}"));
    serde_json::from_value(merged).unwrap_or_else(|e| panic!("{target:?}: {e}"))
}

/// The bundle's icons with the given extension, each checked to exist.
fn icons(config: &Config, extension: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found: Vec<String> = config
        .bundle
        .icon
        .iter()
        .filter(|icon| icon.ends_with(extension))
        .cloned()
        .collect();
    for icon in &found {
        assert!(dir.join(icon).is_file(), "{icon} is listed but missing");
    }
    found
}

#[test]
fn linux_builds_a_deb_with_png_icons() {
    let linux = config(Target::Linux);
    assert_eq!(linux.bundle.targets.to_vec(), [BundleType::Deb]);
    assert!(icons(&linux, ".png").len() >= 2);
}

#[test]
fn windows_builds_an_nsis_installer_with_an_ico() {
    let windows = config(Target::Windows);
    assert_eq!(windows.bundle.targets.to_vec(), [BundleType::Nsis]);
    assert_eq!(icons(&windows, ".ico"), ["../icons/app/icon.ico"]);
    let nsis = windows.bundle.windows.nsis.expect("an NSIS section");
    let installer_icon = nsis.installer_icon.expect("the installer's icon");
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(&installer_icon)
            .is_file(),
        "{}",
        installer_icon.display()
    );
}

#[test]
fn macos_builds_an_app_and_a_dmg_with_an_icns() {
    let macos = config(Target::MacOS);
    assert_eq!(
        macos.bundle.targets.to_vec(),
        [BundleType::App, BundleType::Dmg]
    );
    assert_eq!(icons(&macos, ".icns"), ["../icons/app/icon.icns"]);
}

#[test]
fn the_ico_holds_the_usual_sizes() {
    let ico =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../icons/app/icon.ico")).unwrap();
    // ICONDIR: reserved 0, type 1 (icon), count; then 16-byte entries whose first two bytes
    // are the width and height (0 meaning 256).
    assert_eq!(&ico[..4], &[0, 0, 1, 0]);
    let count = usize::from(u16::from_le_bytes([ico[4], ico[5]]));
    let sizes: Vec<u16> = (0..count)
        .map(|i| {
            let entry = &ico[6 + 16 * i..];
            assert_eq!(entry[0], entry[1], "square");
            if entry[0] == 0 {
                256
            } else {
                u16::from(entry[0])
            }
        })
        .collect();
    assert_eq!(sizes, [16, 24, 32, 48, 64, 256]);
}
