//! The tray item and its menu. Linux: our own StatusNotifierItem (lattica-sni), where a click
//! (`Activate`) toggles the popover by the click and the label, tooltip and menu carry the
//! figures. Windows and macOS: Tauri's tray, clicked the same way. Both show the rows of
//! [`rows`], whose first ones carry the figures and are updated on every refresh.

#[cfg(not(target_os = "linux"))]
mod desktop;
#[cfg(target_os = "linux")]
mod linux;

#[cfg(not(target_os = "linux"))]
pub use desktop::Tray;
#[cfg(target_os = "linux")]
pub use linux::Tray;

use lattica_core::view::TrayView;

use crate::ipc::menu;

/// One row of the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Row<'a> {
    /// `enabled: false` for the rows that only show figures.
    Item {
        id: &'static str,
        text: &'a str,
        enabled: bool,
    },
    Separator,
}

/// The menu's rows for `model`, in order: the figures, then the actions.
pub(crate) fn rows(model: &TrayView) -> Vec<Row<'_>> {
    let info = |id, text| Row::Item {
        id,
        text,
        enabled: false,
    };
    let action = |id, text| Row::Item {
        id,
        text,
        enabled: true,
    };
    vec![
        info(menu::BALANCE, &model.balance_row),
        info(menu::ESTIMATE, &model.estimate_row),
        info(menu::LAST_PAYMENT, &model.last_payment_row),
        info(menu::STATUS, &model.status_row),
        Row::Separator,
        action(menu::OPEN, "Open"),
        action(menu::ADD_CREDIT, &model.add_credit_row),
        action(menu::REFRESH, "Refresh now"),
        action(menu::SETTINGS, "Settings…"),
        Row::Separator,
        if model.leave_demo {
            action(menu::LEAVE_DEMO, &model.session_row)
        } else if model.signed_in {
            action(menu::SIGN_OUT, &model.session_row)
        } else {
            action(menu::SIGN_IN, &model.session_row)
        },
        action(menu::QUIT, "Quit"),
    ]
}

/// `text` in at most `max` UTF-16 units, the ellipsis included, cut between words (or between
/// characters in a word longer than that).
#[cfg(any(windows, test))]
pub(crate) fn fit_utf16(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.encode_utf16().count() <= max {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut used = '…'.len_utf16();
    let kept: String = text
        .chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= max
        })
        .collect();
    // Inside a word: back to its start, when the text has a space to go back to.
    let cut = if text[kept.len()..].starts_with(char::is_whitespace) {
        kept.as_str()
    } else {
        kept.rsplit_once(char::is_whitespace)
            .map_or(kept.as_str(), |(head, _)| head)
    };
    std::borrow::Cow::Owned(format!("{}…", cut.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_row_follows_the_session_and_quit_is_last() {
        let mut model = TrayView::starting();
        let ids = |model: &TrayView| -> Vec<&'static str> {
            rows(model)
                .into_iter()
                .filter_map(|r| match r {
                    Row::Item { id, .. } => Some(id),
                    Row::Separator => None,
                })
                .collect()
        };
        assert!(ids(&model).contains(&menu::SIGN_OUT));
        model.signed_in = false;
        let signed_out = ids(&model);
        assert!(signed_out.contains(&menu::SIGN_IN) && !signed_out.contains(&menu::SIGN_OUT));
        assert_eq!(signed_out.last(), Some(&menu::QUIT));
        // In the demo the row leaves it, even signed out there (no "Sign in…" into the demo).
        let demo = ids(&model.clone().in_demo());
        assert!(demo.contains(&menu::LEAVE_DEMO) && !demo.contains(&menu::SIGN_IN));
        assert_eq!(
            rows(&model)[0],
            Row::Item {
                id: menu::BALANCE,
                text: "Balance: loading…",
                enabled: false
            }
        );
    }

    #[test]
    fn a_long_tooltip_is_shortened_at_a_word_to_fit_windows() {
        assert_eq!(
            fit_utf16("Lattica: 12.5 credits", 127),
            "Lattica: 12.5 credits"
        );
        let long = format!("Lattica: {}", "keychain unavailable ".repeat(10));
        let fitted = fit_utf16(&long, 127);
        assert!(fitted.encode_utf16().count() <= 127, "{fitted}");
        assert!(fitted.ends_with("unavailable keychain…"), "{fitted}");
        // A character outside the BMP takes two units and is never split.
        let emoji = "💳".repeat(70);
        let fitted = fit_utf16(&emoji, 127);
        assert_eq!(fitted.chars().filter(|c| *c == '💳').count(), 63);
        assert!(fitted.encode_utf16().count() <= 127);
    }
}
