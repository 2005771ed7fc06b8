//! Everything of this project's own design, kept in one module so that a real backend's
//! shape can replace it without touching the rest of the app: pricing, the payment objects and
//! their endpoints, and the entries of the transaction history (whose shape the platform never
//! published). See `docs/platform-api.md`, sections "Pricing" and "Payments".
//!
//! Every call that moves money takes an [`IdempotencyKey`]. The caller keeps the key for as
//! long as it means the same purchase (across the client's retries and its own, e.g. after a
//! timeout), so that no repeat can ever charge twice.

mod money;
mod payment;
mod pricing;

use std::fmt;

use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use crate::api::LatticaClient;
use crate::envelope::Params;
use crate::error::ClientError;
use crate::model::{self, first_token};
use crate::transport::CallKind;

pub use money::Money;
pub use payment::{NextAction, Payment, PaymentMethod, PaymentRecord, PaymentStatus};
pub use pricing::{CreditLimits, InstanceType, Pricing};

pub(crate) const GET_PRICING: &str = "api/finance/get_pricing";
pub(crate) const CREATE_PAYMENT: &str = "api/finance/create_payment";
pub(crate) const CONFIRM_PAYMENT: &str = "api/finance/confirm_payment";
pub(crate) const GET_PAYMENT: &str = "api/finance/get_payment";
pub(crate) const CANCEL_PAYMENT: &str = "api/finance/cancel_payment";
pub(crate) const LIST_PAYMENT_METHODS: &str = "api/finance/list_payment_methods";
pub(crate) const DELETE_PAYMENT_METHOD: &str = "api/finance/delete_payment_method";
pub(crate) const ADD_CREDITS: &str = "api/finance/add_credits";

/// A client-generated idempotency key (a random UUID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(Uuid);

impl IdempotencyKey {
    /// A fresh random key: one per purchase the user means to make.
    #[allow(clippy::new_without_default)] // a `Default` that is random would surprise
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// A key kept from earlier (e.g. persisted while a payment was in flight).
    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl LatticaClient {
    /// Whether the platform is known, without asking, to lack what buying credits here needs
    /// (the price list or the payment endpoints): true after one of them answered "unknown
    /// endpoint", as on the published platform. False means "not known to lack".
    pub fn lacks_payments(&self) -> bool {
        [GET_PRICING, LIST_PAYMENT_METHODS, CREATE_PAYMENT]
            .iter()
            .any(|endpoint| self.lacks(endpoint))
    }

    /// Whether credits can be bought through this API: asks the price list and the saved
    /// payment methods unless an absence is already known. Other failures are errors: they
    /// say nothing about what the platform offers.
    pub async fn offers_payments(&self) -> Result<bool, ClientError> {
        if self.lacks_payments() {
            return Ok(false);
        }
        let (pricing, methods) = tokio::join!(self.get_pricing(), self.list_payment_methods());
        match (pricing, methods) {
            (Ok(_), Ok(_)) => Ok(true),
            (Err(ClientError::Unsupported { .. }), _)
            | (_, Err(ClientError::Unsupported { .. })) => Ok(false),
            (Err(error), _) | (_, Err(error)) => Err(error),
        }
    }

    /// The price list.
    pub async fn get_pricing(&self) -> Result<Pricing, ClientError> {
        self.fetch(GET_PRICING, Params::new(), CallKind::Idempotent, |raw| {
            model::read(raw, "pricing")
        })
        .await
    }

    /// Opens a payment for `credits`; it waits for a payment method (`requires_payment_method`).
    pub async fn create_payment(
        &self,
        credits: Decimal,
        key: &IdempotencyKey,
    ) -> Result<Payment, ClientError> {
        let params = Params::new()
            .with_credits("credits", credits)?
            .with("idempotencyKey", key.to_string())?;
        self.fetch(CREATE_PAYMENT, params, CallKind::Idempotent, read_payment)
            .await
    }

    /// Pays with a tokenised card (`pm_…` from the hosted card form). The answer may be
    /// `succeeded`, `failed` (with a failure code), or `requires_action` with a 3-D Secure
    /// page to open.
    pub async fn confirm_payment(
        &self,
        payment_id: &str,
        payment_method_id: &str,
        save_payment_method: bool,
        key: &IdempotencyKey,
    ) -> Result<Payment, ClientError> {
        let params = Params::new()
            .with("paymentId", payment_id)?
            .with("paymentMethodId", payment_method_id)?
            .with("idempotencyKey", key.to_string())?
            .with("savePaymentMethod", save_payment_method)?;
        self.fetch(CONFIRM_PAYMENT, params, CallKind::Idempotent, read_payment)
            .await
    }

    pub async fn get_payment(&self, payment_id: &str) -> Result<Payment, ClientError> {
        let params = Params::new().with("paymentId", payment_id)?;
        self.fetch(GET_PAYMENT, params, CallKind::Idempotent, read_payment)
            .await
    }

    pub async fn cancel_payment(
        &self,
        payment_id: &str,
        key: &IdempotencyKey,
    ) -> Result<Payment, ClientError> {
        let params = Params::new()
            .with("paymentId", payment_id)?
            .with("idempotencyKey", key.to_string())?;
        self.fetch(CANCEL_PAYMENT, params, CallKind::Idempotent, read_payment)
            .await
    }

    /// The saved payment methods.
    pub async fn list_payment_methods(&self) -> Result<Vec<PaymentMethod>, ClientError> {
        self.fetch(
            LIST_PAYMENT_METHODS,
            Params::new(),
            CallKind::Idempotent,
            |raw| {
                model::read::<payment::PaymentMethodList>(raw, "payment methods").map(|l| l.methods)
            },
        )
        .await
    }

    /// Forgets a saved payment method. Carries no idempotency key, so it is not retried once
    /// sent (a repeat of a delete that succeeded would report "not found").
    pub async fn delete_payment_method(&self, payment_method_id: &str) -> Result<(), ClientError> {
        #[derive(Deserialize)]
        struct Deleted {
            deleted: bool,
        }
        let params = Params::new().with("paymentMethodId", payment_method_id)?;
        self.fetch(
            DELETE_PAYMENT_METHOD,
            params,
            CallKind::Unsafe,
            |raw| match model::read::<Deleted>(raw, "delete payment method")? {
                Deleted { deleted: true } => Ok(()),
                Deleted { deleted: false } => Err(ClientError::Malformed(
                    "delete payment method: the platform answered `deleted: false`".into(),
                )),
            },
        )
        .await
    }

    /// Buys `credits` with a saved payment method in one call (create + confirm).
    pub async fn add_credits(
        &self,
        credits: Decimal,
        payment_method_id: &str,
        key: &IdempotencyKey,
    ) -> Result<Payment, ClientError> {
        let params = Params::new()
            .with_credits("credits", credits)?
            .with("paymentMethodId", payment_method_id)?
            .with("idempotencyKey", key.to_string())?;
        self.fetch(ADD_CREDITS, params, CallKind::Idempotent, read_payment)
            .await
    }
}

fn read_payment(raw: &str) -> Result<Payment, ClientError> {
    model::read(raw, "payment")
}

/// The result of `get_transaction_history`: `{"payments": […]}`, or (tolerated) the bare list.
pub(crate) fn read_history(raw: &str) -> Result<Vec<PaymentRecord>, ClientError> {
    if first_token(raw) == Some(b'[') {
        model::read(raw, "transaction history")
    } else {
        model::read::<payment::History>(raw, "transaction history").map(|h| h.payments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_as_object_or_list() {
        let entry = r#"{"id": "p", "createdAt": "2026-11-26T13:45:00Z", "credits": 1}"#;
        assert_eq!(
            read_history(&format!(r#"{{"payments": [{entry}]}}"#))
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            read_history(&format!("[{entry}, {entry}]")).unwrap().len(),
            2
        );
        assert!(read_history(r#"{"payments": []}"#).unwrap().is_empty());
        assert!(matches!(read_history("{}"), Err(ClientError::Malformed(_))));
        assert!(matches!(read_history("3"), Err(ClientError::Malformed(_))));
    }

    #[test]
    fn keys_are_unique_uuids() {
        let (a, b) = (IdempotencyKey::new(), IdempotencyKey::new());
        assert_ne!(a, b);
        assert_eq!(a.to_string().len(), 36);
        assert_eq!(IdempotencyKey::from_uuid(a.as_uuid()), a);
    }
}
