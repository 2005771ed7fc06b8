//! Tests of the card checks and the test-card table.

use serde_json::json;

use super::*;
use crate::payments::outcome::Decline;

const TODAY: (u32, u32) = (2026, 6);

fn body(number: &str, month: u32, year: u32, cvc: &str) -> Map<String, Value> {
    let Value::Object(map) = json!({"number": number, "expMonth": month, "expYear": year,
                                     "cvc": cvc, "name": "Ada Lovelace", "postalCode": "12345"})
    else {
        unreachable!()
    };
    map
}

fn field_of(body: &Map<String, Value>) -> Field {
    validate(body, TODAY).unwrap_err().field
}

#[test]
fn brands_from_prefixes() {
    for (digits, brand) in [
        ("4242424242424242", Brand::Visa),
        ("5105105105105100", Brand::Mastercard),
        ("5555555555554444", Brand::Mastercard),
        ("2221000000000009", Brand::Mastercard),
        ("2720990000000007", Brand::Mastercard),
        ("378282246310005", Brand::Amex),
        ("340000000000009", Brand::Amex),
        ("6011111111111117", Brand::Discover),
        ("6500000000000002", Brand::Discover),
        ("3530111333300000", Brand::Jcb),
        ("36227206271667", Brand::Diners),
        ("6200000000000005", Brand::UnionPay),
    ] {
        assert_eq!(Brand::from_digits(digits), Some(brand), "{digits}");
    }
    for digits in [
        "2220990000000000",
        "2721000000000000",
        "5000000000000000",
        "9999",
    ] {
        assert_eq!(Brand::from_digits(digits), None, "{digits}");
    }
}

#[test]
fn luhn_checksums() {
    assert!(luhn("4242424242424242"));
    assert!(luhn("378282246310005"));
    assert!(!luhn("4242424242424241"));
    assert!(!luhn("42a2"));
    assert!(!luhn(""));
}

#[test]
fn test_cards_and_their_outcomes() {
    for (number, outcome) in [
        ("4242424242424242", Outcome::Succeed),
        ("5555555555554444", Outcome::Succeed),
        ("4000000000000002", Outcome::Decline(Decline::CardDeclined)),
        (
            "4000000000009995",
            Outcome::Decline(Decline::InsufficientFunds),
        ),
        ("4000000000000069", Outcome::Decline(Decline::ExpiredCard)),
        ("4000000000000127", Outcome::Decline(Decline::IncorrectCvc)),
        (
            "4000000000000119",
            Outcome::Decline(Decline::ProcessingError),
        ),
        ("4000002760003184", Outcome::Authenticate),
    ] {
        let card = validate(&body(number, 12, 2030, "123"), TODAY).unwrap();
        assert_eq!(card.outcome, outcome, "{number}");
        assert_eq!(card.last4, number[number.len() - 4..]);
        assert_eq!(Outcome::parse(outcome.as_str()), Some(outcome));
    }
    let amex = validate(&body("3782 822463 10005", 1, 30, "1234"), TODAY).unwrap();
    assert_eq!(
        (
            amex.brand,
            amex.last4.as_str(),
            amex.exp_month,
            amex.exp_year
        ),
        (Brand::Amex, "0005", 1, 2030)
    );
    assert_eq!(Outcome::parse("nope"), None);
}

#[test]
fn number_checks() {
    assert_eq!(
        field_of(&body("4242424242424241", 12, 2030, "123")),
        Field::Number
    );
    let wrong_length = validate(&body("424242424242424", 12, 2030, "123"), TODAY).unwrap_err();
    assert_eq!(wrong_length.field, Field::Number);
    assert!(
        wrong_length.message.contains("13, 16 or 19"),
        "{}",
        wrong_length.message
    );
    let amex_16 = validate(&body("3782822463100051", 12, 2030, "1234"), TODAY).unwrap_err();
    assert!(amex_16.message.contains("15"), "{}", amex_16.message);
    let unknown = validate(&body("9999999999999995", 12, 2030, "123"), TODAY).unwrap_err();
    assert!(unknown.message.contains("brand"), "{}", unknown.message);
    for bad in [
        "",
        "   ",
        "4242-4242-4242-424x",
        "4242",
        "42424242424242424242",
    ] {
        assert_eq!(
            field_of(&body(bad, 12, 2030, "123")),
            Field::Number,
            "{bad:?}"
        );
    }
    assert!(validate(&body("4242-4242-4242-4242", 12, 2030, "123"), TODAY).is_ok());
}

#[test]
fn expiry_checks() {
    assert_eq!(
        field_of(&body("4242424242424242", 13, 2030, "123")),
        Field::Expiry
    );
    assert_eq!(
        field_of(&body("4242424242424242", 0, 2030, "123")),
        Field::Expiry
    );
    assert_eq!(
        field_of(&body("4242424242424242", 12, 2025, "123")),
        Field::Expiry
    );
    assert_eq!(
        field_of(&body("4242424242424242", 5, 2026, "123")),
        Field::Expiry
    );
    assert_eq!(
        field_of(&body("4242424242424242", 1, 2099, "123")),
        Field::Expiry
    );
    assert!(validate(&body("4242424242424242", 6, 2026, "123"), TODAY).is_ok());
    assert!(validate(&body("4242424242424242", 6, 26, "123"), TODAY).is_ok());
    let mut as_text = body("4242424242424242", 6, 2026, "123");
    as_text.insert("expMonth".into(), json!("06"));
    assert_eq!(field_of(&as_text), Field::Expiry);
    assert!(expired((5, 2026), TODAY));
    assert!(!expired((6, 2026), TODAY));
}

#[test]
fn cvc_name_and_postal_code_checks() {
    assert_eq!(
        field_of(&body("4242424242424242", 12, 2030, "12")),
        Field::Cvc
    );
    assert_eq!(
        field_of(&body("4242424242424242", 12, 2030, "1234")),
        Field::Cvc
    );
    assert_eq!(
        field_of(&body("4242424242424242", 12, 2030, "12a")),
        Field::Cvc
    );
    assert_eq!(
        field_of(&body("378282246310005", 12, 2030, "123")),
        Field::Cvc
    );
    assert!(validate(&body("378282246310005", 12, 2030, "1234"), TODAY).is_ok());

    let mut nameless = body("4242424242424242", 12, 2030, "123");
    nameless.insert("name".into(), json!("  "));
    assert_eq!(field_of(&nameless), Field::Name);
    let mut no_postal = body("4242424242424242", 12, 2030, "123");
    no_postal.remove("postalCode");
    assert!(validate(&no_postal, TODAY).is_ok());
    no_postal.insert("postalCode".into(), json!("<script>"));
    assert_eq!(field_of(&no_postal), Field::PostalCode);
}

#[test]
fn errors_never_echo_the_number_or_the_cvc() {
    for card in [
        body("4242424242424241", 12, 2030, "123"),
        body("4242424242424242", 12, 2030, "9876"),
    ] {
        let error = validate(&card, TODAY).unwrap_err();
        assert!(!error.message.contains("424242"), "{error:?}");
        assert!(!format!("{error:?}").contains("9876"), "{error:?}");
    }
}
