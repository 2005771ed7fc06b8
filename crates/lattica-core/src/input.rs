//! Numbers the user types (amounts, thresholds, caps), read one way only.
//!
//! Two readings are considered: the point reading (`1,234.50`: a decimal point, commas
//! grouping thousands), which is how the app writes numbers, and, where the user's locale
//! writes a decimal comma, the comma reading (`1.234,50` or `1 234,50`). An input is taken
//! when exactly one reading makes sense of it, or both give the same number; when they give
//! two numbers (`1,000` is a thousand or one) it is refused with a sentence that says how to
//! write it. Grouping separators count only in their places (groups of three after the first),
//! so `12,5` is never 125.
//!
//! Which locales write a decimal comma is a short table of language codes below, not ICU4X:
//! that data (and its size in the tray app) would serve this one question.

use rust_decimal::Decimal;

/// How the user's locale writes the decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumberStyle {
    /// `1,234.50`: English, Chinese, Japanese, Korean, Hindi, Hebrew, Thai…
    #[default]
    DecimalPoint,
    /// `1.234,50` or `1 234,50`: most of continental Europe, Latin America, Russia, Turkey…
    DecimalComma,
}

/// Languages (ISO 639-1) whose usual decimal separator is a comma.
const DECIMAL_COMMA_LANGUAGES: &[&str] = &[
    "af", "az", "be", "bg", "bs", "ca", "cs", "da", "de", "el", "es", "et", "eu", "fi", "fo", "fr",
    "gl", "hr", "hu", "hy", "id", "is", "it", "ka", "kk", "ky", "lt", "lv", "mk", "mn", "nb", "nl",
    "nn", "no", "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sr", "sv", "tr", "uk", "uz", "vi",
];

impl NumberStyle {
    /// The style of a POSIX locale name (`de_DE.UTF-8`, `fr_CA`, `en_US`, `C`); the point
    /// style for anything unknown. Swiss German and English variants keep the point.
    pub fn for_locale(locale: &str) -> Self {
        let tag = locale.split(['.', '@']).next().unwrap_or("");
        let mut parts = tag.split(['_', '-']);
        let language = parts.next().unwrap_or("").to_ascii_lowercase();
        let region = parts.next().unwrap_or("").to_ascii_uppercase();
        let point_regions = ["CH", "LI", "MX"];
        if DECIMAL_COMMA_LANGUAGES.contains(&language.as_str())
            && !point_regions.contains(&region.as_str())
        {
            Self::DecimalComma
        } else {
            Self::DecimalPoint
        }
    }
}

/// Why a typed number cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("Enter a number.")]
    Empty,
    /// Not a number in any reading; says how to write one.
    #[error("{0:?} is not a number: write it like 1250 or 12.5.")]
    NotANumber(String),
    /// Two readings give two numbers.
    #[error(
        "{text:?} could mean {first} or {second}: write {first} or {second} without separators other than a decimal point."
    )]
    Ambiguous {
        text: String,
        first: Decimal,
        second: Decimal,
    },
}

/// Reads `text` as typed in a locale of `style`.
pub fn parse_number(text: &str, style: NumberStyle) -> Result<Decimal, NumberError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(NumberError::Empty);
    }
    let point = read(text, '.', &[',']);
    let comma = match style {
        NumberStyle::DecimalPoint => None,
        NumberStyle::DecimalComma => read(text, ',', &['.', ' ', '\u{a0}', '\u{202f}']),
    };
    match (point, comma) {
        (Some(a), Some(b)) if a != b => Err(NumberError::Ambiguous {
            text: text.to_owned(),
            first: a.min(b).normalize(),
            second: a.max(b).normalize(),
        }),
        (Some(value), _) | (None, Some(value)) => Ok(value),
        (None, None) => Err(NumberError::NotANumber(text.to_owned())),
    }
}

/// `text` as digits grouped by one of `groups` (in groups of three, the first of one to
/// three) with an optional `decimal` part; `None` when it is not written that way.
fn read(text: &str, decimal: char, groups: &[char]) -> Option<Decimal> {
    let (whole, fraction) = match text.split_once(decimal) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(fraction) = fraction
        && !digits(fraction)
    {
        return None;
    }
    let mut plain = String::with_capacity(text.len());
    match groups.iter().find(|g| whole.contains(**g)) {
        None if whole.is_empty() && fraction.is_some() => plain.push('0'),
        None if digits(whole) => plain.push_str(whole),
        None => return None,
        Some(group) => {
            let mut parts = whole.split(*group);
            let first = parts.next()?;
            if !digits(first) || first.len() > 3 {
                return None;
            }
            plain.push_str(first);
            for part in parts {
                if part.len() != 3 || !digits(part) {
                    return None;
                }
                plain.push_str(part);
            }
        }
    }
    if let Some(fraction) = fraction {
        plain.push('.');
        plain.push_str(fraction);
    }
    Decimal::from_str_exact(&plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    const POINT: NumberStyle = NumberStyle::DecimalPoint;
    const COMMA: NumberStyle = NumberStyle::DecimalComma;

    #[test]
    fn locales_name_their_style() {
        assert_eq!(NumberStyle::for_locale("de_DE.UTF-8"), COMMA);
        assert_eq!(NumberStyle::for_locale("fr_CA.UTF-8"), COMMA);
        assert_eq!(NumberStyle::for_locale("pt-BR"), COMMA);
        assert_eq!(NumberStyle::for_locale("de_CH.UTF-8"), POINT);
        assert_eq!(NumberStyle::for_locale("en_US.UTF-8"), POINT);
        assert_eq!(NumberStyle::for_locale("C"), POINT);
        assert_eq!(NumberStyle::for_locale(""), POINT);
        assert_eq!(NumberStyle::for_locale("ja_JP"), POINT);
    }

    #[test]
    fn twelve_and_a_half_is_never_a_hundred_and_twenty_five() {
        assert_eq!(parse_number("12,5", COMMA), Ok(d("12.5")));
        assert!(matches!(
            parse_number("12,5", POINT),
            Err(NumberError::NotANumber(_))
        ));
        let said = parse_number("12,5", POINT).unwrap_err().to_string();
        assert!(said.contains("12.5"), "{said}");
    }

    #[test]
    fn each_locale_reads_its_own_way_and_refuses_what_means_two_numbers() {
        for (text, point, comma) in [
            ("50", Some("50"), Some("50")),
            (" 12.5 ", Some("12.5"), Some("12.5")),
            ("1,000", Some("1000"), None),
            ("12,500.50", Some("12500.50"), Some("12500.50")),
            ("1.000,50", None, Some("1000.50")),
            ("1 000,5", None, Some("1000.5")),
            ("0,25", None, Some("0.25")),
            (".5", Some("0.5"), Some("0.5")),
        ] {
            assert_eq!(parse_number(text, POINT).ok(), point.map(d), "{text} point");
            assert_eq!(parse_number(text, COMMA).ok(), comma.map(d), "{text} comma");
        }
        // A thousand or one?
        let refused = parse_number("1,000", COMMA).unwrap_err();
        assert!(
            matches!(refused, NumberError::Ambiguous { .. }),
            "{refused}"
        );
        assert!(refused.to_string().contains("1 or 1000"), "{refused}");
        assert!(matches!(
            parse_number("1.000", COMMA),
            Err(NumberError::Ambiguous { .. })
        ));
        for bad in [
            "", " ", "1,00", "12,5,0", "1..2", "1.2.3", "1e3", "-5", "five", "1,000,00",
        ] {
            assert!(parse_number(bad, POINT).is_err(), "{bad:?}");
        }
    }

    /// The app writes amounts with commas grouping and two decimals (`format::credits`).
    fn written(value: Decimal) -> String {
        crate::format::credits(value)
    }

    proptest! {
        #[test]
        fn what_the_app_writes_reads_back_in_every_locale(cents in 0i64..100_000_000_000) {
            let value = Decimal::new(cents, 2);
            for style in [POINT, COMMA] {
                prop_assert_eq!(parse_number(&written(value), style), Ok(value));
            }
        }

        #[test]
        fn a_locale_number_reads_back_in_its_locale(cents in 0i64..100_000_000_000) {
            let value = Decimal::new(cents, 2);
            let comma_style = written(value).replace(',', " ").replace('.', ",");
            prop_assert_eq!(parse_number(&comma_style, COMMA), Ok(value));
        }

        #[test]
        fn no_reading_is_larger_than_the_digits_with_a_decimal_where_the_separator_is(
            whole in "[1-9][0-9]{0,5}",
            fraction in "[0-9]{1,4}",
            separator in prop::sample::select(vec![',', '.']),
            style in prop::sample::select(vec![POINT, COMMA]),
        ) {
            // The user may have meant the separator as a decimal one or as grouping: grouping
            // is only taken when it cannot be a decimal in the locale, and then only in its
            // place (three digits after it).
            let text = format!("{whole}{separator}{fraction}");
            if let Ok(value) = parse_number(&text, style) {
                let as_decimal = d(&format!("{whole}.{fraction}"));
                let as_grouped = d(&format!("{whole}{fraction}"));
                prop_assert!(value == as_decimal || (value == as_grouped && fraction.len() == 3),
                    "{text} read as {value}");
                let decimal_here = separator == '.' || style == COMMA;
                prop_assert!(!decimal_here || value == as_decimal || fraction.len() == 3,
                    "{text} read as {value}");
            }
        }
    }
}
