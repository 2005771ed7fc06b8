//! The payment state machine and the price of credits.
//!
//! `requires_payment_method` → (`requires_action` for 3-D Secure) → `succeeded` | `failed` |
//! `canceled`. `succeeded` and `canceled` are final; a `failed` payment may be confirmed again.
//! Every transition checks the state first and changes nothing when it refuses, so a refusal
//! can be stored as the request's answer without leaving half a change behind.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::outcome::{Decline, Outcome};
use crate::api::envelope::{ApiError, ErrorCode};
use crate::db::payment_methods::MethodRecord;
use crate::db::payments::{CardOnPayment, PaymentRecord, PaymentStatus};
use crate::pricing::{CREDIT_PRICE_MINOR, CURRENCY, MAX_CREDITS, MIN_CREDITS};
use crate::time::Instant;

/// Fractional digits a purchase may carry: with 100 minor units per credit, every allowed
/// amount is an exact number of cents.
pub const CREDIT_DECIMALS: u32 = 2;

/// The price in minor units of `credits`, or why they cannot be bought in one payment:
/// outside the limits, or more than [`CREDIT_DECIMALS`] decimals.
pub fn price(credits: Decimal) -> Result<i64, ApiError> {
    let refuse = || {
        ApiError::invalid(
            "credits",
            &format!(
                "a number of credits from {MIN_CREDITS} to {MAX_CREDITS} with at most \
                 {CREDIT_DECIMALS} decimals"
            ),
        )
        .with("minCredits", MIN_CREDITS)
        .with("maxCredits", MAX_CREDITS)
    };
    let within = credits >= Decimal::from(MIN_CREDITS) && credits <= Decimal::from(MAX_CREDITS);
    if !within || credits.normalize().scale() > CREDIT_DECIMALS {
        return Err(refuse());
    }
    let minor = credits
        .checked_mul(Decimal::from(CREDIT_PRICE_MINOR))
        .filter(|minor| minor.fract().is_zero())
        .ok_or_else(refuse)?;
    minor.to_i64().ok_or_else(refuse)
}

/// A new payment of `credits` for `amount` minor units, waiting for a card.
pub fn new_payment(account_id: &str, credits: Decimal, amount: i64, now: Instant) -> PaymentRecord {
    PaymentRecord {
        id: format!("pay_{}", &uuid::Uuid::new_v4().simple().to_string()[..24]),
        account_id: account_id.to_owned(),
        created_at: now,
        updated_at: now,
        status: PaymentStatus::RequiresPaymentMethod,
        credits: credits.normalize(),
        amount,
        currency: CURRENCY.to_owned(),
        card: None,
        failure_code: None,
        failure_message: None,
        next_action_url: None,
        receipt_number: None,
        succeeded_at: None,
        save_method: false,
    }
}

/// A payment made outside the app, in the web console, as the platform records it: already
/// `succeeded` at `now`, with no card the API knows of.
pub fn recorded_payment(
    account_id: &str,
    credits: Decimal,
    (amount, currency): (i64, String),
    now: Instant,
) -> PaymentRecord {
    let mut payment = new_payment(account_id, credits, amount, now);
    payment.currency = currency;
    payment.succeed(now);
    payment
}

fn refuse(payment: &PaymentRecord, why: &str) -> ApiError {
    let status = payment.status.as_str();
    ApiError::new(
        ErrorCode::InvalidPaymentState,
        format!("payment {} is {status}: {why}", payment.id),
    )
    .with("status", status)
}

impl PaymentRecord {
    /// Confirms with `method`, whose card does `outcome`. `three_ds_url` is where the
    /// authentication page waits if the card asks for it; `save` keeps the card for later
    /// once the payment succeeds.
    pub fn confirm(
        &mut self,
        method: &MethodRecord,
        outcome: Outcome,
        three_ds_url: String,
        save: bool,
        now: Instant,
    ) -> Result<(), ApiError> {
        match self.status {
            PaymentStatus::RequiresPaymentMethod | PaymentStatus::Failed => {}
            PaymentStatus::RequiresAction => {
                return Err(refuse(
                    self,
                    "complete or cancel its 3-D Secure authentication first",
                ));
            }
            PaymentStatus::Succeeded | PaymentStatus::Canceled => {
                return Err(refuse(self, "it cannot change any more"));
            }
        }
        self.card = Some(CardOnPayment {
            payment_method_id: method.id.clone(),
            brand: method.brand.clone(),
            last4: method.last4.clone(),
            exp_month: method.exp_month,
            exp_year: method.exp_year,
        });
        self.save_method = save;
        self.failure_code = None;
        self.failure_message = None;
        self.next_action_url = None;
        self.updated_at = now;
        match outcome {
            Outcome::Succeed => self.succeed(now),
            Outcome::Authenticate => {
                self.status = PaymentStatus::RequiresAction;
                self.next_action_url = Some(three_ds_url);
            }
            Outcome::Decline(decline) => self.fail(decline),
        }
        Ok(())
    }

    /// Ends the 3-D Secure step: approved, the payment succeeds; denied, it fails with
    /// `authentication_failed`.
    pub fn authenticate(&mut self, approve: bool, now: Instant) -> Result<(), ApiError> {
        if self.status != PaymentStatus::RequiresAction {
            return Err(refuse(self, "it is not waiting for 3-D Secure"));
        }
        self.next_action_url = None;
        self.updated_at = now;
        if approve {
            self.succeed(now);
        } else {
            self.fail(Decline::AuthenticationFailed);
        }
        Ok(())
    }

    /// Abandons the payment. Canceling a canceled payment changes nothing; a succeeded one
    /// cannot be canceled.
    pub fn cancel(&mut self, now: Instant) -> Result<(), ApiError> {
        match self.status {
            PaymentStatus::Canceled => Ok(()),
            PaymentStatus::Succeeded => Err(refuse(self, "it was paid")),
            PaymentStatus::RequiresPaymentMethod
            | PaymentStatus::RequiresAction
            | PaymentStatus::Failed => {
                self.status = PaymentStatus::Canceled;
                self.next_action_url = None;
                self.updated_at = now;
                Ok(())
            }
        }
    }

    fn succeed(&mut self, now: Instant) {
        self.status = PaymentStatus::Succeeded;
        self.succeeded_at = Some(now);
    }

    fn fail(&mut self, decline: Decline) {
        self.status = PaymentStatus::Failed;
        self.failure_code = Some(decline.code().to_owned());
        self.failure_message = Some(decline.message().to_owned());
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
