//! The tray item on Windows and macOS: Tauri's tray, whose left click toggles the popover by
//! the icon and whose right click opens the menu. The menu's figure rows are updated in place.

use std::sync::Mutex;

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Runtime};

use crate::actions;
use lattica_core::view::TrayView;

use super::{Row, rows};
use crate::icons::tray_icon;

/// The tray item's id.
const TRAY_ID: &str = "lattica";

struct Parts<R: Runtime> {
    icon: TrayIcon<R>,
    /// The rows whose text can change, by id.
    items: Vec<(&'static str, MenuItem<R>)>,
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
        let (menu, items) = build_menu(app, &model)?;
        let icon = TrayIconBuilder::with_id(TRAY_ID)
            .icon(tray_icon(model.state)?)
            .title(&model.label)
            .tooltip(shown_tooltip(&model.tooltip))
            .menu(&menu)
            // Left click toggles the popover; the menu is on the right button.
            .show_menu_on_left_click(false)
            .on_menu_event(|app, event| actions::on_menu(app, event.id().as_ref()))
            .on_tray_icon_event(on_icon_event)
            .build(app)?;
        Ok(Self(Mutex::new(Some(Parts {
            icon,
            items,
            shown: model,
        }))))
    }

    /// Shows `model`, touching only what changed.
    pub fn show(&self, app: &AppHandle<R>, model: &TrayView) -> tauri::Result<()> {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(parts) = guard.as_mut() else {
            return Ok(());
        };
        if parts.shown.signed_in != model.signed_in {
            let (menu, items) = build_menu(app, model)?;
            parts.icon.set_menu(Some(menu))?;
            parts.items = items;
        } else {
            let old = rows(&parts.shown);
            for (row, was) in rows(model).iter().zip(&old) {
                if let (Row::Item { id, text, .. }, true) = (row, row != was)
                    && let Some((_, item)) = parts.items.iter().find(|(i, _)| i == id)
                {
                    item.set_text(text)?;
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

    /// Removes the tray item (on quit), so the panel does not keep a dead icon. Runs on the
    /// main thread, where menu changes run too: a refresh's [`Self::show`] may hold the lock
    /// while it waits for this thread, so this never waits for the lock (a deadlock seen on
    /// Linux with Tauri's tray). Then the icon goes when the process ends.
    pub fn remove(&self) {
        let parts = match self.0.try_lock() {
            Ok(mut guard) => guard.take(),
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner().take(),
            Err(std::sync::TryLockError::WouldBlock) => None,
        };
        if let Some(parts) = parts {
            let _ = parts.icon.set_visible(false);
        }
    }
}

type Items<R> = Vec<(&'static str, MenuItem<R>)>;

fn build_menu<R: Runtime>(
    app: &AppHandle<R>,
    model: &TrayView,
) -> tauri::Result<(Menu<R>, Items<R>)> {
    let menu = Menu::new(app)?;
    let mut items = Vec::new();
    for row in rows(model) {
        match row {
            Row::Item { id, text, enabled } => {
                let item = MenuItem::with_id(app, id, text, enabled, None::<&str>)?;
                menu.append(&item)?;
                items.push((id, item));
            }
            Row::Separator => menu.append(&PredefinedMenuItem::separator(app)?)?,
        }
    }
    Ok((menu, items))
}

/// The tooltip as the platform can show it. Windows keeps 127 UTF-16 units of it (and cuts a
/// longer one anywhere, without its end): there, a long one is shortened at a word with an
/// ellipsis. The other platforms show it whole.
fn shown_tooltip(text: &str) -> std::borrow::Cow<'_, str> {
    #[cfg(windows)]
    return super::fit_utf16(text, 127);
    #[cfg(not(windows))]
    std::borrow::Cow::Borrowed(text)
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
