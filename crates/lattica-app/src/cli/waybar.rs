//! `status --format waybar`: one line of waybar's custom-module JSON (`"return-type": "json"`),
//! built from the tray's view so the panel says what the tray says: the compact balance as
//! the text, the menu's figure rows as the tooltip, the tray state as the CSS class.
//!
//! Waybar reads `text` and `tooltip` as Pango markup, so `<`, `>` and `&` are escaped here
//! (a balance under 0.1 reads `<0.1 cr`); whatever came from the server is made
//! terminal-safe first, and the line stays one line of valid JSON.

use chrono::TimeZone;
use lattica_core::view::{TrayState, ViewInput};
use serde::Serialize;

use super::{json_safe, terminal_safe};

/// Waybar's custom-module fields. `alt` repeats the class, for `format-icons` keyed by state.
#[derive(Debug, Serialize)]
struct Line<'a> {
    text: String,
    tooltip: String,
    class: &'a str,
    alt: &'a str,
}

/// The CSS class of a tray state, as the README lists them.
pub(super) fn class(state: TrayState) -> &'static str {
    match state {
        TrayState::Ok => "ok",
        TrayState::Low => "low",
        TrayState::Critical => "critical",
        TrayState::Empty => "empty",
        TrayState::Stale => "stale",
        TrayState::SignedOut => "signed-out",
        TrayState::Error => "error",
    }
}

/// The line for `input`, without its line break.
pub(super) fn line<Tz: TimeZone>(input: &ViewInput<'_, Tz>) -> String {
    let tray = input.tray();
    let popover = input.popover();
    let rows: Vec<String> = if popover.balance.is_some() {
        [
            Some(tray.balance_row),
            Some(tray.estimate_row),
            Some(tray.last_payment_row),
            // Unreachable: why, and how old the figures are; else when they were read.
            Some(popover.stale.map_or(tray.status_row, |stale| stale.text)),
            popover.token_warning,
        ]
        .into_iter()
        .flatten()
        .collect()
    } else {
        // Signed out, or no figures at all: the tray's tooltip and what to do about it.
        let advice = popover.signed_out.or(popover.error);
        std::iter::once(tray.tooltip)
            .chain(advice.filter(|a| !a.is_empty()))
            .collect()
    };
    let tooltip = rows
        .iter()
        .map(|row| markup_escape(&terminal_safe(row)))
        .collect::<Vec<_>>()
        .join("\n");
    let class = class(tray.state);
    let line = Line {
        text: markup_escape(&terminal_safe(&tray.label)),
        tooltip,
        class,
        alt: class,
    };
    // A struct of strings always serializes; the fallback is still one valid line.
    let json = serde_json::to_string(&line)
        .unwrap_or_else(|_| format!(r#"{{"text":"","class":"{class}"}}"#));
    json_safe(&json)
}

/// `<`, `>` and `&` as Pango markup entities (quotes matter only inside tags, and there are
/// none).
fn markup_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "waybar_tests.rs"]
mod tests;
