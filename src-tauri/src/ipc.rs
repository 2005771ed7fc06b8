//! Names shared with the webviews and with end-to-end tests: window labels, event names and
//! tray menu ids. Defined once here; `ui/lib/events.js` mirrors the first two.

use serde::Serialize;

/// The app's windows. Every window is created on demand and destroyed when closed, so no
/// webview (and no WebKit process) lives while nobody looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowId {
    /// The glance: balance, estimate, chart.
    Popover,
    Settings,
    #[serde(rename = "signin")]
    SignIn,
    /// The add-credit wizard.
    Wizard,
}

impl WindowId {
    /// The Tauri window label; capability files match on it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Popover => "popover",
            Self::Settings => "settings",
            Self::SignIn => "signin",
            Self::Wizard => "wizard",
        }
    }
}

/// Events the shell emits to webviews (`domain://action`).
pub mod event {
    /// The payment attempt changed; payload: [`lattica_app::payment::AttemptView`] or `null`.
    pub const PAYMENT_UPDATED: &str = "payment://updated";
    /// A saved card was removed; payload: the cards left ([`lattica_app::payment::CardView`]s).
    pub const CARDS_CHANGED: &str = "payment://cards-changed";
}

/// Tray menu ids. End-to-end tests click them over D-Bus, so they are part of the interface.
pub mod menu {
    /// Disabled info rows, updated in place on every refresh.
    pub const BALANCE: &str = "info_balance";
    pub const ESTIMATE: &str = "info_estimate";
    pub const LAST_PAYMENT: &str = "info_last_payment";
    pub const STATUS: &str = "info_status";

    pub const OPEN: &str = "open";
    pub const ADD_CREDIT: &str = "add_credit";
    pub const REFRESH: &str = "refresh";
    pub const SETTINGS: &str = "settings";
    pub const SIGN_OUT: &str = "sign_out";
    pub const SIGN_IN: &str = "sign_in";
    /// The session row on the demo account, signed in there or not.
    pub const LEAVE_DEMO: &str = "leave_demo";
    pub const QUIT: &str = "quit";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_serde_and_the_capability_files() {
        let windows = [
            WindowId::Popover,
            WindowId::Settings,
            WindowId::SignIn,
            WindowId::Wizard,
        ];
        for window in windows {
            let json = serde_json::to_string(&window).unwrap();
            assert_eq!(json, format!("\"{}\"", window.label()));
            let capability = std::fs::read_to_string(format!(
                "{}/capabilities/{}.json",
                env!("CARGO_MANIFEST_DIR"),
                window.label()
            ))
            .unwrap();
            let capability: serde_json::Value = serde_json::from_str(&capability).unwrap();
            assert_eq!(capability["windows"], serde_json::json!([window.label()]));
        }
    }
}
