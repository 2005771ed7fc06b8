//! The `lattica-tray` launcher as built: it links no GUI library, so `status`, `login` and
//! `logout` never load GTK or WebKit, and it still answers as the command line.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

const LAUNCHER: &str = env!("CARGO_BIN_EXE_lattica-tray");

/// Names of the GUI libraries the tray app links (its ELF `NEEDED` entries name them).
const GUI_LIBRARIES: [&[u8]; 3] = [
    b"libgtk-3.so",
    b"libwebkit2gtk-4.1.so",
    b"libjavascriptcoregtk",
];

fn mentions(binary: &[u8], name: &[u8]) -> bool {
    binary.windows(name.len()).any(|w| w == name)
}

#[test]
fn the_command_line_links_no_gui_library() {
    let launcher = std::fs::read(LAUNCHER).unwrap();
    for library in GUI_LIBRARIES {
        assert!(
            !mentions(&launcher, library),
            "lattica-tray links {}",
            String::from_utf8_lossy(library)
        );
    }
    // The same check finds them in the tray app, where they belong (built beside it by the
    // workspace's tests).
    let app = Path::new(LAUNCHER).with_file_name("lattica-tray-app");
    if let Ok(app) = std::fs::read(&app) {
        assert!(mentions(&app, GUI_LIBRARIES[0]), "the check finds nothing");
    }
}

#[test]
fn it_answers_as_the_command_line() {
    let version = Command::new(LAUNCHER).arg("--version").output().unwrap();
    assert!(version.status.success());
    let text = String::from_utf8(version.stdout).unwrap();
    assert_eq!(
        text.trim(),
        format!("lattica-tray {}", env!("CARGO_PKG_VERSION"))
    );

    let unknown = Command::new(LAUNCHER).arg("frobnicate").output().unwrap();
    assert_eq!(unknown.status.code(), Some(2), "usage error");
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("frobnicate"));
}

#[test]
fn it_prints_its_manual_and_completions_without_a_session() {
    // No display, no keychain, no platform: what the packaging script runs on a build machine.
    let man = Command::new(LAUNCHER)
        .arg("man")
        .env_remove("DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    assert!(man.status.success(), "{man:?}");
    let page = String::from_utf8(man.stdout).unwrap();
    assert!(page.contains(".TH lattica-tray 1"), "{page}");
    for shell in ["bash", "zsh", "fish"] {
        let script = Command::new(LAUNCHER)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(script.status.success(), "{shell}: {script:?}");
        assert!(
            String::from_utf8_lossy(&script.stdout).contains("logout"),
            "{shell}"
        );
    }
    let bad = Command::new(LAUNCHER)
        .args(["completions", "cmd.exe"])
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn a_missing_tray_app_is_named() {
    // A copy of the launcher in a folder without the tray app beside it, and no PATH to find
    // one on.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("lattica-tray");
    std::fs::copy(LAUNCHER, &copy).unwrap();
    let out = Command::new(&copy)
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot start lattica-tray-app"), "{stderr}");
}
