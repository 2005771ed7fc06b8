//! Build script: embeds the Tauri context and declares the app's own commands, so that each
//! window's capability file can grant exactly the commands that window needs.

/// Every command the shell exposes over IPC; `capabilities/*.json` grant them per window.
const COMMANDS: &[&str] = &[
    "next_view",
    "refresh_now",
    "dismiss_notices",
    "hide_popover",
    "open_settings",
    "open_add_credit",
    "open_sign_in",
    "popover_painted",
    "payment_context",
    "payment_quote",
    "payment_begin",
    "payment_pay",
    "payment_authenticated",
    "payment_check_again",
    "payment_cancel",
    "payment_done",
    "quick_top_up_offer",
    "quick_top_up",
    "saved_cards",
    "remove_saved_card",
    "auto_top_up_state",
    "auto_top_up_preview",
    "auto_top_up_enable",
    "auto_top_up_disable",
    "sign_in",
    "sign_in_context",
    "sign_out",
    "try_demo",
    "leave_demo",
    "get_settings",
    "save_settings",
    "send_test_notification",
];

fn main() {
    order_functions();
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; there is no other channel.
        panic!("tauri-build failed: {error:#}");
    }
}

/// Lays out the functions the app runs while it idles side by side at the start of its code
/// (`layout/functions.order`, written by `scripts/order-functions.sh`), so that its resident
/// code is about what it runs: the kernel maps a binary's code by 64 KiB windows around each
/// page it runs, and scattered functions pull in their never-run neighbours (BENCHMARKS.md,
/// "Resident code"). Release builds of the app on x86_64 Linux only, where rustc links with its
/// own LLD (`LATTICA_FUNCTION_ORDER=off` for a toolchain that links with another linker); a
/// function missing from the list is only placed after the listed ones.
fn order_functions() {
    let list = std::path::Path::new("layout/functions.order");
    println!("cargo:rerun-if-changed={}", list.display());
    println!("cargo:rerun-if-env-changed=LATTICA_FUNCTION_ORDER");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("LATTICA_FUNCTION_ORDER") == "off"
        || var("PROFILE") != "release"
        || var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ARCH") != "x86_64"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || !list.exists()
    {
        return;
    }
    let absolute = std::path::Path::new(&var("CARGO_MANIFEST_DIR")).join(list);
    for arg in [
        format!("-Wl,--symbol-ordering-file={}", absolute.display()),
        "-Wl,--no-warn-symbol-ordering".to_owned(),
    ] {
        println!("cargo:rustc-link-arg-bin=lattica-tray-app={arg}");
    }
}
