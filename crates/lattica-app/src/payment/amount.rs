//! The amount of a purchase: what the user typed, checked against the platform's limits, and
//! what it costs and buys (the price, and the runtime it adds at the current usage).

use chrono::{DateTime, Utc};
use lattica_client::{Money, Pricing};
use lattica_core::estimate::{Estimate, PriceTable, Rates, estimate};
use lattica_core::format;
use lattica_core::input::{NumberError, NumberStyle, parse_number};
use lattica_core::view::Snapshot;
use rust_decimal::Decimal;
use serde::Serialize;

/// Most decimals of a purchase: the platform charges whole cents.
const MAX_DECIMALS: u32 = 2;

/// Why an amount cannot be bought. Each names what to change; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("Enter a number of credits.")]
    Empty,
    /// Not a number, or one that could be read as two numbers; says how to write it.
    #[error(transparent)]
    Unreadable(NumberError),
    #[error("Use at most two decimals.")]
    TooManyDecimals,
    #[error("The smallest purchase is {} credits.", credits_text(*.0))]
    BelowMinimum(Decimal),
    #[error("At most {} credits can be bought at once.", credits_text(*.0))]
    AboveMaximum(Decimal),
    #[error("Enter a number of credits above zero.")]
    NotPositive,
    #[error("This amount cannot be priced in whole cents.")]
    NotPriceable,
}

/// A valid purchase: credits within the limits, and their exact price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purchase {
    pub credits: Decimal,
    pub price: Money,
}

impl Purchase {
    /// Reads what the user typed ("50", "12.5", "1,000", and "12,5" where the locale writes
    /// a decimal comma; see [`lattica_core::input`]) and checks it against `pricing`. The
    /// error is a sentence for the user.
    pub fn parse(text: &str, style: NumberStyle, pricing: &Pricing) -> Result<Self, AmountError> {
        let credits = parse_number(text, style).map_err(|error| match error {
            NumberError::Empty => AmountError::Empty,
            other => AmountError::Unreadable(other),
        })?;
        Self::new(credits, pricing)
    }

    /// Checks `credits` against `pricing`'s limits and prices it.
    pub fn new(credits: Decimal, pricing: &Pricing) -> Result<Self, AmountError> {
        if credits.normalize().scale() > MAX_DECIMALS {
            return Err(AmountError::TooManyDecimals);
        }
        if let Some(limits) = pricing.limits {
            if credits < limits.min_credits {
                return Err(AmountError::BelowMinimum(limits.min_credits));
            }
            if credits > limits.max_credits {
                return Err(AmountError::AboveMaximum(limits.max_credits));
            }
        }
        if credits <= Decimal::ZERO {
            return Err(AmountError::NotPositive);
        }
        let price = pricing.price_of(credits).ok_or(AmountError::NotPriceable)?;
        Ok(Self {
            credits: credits.normalize(),
            price,
        })
    }

    /// What the wizard shows for this purchase, given the account's latest figures.
    pub fn quote(
        &self,
        snapshot: Option<&Snapshot>,
        observed_burn_per_hour: Option<Decimal>,
        list: &PriceTable,
        now: DateTime<Utc>,
    ) -> Quote {
        Quote {
            credits: self.credits.to_string(),
            credits_text: credits_text(self.credits),
            price: format::money(self.price.amount, &self.price.currency),
            runtime: snapshot.and_then(|s| {
                let rates = Rates {
                    platform: s.prices.as_ref(),
                    observed_per_hour: observed_burn_per_hour,
                    list: Some(list),
                };
                runtime(self.credits, s, rates, now)
            }),
            balance_after: snapshot
                .and_then(|s| s.balance.checked_add(self.credits))
                .map(format::credits),
        }
    }
}

/// A priced purchase as the webviews show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    /// The amount as the commands take it back: `25`, `12.5`.
    pub credits: String,
    /// `1,000`, `12.50`.
    pub credits_text: String,
    /// `$25.00`.
    pub price: String,
    /// `adds about 20 h 50 min of runtime at the current usage`, when it can be estimated.
    pub runtime: Option<String>,
    /// The balance once paid, from the latest figures: a projection, never the result.
    pub balance_after: Option<String>,
}

/// Credits without needless decimals: `1,000`, `12.50`.
pub fn credits_text(credits: Decimal) -> String {
    let text = format::credits(credits);
    text.strip_suffix(".00").map_or(text.clone(), str::to_owned)
}

/// The runtime `credits` add: at the running workers' rate, or for one worker of the default
/// type when none runs (lattica-core's estimate, as the popover words it).
fn runtime(
    credits: Decimal,
    snapshot: &Snapshot,
    rates: Rates<'_>,
    now: DateTime<Utc>,
) -> Option<String> {
    let estimated = estimate(credits, &snapshot.running, rates, now);
    let duration = format::approx_duration(estimated.remaining()?);
    match estimated {
        Estimate::Running { workers: 1, .. } => Some(format!(
            "adds {duration} of runtime at the current usage (1 worker)"
        )),
        Estimate::Running { workers, .. } => Some(format!(
            "adds {duration} of runtime at the current usage ({workers} workers)"
        )),
        Estimate::NoneRunning { .. } => Some(format!(
            "adds {duration} of runtime for one worker (none is running now)"
        )),
        Estimate::Unknown { .. } | Estimate::Empty { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use lattica_core::estimate::{RunningWorker, list_prices};

    use super::*;

    fn pricing() -> Pricing {
        serde_json::from_str(
            r#"{"currency": "usd", "creditPrice": {"amount": 100, "currency": "usd"},
                "limits": {"minCredits": 10, "maxCredits": 5000},
                "suggestedCredits": [25, 50, 100, 250]}"#,
        )
        .unwrap()
    }

    fn error(text: &str) -> String {
        Purchase::parse(text, NumberStyle::DecimalPoint, &pricing())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn amounts_within_the_limits_in_whole_cents() {
        let point = NumberStyle::DecimalPoint;
        let p = Purchase::parse(" 1,000 ", point, &pricing()).unwrap();
        assert_eq!(p.credits, Decimal::from(1000));
        assert_eq!(p.price.amount, 100_000);
        let p = Purchase::parse("12.50", point, &pricing()).unwrap();
        assert_eq!(p.credits.to_string(), "12.5");
        assert_eq!(p.price.amount, 1250);
        assert!(error("9.99").contains("smallest purchase is 10"));
        assert!(error("5000.01").contains("At most 5,000"));
        assert!(error("12.345").contains("two decimals"));
        assert!(error("").contains("Enter a number"));
        for bad in ["abc", "1.2.3", "-20", "1e3", ".", "20 credits", "12,5"] {
            assert!(
                error(bad).contains("like 1250 or 12.5"),
                "{bad}: {}",
                error(bad)
            );
        }
        // Twelve and a half where the locale writes it so; never 125.
        let comma = NumberStyle::DecimalComma;
        let p = Purchase::parse("12,5", comma, &pricing()).unwrap();
        assert_eq!(p.credits, Decimal::new(125, 1));
        assert!(
            Purchase::parse("1,000", comma, &pricing())
                .unwrap_err()
                .to_string()
                .contains("could mean 1 or 1000")
        );
    }

    #[test]
    fn quote_prices_and_estimates_the_runtime() {
        let p = Purchase::parse("24", NumberStyle::DecimalPoint, &pricing()).unwrap();
        let prices = PriceTable {
            default_instance_type: "T4".into(),
            credits_per_hour: BTreeMap::from([("T4".into(), Decimal::new(12, 1))]),
        };
        let mut snapshot = Snapshot {
            fetched_at: Utc::now(),
            balance: Decimal::new(10050, 2),
            running: vec![RunningWorker::new("T4"), RunningWorker::new("T4")],
            prices: Some(prices),
            last_payment: None,
            token_expires_at: None,
            payments_api: true,
            email: None,
        };
        let quote = p.quote(Some(&snapshot), None, list_prices(), Utc::now());
        assert_eq!(quote.price, "$24.00");
        assert_eq!(quote.credits_text, "24");
        // 24 credits at 2 × 1.2 per hour: 10 h.
        assert_eq!(
            quote.runtime.as_deref(),
            Some("adds about 10 h of runtime at the current usage (2 workers)")
        );
        assert_eq!(quote.balance_after.as_deref(), Some("124.50"));
        snapshot.running.clear();
        let idle = p.quote(Some(&snapshot), None, list_prices(), Utc::now());
        assert!(
            idle.runtime
                .unwrap()
                .contains("about 20 h of runtime for one worker")
        );
        assert_eq!(p.quote(None, None, list_prices(), Utc::now()).runtime, None);
    }
}
