//! The sign-in window's commands. The token comes in once and is never returned.

use lattica_core::view::sign_in_reason;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use crate::actions;
use crate::error::IpcError;
use lattica_app::engine::EngineHandle;
use lattica_app::session::{SessionInfo, Sessions};

/// Checks `token` with the platform and, if accepted, stores it in the keychain and signs in.
#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, Sessions>,
    token: String,
) -> Result<SessionInfo, IpcError> {
    let (client, info) = sessions.sign_in(&token).await?;
    actions::signed_in(&app, client);
    Ok(info)
}

/// Why the sign-in window is shown and where the token will be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInContext {
    /// "Signed out: session expired", a missing keychain…; `None` on a first sign-in.
    pub reason: Option<String>,
    pub backend: String,
    pub sandbox: bool,
}

#[tauri::command]
pub fn sign_in_context(
    sessions: State<'_, Sessions>,
    engine: State<'_, EngineHandle>,
) -> SignInContext {
    let backend = sessions.backend();
    SignInContext {
        reason: sessions
            .problem()
            .or_else(|| sign_in_reason(engine.state().session).map(str::to_owned)),
        backend: backend.url().trim_end_matches('/').to_owned(),
        sandbox: backend.is_sandbox(),
    }
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> {
    actions::sign_out(&app).await
}
