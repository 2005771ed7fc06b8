//! Credits as exact decimals: read from the JSON text itself, never through a float.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// Parses the text of a credits value: the digits of a JSON number (`249.517333`, `1e3`), or the
/// content of a numeric string. Surrounding whitespace is ignored; anything that does not fit
/// a `Decimal` exactly (too many digits, out of range) is an error rather than a rounding.
pub fn parse_credits(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    let plausible = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !plausible {
        return Err(format!("`{}` is not a number of credits", excerpt(text)));
    }
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    parsed.map_err(|e| format!("`{}` is not an exact number of credits: {e}", excerpt(text)))
}

/// At most 40 characters of a rejected value, enough to recognise it in a message.
fn excerpt(text: &str) -> &str {
    match text.char_indices().nth(40) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// A credits value as it appears in JSON; deserializable only from JSON text (`from_str`), which
/// is the only way this crate reads responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Credits(pub(crate) Decimal);

impl<'de> Deserialize<'de> for Credits {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        let digits = if text.starts_with('"') {
            serde_json::from_str::<String>(text).map_err(serde::de::Error::custom)?
        } else {
            text.to_owned()
        };
        parse_credits(&digits)
            .map(Credits)
            .map_err(serde::de::Error::custom)
    }
}

/// `#[serde(deserialize_with = "credits::required")]`
pub(crate) fn required<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Credits::deserialize(d).map(|c| c.0)
}

/// `#[serde(default, deserialize_with = "credits::optional")]`: `null` or absent is `None`.
pub(crate) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    Option::<Credits>::deserialize(d).map(|c| c.map(|c| c.0))
}

/// `#[serde(default, deserialize_with = "credits::list")]`
pub(crate) fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
    Vec::<Credits>::deserialize(d).map(|v| v.into_iter().map(|c| c.0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn read(json: &str) -> Result<Decimal, serde_json::Error> {
        serde_json::from_str::<Credits>(json).map(|c| c.0)
    }

    #[test]
    fn keeps_every_digit_of_a_number() {
        assert_eq!(read("249.517333").unwrap(), dec("249.517333"));
        assert_eq!(read("249.517333").unwrap().to_string(), "249.517333");
        // A float would turn this into 0.30000000000000004 or similar.
        assert_eq!(read("0.3").unwrap().to_string(), "0.3");
        assert_eq!(
            read("12345678901234.123456").unwrap().to_string(),
            "12345678901234.123456"
        );
        assert_eq!(read("-0.000001").unwrap(), dec("-0.000001"));
        assert_eq!(read("0").unwrap(), Decimal::ZERO);
    }

    #[test]
    fn reads_scientific_notation_and_strings() {
        assert_eq!(read("1e3").unwrap(), dec("1000"));
        assert_eq!(read("2.5E-2").unwrap(), dec("0.025"));
        assert_eq!(read("1.5e+2").unwrap(), dec("150"));
        assert_eq!(read(r#""249.517333""#).unwrap(), dec("249.517333"));
        assert_eq!(read(r#"" 7 ""#).unwrap(), dec("7"));
    }

    #[test]
    fn refuses_what_is_not_exact_or_not_a_number() {
        for bad in [
            "1e400",
            "123456789012345678901234567890123",
            "0.12345678901234567890123456789012",
            r#""""#,
            r#""abc""#,
            r#""NaN""#,
            r#""1,5""#,
            "null",
            "true",
            "[1]",
            "{}",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_exponent_near_the_limits_is_an_answer_not_a_panic() {
        let mantissas = [
            "1",
            "9",
            "-9",
            "0.5",
            "79228162514264337593543950335",
            "7.9228162514264337593543950335",
        ];
        for mantissa in mantissas {
            for exponent in 0..=40 {
                for sign in ["", "+", "-"] {
                    let text = format!("{mantissa}e{sign}{exponent}");
                    let outcome = std::panic::catch_unwind(|| parse_credits(&text));
                    assert!(outcome.is_ok(), "{text} panicked");
                }
            }
        }
        assert_eq!(
            parse_credits("1e28").unwrap().to_string(),
            "10000000000000000000000000000"
        );
        assert!(parse_credits("1e29").is_err());
    }

    #[test]
    fn optional_and_list_helpers() {
        #[derive(Deserialize)]
        struct Doc {
            #[serde(default, deserialize_with = "optional")]
            a: Option<Decimal>,
            #[serde(default, deserialize_with = "optional")]
            b: Option<Decimal>,
            #[serde(default, deserialize_with = "list")]
            c: Vec<Decimal>,
        }
        let doc: Doc = serde_json::from_str(r#"{"a": null, "c": [1, "2.5", 1e1]}"#).unwrap();
        assert_eq!(doc.a, None);
        assert_eq!(doc.b, None);
        assert_eq!(doc.c, vec![dec("1"), dec("2.5"), dec("10")]);
    }
}
