//! The popover's commands: the cached view, refreshing, and the windows it opens.

use tauri::{AppHandle, Manager, Runtime};

use crate::actions;
use crate::error::IpcError;
use crate::ipc::WindowId;
use crate::presenter::{self, NumberedView, Views};
use crate::windows;
use lattica_app::engine::{Command, EngineHandle};

/// The popover's view model, numbered. `after: 0` answers at once with the view rendered now
/// from the state cached in Rust, so the popover paints with data; a later call with the number
/// last seen answers when a different view is presented (the page's update loop).
#[tauri::command]
pub async fn next_view<R: Runtime>(app: AppHandle<R>, after: u64) -> NumberedView {
    let views = app.state::<Views>();
    if after == 0 {
        views.publish(presenter::current(&app).popover);
    }
    views.after(after).await
}

/// Starts a refresh; the result arrives through `next_view`.
#[tauri::command]
pub fn refresh_now<R: Runtime>(app: AppHandle<R>) {
    actions::refresh(&app);
}

/// The user read the notice about local files set aside at start: it is not shown again.
#[tauri::command]
pub fn dismiss_notices(engine: tauri::State<'_, EngineHandle>) {
    engine.send(Command::DismissNotices);
}

#[tauri::command]
pub fn hide_popover<R: Runtime>(app: AppHandle<R>) {
    windows::hide_popover(&app, false);
}

// Windows are opened from async commands: a synchronous command runs on the main thread,
// where creating a webview can deadlock.

#[tauri::command]
pub async fn open_settings<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> {
    open(&app, WindowId::Settings)
}

#[tauri::command]
pub async fn open_add_credit<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> {
    crate::actions::add_credit(&app);
    Ok(())
}

#[tauri::command]
pub async fn open_sign_in<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> {
    open(&app, WindowId::SignIn)
}

fn open<R: Runtime>(app: &AppHandle<R>, window: WindowId) -> Result<(), IpcError> {
    windows::open(app, window)
        .map(drop)
        .map_err(IpcError::internal)
}
