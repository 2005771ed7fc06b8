//! The payment operations. Those that move money run inside the transaction that also stores
//! their idempotent answer ([`super::idempotency::run_once`]); each reads, checks, and only
//! then changes and writes, so a refusal never leaves half a change behind.
//!
//! Credits are granted in [`succeed`], in the same transaction that writes the payment as
//! `succeeded`; a succeeded payment is final, so they can never be granted twice.

use chrono::{Datelike, Duration};
use rusqlite::{Connection, Transaction};
use rust_decimal::Decimal;

use super::cards::{self, ValidCard};
use super::machine;
use super::outcome::{Decline, Outcome};
use crate::api::envelope::{ApiError, ApiResult};
use crate::db::payment_methods::{self, MethodRecord};
use crate::db::payments::{self, PaymentRecord, PaymentStatus};
use crate::domain::Account;
use crate::state::Store;
use crate::time::Instant;

/// How long a card token nobody paid with is kept.
const UNUSED_METHOD_HOURS: i64 = 24;

/// `(year, month)` of `now`, for expiry checks.
pub fn today(now: Instant) -> (u32, u32) {
    (u32::try_from(now.year()).unwrap_or_default(), now.month())
}

fn owned_payment(conn: &Connection, account_id: &str, id: &str) -> Result<PaymentRecord, ApiError> {
    payments::get(conn, account_id, id)?
        .ok_or_else(|| ApiError::not_found(format_args!("payment {id}")))
}

fn method_not_found(id: &str) -> ApiError {
    ApiError::not_found(format_args!("payment method {id}"))
}

/// A method `account_id` may pay with: not deleted, and unused or already its own.
fn usable_method(conn: &Connection, account_id: &str, id: &str) -> Result<MethodRecord, ApiError> {
    payment_methods::get(conn, id)?
        .filter(|m| m.deleted_at.is_none())
        .filter(|m| {
            m.account_id
                .as_deref()
                .is_none_or(|owner| owner == account_id)
        })
        .ok_or_else(|| method_not_found(id))
}

/// A method `account_id` saved and has not deleted.
fn saved_method(conn: &Connection, account_id: &str, id: &str) -> Result<MethodRecord, ApiError> {
    let method = usable_method(conn, account_id, id)?;
    if method.saved {
        Ok(method)
    } else {
        Err(method_not_found(id))
    }
}

/// `create_payment`: a new payment for `credits` (priced by the caller).
pub fn create(
    account_id: &str,
    tx: &Transaction<'_>,
    credits: Decimal,
    amount: i64,
    now: Instant,
) -> ApiResult {
    let payment = machine::new_payment(account_id, credits, amount, now);
    payments::upsert(tx, &payment)?;
    super::view::payment(&payment)
}

/// What a confirmation needs besides the payment and the card.
#[derive(Debug, Clone)]
pub struct Confirmation {
    /// `paymentMethodId`.
    pub method_id: String,
    /// `savePaymentMethod`.
    pub save: bool,
    /// Where 3-D Secure happens for this payment (the payment origin's `/3ds/{id}`).
    pub three_ds_base: String,
}

/// `confirm_payment`.
pub fn confirm(
    account: &mut Account,
    tx: &Transaction<'_>,
    payment_id: &str,
    confirmation: &Confirmation,
    now: Instant,
) -> ApiResult {
    let mut payment = owned_payment(tx, account.id(), payment_id)?;
    let mut method = usable_method(tx, account.id(), &confirmation.method_id)?;
    pay(account, tx, &mut payment, &mut method, confirmation, now)?;
    super::view::payment(&payment)
}

/// `add_credits`: a payment created and confirmed with a saved method in one go.
pub fn add_credits(
    account: &mut Account,
    tx: &Transaction<'_>,
    (credits, amount): (Decimal, i64),
    confirmation: &Confirmation,
    now: Instant,
) -> ApiResult {
    let mut method = saved_method(tx, account.id(), &confirmation.method_id)?;
    let mut payment = machine::new_payment(account.id(), credits, amount, now);
    pay(account, tx, &mut payment, &mut method, confirmation, now)?;
    super::view::payment(&payment)
}

/// `cancel_payment`.
pub fn cancel(account_id: &str, tx: &Transaction<'_>, payment_id: &str, now: Instant) -> ApiResult {
    let mut payment = owned_payment(tx, account_id, payment_id)?;
    payment.cancel(now)?;
    payments::upsert(tx, &payment)?;
    super::view::payment(&payment)
}

fn pay(
    account: &mut Account,
    tx: &Transaction<'_>,
    payment: &mut PaymentRecord,
    method: &mut MethodRecord,
    confirmation: &Confirmation,
    now: Instant,
) -> Result<(), ApiError> {
    // A saved card may have expired since the form checked it; the issuer says so.
    let outcome = if cards::expired((method.exp_month, method.exp_year), today(now)) {
        Outcome::Decline(Decline::ExpiredCard)
    } else {
        method.outcome
    };
    let three_ds_url = format!("{}/3ds/{}", confirmation.three_ds_base, payment.id);
    payment.confirm(method, outcome, three_ds_url, confirmation.save, now)?;
    method.account_id = Some(account.id().to_owned());
    if payment.status == PaymentStatus::Succeeded {
        succeed(account, tx, payment, method)?;
    }
    payment_methods::upsert(tx, method)?;
    payments::upsert(tx, payment)?;
    Ok(())
}

/// The consequences of a payment that just succeeded: its receipt number, its credits, and
/// its card saved if the user asked.
fn succeed(
    account: &mut Account,
    tx: &Transaction<'_>,
    payment: &mut PaymentRecord,
    method: &mut MethodRecord,
) -> Result<(), ApiError> {
    grant(account, tx, payment)?;
    if payment.save_method {
        method.saved = true;
    }
    Ok(())
}

/// What every succeeded payment gets: its receipt number, and its credits on the balance.
fn grant(
    account: &mut Account,
    tx: &Transaction<'_>,
    payment: &mut PaymentRecord,
) -> Result<(), ApiError> {
    payment.receipt_number = Some(payments::next_receipt_number(tx)?);
    account.balance = account
        .balance
        .checked_add(payment.credits)
        .ok_or_else(|| ApiError::internal("the balance would overflow"))?;
    Ok(())
}

/// `control/record_payment`: a top-up made in the web console, already succeeded
/// ([`super::machine::recorded_payment`]). Its credits
/// are granted in the transaction that stores it, like those of a payment made in the app.
pub fn record(
    account: &mut Account,
    tx: &Transaction<'_>,
    payment: &mut PaymentRecord,
) -> Result<(), ApiError> {
    grant(account, tx, payment)?;
    payments::upsert(tx, payment)?;
    Ok(())
}

/// Ends the 3-D Secure step of `payment_id` (whoever owns it: the hosted page only knows the
/// id, which is unguessable). Approved, the payment succeeds and its credits are granted.
pub fn authenticate(
    store: &mut Store,
    payment_id: &str,
    approve: bool,
) -> Result<PaymentRecord, ApiError> {
    let not_found = || ApiError::not_found(format_args!("payment {payment_id}"));
    let owner = payments::find(store.conn(), payment_id)?
        .ok_or_else(not_found)?
        .account_id;
    store.update_account(&owner, |account, tx, now| {
        let mut payment = owned_payment(tx, account.id(), payment_id)?;
        payment.authenticate(approve, now)?;
        if payment.status == PaymentStatus::Succeeded {
            let method_id = payment.card.as_ref().map(|c| c.payment_method_id.clone());
            let mut method = method_id
                .and_then(|id| payment_methods::get(tx, &id).transpose())
                .transpose()?
                .ok_or_else(|| ApiError::internal("a payment awaiting 3-D Secure has no card"))?;
            succeed(account, tx, &mut payment, &mut method)?;
            payment_methods::upsert(tx, &method)?;
        }
        payments::upsert(tx, &payment)?;
        Ok(payment)
    })
}

/// Stores a card that passed the form's checks as a new `pm_…` token, and forgets tokens
/// nobody used for a day.
pub fn tokenise(
    store: &mut Store,
    card: &ValidCard,
    now: Instant,
) -> Result<MethodRecord, ApiError> {
    let method = MethodRecord {
        id: format!("pm_{}", &uuid::Uuid::new_v4().simple().to_string()[..24]),
        account_id: None,
        brand: card.brand.as_str().to_owned(),
        last4: card.last4.clone(),
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        outcome: card.outcome,
        saved: false,
        created_at: now,
        deleted_at: None,
    };
    store.transaction(|tx| {
        payment_methods::purge_unused(tx, now - Duration::hours(UNUSED_METHOD_HOURS))?;
        payment_methods::upsert(tx, &method)?;
        Ok(())
    })?;
    Ok(method)
}

/// `delete_payment_method`: the saved method can no longer pay.
pub fn delete_method(
    store: &mut Store,
    account_id: &str,
    id: &str,
    now: Instant,
) -> Result<(), ApiError> {
    store.transaction(|tx| {
        let mut method = saved_method(tx, account_id, id)?;
        method.saved = false;
        method.deleted_at = Some(now);
        payment_methods::upsert(tx, &method)?;
        Ok(())
    })
}
