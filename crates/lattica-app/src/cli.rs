//! The command line: `lattica-tray [--sandbox]` runs the tray app; `login`, `logout` and
//! `status` serve scripts, and `status --watch` panels without a tray. They run in the
//! `lattica-tray` launcher, which links no GUI library, so they work without a display and
//! start in a few milliseconds.

use std::io::Read;
use std::process::ExitCode;

use chrono::{DateTime, Local, Utc};
use clap::{Parser, Subcommand};
use lattica_core::settings::SettingsStore;

mod observe;
mod status;
mod watch;
mod waybar;

pub use watch::REFRESH_SECS_ENV;

use crate::backend::Backend;
use crate::error::AppError;
use crate::paths::AppPaths;
use crate::session::Sessions;

/// The tray app's program, which `lattica-tray` starts when given no subcommand.
pub const TRAY_APP: &str = "lattica-tray-app";

/// [`TRAY_APP`] beside the running binary, else from `PATH`.
pub fn tray_app_program() -> std::path::PathBuf {
    crate::paths::program_beside(TRAY_APP)
}

/// Exit codes, so scripts can tell failures apart.
pub mod exit {
    /// Bad usage, or a token that is empty or malformed.
    pub const USAGE: u8 = 2;
    /// Not signed in, or the platform refused the token.
    pub const NOT_SIGNED_IN: u8 = 3;
    /// The OS keychain is not available.
    pub const KEYCHAIN: u8 = 4;
    /// The platform could not be reached or answered with an error; `status` still prints the
    /// last figures recorded, marked stale.
    pub const UNAVAILABLE: u8 = 5;
    /// No display for the tray app.
    pub const NO_DISPLAY: u8 = 6;
    /// Anything else.
    pub const FAILURE: u8 = 1;
}

/// Lattica Tray: your Lattica credit balance in the desktop tray.
#[derive(Debug, Parser)]
#[command(name = "lattica-tray", version, about)]
pub struct Args {
    /// Start the local sandbox platform (a process of its own, stopped with the app) and sign
    /// in to its demo account (its data is kept in the app's data folder).
    #[arg(long)]
    pub sandbox: bool,
    /// With `--sandbox`: serve only the endpoints the Lattica platform publishes (no pricing,
    /// no payments API), as real accounts have it today.
    #[arg(long, requires = "sandbox")]
    pub published_only: bool,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

impl Args {
    /// The demo sandbox to start, if any.
    pub fn demo(&self) -> Option<crate::demo::Profile> {
        self.sandbox.then_some(if self.published_only {
            crate::demo::Profile::Published
        } else {
            crate::demo::Profile::Full
        })
    }
}

/// The forms of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned lines for people.
    Text,
    /// JSON with stable field names for scripts (one line per change with `--watch`).
    Json,
    /// One line of waybar's custom-module JSON (`"return-type": "json"`).
    Waybar,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Read a session token from standard input, check it with the platform and store it in
    /// the system keychain.
    Login,
    /// Remove the stored session token.
    Logout,
    /// Print the balance, estimated usage time, last payment, token expiry and data age.
    ///
    /// With `--watch` it keeps running and prints again whenever the figures change (at the
    /// refresh interval of the settings), for panels without a tray: `--watch --format
    /// waybar` prints one line of waybar's custom-module JSON per change (text, tooltip and a
    /// class: ok, low, critical, empty, stale, signed-out, error). SIGTERM or SIGINT end it.
    Status {
        /// Print JSON instead of text (the same as `--format json`).
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// What to print.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Keep running: print again whenever the figures change, at every refresh.
        #[arg(long)]
        watch: bool,
    },
    /// Remove everything the app keeps for you: the session token in the keychain, the
    /// launch-at-login entry, settings, history and logs (removing the package keeps them).
    /// Lists them unless given `--yes`.
    Reset {
        /// Remove them.
        #[arg(long)]
        yes: bool,
    },
    /// Print a completion script for a shell (the packages install them).
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from these definitions.
    #[command(hide = true)]
    Man,
}

/// Runs a subcommand to completion.
pub fn run(command: CliCommand, sandbox: bool) -> ExitCode {
    match command {
        CliCommand::Completions { shell } => return crate::manual::completions(shell),
        CliCommand::Man => return crate::manual::man_page(),
        _ => {}
    }
    if sandbox {
        eprintln!(
            "lattica-tray: --sandbox starts the tray app with its own sandbox; `login`, \
             `logout` and `status` talk to LATTICA_BE_URL (point it at a running sandbox)"
        );
        return ExitCode::from(exit::USAGE);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(exit::FAILURE, &format!("cannot start: {error}")),
    };
    let paths = match AppPaths::resolve() {
        Ok(paths) => paths,
        Err(error) => return fail(exit::FAILURE, &error.to_string()),
    };
    // stderr carries the command's own messages; the log file gets the details.
    crate::logging::init(&paths.log_dir, "off");
    let settings = SettingsStore::new(paths.settings_file())
        .load()
        .map(|o| o.settings)
        .unwrap_or_default();
    let backend = match Backend::from_env_and_settings(&settings) {
        Ok(backend) => backend,
        Err(error) => return fail(exit::USAGE, &format!("invalid backend URL: {error}")),
    };
    let sessions = Sessions::new(backend, Sessions::os_keychain());
    runtime.block_on(async {
        match command {
            CliCommand::Login => login(&sessions).await,
            CliCommand::Logout => logout(&sessions).await,
            CliCommand::Status {
                json,
                format,
                watch,
            } => {
                let format = if json { Format::Json } else { format };
                status::status(sessions, &paths, &settings, format, watch).await
            }
            CliCommand::Reset { yes } => crate::reset::run(&sessions, &paths, yes).await,
            // Printed above, before any runtime or keychain is touched.
            CliCommand::Completions { .. } | CliCommand::Man => ExitCode::SUCCESS,
        }
    })
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("lattica-tray: {}", terminal_safe(message));
    ExitCode::from(code)
}

/// Text as it may reach a terminal: every control character (C0, DEL, C1: escape sequences,
/// a title change, a clear screen, a stray line break) and every bidirectional override
/// becomes `�`. Whatever came from the server (an e-mail, a currency, a message) passes here
/// before it is printed.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            if c.is_control() || bidi {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// JSON for a terminal: serde escapes C0 controls inside strings but writes C1 controls
/// (`\u{9b}` starts a sequence on some terminals) as they are; these become `\u009b` here.
fn json_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{7f}' {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn code_of(error: &AppError) -> u8 {
    match error {
        AppError::InvalidToken(_) => exit::USAGE,
        AppError::TokenRejected
        | AppError::TokenRevoked
        | AppError::TokenExpired
        | AppError::NotSignedIn => exit::NOT_SIGNED_IN,
        AppError::Keychain(_) => exit::KEYCHAIN,
        AppError::Network(_) | AppError::Server(_) => exit::UNAVAILABLE,
        _ => exit::FAILURE,
    }
}

/// The error as a window would say it, and for a terminal the cause behind it too.
fn report(error: &AppError) -> ExitCode {
    match error {
        AppError::Network(cause) | AppError::Server(cause) => {
            fail(code_of(error), &format!("{error} ({cause})"))
        }
        _ => fail(code_of(error), &error.to_string()),
    }
}

/// Longest input read from stdin: a token is far shorter, and a stray file must not be slurped.
const MAX_STDIN: u64 = 64 * 1024;

async fn login(sessions: &Sessions) -> ExitCode {
    let mut input = String::new();
    if let Err(error) = std::io::stdin().take(MAX_STDIN).read_to_string(&mut input) {
        return fail(
            exit::USAGE,
            &format!("cannot read the token from standard input: {error}"),
        );
    }
    match sessions.sign_in(&input).await {
        Ok(signed) => {
            let info = signed.info;
            let who = info.email.as_deref().unwrap_or("the Lattica account");
            let until = info
                .token_expires_at
                .map(|at| format!(" (token valid until {})", local(at)))
                .unwrap_or_default();
            say(&format!(
                "Signed in as {who}{until}; the token is in the system keychain."
            ));
            ExitCode::SUCCESS
        }
        Err(error) => report(&error),
    }
}

async fn logout(sessions: &Sessions) -> ExitCode {
    match sessions.sign_out().await {
        Ok(()) => {
            say("Signed out; the token was removed from the system keychain.");
            ExitCode::SUCCESS
        }
        Err(error) => report(&error),
    }
}

#[allow(clippy::print_stdout)] // The command's output is the point.
fn say(message: &str) {
    println!("{}", terminal_safe(message));
}

fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod terminal_tests {
    use super::*;

    #[test]
    fn escapes_from_the_server_never_reach_the_terminal() {
        let hostile = "ada@example.com\u{1b}]0;pwned\u{7}\u{1b}[2J\nnext\u{9b}31m\u{202e}gpj.exe";
        let shown = terminal_safe(hostile);
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(!shown.contains('\u{202e}'), "{shown:?}");
        assert!(
            shown.starts_with("ada@example.com\u{fffd}]0;pwned"),
            "{shown:?}"
        );
        assert_eq!(
            terminal_safe("1,234.50 credits · $10.00"),
            "1,234.50 credits · $10.00"
        );

        let json = serde_json::to_string(&serde_json::json!({ "currency": hostile })).unwrap();
        let printed = json_safe(&json);
        assert!(!printed.chars().any(char::is_control), "{printed:?}");
        let back: serde_json::Value = serde_json::from_str(&printed).unwrap();
        assert_eq!(back["currency"], hostile, "the JSON still means the same");
    }
}
