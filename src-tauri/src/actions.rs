//! What the user can do, whatever they clicked: the tray menu, a tray click, a popover button
//! or a second launch all end up here.

use lattica_client::LatticaClient;
use lattica_core::view::SignOutReason;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::engine::{Command, EngineHandle};
use crate::error::AppError;
use crate::ipc::{WindowId, event, menu};
use crate::session::{SessionInfo, Sessions};
use crate::windows::{self, Anchor};

/// Dispatches a tray menu click by its id.
pub fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    tracing::debug!(id, "menu item clicked");
    match id {
        menu::OPEN => show_popover(app, None),
        menu::ADD_CREDIT => open(app, WindowId::Wizard),
        menu::REFRESH => refresh(app),
        menu::SETTINGS => open(app, WindowId::Settings),
        menu::SIGN_IN => open(app, WindowId::SignIn),
        menu::SIGN_OUT => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(error) = sign_out(&app).await {
                    tracing::error!(%error, "sign out failed");
                }
            });
        }
        menu::QUIT => app.exit(0),
        _ => {}
    }
}

fn engine<R: Runtime>(app: &AppHandle<R>) -> tauri::State<'_, EngineHandle> {
    app.state::<EngineHandle>()
}

/// Shows the popover and refreshes unless the figures are very fresh.
pub fn show_popover<R: Runtime>(app: &AppHandle<R>, anchor: Option<Anchor>) {
    match windows::show_popover(app, anchor) {
        Ok(()) => engine(app).send(Command::PopoverOpened),
        Err(error) => tracing::error!(%error, "could not show the popover"),
    }
}

/// A tray click (macOS, Windows).
pub fn toggle_popover<R: Runtime>(app: &AppHandle<R>, anchor: Option<Anchor>) {
    let was_visible = windows::popover_visible(app);
    match windows::toggle_popover(app, anchor) {
        Ok(()) if !was_visible && windows::popover_visible(app) => {
            engine(app).send(Command::PopoverOpened);
        }
        Ok(()) => {}
        Err(error) => tracing::error!(%error, "could not toggle the popover"),
    }
}

pub fn open<R: Runtime>(app: &AppHandle<R>, window: WindowId) {
    if let Err(error) = windows::open(app, window) {
        tracing::error!(%error, window = window.label(), "could not open a window");
    }
}

pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    engine(app).send(Command::RefreshNow);
}

/// A token was accepted and stored: start over with it.
pub fn signed_in<R: Runtime>(app: &AppHandle<R>, client: LatticaClient, info: &SessionInfo) {
    engine(app).send(Command::SignedIn(client));
    let _ = app.emit(event::SESSION_CHANGED, info);
    windows::close(app, WindowId::SignIn);
}

/// Removes the token and every figure shown.
pub async fn sign_out<R: Runtime>(app: &AppHandle<R>) -> Result<(), AppError> {
    app.state::<Sessions>().sign_out().await?;
    engine(app).send(Command::SignedOut(SignOutReason::SignedOut));
    let _ = app.emit(
        event::SESSION_CHANGED,
        SessionInfo {
            email: None,
            token_expires_at: None,
        },
    );
    Ok(())
}

/// The platform ended the session (expired or revoked token): forget the token and ask for a
/// new one.
pub fn session_ended<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = app.state::<Sessions>().sign_out().await {
            tracing::error!(%error, "could not remove the refused token");
        }
        open(&app, WindowId::SignIn);
    });
}
