//! The `lattica-tray-app` binary (started by `lattica-tray`): everything lives in the library
//! so tests can reach it.
fn main() -> std::process::ExitCode {
    lattica_tray::main()
}
