//! The add-credit commands: the wizard's steps and the popover's quick top-up. Each step runs
//! in Rust, in a task that outlives the window that asked for it; a card arrives only as the
//! payment service's token, never as a number.

use tauri::{AppHandle, Runtime};

use crate::error::AppError;
use crate::payment::{self, AttemptView, Card, QuickOffer, Quote, Step, WizardContext};

/// Prices, limits, suggestions, saved cards, and the attempt to resume.
#[tauri::command]
pub async fn payment_context<R: Runtime>(app: AppHandle<R>) -> Result<WizardContext, AppError> {
    payment::wizard(&app).await
}

/// Prices an amount as typed, or says what is wrong with it (`invalid_amount`).
#[tauri::command]
pub async fn payment_quote<R: Runtime>(
    app: AppHandle<R>,
    credits: String,
) -> Result<Quote, AppError> {
    payment::quote(&app, &credits).await
}

/// The amount is chosen: opens a payment for it (nothing is charged yet).
#[tauri::command]
pub async fn payment_begin<R: Runtime>(
    app: AppHandle<R>,
    credits: String,
) -> Result<Option<AttemptView>, AppError> {
    let purchase = payment::purchase(&app, &credits).await?;
    payment::run(&app, Step::Begin(purchase)).await
}

/// "Pay": confirms the payment with a saved card or the hosted form's token.
#[tauri::command]
pub async fn payment_pay<R: Runtime>(
    app: AppHandle<R>,
    card: Card,
    save: bool,
) -> Result<Option<AttemptView>, AppError> {
    let card = card.checked().map_err(AppError::Payment)?;
    payment::run(&app, Step::Pay { card, save }).await
}

/// The 3-D Secure page says payment `payment_id` no longer waits.
#[tauri::command]
pub async fn payment_authenticated<R: Runtime>(
    app: AppHandle<R>,
    payment_id: String,
) -> Result<Option<AttemptView>, AppError> {
    payment::run(&app, Step::Authenticated(payment_id)).await
}

/// Learns an outcome that is not known yet (the same request again, same key).
#[tauri::command]
pub async fn payment_check_again<R: Runtime>(
    app: AppHandle<R>,
) -> Result<Option<AttemptView>, AppError> {
    payment::run(&app, Step::CheckAgain).await
}

/// Cancels the payment if it was not confirmed; answers the attempt if it cannot be.
#[tauri::command]
pub async fn payment_cancel<R: Runtime>(
    app: AppHandle<R>,
) -> Result<Option<AttemptView>, AppError> {
    payment::run(&app, Step::Cancel).await
}

/// The outcome was seen: the next wizard starts afresh.
#[tauri::command]
pub async fn payment_done<R: Runtime>(app: AppHandle<R>) -> Result<Option<AttemptView>, AppError> {
    payment::run(&app, Step::Done).await
}

/// The attempt as last published, without waiting for a step in progress.
#[tauri::command]
pub fn payment_status<R: Runtime>(app: AppHandle<R>) -> Option<AttemptView> {
    payment::latest(&app)
}

/// The popover's one-click top-up, if a card is saved.
#[tauri::command]
pub async fn quick_top_up_offer<R: Runtime>(
    app: AppHandle<R>,
) -> Result<Option<QuickOffer>, AppError> {
    payment::quick_offer(&app).await
}

/// Buys `credits` with the saved card `payment_method_id` (confirmed in the popover).
#[tauri::command]
pub async fn quick_top_up<R: Runtime>(
    app: AppHandle<R>,
    credits: String,
    payment_method_id: String,
) -> Result<Option<AttemptView>, AppError> {
    payment::quick_top_up(&app, &credits, &payment_method_id).await
}
