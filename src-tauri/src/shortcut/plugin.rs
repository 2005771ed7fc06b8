//! The shortcut through `tauri-plugin-global-shortcut`: key grabs on the X server via
//! `global-hotkey` on Linux, the native hotkey APIs on macOS and Windows. No webview has a
//! permission for it; only Rust registers it.

use lattica_core::shortcut::{Shortcut, ShortcutError};
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcut, GlobalShortcutExt, ShortcutState};

use crate::actions;

/// The plugin, its handler toggling the popover on each press.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, shortcut, event| {
            if event.state == ShortcutState::Pressed {
                tracing::debug!(%shortcut, "global shortcut pressed");
                actions::toggle_popover(app, None);
            }
        })
        .build()
}

/// Makes `new` the registered shortcut in place of `old` (the saved one). When the desktop
/// refuses `new`, `old` stays registered and the refusal says why. Blocks until the desktop
/// answered: call it off the event loop.
pub fn replace<R: Runtime>(
    app: &AppHandle<R>,
    old: Option<&Shortcut>,
    new: Option<&Shortcut>,
) -> Result<(), ShortcutError> {
    // Absent in unit tests, which build the app without plugins.
    if app.try_state::<GlobalShortcut<R>>().is_none() {
        return Ok(());
    }
    let shortcuts = app.global_shortcut();
    if let Some(new) = new {
        let text = new.to_string();
        if !shortcuts.is_registered(text.as_str()) {
            register(app, &text)?;
        }
    }
    if let Some(old) = old.filter(|old| Some(*old) != new) {
        let text = old.to_string();
        if let Err(error) = shortcuts.unregister(text.as_str()) {
            tracing::warn!(%error, shortcut = %text, "could not release the old shortcut");
        }
    }
    Ok(())
}

fn register<R: Runtime>(app: &AppHandle<R>, text: &str) -> Result<(), ShortcutError> {
    match app.global_shortcut().register(text) {
        Ok(()) => {
            tracing::info!(shortcut = text, "global shortcut registered");
            Ok(())
        }
        Err(error) => {
            tracing::warn!(%error, shortcut = text, "the desktop refused the shortcut");
            // The plugin reports every failure as text; a grab another client holds (X11
            // `BadAccess`) is `global_hotkey::Error::AlreadyRegistered`, "… already registered".
            if error.to_string().contains("already registered") {
                Err(ShortcutError::Taken(text.to_owned()))
            } else {
                Err(ShortcutError::Refused(text.to_owned()))
            }
        }
    }
}
