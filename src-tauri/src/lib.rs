//! Lattica Tray's shell: the tray item, the windows, the IPC commands, the notifier and the
//! startup wiring of the `lattica-tray-app` program, which `lattica-tray` starts.
//!
//! The running app's logic lives in `lattica-app` (engine, session, payments), the views and
//! policies in `lattica-core`, the platform client in `lattica-client`; this crate only wires
//! them to Tauri.

mod actions;
mod commands;
mod error;
mod icons;
mod ipc;
mod notifier;
mod payment;
mod presenter;
mod shortcut;
mod startup;
mod tray;
mod windows;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use lattica_app::cli;
use lattica_app::demo::Profile;
use lattica_app::engine::EngineHandle;
use lattica_app::payment::Payments;
use lattica_app::prefs::Preferences;
use lattica_app::session::Sessions;
use lattica_core::view::TrayView;
use tauri::{AppHandle, Builder, Manager, RunEvent, Runtime};

use crate::ipc::WindowId;
use crate::startup::StartError;
use crate::tray::Tray;
use crate::windows::PopoverLife;

/// The entry point of `lattica-tray-app`: the tray app (a subcommand, should one reach it,
/// runs as `lattica-tray` would run it).
pub fn main() -> ExitCode {
    // First: it writes the environment, which is sound only while no other thread exists.
    startup::choose_webkit_rendering();
    let args = cli::Args::parse();
    match args.command {
        Some(command) => cli::run(command, args.sandbox),
        None => match run(args.demo()) {
            Ok(()) => ExitCode::SUCCESS,
            // Printed when it happened.
            Err(StartError::Exited(code)) => {
                ExitCode::from(u8::try_from(code).unwrap_or(cli::exit::FAILURE))
            }
            Err(error) => {
                eprintln!("lattica-tray: {error}");
                ExitCode::from(match error {
                    StartError::NoDisplay | StartError::DisplayUnusable(_) => cli::exit::NO_DISPLAY,
                    _ => cli::exit::FAILURE,
                })
            }
        },
    }
}

/// The state and options [`install`] wires into the app.
#[derive(Debug)]
pub struct Parts {
    prefs: Preferences,
    sessions: Sessions,
    engine: EngineHandle,
    popover: PopoverLife,
    /// The user's platform or the demo (`--sandbox`, "Try the demo account") with its
    /// sandbox process.
    platforms: lattica_app::platform::Platforms,
    /// The alert policy's notifications, shown by the notifier.
    alerts: Option<tokio::sync::mpsc::UnboundedReceiver<lattica_core::alerts::Notification>>,
    signed_in: bool,
    /// Each payment attempt's wait before sending an unanswered request again.
    resend_delay: Duration,
    /// The payment journal, in the local database.
    journal: Option<lattica_app::payment::Journal>,
    automation: Automation,
}

/// Whether the app runs under WebDriver (decided once at start, see
/// [`startup::under_webdriver`]). WebKitGTK binds the automation session to the first
/// webview, so the popover is then created at start (hidden) and never destroyed, and the
/// app ends with its driver and with its last window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Automation(pub bool);

/// Runs the tray app until the user quits.
///
/// The tray item comes first: it registers with the panel as soon as the event loop runs, and
/// everything slower (the demo sandbox, the token from the keychain, the history) is
/// prepared on another thread meanwhile and installed when ready. A menu click that arrives in
/// between waits for it ([`actions::when_ready`]).
pub fn run(demo: Option<Profile>) -> Result<(), StartError> {
    let paths = startup::init()?;
    tracing::debug!("logging started");
    let autostart_args: Vec<&str> = match demo {
        None => vec![],
        Some(Profile::Full) => vec!["--sandbox"],
        Some(Profile::Published) => vec!["--sandbox", "--published-only"],
    };
    let builder = Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            actions::when_ready(app, |app| actions::show_popover(app, None));
        }))
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .args(autostart_args)
                .app_name("Lattica Tray")
                .build(),
        );
    // The global shortcut's plugin is installed when a shortcut is first set (shortcut/plugin.rs).
    // Building runs the plugins: a second launch hands over to the first and exits here,
    // before it could start a second sandbox on the same database.
    let app = startup::build_app(build(builder), tauri::generate_context!())?;
    // macOS: a menu bar app, without a Dock icon or an app menu of its own.
    #[cfg(target_os = "macos")]
    let app = {
        let mut app = app;
        app.set_activation_policy(tauri::ActivationPolicy::Accessory);
        app
    };
    tracing::debug!("app built");
    let handle = app.handle().clone();
    handle.manage(actions::Readiness::<tauri::Wry>::waiting());
    handle.manage(Tray::create(&handle, TrayView::starting())?);
    tracing::debug!("tray item created");
    std::thread::Builder::new()
        .name("prepare".into())
        .spawn(move || prepare_and_install(&handle, &paths, demo))
        .map_err(StartError::Thread)?;
    match app.run_return(on_run_event) {
        0 => Ok(()),
        code => Err(StartError::Exited(code)),
    }
}

/// Prepares the parts off the event loop and installs them on it; a failure ends the app with
/// the message [`run`] would have printed.
fn prepare_and_install(
    app: &AppHandle,
    paths: &lattica_app::paths::AppPaths,
    demo: Option<Profile>,
) {
    fn fail(app: &AppHandle, error: &dyn std::fmt::Display) {
        tracing::error!(%error, "cannot start");
        eprintln!("lattica-tray: {error}");
        app.exit(i32::from(cli::exit::FAILURE));
    }
    let parts = match startup::prepare(paths, demo) {
        Ok(parts) => parts,
        Err(error) => return fail(app, &error),
    };
    let on_loop = app.clone();
    let scheduled = app.run_on_main_thread(move || match install(&on_loop, parts) {
        Ok(()) => on_loop
            .state::<actions::Readiness<tauri::Wry>>()
            .ready(&on_loop),
        Err(error) => fail(&on_loop, &error),
    });
    if let Err(error) = scheduled {
        // The loop is gone: the app is quitting already.
        tracing::debug!(%error, "not installed: the app is quitting");
    }
}

/// Wires the commands, and the wizard's closing to the payment it may leave. Generic over the
/// runtime, like [`install`], so unit tests build the same app on
/// `tauri::test::mock_builder()`.
pub fn build<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    let builder = builder.on_window_event(payment::on_window_event);
    builder.invoke_handler(tauri::generate_handler![
        commands::account::next_view,
        commands::account::refresh_now,
        commands::account::dismiss_notices,
        commands::account::hide_popover,
        commands::account::open_settings,
        commands::account::open_add_credit,
        commands::account::open_sign_in,
        commands::diagnostics::popover_painted,
        commands::payment::payment_context,
        commands::payment::payment_quote,
        commands::payment::payment_begin,
        commands::payment::payment_pay,
        commands::payment::payment_authenticated,
        commands::payment::payment_check_again,
        commands::payment::payment_cancel,
        commands::payment::payment_done,
        commands::payment::quick_top_up_offer,
        commands::payment::quick_top_up,
        commands::payment::saved_cards,
        commands::payment::remove_saved_card,
        commands::autotopup::auto_top_up_state,
        commands::autotopup::auto_top_up_preview,
        commands::autotopup::auto_top_up_enable,
        commands::autotopup::auto_top_up_disable,
        commands::session::sign_in,
        commands::session::sign_in_context,
        commands::session::sign_out,
        commands::session::try_demo,
        commands::session::leave_demo,
        commands::settings::get_settings,
        commands::settings::save_settings,
        commands::settings::send_test_notification,
    ])
}

/// Installs the parts into a built app: managed state, the presenter, and the sign-in window
/// on a first run. The tray item exists already ([`run`]); unit tests go without one.
pub fn install<R: Runtime>(app: &AppHandle<R>, parts: Parts) -> tauri::Result<()> {
    let Parts {
        prefs,
        sessions,
        engine,
        popover,
        platforms,
        alerts,
        signed_in,
        resend_delay,
        journal,
        automation,
    } = parts;
    app.manage(shortcut::Refusal::default());
    #[cfg(target_os = "linux")]
    app.manage(shortcut::PortalShortcut::default());
    shortcut::register_saved(app, prefs.get().shortcut().cloned());
    let windows = Arc::new(payment::ShellWindows(app.clone()));
    let payments = Payments::new(
        engine.clone(),
        sessions.clone(),
        windows,
        resend_delay,
        journal,
    );
    // A payment the app was stopped in is settled before anything new is paid.
    let resuming = payments.clone();
    tauri::async_runtime::spawn(async move {
        resuming.resume().await;
        // Auto top-up starts once the last run's payment is settled.
        resuming.run_auto_top_up().await;
    });
    app.manage(payments);
    app.manage(prefs);
    app.manage(sessions);
    app.manage(engine);
    app.manage(presenter::Views::new(presenter::current(app).popover));
    app.manage(popover);
    app.manage(platforms);
    app.manage(automation);
    presenter::spawn(app.clone());
    if let Some(alerts) = alerts {
        notifier::spawn(app.clone(), alerts);
    }
    if automation.0 {
        windows::popover(app)?;
        startup::end_with_driver(app);
    }
    if !signed_in {
        // First run (or the keychain is missing): ask for a token straight away.
        actions::open(app, WindowId::SignIn);
    }
    Ok(())
}

fn on_run_event<R: Runtime>(app: &tauri::AppHandle<R>, event: RunEvent) {
    match event {
        // The last window closing is not the end of a tray app: only "Quit" is. Under
        // WebDriver it is: the driver closes the windows when its session ends.
        RunEvent::ExitRequested {
            code: None, api, ..
        } if app.try_state::<Automation>().is_none_or(|a| !a.0) => api.prevent_exit(),
        RunEvent::Exit => {
            if let Some(tray) = app.try_state::<Tray<R>>() {
                tray.remove();
            }
            if let Some(platforms) = app.try_state::<lattica_app::platform::Platforms>() {
                platforms.shutdown();
            }
            tracing::info!("quit");
        }
        _ => {}
    }
}

#[cfg(test)]
mod test_ipc;
#[cfg(test)]
mod tests;
