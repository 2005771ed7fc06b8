//! Money: integer minor units and a lowercase ISO currency code, never a float.

use serde::Deserialize;

/// An amount of money, e.g. `{amount: 2500, currency: "usd"}` for $25.00.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
pub struct Money {
    /// Minor units (cents for `usd`).
    pub amount: i64,
    pub currency: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::read;

    #[test]
    fn integers_only() {
        let money: Money = read(r#"{"amount": 2500, "currency": "usd", "x": 1}"#, "money").unwrap();
        assert_eq!(
            money,
            Money {
                amount: 2500,
                currency: "usd".into()
            }
        );
        for bad in [
            r#"{"amount": 25.5, "currency": "usd"}"#,
            r#"{"amount": "2500", "currency": "usd"}"#,
            r#"{"amount": 1e30, "currency": "usd"}"#,
            r#"{"amount": 2500}"#,
        ] {
            assert!(read::<Money>(bad, "money").is_err(), "{bad}");
        }
    }
}
