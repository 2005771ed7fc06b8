//! Credits and money as text.

use rust_decimal::Decimal;

/// Credits with thousands separators and exactly two decimals: `1,234.50`.
///
/// Digits past the second decimal are dropped (rounded toward zero), so `0.999` shows as
/// `0.99`: the balance shown is never more than the balance held.
pub fn credits(amount: Decimal) -> String {
    let truncated = amount.trunc_with_scale(2);
    // `{:.2}` pads `5` to `5.00`; there is nothing left to round after the truncation.
    let digits = format!("{:.2}", truncated.abs());
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, "00"));
    format!("{}{}.{fraction}", sign(truncated), group(whole))
}

/// A short balance for the tray: `0 cr`, `<0.1 cr`, `7.5 cr`, `250 cr`, `1.2k cr`, `12k cr`,
/// `3.4M cr`.
///
/// Three significant digits at most, always rounded toward zero: `999.99` is `999 cr`, not
/// `1k cr`. A positive balance never shows as `0 cr`, which would read as empty.
pub fn compact_credits(amount: Decimal) -> String {
    let magnitude = amount.abs();
    let thousand = Decimal::from(1_000);
    let million = Decimal::from(1_000_000);
    let body = if magnitude.is_zero() {
        "0".to_owned()
    } else if magnitude < Decimal::new(1, 1) {
        "<0.1".to_owned()
    } else if magnitude < thousand {
        short(magnitude)
    } else if magnitude < million {
        format!("{}k", short(magnitude / thousand))
    } else {
        format!("{}M", short(magnitude / million))
    };
    let sign = if amount < Decimal::ZERO { "-" } else { "" };
    format!("{sign}{body} cr")
}

/// One decimal below 10, whole numbers above, both truncated: `7.5`, `7`, `250`.
fn short(value: Decimal) -> String {
    let scale = if value < Decimal::TEN { 1 } else { 0 };
    value.trunc_with_scale(scale).normalize().to_string()
}

/// Currencies we know how to write: ISO code, symbol, number of minor-unit digits.
const CURRENCIES: &[(&str, &str, u32)] = &[
    ("usd", "$", 2),
    ("eur", "€", 2),
    ("gbp", "£", 2),
    ("jpy", "¥", 0),
    ("krw", "₩", 0),
];

/// An amount in minor units: `$100.00`, `€12.50`, `¥500`; a currency without a symbol here is
/// written after the number with its code, `12.50 CHF`, assuming two minor digits (true of
/// nearly all currencies).
pub fn money(amount_minor: i64, currency: &str) -> String {
    let code = currency.trim().to_ascii_lowercase();
    let known = CURRENCIES.iter().find(|(c, _, _)| *c == code);
    let exponent = known.map_or(2, |(_, _, exponent)| *exponent);
    let number = Decimal::new(amount_minor, exponent).abs();
    let digits = format!("{number:.prec$}", prec = exponent as usize);
    let text = match digits.split_once('.') {
        Some((whole, fraction)) => format!("{}.{fraction}", group(whole)),
        None => group(&digits),
    };
    let sign = if amount_minor < 0 { "-" } else { "" };
    match known {
        Some((_, symbol, _)) => format!("{sign}{symbol}{text}"),
        None => format!("{sign}{text} {}", code.to_ascii_uppercase()),
    }
}

fn sign(value: Decimal) -> &'static str {
    // `Decimal` has a negative zero (`-0.001` truncated); it must not print as `-0.00`.
    if value < Decimal::ZERO { "-" } else { "" }
}

/// `1234567` → `1,234,567`, for a string of ASCII digits.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn credits_group_and_keep_two_decimals() {
        assert_eq!(credits(d("0")), "0.00");
        assert_eq!(credits(d("5")), "5.00");
        assert_eq!(credits(d("999.5")), "999.50");
        assert_eq!(credits(d("1000")), "1,000.00");
        assert_eq!(credits(d("1234.5")), "1,234.50");
        assert_eq!(credits(d("249.517333")), "249.51");
        assert_eq!(credits(d("1234567.891")), "1,234,567.89");
        assert_eq!(credits(d("100000")), "100,000.00");
    }

    #[test]
    fn credits_never_round_up() {
        assert_eq!(credits(d("0.999999")), "0.99");
        assert_eq!(credits(d("999.999")), "999.99");
        assert_eq!(credits(d("0.001")), "0.00");
    }

    #[test]
    fn negative_credits_keep_their_sign_but_not_on_zero() {
        assert_eq!(credits(d("-1234.567")), "-1,234.56");
        assert_eq!(credits(d("-0.001")), "0.00");
    }

    #[test]
    fn compact_credits_boundaries() {
        let cases = [
            ("0", "0 cr"),
            ("0.000001", "<0.1 cr"),
            ("0.1", "0.1 cr"),
            ("7", "7 cr"),
            ("7.59", "7.5 cr"),
            ("9.99", "9.9 cr"),
            ("10", "10 cr"),
            ("250.9", "250 cr"),
            ("999.99", "999 cr"),
            ("1000", "1k cr"),
            ("1250", "1.2k cr"),
            ("9999", "9.9k cr"),
            ("10000", "10k cr"),
            ("999999.99", "999k cr"),
            ("1000000", "1M cr"),
            ("3456789", "3.4M cr"),
            ("1234567890", "1234M cr"),
            ("-250", "-250 cr"),
        ];
        for (input, expected) in cases {
            assert_eq!(compact_credits(d(input)), expected, "{input}");
        }
    }

    #[test]
    fn money_known_currencies() {
        assert_eq!(money(10_000, "usd"), "$100.00");
        assert_eq!(money(1_250, "EUR"), "€12.50");
        assert_eq!(money(5, "gbp"), "£0.05");
        assert_eq!(money(0, "usd"), "$0.00");
        assert_eq!(money(123_456_789, "usd"), "$1,234,567.89");
        assert_eq!(money(500, "jpy"), "¥500");
        assert_eq!(money(1_500_000, "jpy"), "¥1,500,000");
        assert_eq!(money(-500, "usd"), "-$5.00");
    }

    #[test]
    fn money_unknown_currency_uses_its_code() {
        assert_eq!(money(1_250, "chf"), "12.50 CHF");
        assert_eq!(money(100_000, " sek "), "1,000.00 SEK");
    }

    #[test]
    fn money_extremes_do_not_panic() {
        assert_eq!(money(i64::MIN, "usd"), "-$92,233,720,368,547,758.08");
        assert_eq!(money(i64::MAX, "jpy"), "¥9,223,372,036,854,775,807");
    }

    #[test]
    fn grouping() {
        assert_eq!(group("1"), "1");
        assert_eq!(group("123"), "123");
        assert_eq!(group("1234"), "1,234");
        assert_eq!(group("123456"), "123,456");
        assert_eq!(group("1234567"), "1,234,567");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn shown_value(text: &str) -> Decimal {
            text.replace(',', "").parse().unwrap()
        }

        proptest! {
            #[test]
            fn credits_never_show_more_than_held(micro in 0i64..i64::MAX) {
                let amount = Decimal::new(micro, 6);
                let shown = shown_value(&credits(amount));
                prop_assert!(shown <= amount);
                prop_assert!(amount - shown < Decimal::new(1, 2));
            }

            #[test]
            fn compact_credits_never_show_more_than_held(micro in 1i64..i64::MAX) {
                let amount = Decimal::new(micro, 6);
                let text = compact_credits(amount);
                let number = text.trim_end_matches(" cr").trim_start_matches('<');
                let (digits, factor) = match number.strip_suffix('k') {
                    Some(digits) => (digits, Decimal::from(1_000)),
                    None => match number.strip_suffix('M') {
                        Some(digits) => (digits, Decimal::from(1_000_000)),
                        None => (number, Decimal::ONE),
                    },
                };
                let shown = shown_value(digits) * factor;
                if text.starts_with('<') {
                    prop_assert!(amount < shown);
                } else {
                    prop_assert!(shown <= amount, "{text} for {amount}");
                    prop_assert!(shown > Decimal::ZERO, "{text} for {amount}");
                }
            }
        }
    }
}
