//! The shell completions and the manual page of `lattica-tray`, generated from its clap
//! definitions ([`Args`]) so they never drift from the real options. The packages install
//! what these print (`scripts/package.sh`).

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Args, exit};

/// The command's name, as installed in `/usr/bin`.
const NAME: &str = "lattica-tray";

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut command = Args::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, NAME, &mut out);
    print_bytes(&out)
}

/// Prints the manual page, `lattica-tray(1)` in roff, on stdout.
pub fn man_page() -> ExitCode {
    let mut out = Vec::new();
    match clap_mangen::Man::new(Args::command()).render(&mut out) {
        Ok(()) => print_bytes(&out),
        Err(error) => {
            eprintln!("lattica-tray: cannot render the manual page: {error}");
            ExitCode::from(exit::FAILURE)
        }
    }
}

fn print_bytes(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("lattica-tray: cannot write: {error}");
            ExitCode::from(exit::FAILURE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manual_names_every_subcommand_and_option() {
        let mut out = Vec::new();
        clap_mangen::Man::new(Args::command())
            .render(&mut out)
            .unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.starts_with(".ie"), "{page}");
        for word in [
            "lattica\\-tray",
            "login",
            "logout",
            "status",
            "completions",
            "\\-\\-sandbox",
        ] {
            assert!(
                page.contains(word),
                "{word} missing from the manual:\n{page}"
            );
        }
    }

    #[test]
    fn bash_completion_offers_the_subcommands() {
        let mut out = Vec::new();
        clap_complete::generate(
            clap_complete::Shell::Bash,
            &mut Args::command(),
            NAME,
            &mut out,
        );
        let script = String::from_utf8(out).unwrap();
        assert!(script.contains("complete -F _lattica__tray"), "{script}");
        assert!(
            script.contains("login logout status reset completions"),
            "{script}"
        );
    }
}
