//! Two bare Tauri tray apps, the baseline of `scripts/bench-footprint.sh`: a tray item with
//! "Open" and "Quit", and a popover page that shows a number fetched through a command. They
//! differ in one thing only, when the popover's webview exists:
//! - [`Variant::Hidden`] creates it hidden at start and then only shows and hides it;
//! - [`Variant::Lazy`] creates it when opened and destroys it when hidden.
//!
//! The popover window is built like the real app's (same size and flags), and its page marks
//! its first paint with data after each show through the `popover_painted` command, which logs
//! `bench: popover painted` exactly as the real app does. Without a display Tauri panics at
//! start; the benchmark always runs these apps inside `scripts/headless-session.sh`.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, RunEvent, State, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

/// The popover window's label, which its capability names.
const POPOVER: &str = "popover";
/// The real app's tray icon, so both draw the same pixels.
const TRAY_ICON: &[u8] = include_bytes!("../../../icons/tray/ok.png");

/// When the popover's webview exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Created hidden at start, never destroyed.
    Hidden,
    /// Created when opened, destroyed when hidden.
    Lazy,
}

/// How many times the page asked for its number: the "data", different on every read.
#[derive(Debug, Default)]
struct Reads(AtomicU64);

#[tauri::command]
fn get_number(reads: State<'_, Reads>) -> u64 {
    reads.0.fetch_add(1, Ordering::Relaxed) + 1
}

#[tauri::command]
fn hide_popover(app: AppHandle, variant: State<'_, Variant>) {
    hide(&app, *variant);
}

/// The benchmark's mark: the page has painted its data (two animation frames after render).
#[tauri::command]
fn popover_painted() {
    tracing::info!("bench: popover painted");
}

/// Runs the tray app until "Quit".
pub fn run(variant: Variant) -> ExitCode {
    // Same line format as the real app's log, so the benchmark reads both alike.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let built = tauri::Builder::default()
        .manage(variant)
        .manage(Reads::default())
        .invoke_handler(tauri::generate_handler![
            get_number,
            hide_popover,
            popover_painted
        ])
        .setup(move |app| {
            create_tray(app.handle())?;
            if variant == Variant::Hidden {
                create_popover(app.handle())?;
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    match built {
        Ok(app) => {
            app.run(|_, event| {
                // Destroying the lazy popover closes the last window; only "Quit" ends the app.
                if let RunEvent::ExitRequested {
                    code: None, api, ..
                } = event
                {
                    api.prevent_exit();
                }
            });
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bare-tray: {error}");
            ExitCode::FAILURE
        }
    }
}

fn create_tray(app: &AppHandle) -> tauri::Result<()> {
    let menu = Menu::with_items(
        app,
        &[
            &MenuItem::with_id(app, "open", "Open", true, None::<&str>)?,
            &MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?,
        ],
    )?;
    // The app keeps the tray icon registered; the returned handle is not needed.
    TrayIconBuilder::with_id("bare")
        .icon(Image::from_bytes(TRAY_ICON)?)
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => {
                if let Err(error) = open(app) {
                    tracing::error!(%error, "could not open the popover");
                }
            }
            "quit" => app.exit(0),
            _ => {}
        })
        .build(app)?;
    Ok(())
}

/// The popover window, created hidden, built like the real app's.
fn create_popover(app: &AppHandle) -> tauri::Result<WebviewWindow> {
    WebviewWindowBuilder::new(app, POPOVER, WebviewUrl::App("index.html".into()))
        .title("Bare popover")
        .inner_size(360.0, 480.0)
        .resizable(false)
        .decorations(false)
        .always_on_top(true)
        .skip_taskbar(true)
        .visible(false)
        .focused(true)
        .build()
}

fn open(app: &AppHandle) -> tauri::Result<()> {
    let window = match app.get_webview_window(POPOVER) {
        Some(window) => window,
        None => create_popover(app)?,
    };
    window.show()?;
    window.set_focus()
}

fn hide(app: &AppHandle, variant: Variant) {
    let Some(window) = app.get_webview_window(POPOVER) else {
        return;
    };
    let done = match variant {
        Variant::Hidden => window.hide(),
        Variant::Lazy => window.destroy(),
    };
    if let Err(error) = done {
        tracing::warn!(%error, "could not hide the popover");
    }
}
