//! The bare tray app whose popover webview is created hidden at start and kept for good.

fn main() -> std::process::ExitCode {
    bare_tray::run(bare_tray::Variant::Hidden)
}
