//! Card data as the hosted form submits it: brand from the prefix, length per brand, Luhn,
//! expiry and CVC checks; the outcome of a test card comes from [`super::outcome`].
//!
//! The number and the CVC only live inside [`validate`]: what leaves it ([`ValidCard`]) holds
//! the brand, the last four digits, the expiry and the outcome, nothing that could charge a
//! card. This module never logs.

use serde_json::{Map, Value};

use super::outcome::{Outcome, outcome_of};

/// A card network, recognised from the number's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Brand {
    /// Starts with 4.
    Visa,
    /// 51–55 or 2221–2720.
    Mastercard,
    /// 34 or 37.
    Amex,
    /// 6011, 644–649 or 65.
    Discover,
    /// 300–305, 36, 38 or 39.
    Diners,
    /// 3528–3589.
    Jcb,
    /// 62.
    UnionPay,
}

impl Brand {
    /// The brand of a number (digits only), if its prefix is one the service accepts.
    pub fn from_digits(digits: &str) -> Option<Self> {
        let prefix = |len: usize| digits.get(..len).and_then(|p| p.parse::<u32>().ok());
        let within = |len, low, high| prefix(len).is_some_and(|p| (low..=high).contains(&p));
        if within(2, 34, 34) || within(2, 37, 37) {
            Some(Self::Amex)
        } else if digits.starts_with('4') {
            Some(Self::Visa)
        } else if within(2, 51, 55) || within(4, 2221, 2720) {
            Some(Self::Mastercard)
        } else if within(4, 6011, 6011) || within(3, 644, 649) || within(2, 65, 65) {
            Some(Self::Discover)
        } else if within(4, 3528, 3589) {
            Some(Self::Jcb)
        } else if within(3, 300, 305) || within(2, 36, 36) || within(2, 38, 39) {
            Some(Self::Diners)
        } else if within(2, 62, 62) {
            Some(Self::UnionPay)
        } else {
            None
        }
    }

    const ALL: [Self; 7] = [
        Self::Visa,
        Self::Mastercard,
        Self::Amex,
        Self::Discover,
        Self::Diners,
        Self::Jcb,
        Self::UnionPay,
    ];

    /// Reads the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|brand| brand.as_str() == text)
    }

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visa => "visa",
            Self::Mastercard => "mastercard",
            Self::Amex => "amex",
            Self::Discover => "discover",
            Self::Diners => "diners",
            Self::Jcb => "jcb",
            Self::UnionPay => "unionpay",
        }
    }

    /// The name people know it by.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Visa => "Visa",
            Self::Mastercard => "Mastercard",
            Self::Amex => "American Express",
            Self::Discover => "Discover",
            Self::Diners => "Diners Club",
            Self::Jcb => "JCB",
            Self::UnionPay => "UnionPay",
        }
    }

    /// Number lengths the network issues.
    pub fn lengths(self) -> &'static [usize] {
        match self {
            Self::Visa => &[13, 16, 19],
            Self::Mastercard => &[16],
            Self::Amex => &[15],
            Self::Discover | Self::Jcb | Self::UnionPay => &[16, 17, 18, 19],
            Self::Diners => &[14, 15, 16, 17, 18, 19],
        }
    }

    /// Digits of the security code.
    pub fn cvc_length(self) -> usize {
        match self {
            Self::Amex => 4,
            _ => 3,
        }
    }
}

/// A card that passed every check, reduced to what may be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCard {
    /// Its network.
    pub brand: Brand,
    /// Last four digits of the number.
    pub last4: String,
    /// Expiry month, 1–12.
    pub exp_month: u32,
    /// Expiry year, four digits.
    pub exp_year: u32,
    /// What a confirmation with it does.
    pub outcome: Outcome,
}

/// A form field, as the hosted form names its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The card number.
    Number,
    /// Expiry month and year (one input, `MM/YY`).
    Expiry,
    /// The security code.
    Cvc,
    /// Name on the card.
    Name,
    /// Billing postal code (optional).
    PostalCode,
}

impl Field {
    /// The `field` value of an error answer.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Expiry => "expiry",
            Self::Cvc => "cvc",
            Self::Name => "name",
            Self::PostalCode => "postalCode",
        }
    }
}

/// A field that failed, with a message for the person typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Which input.
    pub field: Field,
    /// What to fix.
    pub message: String,
}

fn fail<T>(field: Field, message: impl Into<String>) -> Result<T, FieldError> {
    Err(FieldError {
        field,
        message: message.into(),
    })
}

/// Longest cardholder name accepted.
const MAX_NAME_CHARS: usize = 100;
/// Years ahead an expiry may reasonably be.
const MAX_YEARS_AHEAD: u32 = 20;

/// Checks a `POST /v1/payment_methods` body (`number`, `expMonth`, `expYear`, `cvc`, `name`,
/// optional `postalCode`) against today's `(year, month)`. The first failing field answers,
/// in the order of the form.
pub fn validate(body: &Map<String, Value>, today: (u32, u32)) -> Result<ValidCard, FieldError> {
    let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default();
    let digits = number(text("number"))?;
    let brand = Brand::from_digits(&digits).map_or_else(
        || fail(Field::Number, "This card brand is not accepted."),
        Ok,
    )?;
    if !brand.lengths().contains(&digits.len()) {
        let lengths: Vec<String> = brand.lengths().iter().map(ToString::to_string).collect();
        let lengths = match lengths.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => lengths.concat(),
        };
        return fail(
            Field::Number,
            format!(
                "{} card numbers have {lengths} digits.",
                brand.display_name()
            ),
        );
    }
    if !luhn(&digits) {
        return fail(
            Field::Number,
            "This card number is not valid. Check it for typos.",
        );
    }
    let (exp_month, exp_year) = expiry(body.get("expMonth"), body.get("expYear"), today)?;
    let cvc = text("cvc").trim();
    if cvc.len() != brand.cvc_length() || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        return fail(
            Field::Cvc,
            format!(
                "Enter the {}-digit security code of your {} card.",
                brand.cvc_length(),
                brand.display_name()
            ),
        );
    }
    let name = text("name").trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return fail(Field::Name, "Enter the name as it appears on the card.");
    }
    let postal = text("postalCode").trim();
    let postal_ok = (3..=10).contains(&postal.len())
        && postal
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    if !postal.is_empty() && !postal_ok {
        return fail(
            Field::PostalCode,
            "Enter a valid postal code, or leave it empty.",
        );
    }
    Ok(ValidCard {
        brand,
        last4: digits[digits.len() - 4..].to_owned(),
        exp_month,
        exp_year,
        outcome: outcome_of(&digits),
    })
}

/// The digits of a number typed with optional spaces or dashes.
fn number(typed: &str) -> Result<String, FieldError> {
    if typed.trim().is_empty() {
        return fail(Field::Number, "Enter the card number.");
    }
    if !typed
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return fail(Field::Number, "A card number has digits only.");
    }
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 12 || digits.len() > 19 {
        return fail(Field::Number, "This card number is incomplete or too long.");
    }
    Ok(digits)
}

/// The Luhn checksum of a string of digits; anything but digits fails.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (index, c) in digits.chars().rev().enumerate() {
        let Some(digit) = c.to_digit(10) else {
            return false;
        };
        sum += match (index % 2 == 1, digit * 2) {
            (false, _) => digit,
            (true, doubled) if doubled > 9 => doubled - 9,
            (true, doubled) => doubled,
        };
    }
    !digits.is_empty() && sum % 10 == 0
}

/// Expiry month (1–12) and year (two or four digits), not before `today`'s month.
fn expiry(
    month: Option<&Value>,
    year: Option<&Value>,
    (this_year, this_month): (u32, u32),
) -> Result<(u32, u32), FieldError> {
    let as_u32 = |value: Option<&Value>| {
        value
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
    };
    let Some(month) = as_u32(month).filter(|m| (1..=12).contains(m)) else {
        return fail(Field::Expiry, "Enter a valid expiry month (01 to 12).");
    };
    let Some(year) = as_u32(year).map(|y| if y < 100 { 2000 + y } else { y }) else {
        return fail(Field::Expiry, "Enter a valid expiry year.");
    };
    if (year, month) < (this_year, this_month) {
        return fail(Field::Expiry, "This card has expired.");
    }
    if year > this_year + MAX_YEARS_AHEAD {
        return fail(Field::Expiry, "Enter a valid expiry year.");
    }
    Ok((month, year))
}

/// Whether a card expiring at the end of `(month, year)` has expired by `today`.
pub fn expired((month, year): (u32, u32), (this_year, this_month): (u32, u32)) -> bool {
    (year, month) < (this_year, this_month)
}

#[cfg(test)]
#[path = "cards_tests.rs"]
mod tests;
