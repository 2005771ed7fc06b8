//! Shows the alert policy's notifications on the desktop (when the user wants them) and routes
//! their buttons: add credit, snooze, update the token.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use lattica_core::alerts::{ActionId, Notification, SnoozeFor};
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::mpsc;

use crate::actions;
use crate::ipc::WindowId;
use lattica_app::AppError;
use lattica_app::engine::{Command, EngineHandle};
use lattica_app::prefs::Preferences;

/// The action id a notification server reports for a click on the notification itself.
const DEFAULT_ACTION: &str = "default";

/// Whether the desktop's notification server answers. Its absence is said once in the log, not
/// at every alert; the tray keeps showing the state either way.
#[derive(Debug, Default)]
struct ServerHealth {
    missing_reported: AtomicBool,
}

impl ServerHealth {
    fn shown(&self) {
        if self.missing_reported.swap(false, Ordering::Relaxed) {
            tracing::info!("the notification server answers again");
        }
    }

    /// Logs a failed notification; returns whether this was the one warning.
    fn failed(&self, error: &dyn std::fmt::Display) -> bool {
        let first = !self.missing_reported.swap(true, Ordering::Relaxed);
        if first {
            tracing::warn!(%error, "no desktop notification server answers: alerts show in the \
                tray only until one does");
        } else {
            tracing::debug!(%error, "notification not shown");
        }
        first
    }
}

/// Shows every notification the alert policy sends, until the app ends.
pub fn spawn<R: Runtime>(app: AppHandle<R>, mut alerts: mpsc::UnboundedReceiver<Notification>) {
    let health = Arc::new(ServerHealth::default());
    tauri::async_runtime::spawn(async move {
        while let Some(notification) = alerts.recv().await {
            if !app.state::<Preferences>().get().notifications() {
                tracing::debug!(kind = ?notification.kind, "notifications are off");
                continue;
            }
            let (app, health) = (app.clone(), Arc::clone(&health));
            // Showing blocks on D-Bus, and waiting for a button lasts until the notification
            // closes: both stay off the async workers.
            tauri::async_runtime::spawn_blocking(move || show(&app, &health, &notification));
        }
    });
}

fn show<R: Runtime>(app: &AppHandle<R>, health: &ServerHealth, notification: &Notification) {
    match desktop(notification).show() {
        #[cfg(all(unix, not(target_os = "macos")))]
        Ok(handle) => {
            health.shown();
            handle.wait_for_action(|action| on_action(app, action));
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        Ok(_) => {
            let _ = app;
            health.shown();
        }
        Err(error) => {
            health.failed(&error);
        }
    }
}

/// "Send a test notification": shows one at once, whatever the settings say, and fails when no
/// notification server answers, so the settings window can say so. Its buttons work as an
/// alert's do.
pub async fn show_test<R: Runtime>(app: AppHandle<R>) -> Result<(), AppError> {
    let notification = lattica_core::alerts::test_notification();
    let (shown, outcome) = tokio::sync::oneshot::channel();
    tauri::async_runtime::spawn_blocking(move || match desktop(&notification).show() {
        #[cfg(all(unix, not(target_os = "macos")))]
        Ok(handle) => {
            let _ = shown.send(Ok(()));
            handle.wait_for_action(|action| on_action(&app, action));
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        Ok(_) => {
            let _ = (app, shown.send(Ok(())));
        }
        Err(error) => {
            tracing::warn!(%error, "the test notification was not shown");
            let _ = shown.send(Err(AppError::NoNotificationServer));
        }
    });
    outcome
        .await
        .map_err(|_| AppError::internal("the notification thread ended"))?
}

/// The desktop notification for one of the policy's.
fn desktop(notification: &Notification) -> notify_rust::Notification {
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
    desktop
}

#[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
fn on_action<R: Runtime>(app: &AppHandle<R>, action: &str) {
    let engine = || app.state::<EngineHandle>();
    match ActionId::parse(action) {
        Some(ActionId::AddCredit) => actions::add_credit(app),
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

#[cfg(test)]
mod health_tests {
    use super::ServerHealth;

    #[test]
    fn a_missing_server_is_reported_once_until_it_is_back() {
        let health = ServerHealth::default();
        assert!(health.failed(&"no server"), "the first failure warns");
        assert!(!health.failed(&"no server"), "later ones do not");
        health.shown();
        assert!(health.failed(&"gone again"), "warns again after a recovery");
    }
}
