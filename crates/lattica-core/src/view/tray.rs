//! The tray icon's view: state, compact label, tooltip and the menu's info rows.

use chrono::TimeZone;
use serde::Serialize;

use super::{Session, Shown, TrayState, ViewInput, texts};
use crate::estimate::Estimate;
use crate::format;

/// What the tray shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrayView {
    pub state: TrayState,
    /// The compact balance (`1.2k cr`), `—` without data, `signed out` when signed out.
    pub label: String,
    pub tooltip: String,
    /// Always three rows, in this order: balance, estimated usage time, last payment; a
    /// fixed shape so the shell can update its menu items in place.
    pub menu_rows: Vec<String>,
}

const NO_VALUE: &str = "—";

impl<Tz: TimeZone> ViewInput<'_, Tz> {
    pub fn tray(&self) -> TrayView {
        let state = self.tray_state();
        match (self.session, self.shown()) {
            (Session::SignedOut { reason }, _) => {
                let status = texts::signed_out_short(reason);
                TrayView {
                    state,
                    label: "signed out".to_owned(),
                    tooltip: format!("Lattica: {status}"),
                    menu_rows: rows(sentence_case(status), NO_VALUE, NO_VALUE),
                }
            }
            (Session::SignedIn, None) => {
                let tooltip = match texts::failure(self.connection) {
                    Some(failure) => format!("Lattica: no balance yet. {failure}"),
                    None => "Lattica: loading…".to_owned(),
                };
                TrayView {
                    state,
                    label: NO_VALUE.to_owned(),
                    tooltip,
                    menu_rows: rows(format!("Balance: {NO_VALUE}"), NO_VALUE, NO_VALUE),
                }
            }
            (Session::SignedIn, Some(shown)) => self.tray_with_data(state, &shown),
        }
    }

    fn tray_with_data(&self, state: TrayState, shown: &Shown<'_>) -> TrayView {
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
        TrayView {
            state,
            label: format::compact_credits(snapshot.balance),
            tooltip,
            menu_rows: rows(balance_row, &estimate_row, &payment_row),
        }
    }
}

fn rows(balance: String, estimate: &str, last_payment: &str) -> Vec<String> {
    vec![
        balance,
        format!("Estimated usage time: {estimate}"),
        format!("Last payment: {last_payment}"),
    ]
}

/// `signed out` → `Signed out`, for a text that starts a menu row.
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
