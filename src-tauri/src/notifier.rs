//! Shows the alert policy's notifications on the desktop (when the user wants them) and routes
//! their buttons: add credit, snooze, update the token. Linux (freedesktop notifications) and
//! Windows (toasts) show the buttons and report clicks; macOS shows the text only.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use lattica_core::alerts::Notification;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::mpsc;

use lattica_app::AppError;
use lattica_app::prefs::Preferences;

/// The action id a click on the notification itself reports (the freedesktop server's id; a
/// Windows toast reports none and is given this one).
#[cfg(not(target_os = "macos"))]
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
    // macOS: notifications come from the app's bundle, not from Terminal (the library's
    // default); outside a bundle the identifier is unknown and the default stays.
    #[cfg(target_os = "macos")]
    if notify_rust::set_application(&app.config().identifier).is_err() {
        tracing::debug!("notifications show under the default application");
    }
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
            tauri::async_runtime::spawn_blocking(move || {
                present(&app, &notification, |shown| match shown {
                    Ok(()) => health.shown(),
                    Err(error) => {
                        health.failed(&error);
                    }
                });
            });
        }
    });
}

/// "Send a test notification": shows one at once, whatever the settings say, and fails when no
/// notification server answers, so the settings window can say so. Its buttons work as an
/// alert's do.
pub async fn show_test<R: Runtime>(app: AppHandle<R>) -> Result<(), AppError> {
    let notification = lattica_core::alerts::test_notification();
    let (tell, told) = tokio::sync::oneshot::channel();
    tauri::async_runtime::spawn_blocking(move || {
        present(&app, &notification, |shown| {
            if let Err(error) = &shown {
                tracing::warn!(%error, "the test notification was not shown");
            }
            let _ = tell.send(shown);
        });
    });
    told.await
        .map_err(|_| AppError::internal("the notification thread ended"))?
        .map_err(|_| AppError::NoNotificationServer)
}

/// Each platform's `present` puts `notification` on the desktop, tells `shown` whether it is
/// there (or why not), then routes a click on its buttons while it stays.
///
/// Linux and the BSDs: the freedesktop notification server, with the buttons; this thread
/// waits for the answer until the notification closes.
#[cfg(all(unix, not(target_os = "macos")))]
fn present<R: Runtime>(
    app: &AppHandle<R>,
    notification: &Notification,
    shown: impl FnOnce(Result<(), String>),
) {
    use lattica_core::alerts::Urgency;
    let mut desktop = notify_rust::Notification::new();
    desktop
        .appname("Lattica Tray")
        .summary(&notification.title)
        .body(&notification.body)
        .urgency(match notification.urgency {
            Urgency::Low => notify_rust::Urgency::Low,
            Urgency::Normal => notify_rust::Urgency::Normal,
            Urgency::Critical => notify_rust::Urgency::Critical,
        })
        .action(DEFAULT_ACTION, "Open");
    for action in &notification.actions {
        desktop.action(action.id.as_str(), &action.label);
    }
    match desktop.show() {
        Ok(handle) => {
            shown(Ok(()));
            handle.wait_for_action(|action| on_action(app, action));
        }
        Err(error) => shown(Err(error.to_string())),
    }
}

/// macOS: Notification Center through notify-rust, which shows no buttons there and reports
/// no click. The same actions are one click away in the tray menu and the popover.
#[cfg(target_os = "macos")]
fn present<R: Runtime>(
    _app: &AppHandle<R>,
    notification: &Notification,
    shown: impl FnOnce(Result<(), String>),
) {
    let result = notify_rust::Notification::new()
        .summary(&notification.title)
        .body(&notification.body)
        .show();
    shown(result.map(drop).map_err(|error| error.to_string()));
}

/// Windows: a toast with the buttons; a click on a button or on the toast reaches
/// [`on_action`] while the app runs. A critical one stays until dismissed, as on Linux.
#[cfg(windows)]
fn present<R: Runtime>(
    app: &AppHandle<R>,
    notification: &Notification,
    shown: impl FnOnce(Result<(), String>),
) {
    use lattica_core::alerts::Urgency;
    use tauri_winrt_notification::{Duration, Scenario, Toast};
    let mut toast = Toast::new(&toast_app_id(app))
        .title(&notification.title)
        .text1(&notification.body);
    if notification.urgency == Urgency::Critical {
        toast = toast.duration(Duration::Long).scenario(Scenario::Reminder);
    }
    for action in &notification.actions {
        toast = toast.add_button(&xml_attribute(&action.label), action.id.as_str());
    }
    let app = app.clone();
    // A click on the toast itself carries no argument: it opens the popover, as "Open" does.
    let toast = toast.on_activated(move |argument| {
        on_action(&app, argument.as_deref().unwrap_or(DEFAULT_ACTION));
        Ok(())
    });
    shown(toast.show().map_err(|error| error.to_string()));
}

/// The AppUserModelID a toast is shown under. The installer registers the app's identifier
/// with its Start menu shortcut; a program run from Cargo's `target` folder is registered
/// nowhere, and Windows shows no toast for an unknown id, so it borrows PowerShell's.
#[cfg(windows)]
fn toast_app_id<R: Runtime>(app: &AppHandle<R>) -> String {
    if std::env::current_exe().is_ok_and(|exe| built_by_cargo(&exe)) {
        tauri_winrt_notification::Toast::POWERSHELL_APP_ID.to_owned()
    } else {
        app.config().identifier.clone()
    }
}

/// Whether `exe` sits in a Cargo build folder (`target/debug`, `target/<triple>/release`, …).
#[cfg(any(windows, test))]
fn built_by_cargo(exe: &std::path::Path) -> bool {
    let mut dirs = exe.ancestors().skip(1).take(3).map(|dir| dir.file_name());
    let profile = dirs.next().flatten();
    let profile_dir = profile.is_some_and(|name| name == "debug" || name == "release");
    profile_dir && dirs.any(|name| name.is_some_and(|name| name == "target"))
}

/// Text for an XML attribute: the toast library writes button labels into its XML as given.
#[cfg(any(windows, test))]
fn xml_attribute(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\'' => escaped.push_str("&apos;"),
            '"' => escaped.push_str("&quot;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Routes a click: on a button (`action` is its id) or on the notification itself. macOS
/// reports neither, so it has no such route.
#[cfg(not(target_os = "macos"))]
fn on_action<R: Runtime>(app: &AppHandle<R>, action: &str) {
    use crate::actions;
    use crate::ipc::WindowId;
    use lattica_app::engine::{Command, EngineHandle};
    use lattica_core::alerts::{ActionId, SnoozeFor};

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

#[cfg(test)]
mod toast_tests {
    use std::path::Path;

    use super::{built_by_cargo, xml_attribute};

    #[test]
    fn programs_in_cargo_build_folders_are_told_from_installed_ones() {
        for exe in [
            "C:/src/lattica/target/debug/lattica-tray-app.exe",
            "C:/src/lattica/target/release/lattica-tray-app.exe",
            "C:/src/lattica/target/x86_64-pc-windows-gnu/release/lattica-tray-app.exe",
        ] {
            assert!(built_by_cargo(Path::new(exe)), "{exe}");
        }
        for exe in [
            "C:/Users/ann/AppData/Local/Lattica Tray/lattica-tray-app.exe",
            "C:/Program Files/Lattica Tray/release/lattica-tray-app.exe",
            "C:/target/lattica-tray-app.exe",
            "lattica-tray-app.exe",
        ] {
            assert!(!built_by_cargo(Path::new(exe)), "{exe}");
        }
    }

    #[test]
    fn button_labels_are_escaped_for_the_toast_xml() {
        assert_eq!(xml_attribute("Snooze 1 hour"), "Snooze 1 hour");
        assert_eq!(
            xml_attribute(r#"Tom's <"top-up"> & co"#),
            "Tom&apos;s &lt;&quot;top-up&quot;&gt; &amp; co"
        );
    }
}
