//! The payment state machine over real HTTP: create, confirm, read, cancel, retry after a
//! decline, refusals, amounts and the transaction history.

use serde_json::{Value, json};

use crate::helpers::spawn;
use crate::payments_helpers::{dec, key};

#[tokio::test]
async fn a_payment_is_created_confirmed_and_credited_once() {
    let t = spawn().await;
    t.freeze().await;
    let before = t.credits().await;
    let created = t.create_payment(json!(25)).await;
    assert_eq!(created["status"], "requires_payment_method");
    assert!(created["id"].as_str().unwrap().starts_with("pay_"));
    assert_eq!(created["credits"], json!(25));
    assert_eq!(
        created["amount"],
        json!({"amount": 2500, "currency": "usd"})
    );
    for absent in [
        "paymentMethod",
        "failureCode",
        "failureMessage",
        "nextAction",
        "receiptNumber",
        "succeededAt",
    ] {
        assert_eq!(created[absent], Value::Null, "{absent}");
    }
    assert_eq!(created["createdAt"], created["updatedAt"]);
    assert_eq!(
        t.history().await.len(),
        3,
        "not in the history before it ends"
    );

    let method = t.card("4242424242424242").await;
    let paid = t
        .confirm(&created["id"], &method, false, &key())
        .await
        .result();
    assert_eq!(paid["status"], "succeeded");
    assert_eq!(paid["id"], created["id"]);
    assert_eq!(
        paid["paymentMethod"],
        json!({"id": method, "brand": "visa", "last4": "4242", "expMonth": 12, "expYear": 2040})
    );
    assert_eq!(
        paid["receiptNumber"], "1842-1004",
        "after the three seeded receipts"
    );
    assert!(paid["succeededAt"].is_string());
    assert_eq!(t.credits().await, before + dec("25"));

    let fetched = t
        .call(
            "api/finance/get_payment",
            json!({"paymentId": created["id"]}),
        )
        .await
        .result();
    assert_eq!(fetched, paid);
    let history = t.history().await;
    assert_eq!(history.len(), 4);
    assert_eq!(
        history[0],
        json!({"id": created["id"], "createdAt": created["createdAt"], "credits": 25,
               "amount": 2500, "currency": "usd", "status": "succeeded", "cardBrand": "visa",
               "cardLast4": "4242", "receiptNumber": "1842-1004"})
    );

    let again = t.confirm(&created["id"], &method, false, &key()).await;
    again.assert_error(409, "INVALID_PAYMENT_STATE");
    assert_eq!(again.body["status"], "succeeded");
    t.call(
        "api/finance/cancel_payment",
        json!({"paymentId": created["id"], "idempotencyKey": key()}),
    )
    .await
    .assert_error(409, "INVALID_PAYMENT_STATE");
    assert_eq!(t.credits().await, before + dec("25"), "credited once");
    let second = t.pay(10, "5555555555554444").await;
    assert_eq!(second["receiptNumber"], "1842-1005");
}

#[tokio::test]
async fn a_declined_payment_fails_then_succeeds_with_another_card() {
    let t = spawn().await;
    t.freeze().await;
    let before = t.credits().await;
    let payment = t.create_payment(json!("10.5")).await;
    assert_eq!(payment["amount"]["amount"], 1050);
    let declined = t.card("4000000000000002").await;
    let failed = t
        .confirm(&payment["id"], &declined, false, &key())
        .await
        .result();
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["failureCode"], "card_declined");
    assert!(
        failed["failureMessage"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(failed["receiptNumber"], Value::Null);
    assert_eq!(t.credits().await, before);
    assert_eq!(
        t.history().await[0]["status"],
        "failed",
        "failed payments are listed"
    );

    let good = t.card("5555555555554444").await;
    let paid = t
        .confirm(&payment["id"], &good, false, &key())
        .await
        .result();
    assert_eq!(paid["status"], "succeeded");
    assert_eq!(
        paid["failureCode"],
        Value::Null,
        "a new confirmation clears the failure"
    );
    assert_eq!(paid["paymentMethod"]["brand"], "mastercard");
    assert_eq!(t.credits().await, before + dec("10.5"));
    let history = t.history().await;
    assert_eq!(history.len(), 4, "one payment, one entry");
    assert_eq!(history[0]["status"], "succeeded");
}

#[tokio::test]
async fn canceling() {
    let t = spawn().await;
    let payment = t.create_payment(json!(50)).await;
    let cancel = |k: String| {
        t.call(
            "api/finance/cancel_payment",
            json!({"paymentId": payment["id"], "idempotencyKey": k}),
        )
    };
    let canceled = cancel(key()).await.result();
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(cancel(key()).await.result(), canceled, "twice is harmless");
    let method = t.card("4242424242424242").await;
    t.confirm(&payment["id"], &method, false, &key())
        .await
        .assert_error(409, "INVALID_PAYMENT_STATE");
    assert_eq!(t.history().await[0]["status"], "canceled");
}

#[tokio::test]
async fn amounts_outside_the_limits_are_refused() {
    let t = spawn().await;
    for credits in [
        json!(9.99),
        json!(0),
        json!(-10),
        json!(5000.01),
        json!("10.001"),
        json!(1e9),
    ] {
        let answer = t
            .call(
                "api/finance/create_payment",
                json!({"credits": credits, "idempotencyKey": key()}),
            )
            .await;
        answer.assert_error(400, "INVALID_PARAMETER");
        assert!(
            answer.body["error"].as_str().unwrap().contains("credits"),
            "{credits}"
        );
        assert_eq!(answer.body["minCredits"], 10);
        assert_eq!(answer.body["maxCredits"], 5000);
    }
    for (credits, cents) in [
        (json!(10), 1000),
        (json!(5000), 500_000),
        (json!("99.99"), 9999),
    ] {
        let payment = t.create_payment(credits).await;
        assert_eq!(payment["amount"]["amount"], cents);
    }
    t.call(
        "api/finance/create_payment",
        json!({"credits": "ten", "idempotencyKey": key()}),
    )
    .await
    .assert_error(400, "INVALID_PARAMETER");
    t.call(
        "api/finance/create_payment",
        json!({"idempotencyKey": key()}),
    )
    .await
    .assert_error(400, "MISSING_PARAMETER");
}

#[tokio::test]
async fn unknown_objects_and_bad_keys() {
    let t = spawn().await;
    let method = t.card("4242424242424242").await;
    t.call("api/finance/get_payment", json!({"paymentId": "pay_nope"}))
        .await
        .assert_error(404, "NOT_FOUND");
    t.confirm(&json!("pay_nope"), &method, false, &key())
        .await
        .assert_error(404, "NOT_FOUND");
    let payment = t.create_payment(json!(10)).await;
    t.confirm(&payment["id"], "pm_nope", false, &key())
        .await
        .assert_error(404, "NOT_FOUND");
    for (bad, code) in [
        (json!(null), "MISSING_PARAMETER"),
        (json!("order-1"), "INVALID_PARAMETER"),
        (json!(42), "INVALID_PARAMETER"),
    ] {
        let answer = t
            .call(
                "api/finance/create_payment",
                json!({"credits": 10, "idempotencyKey": bad}),
            )
            .await;
        answer.assert_error(400, code);
        assert!(
            answer.body["error"]
                .as_str()
                .unwrap()
                .contains("idempotencyKey")
        );
    }
    t.call("api/finance/confirm_payment", json!({"paymentId": payment["id"], "paymentMethodId": method, "idempotencyKey": key(), "savePaymentMethod": "yes"}))
        .await
        .assert_error(400, "INVALID_PARAMETER");
}
