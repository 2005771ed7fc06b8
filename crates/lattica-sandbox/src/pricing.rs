//! The sandbox's price list: what a credit costs and what each instance type burns.

use rust_decimal::Decimal;
use serde::Serialize;

/// Currency of every amount the sandbox charges.
pub const CURRENCY: &str = "usd";
/// Minor units (cents) one credit costs.
pub const CREDIT_PRICE_MINOR: i64 = 100;
/// The instance type new models default to.
pub const DEFAULT_INSTANCE_TYPE: &str = "G4DN_XLARGE";
/// Smallest purchase, in credits.
pub const MIN_CREDITS: i64 = 10;
/// Largest purchase, in credits.
pub const MAX_CREDITS: i64 = 5000;
/// Purchases offered as one-click choices.
pub const SUGGESTED_CREDITS: [i64; 4] = [25, 50, 100, 250];

/// A GPU instance type a worker runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceType {
    /// Platform identifier, e.g. `G4DN_XLARGE`.
    pub id: &'static str,
    /// Human name of the GPU.
    pub name: &'static str,
    /// Credits burned per hour, in tenths (kept as an integer so the table can be `const`).
    credits_per_hour_tenths: i64,
}

impl InstanceType {
    /// Credits one worker of this type burns per hour.
    pub fn credits_per_hour(&self) -> Decimal {
        Decimal::new(self.credits_per_hour_tenths, 1)
    }
}

/// Every instance type the sandbox knows.
pub const INSTANCE_TYPES: [InstanceType; 2] = [
    InstanceType {
        id: "G4DN_XLARGE",
        name: "NVIDIA T4",
        credits_per_hour_tenths: 12,
    },
    InstanceType {
        id: "G7E_2XLARGE",
        name: "NVIDIA L4",
        credits_per_hour_tenths: 48,
    },
];

/// The instance type called `id`.
pub fn instance_type(id: &str) -> Option<&'static InstanceType> {
    INSTANCE_TYPES.iter().find(|t| t.id == id)
}

/// Credits per hour of the instance type called `id`; unknown types burn nothing.
pub fn credits_per_hour(id: &str) -> Decimal {
    instance_type(id).map_or(Decimal::ZERO, InstanceType::credits_per_hour)
}

/// Money on the wire: integer minor units and a lowercase currency code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Money {
    /// Minor units (cents).
    pub amount: i64,
    /// Lowercase ISO currency code.
    pub currency: &'static str,
}

impl Money {
    /// `amount` minor units of [`CURRENCY`].
    pub fn usd(amount: i64) -> Self {
        Self {
            amount,
            currency: CURRENCY,
        }
    }
}

/// The `api/finance/get_pricing` result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pricing {
    currency: &'static str,
    credit_price: Money,
    default_instance_type_id: &'static str,
    instance_types: Vec<PricedInstanceType>,
    limits: Limits,
    suggested_credits: [i64; 4],
    /// The payment service's origin, where the app frames the hosted card form: the app
    /// learns it here because the sandbox's port (and a real deployment's host) varies.
    payments_url: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PricedInstanceType {
    instance_type_id: &'static str,
    name: &'static str,
    #[serde(serialize_with = "crate::credits::serialize")]
    credits_per_hour: Decimal,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Limits {
    min_credits: i64,
    max_credits: i64,
}

/// The price list as served; `payments_url` is the payment service's origin.
pub fn pricing(payments_url: &str) -> Pricing {
    Pricing {
        currency: CURRENCY,
        credit_price: Money::usd(CREDIT_PRICE_MINOR),
        default_instance_type_id: DEFAULT_INSTANCE_TYPE,
        instance_types: INSTANCE_TYPES
            .iter()
            .map(|t| PricedInstanceType {
                instance_type_id: t.id,
                name: t.name,
                credits_per_hour: t.credits_per_hour(),
            })
            .collect(),
        limits: Limits {
            min_credits: MIN_CREDITS,
            max_credits: MAX_CREDITS,
        },
        suggested_credits: SUGGESTED_CREDITS,
        payments_url: payments_url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pricing_matches_the_contract() {
        let text = serde_json::to_string(&pricing("http://127.0.0.1:4242")).unwrap();
        assert_eq!(
            text,
            r#"{"currency":"usd","creditPrice":{"amount":100,"currency":"usd"},"defaultInstanceTypeId":"G4DN_XLARGE","instanceTypes":[{"instanceTypeId":"G4DN_XLARGE","name":"NVIDIA T4","creditsPerHour":1.2},{"instanceTypeId":"G7E_2XLARGE","name":"NVIDIA L4","creditsPerHour":4.8}],"limits":{"minCredits":10,"maxCredits":5000},"suggestedCredits":[25,50,100,250],"paymentsUrl":"http://127.0.0.1:4242"}"#
        );
    }

    #[test]
    fn unknown_types_burn_nothing() {
        assert_eq!(credits_per_hour("NOPE"), Decimal::ZERO);
        assert_eq!(credits_per_hour("G7E_2XLARGE"), Decimal::new(48, 1));
    }
}
