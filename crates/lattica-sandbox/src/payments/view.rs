//! The wire shapes of the payment service: the payment object and a payment method.

use rust_decimal::Decimal;
use serde::Serialize;

use super::PaymentService;
use crate::api::envelope::{ApiResult, ok};
use crate::db::payment_methods::MethodRecord;
use crate::db::payments::{CardOnPayment, PaymentRecord, PaymentStatus};
use crate::time::{self, Instant};

/// `{id, brand, last4, expMonth, expYear}`: all the app ever learns about a card.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodView<'a> {
    id: &'a str,
    brand: &'a str,
    last4: &'a str,
    exp_month: u32,
    exp_year: u32,
}

impl<'a> From<&'a MethodRecord> for MethodView<'a> {
    fn from(m: &'a MethodRecord) -> Self {
        Self {
            id: &m.id,
            brand: &m.brand,
            last4: &m.last4,
            exp_month: m.exp_month,
            exp_year: m.exp_year,
        }
    }
}

impl<'a> From<&'a CardOnPayment> for MethodView<'a> {
    fn from(c: &'a CardOnPayment) -> Self {
        Self {
            id: &c.payment_method_id,
            brand: &c.brand,
            last4: &c.last4,
            exp_month: c.exp_month,
            exp_year: c.exp_year,
        }
    }
}

#[derive(Debug, Serialize)]
struct Amount<'a> {
    amount: i64,
    currency: &'a str,
}

#[derive(Debug, Serialize)]
struct NextAction<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

/// The payment object.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView<'a> {
    id: &'a str,
    #[serde(serialize_with = "time::serialize")]
    created_at: Instant,
    #[serde(serialize_with = "time::serialize")]
    updated_at: Instant,
    status: PaymentStatus,
    #[serde(serialize_with = "crate::credits::serialize")]
    credits: Decimal,
    amount: Amount<'a>,
    payment_method: Option<MethodView<'a>>,
    failure_code: Option<&'a str>,
    failure_message: Option<&'a str>,
    next_action: Option<NextAction<'a>>,
    receipt_number: Option<&'a str>,
    #[serde(serialize_with = "time::serialize_opt")]
    succeeded_at: Option<Instant>,
}

impl<'a> From<&'a PaymentRecord> for PaymentView<'a> {
    fn from(p: &'a PaymentRecord) -> Self {
        Self {
            id: &p.id,
            created_at: p.created_at,
            updated_at: p.updated_at,
            status: p.status,
            credits: p.credits,
            amount: Amount {
                amount: p.amount,
                currency: &p.currency,
            },
            payment_method: p.card.as_ref().map(MethodView::from),
            failure_code: p.failure_code.as_deref(),
            failure_message: p.failure_message.as_deref(),
            next_action: p.next_action_url.as_deref().map(|url| NextAction {
                kind: "redirect",
                url,
            }),
            receipt_number: p.receipt_number.as_deref(),
            succeeded_at: p.succeeded_at,
        }
    }
}

/// The `result` for a payment.
pub fn payment(p: &PaymentRecord) -> ApiResult {
    ok(&PaymentView::from(p))
}

/// The `result` for a payment read back from the database: a 3-D Secure step it waits for is
/// served where the payment origin listens now, which a restart may have moved since the
/// payment was confirmed.
pub fn stored_payment(mut p: PaymentRecord, service: &PaymentService) -> ApiResult {
    if p.next_action_url.is_some() {
        p.next_action_url = Some(service.three_ds_url(&p.id));
    }
    payment(&p)
}
