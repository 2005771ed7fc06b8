//! The payment service's control actions (`/control/complete_3ds`, `/control/set_processor`,
//! `/control/record_payment`, `/control/set_card_outcome`), for tests and demos; reached through [`crate::control`], with
//! its guards.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::json;

use super::processor::ProcessorSettings;
use super::{machine, ops, view};
use crate::api::envelope::{ApiError, ApiResult, ok};
use crate::api::params::Params;
use crate::pricing::{CREDIT_PRICE_MINOR, CURRENCY};
use crate::state::AppState;

/// The actions this module answers.
pub const ACTIONS: [&str; 4] = [
    "complete_3ds",
    "set_processor",
    "record_payment",
    "set_card_outcome",
];

/// Runs one of [`ACTIONS`].
pub async fn dispatch(state: &AppState, action: &str, params: Params) -> ApiResult {
    match action {
        "complete_3ds" => {
            // What the hosted 3-D Secure page's buttons do, without a browser.
            let payment_id = params.str("paymentId")?.to_owned();
            let approve = params
                .opt_bool("approve")?
                .ok_or_else(|| ApiError::missing("approve"))?;
            let payment = state
                .write(move |store| ops::authenticate(store, &payment_id, approve))
                .await?;
            view::payment(&payment)
        }
        "record_payment" => record_payment(state, &params).await,
        "set_card_outcome" => set_card_outcome(state, &params).await,
        _ => {
            params.only(&["delayMs", "hold"])?;
            let settings = ProcessorSettings {
                delay_ms: params.opt_u64("delayMs")?.unwrap_or(0),
                hold: params.opt_bool("hold")?.unwrap_or(false),
            };
            state.payments().processor().set(settings);
            processor(state)
        }
    }
}

/// `{"processor": {delayMs, hold}, "paymentsInFlight": n}`.
pub fn processor(state: &AppState) -> ApiResult {
    let payments = state.payments();
    ok(&json!({
        "processor": payments.processor().settings(),
        "paymentsInFlight": payments.in_flight().len(),
    }))
}

/// `{paymentMethodId, outcome}`: what the issuer decides for this card from now on (a saved
/// card that starts declining): `succeed`, `authenticate` or a failure code.
async fn set_card_outcome(state: &AppState, params: &Params) -> ApiResult {
    params.only(&["paymentMethodId", "outcome"])?;
    let id = params.str("paymentMethodId")?.to_owned();
    let outcome = super::outcome::Outcome::parse(params.str("outcome")?)
        .ok_or_else(|| ApiError::invalid("outcome", "succeed, authenticate or a failure code"))?;
    let method = state
        .write(move |store| {
            store.transaction(|tx| {
                let mut method = crate::db::payment_methods::get(tx, &id)?
                    .ok_or_else(|| ApiError::not_found(format_args!("payment method {id}")))?;
                method.outcome = outcome;
                crate::db::payment_methods::upsert(tx, &method)?;
                Ok(method)
            })
        })
        .await?;
    ok(&json!({"id": method.id, "outcome": method.outcome.as_str()}))
}

/// `{credits, amountMinor?, currency?}`: a top-up of the demo account made in the web console.
/// The history shows it as a succeeded payment (no card), and its credits are on the balance.
async fn record_payment(state: &AppState, params: &Params) -> ApiResult {
    params.only(&["credits", "amountMinor", "amount_minor", "currency"])?;
    let credits = params.decimal("credits")?.normalize();
    let max = Decimal::from(crate::control::MAX_BALANCE);
    if credits <= Decimal::ZERO || credits > max {
        return Err(ApiError::invalid(
            "credits",
            "a number of credits above 0 and at most 1000000000",
        ));
    }
    let amount = match (
        params.opt_i64("amountMinor")?,
        params.opt_i64("amount_minor")?,
    ) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "amountMinor",
                "one of amountMinor and amount_minor, not both",
            ));
        }
        (Some(amount), None) | (None, Some(amount)) if amount >= 0 => amount,
        (Some(_), None) | (None, Some(_)) => {
            return Err(ApiError::invalid("amountMinor", "minor units, 0 or more"));
        }
        // The list price, when the credits are a whole number of minor units at it.
        (None, None) => credits
            .checked_mul(Decimal::from(CREDIT_PRICE_MINOR))
            .filter(|minor| minor.fract().is_zero())
            .and_then(|minor| minor.to_i64())
            .ok_or_else(|| {
                ApiError::invalid(
                    "amountMinor",
                    "minor units (credits with more than 2 decimals have no list price)",
                )
            })?,
    };
    let currency = match params.opt_str("currency")? {
        None => CURRENCY.to_owned(),
        Some(code) => {
            let code = code.trim().to_ascii_lowercase();
            if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(ApiError::invalid("currency", "a three-letter ISO code"));
            }
            code
        }
    };
    let payment = state
        .write(move |store| {
            let id = store.ledger.demo_account_id.clone();
            store.update_account(&id, |account, tx, now| {
                let mut payment =
                    machine::recorded_payment(account.id(), credits, (amount, currency), now);
                ops::record(account, tx, &mut payment)?;
                Ok(payment)
            })
        })
        .await?;
    view::payment(&payment)
}
