//! Credits: exact decimals with at most six fractional digits, written as JSON numbers.
//!
//! serde_json (without `arbitrary_precision`) would route a number through `f64`; writing a
//! [`RawValue`] instead puts the decimal's own digits on the wire, so `249.517333` is never
//! rounded through a float.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// Fractional digits a credit amount may carry.
pub const SCALE: u32 = 6;

/// Rounds toward zero to [`SCALE`] digits and drops trailing zeros. Toward zero because a
/// balance that is being burned must never be shown (or kept) higher than it is.
pub fn normalize(value: Decimal) -> Decimal {
    value
        .round_dp_with_strategy(SCALE, RoundingStrategy::ToZero)
        .normalize()
}

/// The JSON number for `value`, e.g. `249.517333`.
pub fn to_raw(value: Decimal) -> Box<RawValue> {
    // `Decimal`'s Display is plain digits with an optional sign and point, which is always
    // a JSON number; the `null` fallback only keeps this function total.
    RawValue::from_string(normalize(value).to_string()).unwrap_or_default()
}

/// `serialize_with` for a credit amount (or any exact decimal) as a JSON number.
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    to_raw(*value).serialize(serializer)
}

/// Reads a decimal from a JSON number or a numeric string. `None` for anything else,
/// including numbers with more fractional digits than [`SCALE`].
pub fn from_json(value: &serde_json::Value) -> Option<Decimal> {
    let text = match value {
        serde_json::Value::Number(number) => number.to_string(),
        serde_json::Value::String(text) => text.trim().to_owned(),
        _ => return None,
    };
    let parsed = Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()?
        .normalize();
    (parsed.scale() <= SCALE).then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn writes_exact_digits() {
        assert_eq!(to_raw(dec("249.517333")).get(), "249.517333");
        assert_eq!(to_raw(dec("250.000000")).get(), "250");
        assert_eq!(to_raw(dec("0.1234569")).get(), "0.123456");
        assert_eq!(to_raw(Decimal::ZERO).get(), "0");
        assert_eq!(to_raw(dec("-0.0000001")).get(), "0");
    }

    #[test]
    fn reads_numbers_and_strings() {
        assert_eq!(from_json(&json!(249.517333)), Some(dec("249.517333")));
        assert_eq!(from_json(&json!("12.5")), Some(dec("12.5")));
        assert_eq!(from_json(&json!(1e3)), Some(dec("1000")));
        assert_eq!(from_json(&json!(0.1234567)), None);
        assert_eq!(from_json(&json!("ten")), None);
        assert_eq!(from_json(&json!(null)), None);
    }
}
