//! What the settings window says in sentences (hints, outcomes, the saved cards' questions),
//! worded here once: the window only places them.

use std::time::Duration;

use serde::Serialize;

/// Under the saved cards when the account has none.
pub const NO_SAVED_CARDS: &str =
    "No saved cards. A card is saved when you tick “Save this card” while adding credit.";

/// The settings window's fixed sentences, sent with its view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsTexts {
    /// Under the refresh interval: its range.
    pub refresh_hint: String,
    /// Under the backend URL, unless something overrides that setting.
    pub backend_hint: &'static str,
    pub saved: &'static str,
    /// The form was refused; each field in error says why.
    pub invalid: &'static str,
    pub test_sent: &'static str,
    pub signed_out: &'static str,
    pub signed_out_history_deleted: &'static str,
    /// The saved cards could not be read, and the window cannot say why.
    pub cards_unreadable: &'static str,
    /// The auto top-up button: `Turn on…` while off, `Change…` while on.
    pub auto_turn_on: &'static str,
    pub auto_change: &'static str,
    /// The session button: `Sign out`, or `Leave the demo` on the demo account.
    pub sign_out: &'static str,
    pub leave_demo: &'static str,
}

impl SettingsTexts {
    /// The texts for a refresh interval between `min` and `max`.
    pub fn new(min: Duration, max: Duration) -> Self {
        Self {
            refresh_hint: format!(
                "Between {} and {}. The balance also refreshes when you open the popover.",
                interval(min),
                interval(max)
            ),
            backend_hint: "Leave empty for the Lattica platform. https only (http for localhost).",
            saved: "Saved.",
            invalid: "Please correct the marked fields.",
            test_sent: "Sent. It should be on your screen now.",
            signed_out: "Signed out.",
            signed_out_history_deleted: "Signed out; the local history was deleted.",
            cards_unreadable: "The saved cards could not be read. Close Settings and open it \
                               again to try once more.",
            auto_turn_on: "Turn on…",
            auto_change: "Change…",
            sign_out: "Sign out",
            leave_demo: super::LEAVE_DEMO,
        }
    }
}

/// What a saved card's row says about removing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveCardTexts {
    /// The "Remove" button's accessible name: `Remove Visa •••• 4242`.
    pub button: String,
    /// Asked before removing: `Remove Visa •••• 4242? It can no longer pay for top-ups.`
    pub question: String,
    /// Once removed: `Visa •••• 4242 removed.`
    pub done: String,
}

impl RemoveCardTexts {
    /// The texts for the card labelled `label` (`Visa •••• 4242`).
    pub fn of(label: &str) -> Self {
        Self {
            button: format!("Remove {label}"),
            question: format!("Remove {label}? It can no longer pay for top-ups."),
            done: format!("{label} removed."),
        }
    }
}

/// `15 s`, `5 min`, `1 h`.
fn interval(duration: Duration) -> String {
    match duration.as_secs() {
        secs if secs % 3600 == 0 => format!("{} h", secs / 3600),
        secs if secs % 60 == 0 => format!("{} min", secs / 60),
        secs => format!("{secs} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_range_in_its_own_units() {
        let texts = SettingsTexts::new(Duration::from_secs(15), Duration::from_secs(3600));
        assert_eq!(
            texts.refresh_hint,
            "Between 15 s and 1 h. The balance also refreshes when you open the popover."
        );
        assert_eq!(interval(Duration::from_secs(300)), "5 min");
        assert_eq!(interval(Duration::from_secs(90)), "90 s");
    }

    #[test]
    fn removing_a_card_names_it() {
        let texts = RemoveCardTexts::of("Visa •••• 4242");
        assert_eq!(texts.button, "Remove Visa •••• 4242");
        assert_eq!(
            texts.question,
            "Remove Visa •••• 4242? It can no longer pay for top-ups."
        );
        assert_eq!(texts.done, "Visa •••• 4242 removed.");
    }
}
