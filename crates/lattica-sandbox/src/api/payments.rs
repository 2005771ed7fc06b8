//! `api/finance/*` payment endpoints: create, confirm, read and cancel payments, add credits
//! with a saved card, and manage saved cards. Each handler parses its parameters and delegates
//! to [`crate::payments`]; the money-moving ones go through
//! [`idempotency::run_once`].

use serde::Serialize;

use super::Caller;
use super::envelope::{ApiError, ApiResult, ok};
use super::params::Params;
use crate::db::{payment_methods, payments};
use crate::payments::idempotency::{self, IdempotentRequest, Processing};
use crate::payments::machine;
use crate::payments::ops::{self, Confirmation};
use crate::payments::view::{self, MethodView};
use crate::state::AppState;
use crate::time;

/// `create_payment` endpoint.
pub const CREATE_PAYMENT: &str = "api/finance/create_payment";
/// `confirm_payment` endpoint.
pub const CONFIRM_PAYMENT: &str = "api/finance/confirm_payment";
/// `get_payment` endpoint.
pub const GET_PAYMENT: &str = "api/finance/get_payment";
/// `cancel_payment` endpoint.
pub const CANCEL_PAYMENT: &str = "api/finance/cancel_payment";
/// `list_payment_methods` endpoint.
pub const LIST_PAYMENT_METHODS: &str = "api/finance/list_payment_methods";
/// `delete_payment_method` endpoint.
pub const DELETE_PAYMENT_METHOD: &str = "api/finance/delete_payment_method";
/// `add_credits` endpoint.
pub const ADD_CREDITS: &str = "api/finance/add_credits";

/// `{credits, idempotencyKey}` → a payment waiting for a card.
pub async fn create_payment(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let credits = params.decimal("credits")?.normalize();
    let amount = machine::price(credits)?;
    let canonical = credits.to_string();
    let request =
        IdempotentRequest::new(&caller, CREATE_PAYMENT, &params, &[("credits", &canonical)])?;
    idempotency::run_once(
        &state,
        request,
        Processing::None,
        move |account, tx, now| ops::create(account.id(), tx, credits, amount, now),
    )
    .await
}

/// `{paymentId, paymentMethodId, idempotencyKey, savePaymentMethod?}` → the payment after
/// the card's outcome.
pub async fn confirm_payment(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let payment_id = params.str("paymentId")?.to_owned();
    let confirmation = confirmation(&state, &params)?;
    let save = if confirmation.save { "true" } else { "false" };
    let request = IdempotentRequest::new(
        &caller,
        CONFIRM_PAYMENT,
        &params,
        &[
            ("paymentId", &payment_id),
            ("paymentMethodId", &confirmation.method_id),
            ("savePaymentMethod", save),
        ],
    )?;
    idempotency::run_once(
        &state,
        request,
        Processing::Card,
        move |account, tx, now| ops::confirm(account, tx, &payment_id, &confirmation, now),
    )
    .await
}

/// `{credits, paymentMethodId, idempotencyKey}` → a payment created and confirmed with a
/// saved card.
pub async fn add_credits(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let credits = params.decimal("credits")?.normalize();
    let amount = machine::price(credits)?;
    let confirmation = Confirmation {
        save: false,
        ..confirmation(&state, &params)?
    };
    let canonical = credits.to_string();
    let request = IdempotentRequest::new(
        &caller,
        ADD_CREDITS,
        &params,
        &[
            ("credits", &canonical),
            ("paymentMethodId", &confirmation.method_id),
        ],
    )?;
    idempotency::run_once(
        &state,
        request,
        Processing::Card,
        move |account, tx, now| {
            ops::add_credits(account, tx, (credits, amount), &confirmation, now)
        },
    )
    .await
}

fn confirmation(state: &AppState, params: &Params) -> Result<Confirmation, ApiError> {
    Ok(Confirmation {
        method_id: params.str("paymentMethodId")?.to_owned(),
        save: params.opt_bool("savePaymentMethod")?.unwrap_or(false),
        three_ds_base: state.payments().url().to_owned(),
    })
}

/// `{paymentId, idempotencyKey}` → the canceled payment.
pub async fn cancel_payment(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let payment_id = params.str("paymentId")?.to_owned();
    let request = IdempotentRequest::new(
        &caller,
        CANCEL_PAYMENT,
        &params,
        &[("paymentId", &payment_id)],
    )?;
    idempotency::run_once(
        &state,
        request,
        Processing::None,
        move |account, tx, now| ops::cancel(account.id(), tx, &payment_id, now),
    )
    .await
}

/// `{paymentId}` → the payment.
pub async fn get_payment(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let payment_id = params.str("paymentId")?.to_owned();
    let lookup = payment_id.clone();
    let payment = state
        .query(move |store| Ok(payments::get(store.conn(), &caller.account_id, &lookup)?))
        .await?
        .ok_or_else(|| ApiError::not_found(format_args!("payment {payment_id}")))?;
    view::stored_payment(payment, state.payments())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MethodList<'a> {
    payment_methods: Vec<MethodView<'a>>,
}

/// The saved cards, newest first.
pub async fn list_payment_methods(state: AppState, caller: Caller, _: Params) -> ApiResult {
    let methods = state
        .query(move |store| Ok(payment_methods::saved(store.conn(), &caller.account_id)?))
        .await?;
    ok(&MethodList {
        payment_methods: methods.iter().map(MethodView::from).collect(),
    })
}

/// `{paymentMethodId}` → `{deleted: true}`; the card can no longer pay.
pub async fn delete_payment_method(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let method_id = params.str("paymentMethodId")?.to_owned();
    state
        .write(move |store| ops::delete_method(store, &caller.account_id, &method_id, time::now()))
        .await?;
    ok(&serde_json::json!({ "deleted": true }))
}
