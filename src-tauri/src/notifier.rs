//! Shows the alert policy's notifications on the desktop (when the user wants them) and routes
//! their buttons: add credit, snooze, update the token.

use lattica_core::alerts::{ActionId, Notification, SnoozeFor};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::mpsc;

use crate::actions;
use crate::engine::{Command, EngineHandle};
use crate::ipc::WindowId;
use crate::prefs::Preferences;

/// The action id a notification server reports for a click on the notification itself.
const DEFAULT_ACTION: &str = "default";

/// Shows every notification the alert policy sends, until the app ends.
pub fn spawn<R: Runtime>(app: AppHandle<R>, mut alerts: mpsc::UnboundedReceiver<Notification>) {
    tauri::async_runtime::spawn(async move {
        while let Some(notification) = alerts.recv().await {
            if !app.state::<Preferences>().get().notifications() {
                tracing::debug!(kind = ?notification.kind, "notifications are off");
                continue;
            }
            let app = app.clone();
            // Showing blocks on D-Bus, and waiting for a button lasts until the notification
            // closes: both stay off the async workers.
            tauri::async_runtime::spawn_blocking(move || show(&app, &notification));
        }
    });
}

fn show<R: Runtime>(app: &AppHandle<R>, notification: &Notification) {
    let mut desktop = notify_rust::Notification::new();
    desktop
        .appname("Lattica Tray")
        .summary(&notification.title)
        .body(&notification.body);
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        use lattica_core::alerts::Urgency;
        desktop.urgency(match notification.urgency {
            Urgency::Low => notify_rust::Urgency::Low,
            Urgency::Normal => notify_rust::Urgency::Normal,
            Urgency::Critical => notify_rust::Urgency::Critical,
        });
        desktop.action(DEFAULT_ACTION, "Open");
        for action in &notification.actions {
            desktop.action(action.id.as_str(), &action.label);
        }
    }
    match desktop.show() {
        #[cfg(all(unix, not(target_os = "macos")))]
        Ok(handle) => handle.wait_for_action(|action| on_action(app, action)),
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "could not show a notification"),
    }
}

#[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
fn on_action<R: Runtime>(app: &AppHandle<R>, action: &str) {
    let engine = || app.state::<EngineHandle>();
    match ActionId::parse(action) {
        Some(ActionId::AddCredit) => actions::open(app, WindowId::Wizard),
        Some(ActionId::SnoozeHour) => engine().send(Command::Snooze(SnoozeFor::Hour)),
        Some(ActionId::SnoozeUntilTomorrow) => {
            engine().send(Command::Snooze(SnoozeFor::UntilTomorrow));
        }
        Some(ActionId::UpdateToken) => actions::open(app, WindowId::SignIn),
        None if action == DEFAULT_ACTION => actions::show_popover(app, None),
        // Closed or expired without a click.
        None => {}
    }
}
