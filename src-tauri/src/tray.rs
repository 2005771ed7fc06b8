//! The tray item and its menu. On Linux the menu is the main surface (tray clicks never
//! arrive there), so its first rows carry the figures and are updated in place on every
//! refresh; the label next to the icon carries the compact balance.

use std::sync::Mutex;

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Runtime};

use crate::actions;
use lattica_core::view::TrayView;

use crate::icons::tray_icon;
use crate::ipc::menu;

/// The tray item's id; on Linux it also names the icon files tray-icon writes.
const TRAY_ID: &str = "lattica";

struct Rows<R: Runtime> {
    balance: MenuItem<R>,
    estimate: MenuItem<R>,
    last_payment: MenuItem<R>,
    status: MenuItem<R>,
    add_credit: MenuItem<R>,
}

struct Parts<R: Runtime> {
    icon: TrayIcon<R>,
    rows: Rows<R>,
    shown: TrayView,
}

/// The app's tray item, managed as state.
pub struct Tray<R: Runtime>(Mutex<Option<Parts<R>>>);

impl<R: Runtime> std::fmt::Debug for Tray<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tray")
    }
}

impl<R: Runtime> Tray<R> {
    /// Creates the tray item showing `model`.
    pub fn create(app: &AppHandle<R>, model: TrayView) -> tauri::Result<Self> {
        let (menu, rows) = build_menu(app, &model)?;
        let icon = TrayIconBuilder::with_id(TRAY_ID)
            .icon(tray_icon(model.state)?)
            .title(&model.label)
            .tooltip(shown_tooltip(&model.tooltip))
            .menu(&menu)
            // Left click toggles the popover where clicks exist (macOS, Windows); the menu is
            // on the right button there. Linux opens the menu on every click regardless.
            .show_menu_on_left_click(false)
            .on_menu_event(|app, event| actions::on_menu(app, event.id().as_ref()))
            .on_tray_icon_event(on_icon_event)
            .build(app)?;
        Ok(Self(Mutex::new(Some(Parts {
            icon,
            rows,
            shown: model,
        }))))
    }

    /// Shows `model`, touching only what changed: each change is a D-Bus round trip on Linux.
    pub fn show(&self, app: &AppHandle<R>, model: &TrayView) -> tauri::Result<()> {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(parts) = guard.as_mut() else {
            return Ok(());
        };
        if parts.shown.signed_in != model.signed_in {
            let (menu, rows) = build_menu(app, model)?;
            parts.icon.set_menu(Some(menu))?;
            parts.rows = rows;
        } else {
            let rows = &parts.rows;
            for (row, old, new) in [
                (&rows.balance, &parts.shown.balance_row, &model.balance_row),
                (
                    &rows.estimate,
                    &parts.shown.estimate_row,
                    &model.estimate_row,
                ),
                (
                    &rows.last_payment,
                    &parts.shown.last_payment_row,
                    &model.last_payment_row,
                ),
                (&rows.status, &parts.shown.status_row, &model.status_row),
                (
                    &rows.add_credit,
                    &parts.shown.add_credit_row,
                    &model.add_credit_row,
                ),
            ] {
                if old != new {
                    row.set_text(new)?;
                }
            }
        }
        if parts.shown.state != model.state {
            parts.icon.set_icon(Some(tray_icon(model.state)?))?;
        }
        if parts.shown.label != model.label {
            parts.icon.set_title(Some(&model.label))?;
        }
        if parts.shown.tooltip != model.tooltip {
            parts
                .icon
                .set_tooltip(Some(shown_tooltip(&model.tooltip)))?;
        }
        parts.shown = model.clone();
        Ok(())
    }

    /// Removes the tray item (on quit), so the panel does not keep a dead icon.
    pub fn remove(&self) {
        let parts = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(parts) = parts {
            let _ = parts.icon.set_visible(false);
        }
    }
}

fn build_menu<R: Runtime>(
    app: &AppHandle<R>,
    model: &TrayView,
) -> tauri::Result<(Menu<R>, Rows<R>)> {
    let info = |id: &str, text: &str| MenuItem::with_id(app, id, text, false, None::<&str>);
    let action = |id: &str, text: &str| MenuItem::with_id(app, id, text, true, None::<&str>);
    let rows = Rows {
        balance: info(menu::BALANCE, &model.balance_row)?,
        estimate: info(menu::ESTIMATE, &model.estimate_row)?,
        last_payment: info(menu::LAST_PAYMENT, &model.last_payment_row)?,
        status: info(menu::STATUS, &model.status_row)?,
        add_credit: action(menu::ADD_CREDIT, &model.add_credit_row)?,
    };
    let session = if model.signed_in {
        action(menu::SIGN_OUT, "Sign out")?
    } else {
        action(menu::SIGN_IN, "Sign in…")?
    };
    let menu = Menu::with_items(
        app,
        &[
            &rows.balance,
            &rows.estimate,
            &rows.last_payment,
            &rows.status,
            &PredefinedMenuItem::separator(app)?,
            &action(menu::OPEN, "Open")?,
            &rows.add_credit,
            &action(menu::REFRESH, "Refresh now")?,
            &action(menu::SETTINGS, "Settings…")?,
            &PredefinedMenuItem::separator(app)?,
            &session,
            &action(menu::QUIT, "Quit")?,
        ],
    )?;
    Ok((menu, rows))
}

/// The tooltip as the platform can show it. Windows keeps 127 UTF-16 units of it (and cuts a
/// longer one anywhere, without its end): there, a long one is shortened at a word with an
/// ellipsis. The other platforms show it whole.
fn shown_tooltip(text: &str) -> std::borrow::Cow<'_, str> {
    #[cfg(windows)]
    return fit_utf16(text, 127);
    #[cfg(not(windows))]
    std::borrow::Cow::Borrowed(text)
}

/// `text` in at most `max` UTF-16 units, the ellipsis included, cut between words (or between
/// characters in a word longer than that).
#[cfg(any(windows, test))]
fn fit_utf16(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
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

fn on_icon_event<R: Runtime>(tray: &TrayIcon<R>, event: TrayIconEvent) {
    if let TrayIconEvent::Click {
        button: MouseButton::Left,
        button_state: MouseButtonState::Up,
        rect,
        ..
    } = event
    {
        let app = tray.app_handle();
        let scale = app
            .primary_monitor()
            .ok()
            .flatten()
            .map_or(1.0, |m| m.scale_factor());
        let anchor = crate::windows::Anchor {
            position: rect.position.to_physical(scale),
            size: rect.size.to_physical(scale),
        };
        actions::toggle_popover(app, Some(anchor));
    }
}

#[cfg(test)]
mod tests {
    use super::fit_utf16;

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
