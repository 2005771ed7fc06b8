//! How the account stands: the balance levels and the thresholds that separate them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A threshold, in credits or in hours of estimated usage time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "value", rename_all = "lowercase")]
pub enum Threshold {
    Credits(Decimal),
    Hours(Decimal),
}

/// The low and critical thresholds; critical must sit below low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub low: Threshold,
    pub critical: Threshold,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            low: Threshold::Hours(Decimal::from(24)),
            critical: Threshold::Hours(Decimal::from(3)),
        }
    }
}

/// Where the balance stands, from best to worst. The order is meaningful: `Ok < Low < …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Low,
    Critical,
    Empty,
}

impl Threshold {
    /// Whether `balance` (with `hours_left`, the estimated usage time, when known) is at or
    /// below this threshold. An hours threshold with no estimate available is never crossed:
    /// without a usage rate there is nothing to run out of.
    pub fn is_crossed(&self, balance: Decimal, hours_left: Option<Decimal>) -> bool {
        match *self {
            Threshold::Credits(limit) => balance <= limit,
            Threshold::Hours(limit) => hours_left.is_some_and(|h| h <= limit),
        }
    }
}

impl Thresholds {
    /// The level of a balance; zero or less is always `Empty`.
    pub fn level(&self, balance: Decimal, hours_left: Option<Decimal>) -> Level {
        if balance <= Decimal::ZERO {
            Level::Empty
        } else if self.critical.is_crossed(balance, hours_left) {
            Level::Critical
        } else if self.low.is_crossed(balance, hours_left) {
            Level::Low
        } else {
            Level::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn credit_thresholds_order_levels() {
        let t = Thresholds {
            low: Threshold::Credits(d("50")),
            critical: Threshold::Credits(d("10")),
        };
        assert_eq!(t.level(d("50.01"), None), Level::Ok);
        assert_eq!(t.level(d("50"), None), Level::Low);
        assert_eq!(t.level(d("10"), None), Level::Critical);
        assert_eq!(t.level(d("0.000001"), None), Level::Critical);
        assert_eq!(t.level(Decimal::ZERO, None), Level::Empty);
    }

    #[test]
    fn hour_thresholds_need_an_estimate() {
        let t = Thresholds::default();
        assert_eq!(t.level(d("5"), None), Level::Ok);
        assert_eq!(t.level(d("5"), Some(d("23.9"))), Level::Low);
        assert_eq!(t.level(d("5"), Some(d("2"))), Level::Critical);
    }
}
