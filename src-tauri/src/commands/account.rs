//! The popover's commands: the cached view, refreshing, and the windows it opens.

use tauri::{AppHandle, Runtime};

use crate::actions;
use crate::error::AppError;
use crate::ipc::WindowId;
use crate::present::PopoverModel;
use crate::{presenter, windows};

/// The view model as cached in Rust: answers at once, so the popover paints with data.
#[tauri::command]
pub fn get_view<R: Runtime>(app: AppHandle<R>) -> PopoverModel {
    presenter::current(&app).popover
}

/// Starts a refresh; the result arrives as a `view://updated` event.
#[tauri::command]
pub fn refresh_now<R: Runtime>(app: AppHandle<R>) {
    actions::refresh(&app);
}

#[tauri::command]
pub fn hide_popover<R: Runtime>(app: AppHandle<R>) {
    windows::hide_popover(&app, false);
}

// Windows are opened from async commands: a synchronous command runs on the main thread,
// where creating a webview can deadlock.

#[tauri::command]
pub async fn open_settings<R: Runtime>(app: AppHandle<R>) -> Result<(), AppError> {
    open(&app, WindowId::Settings)
}

#[tauri::command]
pub async fn open_add_credit<R: Runtime>(app: AppHandle<R>) -> Result<(), AppError> {
    open(&app, WindowId::Wizard)
}

#[tauri::command]
pub async fn open_sign_in<R: Runtime>(app: AppHandle<R>) -> Result<(), AppError> {
    open(&app, WindowId::SignIn)
}

fn open<R: Runtime>(app: &AppHandle<R>, window: WindowId) -> Result<(), AppError> {
    windows::open(app, window)
        .map(drop)
        .map_err(AppError::internal)
}
