//! The tray icon's view: state, compact label, tooltip and the menu's info rows.

use chrono::TimeZone;
use serde::Serialize;

use super::{Connection, Session, Shown, TrayState, ViewInput, texts};
use crate::estimate::Estimate;
use crate::format;

/// What the tray shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrayView {
    pub state: TrayState,
    /// The compact balance (`1.2k cr`), `—` without data, `signed out` when signed out.
    pub label: String,
    /// The one-line tooltip (Windows, macOS): `Lattica: 1,234.50 credits, about 5 h left`.
    pub tooltip: String,
    /// The tooltip's heading where the panel shows one apart (Linux StatusNotifierItem).
    pub tooltip_title: String,
    /// The tooltip's text under that heading: the figures, then how old they are
    /// (`1,234.50 credits, about 5 h left` / `Updated at 14:05`).
    pub tooltip_body: String,
    /// The menu's info rows, updated in place: `Balance: 1,234.50 credits`.
    pub balance_row: String,
    /// `Estimated usage time: about 5 h`.
    pub estimate_row: String,
    /// `Last payment: 2 days ago, $25.00`.
    pub last_payment_row: String,
    /// Where the figures stand: `Updated at 14:05`, `Refreshing…`, `Cannot reach …; retrying`.
    pub status_row: String,
    /// The menu offers "Sign out" when signed in, "Sign in…" otherwise.
    pub signed_in: bool,
    /// That row's text: `Sign out`, `Sign in…`, or `Leave the demo` on the demo account.
    pub session_row: String,
    /// On the demo account, that row leaves the demo, signed in there or not.
    pub leave_demo: bool,
    /// `Add credit…`, or `Add credit in the web console…` on a platform without payments.
    pub add_credit_row: String,
}

impl TrayView {
    /// What the tray shows before the app has read anything.
    pub fn starting() -> Self {
        Self {
            state: TrayState::Stale,
            label: String::new(),
            tooltip: "Lattica: starting".to_owned(),
            tooltip_title: TOOLTIP_TITLE.to_owned(),
            tooltip_body: "Starting…".to_owned(),
            balance_row: "Balance: loading…".to_owned(),
            estimate_row: "Usage time: loading…".to_owned(),
            last_payment_row: "Last payment: loading…".to_owned(),
            status_row: "Starting…".to_owned(),
            signed_in: true,
            session_row: texts::session_row(true).to_owned(),
            leave_demo: false,
            add_credit_row: texts::add_credit(true).to_owned(),
        }
    }
}

/// The three figure rows of the menu.
struct Rows {
    balance: String,
    estimate: String,
    last_payment: String,
}

const NO_VALUE: &str = "—";
const TOOLTIP_TITLE: &str = "Lattica";

impl<Tz: TimeZone> ViewInput<'_, Tz> {
    pub fn tray(&self) -> TrayView {
        let (state, label, tooltip, rows) = self.tray_parts();
        let mut view = TrayView {
            state,
            label,
            tooltip_title: TOOLTIP_TITLE.to_owned(),
            tooltip_body: String::new(),
            tooltip,
            balance_row: rows.balance,
            estimate_row: rows.estimate,
            last_payment_row: rows.last_payment,
            status_row: self.status_row(),
            signed_in: self.session == Session::SignedIn,
            session_row: texts::session_row(self.session == Session::SignedIn).to_owned(),
            leave_demo: false,
            add_credit_row: texts::add_credit(self.payments_api()).to_owned(),
        };
        if let Some(problem) = self.keychain_problem {
            view.state = TrayState::Error;
            view.status_row = "Keychain unavailable: see the sign-in window".to_owned();
            view.tooltip = format!("Lattica: {problem}");
        }
        view.tooltip_body = self.tooltip_body(&view);
        view
    }

    /// With figures: the balance and estimate rows, their age as a time of day (true without
    /// a redraw) and what went wrong, if anything. Without: the one-line tooltip minus its
    /// `Lattica: `, which the heading says.
    fn tooltip_body(&self, view: &TrayView) -> String {
        let fetched = match (self.session, self.snapshot, self.keychain_problem) {
            (Session::SignedIn, Some(snapshot), None) => snapshot.fetched_at,
            _ => {
                let tooltip = &view.tooltip;
                return sentence_case(tooltip.strip_prefix("Lattica: ").unwrap_or(tooltip));
            }
        };
        let mut lines = vec![
            view.balance_row.clone(),
            view.estimate_row.clone(),
            format::updated_at(fetched, self.now, self.tz),
        ];
        if let Some(failure) = texts::failure(self.connection) {
            lines.push(failure);
        }
        lines.join("\n")
    }

    fn status_row(&self) -> String {
        if let Session::SignedOut { .. } = self.session {
            return "No figures while signed out".to_owned();
        }
        if self.refreshing {
            return "Refreshing…".to_owned();
        }
        match (self.connection, self.snapshot) {
            (Connection::Failed { message, .. }, _) => {
                // Sentence case for a menu row; the message is written to follow a colon.
                sentence_case(&format!("{message}; retrying"))
            }
            (_, Some(snapshot)) => format::updated_at(snapshot.fetched_at, self.now, self.tz),
            (_, None) => "Loading…".to_owned(),
        }
    }

    fn tray_parts(&self) -> (TrayState, String, String, Rows) {
        let state = self.tray_state();
        match (self.session, self.shown()) {
            (Session::SignedOut { reason }, _) => {
                let status = texts::signed_out_short(reason);
                (
                    state,
                    "signed out".to_owned(),
                    format!("Lattica: {status}"),
                    rows(sentence_case(status), NO_VALUE, NO_VALUE),
                )
            }
            (Session::SignedIn, None) => {
                let tooltip = match texts::failure(self.connection) {
                    Some(failure) => format!("Lattica: no balance yet. {failure}"),
                    None => "Lattica: loading…".to_owned(),
                };
                (
                    state,
                    NO_VALUE.to_owned(),
                    tooltip,
                    rows(format!("Balance: {NO_VALUE}"), NO_VALUE, NO_VALUE),
                )
            }
            (Session::SignedIn, Some(shown)) => self.tray_with_data(state, &shown),
        }
    }

    fn tray_with_data(
        &self,
        state: TrayState,
        shown: &Shown<'_>,
    ) -> (TrayState, String, String, Rows) {
        let snapshot = shown.snapshot;
        let credits = format::credits(snapshot.balance);
        let estimate = texts::estimate(&shown.estimate, self.now);
        let mut tooltip = format!("Lattica: {credits} credits");
        match shown.estimate {
            Estimate::Running { .. } => tooltip.push_str(&format!(", {estimate} left")),
            Estimate::NoneRunning { .. } => tooltip.push_str(", no workers running"),
            Estimate::Unknown { .. } | Estimate::Empty { .. } => {}
        }
        let mut balance_row = format!("Balance: {credits} credits");
        if state == TrayState::Stale {
            let age = format::ago(snapshot.fetched_at, self.now);
            tooltip.push_str(&format!(" (as of {age})"));
            if let Some(failure) = texts::failure(self.connection) {
                tooltip.push_str(&format!(". {failure}"));
            }
            balance_row.push_str(&format!(" (as of {age})"));
        }
        let estimate_row = match shown.estimate {
            Estimate::NoneRunning { .. } => format!("{estimate} for 1 worker (none running)"),
            _ => estimate,
        };
        let payment_row = snapshot.last_payment.as_ref().map_or_else(
            || "none".to_owned(),
            |payment| texts::last_payment(payment, self.now),
        );
        (
            state,
            format::compact_credits(snapshot.balance),
            tooltip,
            rows(balance_row, &estimate_row, &payment_row),
        )
    }
}

fn rows(balance: String, estimate: &str, last_payment: &str) -> Rows {
    Rows {
        balance,
        estimate: format!("Estimated usage time: {estimate}"),
        last_payment: format!("Last payment: {last_payment}"),
    }
}

/// `signed out` → `Signed out`, for a text that starts a menu row.
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
