//! Payments (sandbox design): the payment object and its states, saved payment methods, and
//! the entries of `get_transaction_history`.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use super::money::Money;
use crate::model::{credits, ids, time};

/// Where a payment stands. `Succeeded` and `Canceled` are final; a `Failed` payment may be
/// confirmed again with another method. Unknown states are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    RequiresPaymentMethod,
    RequiresAction,
    Succeeded,
    Failed,
    Canceled,
    Unknown(String),
}

impl PaymentStatus {
    pub fn as_str(&self) -> &str {
        match self {
            Self::RequiresPaymentMethod => "requires_payment_method",
            Self::RequiresAction => "requires_action",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
            Self::Unknown(other) => other,
        }
    }

    /// No further change can happen.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Succeeded | Self::Canceled)
    }
}

impl From<&str> for PaymentStatus {
    fn from(value: &str) -> Self {
        match value.to_ascii_lowercase().as_str() {
            "requires_payment_method" => Self::RequiresPaymentMethod,
            "requires_action" => Self::RequiresAction,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "canceled" | "cancelled" => Self::Canceled,
            _ => Self::Unknown(value.to_owned()),
        }
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PaymentStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| Self::from(s.as_str()))
    }
}

/// A saved or freshly tokenised card, as the payment service describes it: its opaque `pm_…`
/// token with the brand, the last four digits and the expiry; never the number.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    #[serde(deserialize_with = "ids::required")]
    pub id: String,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub last4: Option<String>,
    #[serde(default)]
    pub exp_month: Option<u32>,
    #[serde(default)]
    pub exp_year: Option<u32>,
}

// The token is not card data, but it can charge a saved card: it stays out of logs.
impl fmt::Debug for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentMethod")
            .field("brand", &self.brand)
            .field("last4", &self.last4)
            .finish_non_exhaustive()
    }
}

impl PaymentMethod {
    /// `Visa •••• 4242`.
    pub fn label(&self) -> String {
        let brand = self.brand.as_deref().map_or("Card", brand_name);
        match &self.last4 {
            Some(last4) => format!("{brand} •••• {last4}"),
            None => brand.to_owned(),
        }
    }

    /// `04/27`.
    pub fn expiry(&self) -> Option<String> {
        let (month, year) = (self.exp_month?, self.exp_year?);
        Some(format!("{month:02}/{:02}", year % 100))
    }

    /// Still usable in the month of `(year, month)`; a card without an expiry is.
    pub fn valid_in(&self, year: u32, month: u32) -> bool {
        match (self.exp_year, self.exp_month) {
            (Some(exp_year), Some(exp_month)) => (exp_year, exp_month) >= (year, month),
            _ => true,
        }
    }
}

/// The display name of a card brand as the payment service spells it (`visa`).
pub fn brand_name(brand: &str) -> &str {
    match brand {
        "visa" => "Visa",
        "mastercard" => "Mastercard",
        "amex" => "American Express",
        "discover" => "Discover",
        "diners" => "Diners Club",
        "jcb" => "JCB",
        "unionpay" => "UnionPay",
        _ => "Card",
    }
}

/// What the user must do before the payment can go on: `redirect` to a 3-D Secure page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NextAction {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// A payment object.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    #[serde(deserialize_with = "ids::required")]
    pub id: String,
    #[serde(default, deserialize_with = "time::optional")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "time::optional")]
    pub updated_at: Option<DateTime<Utc>>,
    pub status: PaymentStatus,
    #[serde(deserialize_with = "credits::required")]
    pub credits: Decimal,
    pub amount: Money,
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    #[serde(default)]
    pub failure_code: Option<String>,
    #[serde(default)]
    pub failure_message: Option<String>,
    #[serde(default)]
    pub next_action: Option<NextAction>,
    #[serde(default)]
    pub receipt_number: Option<String>,
    #[serde(default, deserialize_with = "time::optional")]
    pub succeeded_at: Option<DateTime<Utc>>,
}

/// An entry of `get_transaction_history`. The platform never published this shape, so only the
/// id and the date are required.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRecord {
    #[serde(
        alias = "payment_id",
        alias = "paymentId",
        deserialize_with = "ids::required"
    )]
    pub id: String,
    #[serde(alias = "created_at", deserialize_with = "time::required")]
    pub created_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "credits::optional")]
    pub credits: Option<Decimal>,
    /// Minor units; read from an integer or from a `{amount, currency}` object.
    #[serde(default, deserialize_with = "amount_minor")]
    pub amount: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub status: Option<PaymentStatus>,
    #[serde(default, alias = "card_brand")]
    pub card_brand: Option<String>,
    #[serde(default, alias = "card_last4")]
    pub card_last4: Option<String>,
    #[serde(default, alias = "receipt_number")]
    pub receipt_number: Option<String>,
}

impl PaymentRecord {
    /// The amount with its currency, when both are known.
    pub fn money(&self) -> Option<Money> {
        Some(Money {
            amount: self.amount?,
            currency: self.currency.clone()?,
        })
    }

    /// Credits were added by this payment.
    pub fn is_success(&self) -> bool {
        self.status == Some(PaymentStatus::Succeeded)
    }
}

fn amount_minor<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Amount {
        Minor(i64),
        Money { amount: i64 },
    }
    // `untagged` buffers the value; fine here, since no credits (raw text) sit inside.
    Option::<Amount>::deserialize(d).map(|amount| {
        amount.map(|a| match a {
            Amount::Minor(minor) | Amount::Money { amount: minor } => minor,
        })
    })
}

/// `{"paymentMethods": [method…]}`
#[derive(Deserialize)]
pub(crate) struct PaymentMethodList {
    #[serde(rename = "paymentMethods", alias = "payment_methods")]
    pub(crate) methods: Vec<PaymentMethod>,
}

/// `{"payments": [payment…]}`
#[derive(Deserialize)]
pub(crate) struct History {
    pub(crate) payments: Vec<PaymentRecord>,
}

#[cfg(test)]
#[path = "payment_tests.rs"]
mod tests;
