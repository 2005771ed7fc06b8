//! `lattica-tray`, the command users and scripts run. `login`, `logout` and `status` run here,
//! in a process that links no GUI library (no GTK, no WebKit): they start in milliseconds and
//! work without a display. Without a subcommand it becomes the tray app, `lattica-tray-app`
//! beside it, with the same arguments (on Unix by `exec`, so the process stays the same).

use std::process::{Command, ExitCode};

use clap::Parser;
use lattica_app::cli::{self, Args};

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Some(command) => cli::run(command, args.sandbox),
        None => start_tray_app(),
    }
}

fn start_tray_app() -> ExitCode {
    let program = cli::tray_app_program();
    let mut command = Command::new(&program);
    command.args(std::env::args_os().skip(1));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Only returns on failure.
        let error = command.exec();
        eprintln!("lattica-tray: cannot start {}: {error}", program.display());
        ExitCode::from(cli::exit::FAILURE)
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) => ExitCode::from(
            status
                .code()
                .and_then(|code| u8::try_from(code).ok())
                .unwrap_or(cli::exit::FAILURE),
        ),
        Err(error) => {
            eprintln!("lattica-tray: cannot start {}: {error}", program.display());
            ExitCode::from(cli::exit::FAILURE)
        }
    }
}
