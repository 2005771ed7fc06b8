//! The shortcut through the GlobalShortcuts portal (a Wayland session): the app's portal
//! [`Slot`] (lattica-portal binds, rebinds and releases it), each press toggling the popover.

use lattica_core::shortcut::{Shortcut, ShortcutError};
use lattica_portal::{PortalError, Slot};
use tauri::{AppHandle, Manager, Runtime};

use crate::actions;

/// The shortcut the portal has bound, if any.
#[derive(Debug)]
pub struct PortalShortcut(Slot);

impl Default for PortalShortcut {
    fn default() -> Self {
        Self(Slot::session())
    }
}

/// Binds `new` in place of the bound shortcut; with `None`, releases it. A refusal leaves
/// the bound one as it was.
pub async fn replace<R: Runtime>(
    app: &AppHandle<R>,
    new: Option<&Shortcut>,
) -> Result<(), ShortcutError> {
    // Absent in unit tests, which build the app without it.
    let Some(slot) = app.try_state::<PortalShortcut>() else {
        return Ok(());
    };
    let handle = app.clone();
    let on_press = move || {
        tracing::debug!("global shortcut pressed (portal)");
        actions::toggle_popover(&handle, None);
    };
    let trigger = new.map(Shortcut::portal_trigger);
    slot.0
        .set(trigger.as_deref(), on_press)
        .await
        .map_err(|error| {
            let text = new.map(ToString::to_string).unwrap_or_default();
            tracing::warn!(%error, shortcut = %text, "the portal did not bind the shortcut");
            match error {
                PortalError::Unavailable(_) => ShortcutError::NoPortal(text),
                PortalError::Declined => ShortcutError::Declined(text),
                PortalError::Failed(_) | PortalError::NoAnswer(_) => ShortcutError::Refused(text),
            }
        })?;
    if let Some(new) = new {
        tracing::info!(shortcut = %new, "global shortcut bound (portal)");
    }
    Ok(())
}
