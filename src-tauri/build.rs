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
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports failure by panicking; there is no other channel.
        panic!("tauri-build failed: {error:#}");
    }
}
