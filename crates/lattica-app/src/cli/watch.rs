//! `status --watch`: looks at the account right away and then at every refresh interval of
//! the settings, and prints what it shows whenever that changed (one line per change in the
//! JSON and waybar formats), flushed at once so a panel shows it. Transient failures never
//! end it: the platform unreachable keeps the last figures (marked stale), signed out says so
//! and keeps looking (the user may sign in). SIGTERM or SIGINT end it with status 0 between
//! two lines; so does a reader that went away (the panel restarted).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use chrono::Utc;
use lattica_core::settings::Settings;

use super::observe::Observer;
use super::status::render;
use super::{Format, exit, fail};

/// Replaces the settings' refresh interval, in seconds (1 to 3600): the tray app's override,
/// for tests and trials.
pub const REFRESH_SECS_ENV: &str = "LATTICA_TRAY_REFRESH_SECS";

/// The interval between looks: [`REFRESH_SECS_ENV`] when set to a whole number of seconds in
/// range, else the settings'.
fn interval(settings: &Settings) -> Duration {
    std::env::var(REFRESH_SECS_ENV)
        .ok()
        .and_then(|raw| raw.trim().parse::<u64>().ok())
        .filter(|secs| (1..=3600).contains(secs))
        .map_or_else(|| settings.refresh_interval(), Duration::from_secs)
}

pub(super) async fn watch(mut observer: Observer, settings: &Settings, format: Format) -> ExitCode {
    // Installed before the first look, so a signal during it is not lost.
    let stop = match stop_signal() {
        Ok(stop) => stop,
        Err(error) => {
            return fail(
                exit::FAILURE,
                &format!("cannot listen for termination signals: {error}"),
            );
        }
    };
    tokio::pin!(stop);
    let every = interval(settings);
    let backend = observer.sessions().backend().url().to_owned();
    let mut shown: Option<String> = None;
    loop {
        let seen = tokio::select! {
            () = &mut stop => return ExitCode::SUCCESS,
            seen = observer.look() => seen,
        };
        let out = render(&seen, settings, &backend, format, Utc::now(), true);
        if shown.as_deref() != Some(out.as_str()) {
            // Text takes several lines: a blank one between two.
            let gap = if format == Format::Text && shown.is_some() {
                "\n"
            } else {
                ""
            };
            match print(&format!("{gap}{out}")) {
                Ok(()) => {}
                // The panel closed our output (it restarted): nobody is left to tell.
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
                    return ExitCode::SUCCESS;
                }
                Err(error) => {
                    return fail(exit::FAILURE, &format!("cannot write the status: {error}"));
                }
            }
            shown = Some(out);
        }
        tokio::select! {
            () = &mut stop => return ExitCode::SUCCESS,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// Prints `out` and a line break, flushed; a failure to write is reported.
pub(super) fn print_or_fail(out: &str) -> ExitCode {
    match print(out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => fail(exit::FAILURE, &format!("cannot write the status: {error}")),
    }
}

/// One write of the whole text and its line break, then a flush: a panel never reads half a
/// line, and a signal is only seen between two prints.
fn print(out: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let mut line = String::with_capacity(out.len() + 1);
    line.push_str(out);
    line.push('\n');
    stdout.write_all(line.as_bytes())?;
    stdout.flush()
}

/// Resolves at the first SIGTERM or SIGINT (Ctrl+C elsewhere). The handlers are installed
/// when this is called, not when first polled.
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    let mut ctrl_c = tokio::signal::windows::ctrl_c()?;
    Ok(async move {
        ctrl_c.recv().await;
    })
}
