//! The global keyboard shortcut that toggles the popover (Settings; off by default), through
//! whatever the session offers: the XDG GlobalShortcuts portal in a Wayland session, key
//! grabs on the X server under X11, the native hotkeys on macOS and Windows.
//!
//! A Wayland session uses the portal even when XWayland gives it a DISPLAY: an X11 grab there
//! sees keys only while an X11 window has the focus, so it would seem to work and mostly not.

mod plugin;
#[cfg(target_os = "linux")]
mod portal;

use std::sync::{Mutex, PoisonError};

use lattica_core::shortcut::{Shortcut, ShortcutError};
use tauri::{AppHandle, Manager, Runtime};

#[cfg(target_os = "linux")]
pub use portal::PortalShortcut;

/// Where the shortcut is registered in this session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// `tauri-plugin-global-shortcut`: X11 grabs, or the native hotkeys off Linux.
    Plugin,
    /// The GlobalShortcuts portal (a Wayland session).
    Portal,
    /// Neither an X11 display nor a Wayland session.
    Nowhere,
}

impl Route {
    /// Read from the session's environment, as the desktop sets it.
    fn of_session() -> Self {
        if !cfg!(target_os = "linux") {
            return Self::Plugin;
        }
        let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if set("WAYLAND_DISPLAY") {
            Self::Portal
        } else if set("DISPLAY") {
            Self::Plugin
        } else {
            Self::Nowhere
        }
    }
}

/// Makes `new` the active shortcut in place of `old` (the saved one). When the desktop
/// refuses `new`, `old` stays active and the refusal says why. Returns once the desktop
/// answered (on Wayland, maybe after the user's choice in its dialog).
pub async fn replace<R: Runtime>(
    app: &AppHandle<R>,
    old: Option<Shortcut>,
    new: Option<Shortcut>,
) -> Result<(), ShortcutError> {
    match Route::of_session() {
        Route::Plugin => {
            let (app, text) = (app.clone(), new.as_ref().map(ToString::to_string));
            tauri::async_runtime::spawn_blocking(move || {
                plugin::replace(&app, old.as_ref(), new.as_ref())
            })
            .await
            .map_err(|error| {
                tracing::error!(%error, "the shortcut registration stopped");
                ShortcutError::Refused(text.unwrap_or_default())
            })?
        }
        #[cfg(target_os = "linux")]
        Route::Portal => portal::replace(app, new.as_ref()).await,
        #[cfg(not(target_os = "linux"))]
        Route::Portal => Ok(()),
        Route::Nowhere => match new {
            // Without an X server the plugin's key-grab thread ends at once and every
            // registration "succeeds" without effect: told here instead.
            Some(new) => {
                tracing::warn!(shortcut = %new, "no X11 display nor Wayland session: no global shortcuts");
                Err(ShortcutError::Unavailable(new.to_string()))
            }
            None => Ok(()),
        },
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
    tauri::async_runtime::spawn(async move {
        if let Err(error) = replace(&app, None, Some(saved)).await {
            tracing::warn!(%error, "the saved shortcut is not active");
            if let Some(refusal) = app.try_state::<Refusal>() {
                refusal.set(Some(error));
            }
        }
    });
}
