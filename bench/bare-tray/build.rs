//! Build script: embeds the Tauri context and declares the popover's commands, so that its
//! capability file grants exactly them.

/// Every command the bare apps expose over IPC; `capabilities/popover.json` grants them.
const COMMANDS: &[&str] = &["get_number", "hide_popover", "popover_painted"];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; there is no other channel.
        panic!("tauri-build failed: {error:#}");
    }
}
