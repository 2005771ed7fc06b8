//! The global keyboard shortcut that toggles the popover (Settings; off by default). Only
//! Rust registers it, through `tauri-plugin-global-shortcut` (X11 key grabs via
//! `global-hotkey`; no webview has a permission for it). A Wayland session without X11 offers
//! no grabs at all, and the crate does not use the GlobalShortcuts portal.

use std::sync::{Mutex, PoisonError};

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
    // Without an X server the crate's key-grab thread ends at once and every registration
    // "succeeds" without effect: a Wayland session without X11 is told here instead.
    #[cfg(target_os = "linux")]
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        tracing::warn!(
            shortcut = text,
            "no X11 display: global shortcuts unavailable"
        );
        return Err(ShortcutError::Unavailable(text.to_owned()));
    }
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

/// Why the saved shortcut is not active, when the desktop refused it (at start, or again on
/// a later save): the Settings window shows it beside the field.
#[derive(Debug, Default)]
pub struct Refusal(Mutex<Option<ShortcutError>>);

impl Refusal {
    pub fn set(&self, refusal: Option<ShortcutError>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = refusal;
    }

    /// The message, if the saved shortcut is not active.
    pub fn message(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(ToString::to_string)
    }
}

/// Registers the saved shortcut at start, off the event loop; a refusal is logged and kept
/// in [`Refusal`] for the Settings window.
pub fn register_saved<R: Runtime>(app: &AppHandle<R>, saved: Option<Shortcut>) {
    let Some(saved) = saved else { return };
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(error) = replace(&app, None, Some(&saved)) {
            tracing::warn!(%error, "the saved shortcut is not active");
            if let Some(refusal) = app.try_state::<Refusal>() {
                refusal.set(Some(error));
            }
        }
    });
}
