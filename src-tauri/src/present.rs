//! Renders the refresh loop's state into what the tray and the popover show, through
//! lattica-core's view models (which own every text).

use chrono::{DateTime, Local, Utc};
use lattica_core::view::{Connection, PopoverView, Session, TrayState, ViewInput};
use serde::Serialize;

use crate::engine::EngineState;
use crate::tray::TrayModel;

/// The popover's payload: lattica-core's view plus what the webview needs to keep it live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PopoverModel {
    #[serde(flatten)]
    pub view: PopoverView,
    pub signed_in: bool,
    /// When the figures on display were fetched (Unix ms), so "updated N s ago" ticks.
    pub fetched_at: Option<i64>,
    /// A refresh is in flight.
    pub refreshing: bool,
}

/// Both views of one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub tray: TrayModel,
    pub popover: PopoverModel,
}

/// The views of `state` at `now`. `problem` is a condition outside the loop that the user must
/// fix (no keychain); it overrides the tray state and shows in the popover.
pub fn present(state: &EngineState, problem: Option<&str>, now: DateTime<Utc>) -> Presented {
    let input = ViewInput {
        session: state.session,
        connection: &state.connection,
        snapshot: state.snapshot.as_ref(),
        history: &state.chart,
        observed_burn_per_hour: state.observed_burn_per_hour,
        settings: &state.settings,
        now,
        tz: &Local,
    };
    let tray_view = input.tray();
    let mut popover = input.popover();
    let signed_in = state.session == Session::SignedIn;

    let row = |i: usize| tray_view.menu_rows.get(i).cloned().unwrap_or_default();
    let mut tray = TrayModel {
        state: tray_view.state,
        label: tray_view.label.clone(),
        tooltip: tray_view.tooltip.clone(),
        balance_row: row(0),
        estimate_row: row(1),
        last_payment_row: row(2),
        status_row: status_row(state),
        signed_in,
    };
    if let Some(problem) = problem {
        tray.state = TrayState::Error;
        tray.status_row = "Keychain unavailable: see the sign-in window".to_owned();
        tray.tooltip = format!("Lattica: {problem}");
        popover.error = Some(problem.to_owned());
    }
    let fetched_at = state
        .snapshot
        .as_ref()
        .filter(|_| signed_in)
        .map(|s| s.fetched_at.timestamp_millis());
    Presented {
        tray,
        popover: PopoverModel {
            view: popover,
            signed_in,
            fetched_at,
            refreshing: state.refreshing,
        },
    }
}

/// The menu's fourth row: how fresh the figures are, or what is going on.
fn status_row(state: &EngineState) -> String {
    if let Session::SignedOut { .. } = state.session {
        return "No figures while signed out".to_owned();
    }
    if state.refreshing {
        return "Refreshing…".to_owned();
    }
    match (&state.connection, &state.snapshot) {
        (Connection::Failed { message, .. }, _) => {
            let mut row = format!("{message}; retrying");
            // Sentence case for a menu row; the message is written to follow a colon.
            if let Some(first) = row.get(..1) {
                row = first.to_uppercase() + &row[1..];
            }
            row
        }
        (_, Some(snapshot)) => format!(
            "Updated at {}",
            snapshot.fetched_at.with_timezone(&Local).format("%H:%M")
        ),
        (_, None) => "Loading…".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lattica_core::settings::Settings;
    use lattica_core::view::{SignOutReason, Snapshot};

    fn signed_in_with(balance: &str) -> EngineState {
        let mut state = EngineState::new(Settings::default(), true);
        state.connection = Connection::Connected;
        state.snapshot = Some(Snapshot {
            fetched_at: Utc::now(),
            balance: balance.parse().unwrap(),
            running: Vec::new(),
            prices: None,
            last_payment: None,
            token_expires_at: None,
        });
        state
    }

    #[test]
    fn signed_in_shows_the_balance_everywhere() {
        let shown = present(&signed_in_with("249.517333"), None, Utc::now());
        assert!(shown.tray.signed_in);
        assert!(
            shown.tray.balance_row.contains("249.51"),
            "{}",
            shown.tray.balance_row
        );
        assert!(shown.tray.status_row.starts_with("Updated at"));
        assert_eq!(shown.popover.view.balance.as_deref(), Some("249.51"));
        assert!(shown.popover.fetched_at.is_some());
    }

    #[test]
    fn signed_out_shows_no_figures() {
        let mut state = signed_in_with("10");
        state.session = Session::SignedOut {
            reason: SignOutReason::Expired,
        };
        let shown = present(&state, None, Utc::now());
        assert_eq!(shown.tray.state, TrayState::SignedOut);
        assert!(!shown.popover.signed_in);
        assert_eq!(shown.popover.fetched_at, None);
        assert_eq!(shown.popover.view.balance, None);
    }

    #[test]
    fn a_missing_keychain_is_an_error_state() {
        let state = EngineState::new(Settings::default(), false);
        let shown = present(&state, Some("no keychain available"), Utc::now());
        assert_eq!(shown.tray.state, TrayState::Error);
        assert_eq!(
            shown.popover.view.error.as_deref(),
            Some("no keychain available")
        );
    }
}
