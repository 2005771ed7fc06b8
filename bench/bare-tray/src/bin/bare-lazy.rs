//! The bare tray app whose popover webview exists only while the popover is open.

fn main() -> std::process::ExitCode {
    bare_tray::run(bare_tray::Variant::Lazy)
}
