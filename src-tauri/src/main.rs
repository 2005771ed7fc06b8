//! The `lattica-tray-app` binary (started by `lattica-tray`): everything lives in the library
//! so tests can reach it.
// Windows: a release build opens no console window beside the tray (users type commands to
// `lattica-tray`, which has one).
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]
fn main() -> std::process::ExitCode {
    lattica_tray::main()
}
