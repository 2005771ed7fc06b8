//! Lattica Tray: the Lattica account's credit balance, estimated usage time and last payment
//! in the desktop tray, with a popover, settings and sign-in windows.
//!
//! The logic lives in `lattica-core` and `lattica-client`; this crate is the shell that wires
//! them to the tray, the windows, the keychain and the command line.

mod actions;
mod alerting;
mod backend;
mod cli;
mod commands;
mod engine;
mod error;
mod fetch;
mod icons;
mod ipc;
mod keychain;
mod logging;
mod notifier;
mod paths;
mod payment;
mod prefs;
mod present;
mod presenter;
mod session;
mod startup;
mod tray;
mod windows;

use std::process::ExitCode;

use clap::Parser;
use tauri::{AppHandle, Builder, Manager, RunEvent, Runtime};

use crate::engine::EngineHandle;
use crate::error::AppError;
use crate::ipc::WindowId;
use crate::prefs::Preferences;
use crate::session::Sessions;
use crate::startup::{EmbeddedSandbox, StartError};
use crate::tray::{Tray, TrayModel};
use crate::windows::PopoverLife;

/// The entry point: a subcommand runs without GTK; otherwise the tray app starts.
pub fn main() -> ExitCode {
    // First: it writes the environment, which is sound only while no other thread exists.
    startup::choose_webkit_rendering();
    let args = cli::Args::parse();
    match args.command {
        Some(command) => cli::run(command, args.sandbox),
        None => match run(args.sandbox) {
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

/// The state and options [`build`] wires into the app.
#[derive(Debug)]
pub struct Parts {
    prefs: Preferences,
    sessions: Sessions,
    engine: EngineHandle,
    popover: PopoverLife,
    sandbox: EmbeddedSandbox,
    /// The alert policy's notifications, shown by the notifier.
    alerts: Option<tokio::sync::mpsc::UnboundedReceiver<lattica_core::alerts::Notification>>,
    signed_in: bool,
}

/// Runs the tray app until the user quits.
///
/// The tray item comes first: it registers with the panel as soon as the event loop runs, and
/// everything slower (the embedded sandbox, the token from the keychain, the history) is
/// prepared on another thread meanwhile and installed when ready. A menu click that arrives in
/// between waits for it ([`actions::when_ready`]).
pub fn run(sandbox: bool) -> Result<(), StartError> {
    let paths = startup::init()?;
    tracing::debug!("logging started");
    let autostart_args: Vec<&str> = if sandbox { vec!["--sandbox"] } else { vec![] };
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
    // Building runs the plugins: a second launch hands over to the first and exits here,
    // before it could start a second sandbox on the same database.
    let app = startup::build_app(build(builder), tauri::generate_context!())?;
    tracing::debug!("app built");
    let handle = app.handle().clone();
    handle.manage(actions::Readiness::<tauri::Wry>::waiting());
    handle.manage(Tray::create(&handle, TrayModel::starting())?);
    tracing::debug!("tray item created");
    std::thread::Builder::new()
        .name("prepare".into())
        .spawn(move || prepare_and_install(&handle, &paths, sandbox))
        .map_err(|e| StartError::App(AppError::internal(e)))?;
    match app.run_return(on_run_event) {
        0 => Ok(()),
        code => Err(StartError::Exited(code)),
    }
}

/// Prepares the parts off the event loop and installs them on it; a failure ends the app with
/// the message [`run`] would have printed.
fn prepare_and_install(app: &AppHandle, paths: &paths::AppPaths, sandbox: bool) {
    fn fail(app: &AppHandle, error: &dyn std::fmt::Display) {
        tracing::error!(%error, "cannot start");
        eprintln!("lattica-tray: {error}");
        app.exit(i32::from(cli::exit::FAILURE));
    }
    let parts = match startup::prepare(paths, sandbox) {
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
        commands::payment::payment_status,
        commands::payment::quick_top_up_offer,
        commands::payment::quick_top_up,
        commands::session::sign_in,
        commands::session::sign_in_context,
        commands::session::sign_out,
        commands::settings::get_settings,
        commands::settings::save_settings,
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
        sandbox,
        alerts,
        signed_in,
    } = parts;
    app.manage(prefs);
    app.manage(sessions);
    app.manage(engine);
    app.manage(presenter::Views::new(presenter::current(app).popover));
    app.manage(popover);
    app.manage(sandbox);
    app.manage(payment::Payments::default());
    presenter::spawn(app.clone());
    if let Some(alerts) = alerts {
        notifier::spawn(app.clone(), alerts);
    }
    if startup::under_webdriver() {
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
        } if !startup::under_webdriver() => api.prevent_exit(),
        RunEvent::Exit => {
            if let Some(tray) = app.try_state::<Tray<R>>() {
                tray.remove();
            }
            if let Some(sandbox) = app.try_state::<EmbeddedSandbox>() {
                sandbox.shutdown();
            }
            tracing::info!("quit");
        }
        _ => {}
    }
}

#[cfg(test)]
mod engine_tests;
#[cfg(test)]
mod test_ipc;
#[cfg(test)]
mod tests;
