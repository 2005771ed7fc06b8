//! How the demo account is labelled wherever the app shows figures: the tray's tooltip and
//! status row, the popover, the add-credit wizard and Settings all say the same words, so the
//! demo is never mistaken for a real account.

use serde::Serialize;

use super::{PopoverView, TrayView};

/// The one sentence that marks the demo everywhere.
pub const DEMO_LABEL: &str = "Demo account: test cards only, no real money";

/// The action that ends the demo, wherever the app offers signing out.
pub const LEAVE_DEMO: &str = "Leave the demo";

/// The sign-in window's offer of the demo, beside its button.
pub fn demo_offer() -> String {
    let terms = DEMO_LABEL.trim_start_matches("Demo account");
    format!(
        "No token at hand? Try the demo account{terms}. Your own account's token, figures \
         and settings stay as they are; leave the demo from its popover."
    )
}

/// The sign-in window's words for the demo: its offer on the user's platform, and the way
/// out of it in the demo (where a token pasted there signs in to the demo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoChoice {
    pub hint: String,
    /// The button, and its text while its action runs.
    pub button: String,
    pub busy: String,
}

impl DemoChoice {
    /// "Try the demo account", or in the demo, "Leave the demo".
    pub fn new(in_demo: bool) -> Self {
        if in_demo {
            Self {
                hint: format!(
                    "{DEMO_LABEL}. A token pasted here signs in to the demo; leave it to sign \
                     in to your own account."
                ),
                button: LEAVE_DEMO.to_owned(),
                busy: "Leaving the demo…".to_owned(),
            }
        } else {
            Self {
                hint: demo_offer(),
                button: "Try the demo account".to_owned(),
                busy: "Starting the demo…".to_owned(),
            }
        }
    }
}

impl TrayView {
    /// The same view, labelled as the demo's: the tooltip opens with the label and the status
    /// row carries it (Linux shows no tooltip for a StatusNotifierItem, the menu's rows it
    /// does show).
    #[must_use]
    pub fn in_demo(mut self) -> Self {
        let rest = self
            .tooltip
            .strip_prefix("Lattica: ")
            .unwrap_or(&self.tooltip);
        self.tooltip = format!("Lattica ({DEMO_LABEL}): {rest}");
        self.tooltip_title = format!("{} ({DEMO_LABEL})", self.tooltip_title);
        self.status_row = format!("{DEMO_LABEL} · {}", self.status_row);
        // Signing out of the demo is leaving it: the user's own account is untouched. Signed
        // out there too (its token refused, the sandbox reset), leaving is the way out.
        self.session_row = LEAVE_DEMO.to_owned();
        self.leave_demo = true;
        self
    }
}

impl PopoverView {
    /// The same view, labelled as the demo's.
    #[must_use]
    pub fn in_demo(mut self) -> Self {
        self.demo = Some(DEMO_LABEL.to_owned());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_label_is_in_the_tooltip_and_the_status_row() {
        let tray = TrayView::starting();
        let plain_status = tray.status_row.clone();
        let demo = tray.in_demo();
        assert_eq!(
            demo.tooltip,
            "Lattica (Demo account: test cards only, no real money): starting"
        );
        assert!(
            demo.status_row.starts_with(DEMO_LABEL),
            "{}",
            demo.status_row
        );
        assert!(demo.status_row.ends_with(&plain_status));
        assert!(
            demo.tooltip_title.contains(DEMO_LABEL),
            "{}",
            demo.tooltip_title
        );
        assert_eq!(demo.session_row, "Leave the demo");
        assert!(demo.leave_demo);
        let signed_out = TrayView {
            signed_in: false,
            session_row: "Sign in…".to_owned(),
            ..TrayView::starting()
        }
        .in_demo();
        assert_eq!(
            (signed_out.session_row.as_str(), signed_out.leave_demo),
            ("Leave the demo", true),
            "signed out in the demo, the row still leaves it"
        );
        assert!(!TrayView::starting().leave_demo);
        assert_eq!(TrayView::starting().session_row, "Sign out");
        assert!(
            !TrayView::starting().tooltip.contains("Demo"),
            "a real account is never labelled"
        );
        assert!(
            demo_offer().starts_with(
                "No token at hand? Try the demo account: test cards only, no real money. "
            ),
            "{}",
            demo_offer()
        );
    }

    #[test]
    fn the_sign_in_window_offers_the_demo_outside_it_and_the_way_out_inside() {
        let offer = DemoChoice::new(false);
        assert_eq!(offer.hint, demo_offer());
        assert_eq!(offer.button, "Try the demo account");
        let inside = DemoChoice::new(true);
        assert_eq!(inside.button, LEAVE_DEMO);
        assert!(inside.hint.starts_with(DEMO_LABEL), "{}", inside.hint);
        assert_ne!(inside.busy, offer.busy);
    }
}
