//! The sign-in window's commands. The token comes in once and is never returned.

use lattica_core::view::{DemoChoice, Session, sign_in_reason, signed_in_account};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use crate::actions;
use crate::error::IpcError;
use lattica_app::AppError;
use lattica_app::engine::EngineHandle;
use lattica_app::session::{SessionInfo, Sessions};

/// Checks `token` with the platform and, if accepted, stores it in the keychain and signs in.
/// No move into or out of the demo starts meanwhile, so the client lands on the platform
/// that accepted it; one overtaken by a sign-out is not installed and says so.
#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    sessions: State<'_, Sessions>,
    token: String,
) -> Result<SessionInfo, IpcError> {
    let _held = actions::hold_platform(&app).await;
    let signed = sessions.sign_in(&token).await?;
    if !signed.applied {
        return Err(AppError::SignInOvertaken.into());
    }
    actions::signed_in(&app, signed.client);
    Ok(signed.info)
}

/// Why the sign-in window is shown and where the token will be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInContext {
    /// "Signed out: session expired", a missing keychain…; `None` on a first sign-in.
    pub reason: Option<String>,
    pub backend: String,
    pub sandbox: bool,
    /// Which account is signed in now (e-mail and platform), which a new token replaces.
    pub signed_in_as: Option<String>,
    /// The app is on the demo account: the window offers to leave it.
    pub in_demo: bool,
    /// What "Try the demo account" offers, or in the demo, the way out.
    pub demo: DemoChoice,
}

#[tauri::command]
pub fn sign_in_context(
    sessions: State<'_, Sessions>,
    engine: State<'_, EngineHandle>,
) -> SignInContext {
    let backend = sessions.backend();
    let state = engine.state();
    let url = backend.url().trim_end_matches('/').to_owned();
    let signed_in_as = (state.session == Session::SignedIn).then(|| {
        let platform = if backend.is_sandbox() {
            format!("the local sandbox ({url})")
        } else {
            url.clone()
        };
        let email = state.snapshot.as_ref().and_then(|s| s.email.as_deref());
        signed_in_account(email, &platform)
    });
    SignInContext {
        reason: sessions
            .problem()
            .or_else(|| sign_in_reason(state.session).map(str::to_owned)),
        backend: url,
        sandbox: backend.is_sandbox(),
        signed_in_as,
        in_demo: state.demo,
        demo: DemoChoice::new(state.demo),
    }
}

/// Signs out: the token leaves the keychain; with `forget_history`, the local history of the
/// account (balance samples, alert state) is deleted too.
#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    forget_history: Option<bool>,
) -> Result<(), IpcError> {
    actions::sign_out(&app, forget_history.unwrap_or(false)).await
}

/// "Try the demo account" (the sign-in window): the app moves to the demo account, labelled
/// as such everywhere, with its own sandbox, token, history and settings.
#[tauri::command]
pub async fn try_demo<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> {
    actions::enter_demo(&app).await
}

/// "Leave the demo": back to the user's platform and its sign-in window.
#[tauri::command]
pub async fn leave_demo<R: Runtime>(app: AppHandle<R>) -> Result<(), IpcError> {
    actions::leave_demo(&app).await
}
