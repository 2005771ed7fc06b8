//! The settings window's commands.

use lattica_core::settings::{
    MAX_REFRESH_INTERVAL, MIN_REFRESH_INTERVAL, Settings, SettingsError, SettingsForm,
};
use lattica_core::view::{Session, SettingsTexts, SignOutReason, account_line};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::IpcError;
use lattica_app::AppError;
use lattica_app::backend::Backend;
use lattica_app::engine::{Command, EngineHandle};
use lattica_app::prefs::Preferences;
use lattica_app::session::Sessions;

/// What the settings window shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub form: SettingsForm,
    pub min_refresh_secs: u64,
    pub max_refresh_secs: u64,
    /// Why the backend URL setting does not apply right now, if it does not.
    pub backend_note: Option<String>,
    /// The platform in use.
    pub backend: String,
    pub signed_in: bool,
    /// `Signed in as ann@example.com on https://…`, or signed out.
    pub account: String,
    /// The demo's label while the app runs on the demo account (its settings are its own).
    pub demo: Option<String>,
    /// The window's sentences: hints, outcomes, confirmations.
    pub texts: SettingsTexts,
    /// Why the saved keyboard shortcut is not active (the desktop refused it), if it is not.
    pub shortcut_problem: Option<String>,
}

/// The settings as saved, with launch at login as the system has it: the login item may have
/// been added or removed outside the app.
#[tauri::command]
pub fn get_settings<R: Runtime>(
    app: AppHandle<R>,
    prefs: State<'_, Preferences>,
    sessions: State<'_, Sessions>,
    engine: State<'_, EngineHandle>,
) -> SettingsView {
    let mut view = view(&prefs.get(), &sessions.backend(), &engine);
    view.shortcut_problem = shortcut_problem(&app);
    if let Some(on) = launch_at_login_now(&app) {
        view.form.launch_at_login = on;
    }
    view
}

/// Whether the system starts the app at login; `None` where that cannot be read (unit tests
/// build the app without the plugin, or the entry is unreadable: the saved setting stands).
fn launch_at_login_now<R: Runtime>(app: &AppHandle<R>) -> Option<bool> {
    use tauri_plugin_autostart::ManagerExt;
    app.try_state::<tauri_plugin_autostart::AutoLaunchManager>()?;
    app.autolaunch()
        .is_enabled()
        .inspect_err(|error| tracing::warn!(%error, "cannot read launch at login"))
        .ok()
}

/// Validates and saves the form, then applies it: refresh schedule, thresholds, launch at
/// login, the global shortcut, and the backend (which signs in again with that backend's stored token).
#[tauri::command]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    form: SettingsForm,
) -> Result<SettingsView, IpcError> {
    let settings = Settings::from_form_in(&form, lattica_app::locale::number_style())
        .map_err(AppError::InvalidSettings)?;
    let (prefs, sessions, engine) = (
        app.state::<Preferences>(),
        app.state::<Sessions>(),
        app.state::<EngineHandle>(),
    );
    // Read, applied and written with no move into or out of the demo under way: the form goes
    // to the settings file of the platform it was read from.
    let _held = crate::actions::hold_platform(&app).await;
    let before = prefs.get();
    // First, so a failure leaves the saved settings saying what is true. Checked on every
    // save, not only on a change: the login item may have been removed outside the app.
    set_launch_at_login(&app, settings.launch_at_login())?;
    apply_shortcut(&app, &before, &settings).await?;
    prefs.save(settings.clone())?;
    engine.send(Command::SettingsChanged(Box::new(settings.clone())));
    let backend = sessions.backend();
    if !backend.is_sandbox() && before.backend_url() != settings.backend_url() {
        let next = Backend::from_env_and_settings(&settings)?;
        if next.url() != backend.url() {
            tracing::info!(backend = next.url(), "switching platform");
            sessions.switch_backend(next);
            match sessions.restore().await? {
                Some(client) => engine.send(Command::SignedIn(client)),
                None => engine.send(Command::SignedOut {
                    reason: SignOutReason::NoToken,
                    forget_history: false,
                }),
            }
        }
    }
    let mut view = view(&settings, &sessions.backend(), &engine);
    view.shortcut_problem = shortcut_problem(&app);
    Ok(view)
}

/// Why the saved shortcut is not active, if the desktop refused it.
fn shortcut_problem<R: Runtime>(app: &AppHandle<R>) -> Option<String> {
    app.try_state::<crate::shortcut::Refusal>()
        .and_then(|refusal| refusal.message())
}

/// Registers the new shortcut in place of the saved one. A refusal of a changed shortcut is
/// the shortcut field's error and nothing is saved; the same shortcut refused again (it was
/// taken since the start) is only logged, so it never blocks saving the other settings.
async fn apply_shortcut<R: Runtime>(
    app: &AppHandle<R>,
    before: &Settings,
    settings: &Settings,
) -> Result<(), IpcError> {
    let (old, new) = (before.shortcut().cloned(), settings.shortcut().cloned());
    let changed = old != new;
    let applied = crate::shortcut::replace(app, old, new).await;
    let refusal = app.try_state::<crate::shortcut::Refusal>();
    match applied {
        // The saved shortcut stays as it was, and so does what is known of it.
        Err(error) if changed => {
            Err(AppError::InvalidSettings(vec![SettingsError::Shortcut(error)].into()).into())
        }
        Err(error) => {
            tracing::warn!(%error, "the saved shortcut is still not active");
            if let Some(refusal) = refusal {
                refusal.set(Some(error));
            }
            Ok(())
        }
        Ok(()) => {
            if let Some(refusal) = refusal {
                refusal.set(None);
            }
            Ok(())
        }
    }
}

/// "Send a test notification": shows what an alert looks like on this desktop.
#[tauri::command]
pub async fn send_test_notification<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> {
    crate::notifier::show_test(app)
        .await
        .map_err(IpcError::from)
}

fn set_launch_at_login<R: Runtime>(app: &AppHandle<R>, on: bool) -> Result<(), IpcError> {
    use tauri_plugin_autostart::ManagerExt;
    // Absent in unit tests, which build the app without plugins.
    if app
        .try_state::<tauri_plugin_autostart::AutoLaunchManager>()
        .is_none()
    {
        return Ok(());
    }
    let failed = |e: tauri_plugin_autostart::Error| {
        IpcError(AppError::Storage(format!(
            "could not change launch at login: {e}"
        )))
    };
    let launcher = app.autolaunch();
    if launcher.is_enabled().map_err(failed)? == on {
        return Ok(());
    }
    if on {
        // The launcher writes `~/.config/autostart/` but creates only its last level.
        #[cfg(target_os = "linux")]
        if let Some(home) = dirs::home_dir() {
            let _ = std::fs::create_dir_all(home.join(".config"));
        }
        launcher.enable().map_err(failed)
    } else {
        launcher.disable().map_err(failed)
    }
}

fn view(settings: &Settings, backend: &Backend, engine: &EngineHandle) -> SettingsView {
    let state = engine.state();
    let signed_in = state.session == Session::SignedIn;
    let email = state.snapshot.as_ref().and_then(|s| s.email.as_deref());
    let url = backend.url().trim_end_matches('/').to_owned();
    let backend_note = if backend.is_sandbox() {
        Some(
            "The app runs on the demo account; this setting applies once you leave the demo."
                .to_owned(),
        )
    } else if std::env::var(lattica_client::config::BASE_URL_ENV)
        .is_ok_and(|v| !v.trim().is_empty())
    {
        Some("LATTICA_BE_URL is set and takes precedence over this setting.".to_owned())
    } else {
        None
    };
    SettingsView {
        form: settings.to_form(),
        min_refresh_secs: MIN_REFRESH_INTERVAL.as_secs(),
        max_refresh_secs: MAX_REFRESH_INTERVAL.as_secs(),
        backend_note,
        backend: url.clone(),
        signed_in,
        account: account_line(signed_in, email, &url),
        demo: state
            .demo
            .then(|| lattica_core::view::DEMO_LABEL.to_owned()),
        texts: SettingsTexts::new(MIN_REFRESH_INTERVAL, MAX_REFRESH_INTERVAL),
        shortcut_problem: None,
    }
}
