//! `api/finance/*`: the balance, the payment history and the price list.

use rust_decimal::Decimal;
use serde::Serialize;

use super::Caller;
use super::envelope::{ApiResult, ok};
use super::params::Params;
use crate::credits;
use crate::db::payments::{self, PaymentRecord};
use crate::state::AppState;
use crate::time::{self, Instant};

/// The balance now. The hot path: one lock, one formula, no I/O.
pub async fn get_account_credits(state: AppState, caller: Caller, _: Params) -> ApiResult {
    let now = time::now();
    let balance = state.read(|ledger| {
        ledger
            .account(&caller.account_id)
            .map(|a| a.balance_at(ledger.time_scale, now))
    })?;
    Ok(credits::to_raw(balance))
}

/// One line of the transaction history.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct HistoryEntry {
    id: String,
    #[serde(serialize_with = "time::serialize")]
    created_at: Instant,
    #[serde(serialize_with = "credits::serialize")]
    credits: Decimal,
    amount: i64,
    currency: String,
    status: payments::PaymentStatus,
    card_brand: Option<String>,
    card_last4: Option<String>,
    receipt_number: Option<String>,
}

impl From<PaymentRecord> for HistoryEntry {
    fn from(p: PaymentRecord) -> Self {
        let (card_brand, card_last4) = p.card.map(|c| (c.brand, c.last4)).unzip();
        Self {
            id: p.id,
            created_at: p.created_at,
            credits: p.credits,
            amount: p.amount,
            currency: p.currency,
            status: p.status,
            card_brand,
            card_last4,
            receipt_number: p.receipt_number,
        }
    }
}

#[derive(Debug, Serialize)]
struct History {
    payments: Vec<HistoryEntry>,
}

/// Payments that reached a final state or failed, newest first.
pub async fn get_transaction_history(state: AppState, caller: Caller, _: Params) -> ApiResult {
    let records = state
        .query(move |store| Ok(payments::history(store.conn(), &caller.account_id)?))
        .await?;
    ok(&History {
        payments: records.into_iter().map(HistoryEntry::from).collect(),
    })
}

/// The sandbox's price list, with where its payment service is served.
pub async fn get_pricing(state: AppState, _: Caller, _: Params) -> ApiResult {
    ok(&crate::pricing::pricing(state.payments().url()))
}
