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
use crate::ipc::WindowId;
use crate::prefs::Preferences;
use crate::session::Sessions;
use crate::startup::{EmbeddedSandbox, StartError};
use crate::tray::{Tray, TrayModel};
use crate::windows::PopoverLife;

/// The entry point: a subcommand runs without GTK; otherwise the tray app starts.
pub fn main() -> ExitCode {
    let args = cli::Args::parse();
    match args.command {
        Some(command) => cli::run(command, args.sandbox),
        None => match run(args.sandbox) {
            Ok(()) => ExitCode::SUCCESS,
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
    /// Create the tray item (unit tests on the mock runtime go without).
    with_tray: bool,
    signed_in: bool,
}

/// Runs the tray app until the user quits.
pub fn run(sandbox: bool) -> Result<(), StartError> {
    let paths = startup::init()?;
    let autostart_args: Vec<&str> = if sandbox { vec!["--sandbox"] } else { vec![] };
    let builder = Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            actions::show_popover(app, None);
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
    install(app.handle(), startup::prepare(&paths, sandbox)?)?;
    app.run(on_run_event);
    Ok(())
}

/// Wires the commands, and the wizard's closing to the payment it may leave. Generic over the
/// runtime, like [`install`], so unit tests build the same app on
/// `tauri::test::mock_builder()`.
pub fn build<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    let builder = builder.on_window_event(payment::on_window_event);
    builder.invoke_handler(tauri::generate_handler![
        commands::account::get_view,
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

/// Installs the parts into a built app: managed state, the tray item, the presenter, and the
/// sign-in window on a first run.
pub fn install<R: Runtime>(app: &AppHandle<R>, parts: Parts) -> tauri::Result<()> {
    let Parts {
        prefs,
        sessions,
        engine,
        popover,
        sandbox,
        alerts,
        with_tray,
        signed_in,
    } = parts;
    app.manage(prefs);
    app.manage(sessions);
    app.manage(engine);
    app.manage(popover);
    app.manage(sandbox);
    app.manage(payment::Payments::default());
    if with_tray {
        let tray = Tray::create(app, TrayModel::starting(signed_in))?;
        app.manage(tray);
    }
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
