//! The add-credit commands: the wizard's steps and the popover's quick top-up. Each step runs
//! in the payment service, in a task that outlives the window that asked for it; a card
//! arrives only as the handle of a saved card or the payment service's token of a new one,
//! never as a number. Also the settings window's saved cards.

use lattica_app::payment::{
    AttemptView, Payments, QuickOffer, Quote, SavedCards, Step, WizardContext,
};
use lattica_client::PaymentMethod;
use tauri::State;

use crate::error::IpcError;

/// The wizard's starting point.
#[tauri::command]
pub async fn payment_context(payments: State<'_, Payments>) -> Result<WizardContext, IpcError> {
    Ok(payments.wizard().await?)
}

/// The price of an amount as typed, and what it buys.
#[tauri::command]
pub async fn payment_quote(
    payments: State<'_, Payments>,
    credits: String,
) -> Result<Quote, IpcError> {
    Ok(payments.quote(&credits).await?)
}

/// The amount is chosen: a payment is opened for it.
#[tauri::command]
pub async fn payment_begin(
    payments: State<'_, Payments>,
    credits: String,
) -> Result<Option<AttemptView>, IpcError> {
    let purchase = payments.purchase(&credits).await?;
    Ok(payments.run(Step::Begin(purchase)).await?)
}

/// "Pay" with a card token from the payment service's form, or a saved card's handle.
#[tauri::command]
pub async fn payment_pay(
    payments: State<'_, Payments>,
    card: PaymentMethod,
    save: bool,
) -> Result<Option<AttemptView>, IpcError> {
    let card = payments.card_to_pay(card)?;
    Ok(payments.run(Step::Pay { card, save }).await?)
}

/// The 3-D Secure page reported that the payment no longer waits.
#[tauri::command]
pub async fn payment_authenticated(
    payments: State<'_, Payments>,
    payment_id: String,
) -> Result<Option<AttemptView>, IpcError> {
    Ok(payments.run(Step::Authenticated(payment_id)).await?)
}

/// Learns an outcome that is not known yet.
#[tauri::command]
pub async fn payment_check_again(
    payments: State<'_, Payments>,
) -> Result<Option<AttemptView>, IpcError> {
    Ok(payments.run(Step::CheckAgain).await?)
}

#[tauri::command]
pub async fn payment_cancel(
    payments: State<'_, Payments>,
) -> Result<Option<AttemptView>, IpcError> {
    Ok(payments.run(Step::Cancel).await?)
}

/// The result was seen.
#[tauri::command]
pub async fn payment_done(payments: State<'_, Payments>) -> Result<Option<AttemptView>, IpcError> {
    Ok(payments.run(Step::Done).await?)
}

/// The popover's one-click top-up offer, if a usable card is saved.
#[tauri::command]
pub async fn quick_top_up_offer(
    payments: State<'_, Payments>,
) -> Result<Option<QuickOffer>, IpcError> {
    Ok(payments.quick_offer().await?)
}

/// Pays `credits` with the saved card of handle `card`.
#[tauri::command]
pub async fn quick_top_up(
    payments: State<'_, Payments>,
    credits: String,
    card: String,
) -> Result<Option<AttemptView>, IpcError> {
    Ok(payments.quick_top_up(&credits, &card).await?)
}

/// The saved cards, for the settings window.
#[tauri::command]
pub async fn saved_cards(payments: State<'_, Payments>) -> Result<SavedCards, IpcError> {
    Ok(payments.saved_cards().await?)
}

/// Removes a saved card (the settings window asked the user first); answers those left.
#[tauri::command]
pub async fn remove_saved_card(
    payments: State<'_, Payments>,
    card: String,
) -> Result<SavedCards, IpcError> {
    Ok(payments.remove_card(&card).await?)
}
