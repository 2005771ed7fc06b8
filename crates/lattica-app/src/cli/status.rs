//! `status`: the balance, estimated usage time, last payment, token expiry and data age as
//! text, as JSON for scripts (`--json`, `--format json`) or as a waybar line; once, or with
//! `--watch` at every refresh.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use lattica_core::history::History;
use lattica_core::settings::Settings;
use lattica_core::view::PopoverView;
use serde::Serialize;

use super::observe::{Observation, Observer};
use super::{Format, code_of, json_safe, local, report, terminal_safe, waybar};
use crate::error::AppError;
use crate::paths::AppPaths;
use crate::session::Sessions;

/// `status --json`: stable field names for scripts. Credits are decimal strings.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusReport {
    backend: String,
    balance: String,
    balance_text: String,
    level: Option<lattica_core::level::Level>,
    estimate: Option<String>,
    estimate_note: Option<String>,
    /// The rate the estimate rests on: `at platform prices`, `at your observed usage` or
    /// `at list prices`.
    estimate_basis: Option<String>,
    running_workers: usize,
    last_payment: Option<LastPaymentReport>,
    token_expires_at: Option<DateTime<Utc>>,
    fetched_at: DateTime<Utc>,
    data_age_seconds: i64,
    /// The platform could not be reached: these are the last figures recorded locally.
    stale: bool,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LastPaymentReport {
    at: DateTime<Utc>,
    credits: String,
    amount_minor: i64,
    currency: String,
}

/// `status --watch` without figures to show (signed out, nothing reachable yet), as JSON.
#[derive(Debug, Serialize)]
struct NoFigures<'a> {
    state: lattica_core::view::TrayState,
    message: &'a str,
}

/// Runs `status`.
pub(super) async fn status(
    sessions: Sessions,
    paths: &AppPaths,
    settings: &Settings,
    format: Format,
    watch: bool,
) -> ExitCode {
    let history = History::open(&paths.history_db(false))
        .ok()
        .map(|o| o.history);
    let mut observer = Observer::new(sessions, history);
    if watch {
        return super::watch::watch(observer, settings, format).await;
    }
    let seen = observer.look().await;
    let backend = observer.sessions().backend().url().to_owned();
    if format == Format::Waybar {
        // The line itself says what went wrong (signed out, unreachable): exit 0 so that a
        // panel shows it rather than treating the module as failed.
        let line = render(&seen, settings, &backend, format, Utc::now(), true);
        return super::watch::print_or_fail(&line);
    }
    if seen.snapshot.is_none() {
        return report(seen.error.as_ref().unwrap_or(&AppError::NotSignedIn));
    }
    let out = render(&seen, settings, &backend, format, Utc::now(), false);
    let printed = super::watch::print_or_fail(&out);
    match &seen.error {
        Some(error) if printed == ExitCode::SUCCESS => ExitCode::from(code_of(error)),
        _ => printed,
    }
}

/// What `status` prints for `seen` in `format`, without the final line break: JSON indented,
/// or on one line when `compact` (the watch prints one line per change).
pub(super) fn render(
    seen: &Observation,
    settings: &Settings,
    backend: &str,
    format: Format,
    now: DateTime<Utc>,
    compact: bool,
) -> String {
    let input = seen.input(settings, now);
    if format == Format::Waybar {
        return waybar::line(&input);
    }
    let popover = input.popover();
    let Some(report) = status_report(seen, &popover, backend, now) else {
        let tray = input.tray();
        return match format {
            Format::Json => to_json(
                &NoFigures {
                    state: tray.state,
                    message: &tray.tooltip,
                },
                compact,
            ),
            _ => terminal_safe(&tray.tooltip),
        };
    };
    match format {
        Format::Json => to_json(&report, compact),
        _ => text(&report, &popover),
    }
}

fn to_json(value: &impl Serialize, compact: bool) -> String {
    let json = if compact {
        serde_json::to_string(value)
    } else {
        serde_json::to_string_pretty(value)
    };
    match json {
        Ok(json) => json_safe(&json),
        // Plain strings, numbers and dates: serializing them cannot fail.
        Err(error) => format!(r#"{{"error":"cannot encode the status: {error}"}}"#),
    }
}

fn status_report(
    seen: &Observation,
    popover: &PopoverView,
    backend: &str,
    now: DateTime<Utc>,
) -> Option<StatusReport> {
    let snapshot = seen.snapshot.as_ref()?;
    let error = seen.error.as_ref();
    Some(StatusReport {
        backend: backend.trim_end_matches('/').to_owned(),
        balance: snapshot.balance.normalize().to_string(),
        balance_text: popover.balance.clone().unwrap_or_default(),
        level: popover.level,
        estimate: popover.estimate.as_ref().map(|e| e.text.clone()),
        estimate_note: popover.estimate.as_ref().map(|e| e.note.clone()),
        estimate_basis: popover.estimate.as_ref().and_then(|e| e.basis.clone()),
        running_workers: snapshot.running.len(),
        last_payment: snapshot.last_payment.as_ref().map(|p| LastPaymentReport {
            at: p.at,
            credits: p.credits.normalize().to_string(),
            amount_minor: p.amount_minor,
            currency: p.currency.clone(),
        }),
        token_expires_at: snapshot.token_expires_at,
        fetched_at: snapshot.fetched_at,
        data_age_seconds: (now - snapshot.fetched_at).num_seconds().max(0),
        stale: error.is_some(),
        error: error.map(ToString::to_string),
    })
}

/// The text form: one aligned `label value` line each, terminal-safe.
fn text(report: &StatusReport, popover: &PopoverView) -> String {
    let mut lines = Vec::new();
    let mut line = |label: &str, value: &str| {
        lines.push(terminal_safe(&format!("{label:<22}{value}")));
    };
    line("Balance", &format!("{} credits", report.balance_text));
    if let Some(estimate) = &popover.estimate {
        line(
            "Estimated usage time",
            &match &estimate.basis {
                Some(basis) => format!("{} {basis} ({})", estimate.text, estimate.workers),
                None => format!("{} ({})", estimate.text, estimate.workers),
            },
        );
        line("", &estimate.note);
    }
    let payment = popover.last_payment.as_ref().map_or_else(
        || "none".to_owned(),
        |p| {
            format!(
                "{} ({}), {} for {} credits",
                p.absolute, p.relative, p.amount, p.credits
            )
        },
    );
    line("Last payment", &payment);
    let expiry = report
        .token_expires_at
        .map_or_else(|| "unknown".to_owned(), local);
    line("Token expires", &expiry);
    let age = if report.stale {
        format!(
            "{} s (stale: {})",
            report.data_age_seconds,
            report.error.as_deref().unwrap_or("")
        )
    } else {
        format!("{} s", report.data_age_seconds)
    };
    line("Data age", &age);
    line("Platform", &report.backend);
    lines.join("\n")
}
