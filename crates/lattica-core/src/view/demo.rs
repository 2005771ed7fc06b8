//! How the demo account is labelled wherever the app shows figures: the tray's tooltip and
//! status row, the popover, the add-credit wizard and Settings all say the same words, so the
//! demo is never mistaken for a real account.

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
        if self.signed_in {
            // Signing out of the demo is leaving it: the user's own account is untouched.
            self.session_row = LEAVE_DEMO.to_owned();
        }
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
}
