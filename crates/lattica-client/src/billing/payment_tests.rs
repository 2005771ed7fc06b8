//! Tests of the payment readers.

use super::*;
use crate::model::read;

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

#[test]
fn reads_a_payment_in_every_state() {
    let payment: Payment = read(
        r#"{"id": "pay_1", "createdAt": "2026-11-26T13:45:00.000Z",
            "updatedAt": "2026-11-26T13:46:00.000Z", "status": "requires_action",
            "credits": 25, "amount": {"amount": 2500, "currency": "usd"},
            "paymentMethod": {"id": "pm_1", "brand": "visa", "last4": "3184",
                              "expMonth": 12, "expYear": 2030},
            "failureCode": null, "failureMessage": null,
            "nextAction": {"type": "redirect", "url": "http://127.0.0.1:9/3ds/pay_1"},
            "receiptNumber": null, "succeededAt": null}"#,
        "payment",
    )
    .unwrap();
    assert_eq!(payment.status, PaymentStatus::RequiresAction);
    assert!(!payment.status.is_final());
    assert_eq!(payment.credits, dec("25"));
    assert_eq!(payment.amount.amount, 2500);
    assert_eq!(
        payment.payment_method.unwrap().last4.as_deref(),
        Some("3184")
    );
    let action = payment.next_action.unwrap();
    assert_eq!(action.kind, "redirect");
    assert!(action.url.unwrap().ends_with("/3ds/pay_1"));

    let minimal: Payment = read(
        r#"{"id": "pay_2", "status": "succeeded", "credits": "10.5",
            "amount": {"amount": 1050, "currency": "usd"}, "receiptNumber": "R-1"}"#,
        "payment",
    )
    .unwrap();
    assert!(minimal.status.is_final());
    assert_eq!(minimal.receipt_number.as_deref(), Some("R-1"));
    assert_eq!(minimal.payment_method, None);
}

#[test]
fn statuses() {
    for (text, status) in [
        (
            "requires_payment_method",
            PaymentStatus::RequiresPaymentMethod,
        ),
        ("requires_action", PaymentStatus::RequiresAction),
        ("succeeded", PaymentStatus::Succeeded),
        ("failed", PaymentStatus::Failed),
        ("canceled", PaymentStatus::Canceled),
        ("CANCELLED", PaymentStatus::Canceled),
    ] {
        assert_eq!(PaymentStatus::from(text), status);
    }
    let odd = PaymentStatus::from("processing");
    assert_eq!(odd, PaymentStatus::Unknown("processing".into()));
    assert_eq!(odd.to_string(), "processing");
    assert!(!PaymentStatus::Failed.is_final());
}

#[test]
fn payment_requires_its_core_fields() {
    for (json, field) in [
        (
            r#"{"status": "failed", "credits": 1, "amount": {"amount": 1, "currency": "usd"}}"#,
            "id",
        ),
        (
            r#"{"id": "p", "credits": 1, "amount": {"amount": 1, "currency": "usd"}}"#,
            "status",
        ),
        (
            r#"{"id": "p", "status": "failed", "amount": {"amount": 1, "currency": "usd"}}"#,
            "credits",
        ),
        (r#"{"id": "p", "status": "failed", "credits": 1}"#, "amount"),
    ] {
        let err = read::<Payment>(json, "payment").unwrap_err().to_string();
        assert!(err.contains(&format!("`{field}`")), "{err}");
    }
}

#[test]
fn history_entries_are_tolerant() {
    let history: History = read(
        r#"{"payments": [
            {"id": "pay_3", "createdAt": "2026-11-26T13:45:00.000Z", "credits": 25,
             "amount": 2500, "currency": "usd", "status": "succeeded",
             "cardBrand": "visa", "cardLast4": "4242", "receiptNumber": "R-3"},
            {"id": "pay_2", "createdAt": 1795700000000,
             "amount": {"amount": 990, "currency": "usd"}, "status": "failed"},
            {"payment_id": 1, "created_at": "2026-01-01T00:00:00Z"}]}"#,
        "history",
    )
    .unwrap();
    let [first, second, third] = history.payments.as_slice() else {
        panic!("three entries expected");
    };
    assert!(first.is_success());
    assert_eq!(
        first.money(),
        Some(Money {
            amount: 2500,
            currency: "usd".into()
        })
    );
    assert_eq!(first.card_last4.as_deref(), Some("4242"));
    assert_eq!(second.amount, Some(990));
    assert_eq!(second.money(), None);
    assert!(!second.is_success());
    assert_eq!(third.id, "1");
    assert_eq!(third.credits, None);
    assert!(read::<History>(r#"{"payments": [{"id": "x"}]}"#, "history").is_err());
    assert!(
        read::<History>(
            r#"{"payments": [{"id": "x", "createdAt": 0, "amount": 1.5}]}"#,
            "history"
        )
        .is_err()
    );
}

#[test]
fn payment_methods() {
    let list: PaymentMethodList = read(
        r#"{"paymentMethods": [{"id": "pm_1", "brand": "mastercard", "last4": "4444",
                                "expMonth": 1, "expYear": 2031}, {"id": "pm_2"}]}"#,
        "payment methods",
    )
    .unwrap();
    assert_eq!(list.methods.len(), 2);
    assert_eq!(list.methods[0].exp_year, Some(2031));
    assert_eq!(list.methods[1].brand, None);
}
