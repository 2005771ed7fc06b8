//! The shortcut through `tauri-plugin-global-shortcut`: key grabs on the X server via
//! `global-hotkey` on Linux, the native hotkey APIs on macOS and Windows. No webview has a
//! permission for it; only Rust registers it.

use lattica_core::shortcut::{Shortcut, ShortcutError};
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_global_shortcut::{GlobalShortcut, GlobalShortcutExt, ShortcutState};

use crate::actions;

/// The plugin, its handler toggling the popover on each press.
fn plugin<R: Runtime>() -> TauriPlugin<R> {
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
    if let Some(new) = new {
        install(app).map_err(|error| {
            tracing::warn!(%error, "could not start the global shortcut service");
            ShortcutError::Refused(new.to_string())
        })?;
    } else if app.try_state::<GlobalShortcut<R>>().is_none() {
        // Never installed: nothing is registered.
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

/// Installs the plugin when a shortcut is first registered, not at start: on Linux its
/// key-grab thread polls the X server every 50 ms while it lives (`global-hotkey` 0.8), which
/// an app whose shortcut is off, the default, should not pay (BENCHMARKS.md, idle CPU). On the
/// event loop's thread, which the native hotkey APIs of Windows and macOS want, and which also
/// makes two first registrations install it once.
fn install<R: Runtime>(app: &AppHandle<R>) -> Result<(), String> {
    if app.try_state::<GlobalShortcut<R>>().is_some() {
        return Ok(());
    }
    let (done, installed) = std::sync::mpsc::channel();
    let handle = app.clone();
    let posted = app.run_on_main_thread(move || {
        let result = match handle.try_state::<GlobalShortcut<R>>() {
            Some(_) => Ok(()),
            None => handle.plugin(plugin()),
        };
        // The caller waits for it; it can only have gone if the app is ending.
        let _ = done.send(result.map_err(|error| error.to_string()));
    });
    match posted {
        // Dropped unanswered when the event loop ends before running it.
        Ok(()) => installed
            .recv()
            .unwrap_or_else(|_| Err("the app is ending".to_owned())),
        Err(error) => Err(error.to_string()),
    }
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
