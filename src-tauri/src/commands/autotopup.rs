//! Auto top-up's commands: its state (the settings window and the popover), the rule's
//! summary for the confirmation, turning it on with the confirmed summary, and off.

use lattica_app::payment::{AutoTopUpForm, AutoTopUpView, Payments};
use tauri::State;

use crate::error::IpcError;

#[tauri::command]
pub async fn auto_top_up_state(payments: State<'_, Payments>) -> Result<AutoTopUpView, IpcError> {
    Ok(payments.auto_top_up().await?)
}

/// The rule the form makes, in one sentence with its price: what "Turn on" asks to confirm.
#[tauri::command]
pub async fn auto_top_up_preview(
    payments: State<'_, Payments>,
    form: AutoTopUpForm,
) -> Result<String, IpcError> {
    Ok(payments.auto_top_up_rule(&form).await?.summary())
}

#[tauri::command]
pub async fn auto_top_up_enable(
    payments: State<'_, Payments>,
    form: AutoTopUpForm,
    confirmed: String,
) -> Result<AutoTopUpView, IpcError> {
    Ok(payments.enable_auto_top_up(&form, &confirmed).await?)
}

#[tauri::command]
pub async fn auto_top_up_disable(payments: State<'_, Payments>) -> Result<AutoTopUpView, IpcError> {
    Ok(payments.disable_auto_top_up().await?)
}
