//! The shortcut through the GlobalShortcuts portal (a Wayland session): the bound portal
//! session (`lattica-portal`) and the task that turns its activations into popover toggles.

use std::time::Duration;

use futures::StreamExt;
use lattica_core::shortcut::{Shortcut, ShortcutError};
use lattica_portal::{Binding, PortalError};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::{Mutex, oneshot};

use crate::actions;

/// How long a bind may wait for the portal, its dialog included: past it the Settings window
/// says the desktop refused, rather than waiting for ever on a portal that never answers.
const ANSWER: Duration = Duration::from_secs(120);

/// The shortcut the portal has bound, if any.
#[derive(Debug, Default)]
pub struct PortalShortcut(Mutex<Option<Active>>);

#[derive(Debug)]
struct Active {
    shortcut: Shortcut,
    stop: oneshot::Sender<()>,
    task: tauri::async_runtime::JoinHandle<()>,
}

impl Active {
    /// Ends the portal session and waits until it is closed.
    async fn stop(self) {
        let _ = self.stop.send(());
        if let Err(error) = self.task.await {
            tracing::warn!(%error, "the shortcut's task ended badly");
        }
    }
}

/// Binds `new` in a new portal session, then closes the old one; with `None`, only closes.
/// A refusal leaves the old session bound.
pub async fn replace<R: Runtime>(
    app: &AppHandle<R>,
    new: Option<&Shortcut>,
) -> Result<(), ShortcutError> {
    // Absent in unit tests, which build the app without it.
    let Some(state) = app.try_state::<PortalShortcut>() else {
        return Ok(());
    };
    // A tokio lock: held while the portal answers, so two saves bind one after the other.
    let mut active = state.0.lock().await;
    let Some(new) = new else {
        if let Some(old) = active.take() {
            old.stop().await;
            tracing::info!("global shortcut released (portal)");
        }
        return Ok(());
    };
    if active.as_ref().is_some_and(|a| &a.shortcut == new) {
        return Ok(());
    }
    let text = new.to_string();
    let binding = tokio::time::timeout(ANSWER, lattica_portal::bind(&new.portal_trigger()))
        .await
        .map_err(|_| {
            tracing::warn!(shortcut = %text, "the portal did not answer");
            ShortcutError::Refused(text.clone())
        })?
        .map_err(|error| {
            tracing::warn!(%error, shortcut = %text, "the portal did not bind the shortcut");
            match error {
                PortalError::Unavailable(_) => ShortcutError::NoPortal(text.clone()),
                PortalError::Declined => ShortcutError::Declined(text.clone()),
                PortalError::Failed(_) => ShortcutError::Refused(text.clone()),
            }
        })?;
    tracing::info!(shortcut = %text, trigger = binding.trigger_description(), "global shortcut bound (portal)");
    let previous = active.replace(start(app, new.clone(), binding));
    if let Some(previous) = previous {
        previous.stop().await;
    }
    Ok(())
}

/// Toggles the popover on each activation until told to stop, then closes the session.
fn start<R: Runtime>(app: &AppHandle<R>, shortcut: Shortcut, mut binding: Binding) -> Active {
    let (stop, mut stopped) = oneshot::channel();
    let app = app.clone();
    let task = tauri::async_runtime::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                press = binding.next() => match press {
                    Some(_) => {
                        tracing::debug!("global shortcut pressed (portal)");
                        actions::toggle_popover(&app, None);
                    }
                    None => {
                        tracing::warn!("the portal stopped sending the shortcut's presses");
                        return;
                    }
                },
            }
        }
        if let Err(error) = binding.close().await {
            tracing::debug!(%error, "could not close the portal session");
        }
    });
    Active {
        shortcut,
        stop,
        task,
    }
}
