//! `control/record_payment`: a top-up made in the web console shows in the history and on
//! the balance, as a real console payment would.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::helpers::{spawn, spawn_with};
use crate::payments_helpers::dec;

#[tokio::test]
async fn a_recorded_payment_shows_in_the_history_and_on_the_balance() {
    let t = spawn().await;
    t.freeze().await;
    let before = t.credits().await;
    let began = Utc::now();
    let recorded = t
        .control("record_payment", json!({"credits": 40}))
        .await
        .result();
    assert_eq!(recorded["status"], "succeeded");
    assert!(recorded["paymentMethod"].is_null() && recorded["nextAction"].is_null());

    let history = t.history().await;
    assert_eq!(history.len(), 4);
    let entry = &history[0];
    assert_eq!(entry["id"], recorded["id"], "newest first");
    assert_eq!(entry["status"], "succeeded");
    assert_eq!(entry["credits"], json!(40));
    assert_eq!(entry["amount"], json!(4000), "at the list price");
    assert_eq!(entry["currency"], "usd");
    assert!(entry["cardBrand"].is_null() && entry["cardLast4"].is_null());
    let receipt = entry["receiptNumber"].as_str().unwrap();
    assert!(receipt.starts_with("1842-"), "{receipt}");
    let created: DateTime<Utc> = entry["createdAt"].as_str().unwrap().parse().unwrap();
    assert!(
        created >= began - Duration::seconds(1) && created <= Utc::now(),
        "{created}"
    );
    assert_eq!(t.credits().await, before + dec("40"));

    let other = t
        .control(
            "record_payment",
            json!({"credits": "12.5", "amountMinor": 1100, "currency": "EUR"}),
        )
        .await
        .result();
    let history = t.history().await;
    assert_eq!(history[0]["id"], other["id"]);
    assert_eq!(history[0]["amount"], json!(1100));
    assert_eq!(history[0]["currency"], "eur");
    assert_ne!(history[0]["receiptNumber"], json!(receipt));
    t.control("record_payment", json!({"credits": 1, "amount_minor": 0}))
        .await
        .result();
    assert_eq!(t.history().await[0]["amount"], json!(0));
    assert_eq!(t.credits().await, before + dec("53.5"));
}

#[tokio::test]
async fn record_payment_refuses_what_no_console_would_record() {
    let t = spawn().await;
    t.freeze().await;
    let before = t.credits().await;
    for body in [
        json!({}),
        json!({"credits": 0}),
        json!({"credits": -5}),
        json!({"credits": "1.0000001"}),
        json!({"credits": 2_000_000_000}),
        json!({"credits": "0.125"}),
        json!({"credits": 10, "amountMinor": -1}),
        json!({"credits": 10, "amountMinor": 1, "amount_minor": 1}),
        json!({"credits": 10, "currency": "EURO"}),
        json!({"credits": 10, "currency": "e1r"}),
        json!({"credits": 10, "card": "4242"}),
    ] {
        let answer = t.control("record_payment", body.clone()).await;
        assert_eq!(answer.status, 400, "{body}: {:?}", answer.body);
        assert!(
            ["MISSING_PARAMETER", "INVALID_PARAMETER"]
                .contains(&answer.body["error_code"].as_str().unwrap()),
            "{body}: {:?}",
            answer.body
        );
    }
    assert_eq!(t.history().await.len(), 3, "nothing recorded");
    assert_eq!(t.credits().await, before);
}

#[tokio::test]
async fn record_payment_works_on_the_published_profile() {
    let t = spawn_with(|config| {
        config.control = true;
        config.profile = lattica_sandbox::ApiProfile::Published;
    })
    .await;
    t.freeze().await;
    let before = t.credits().await;
    let recorded = t
        .control("record_payment", json!({"credits": 100}))
        .await
        .result();
    assert_eq!(t.history().await[0]["id"], recorded["id"]);
    assert_eq!(t.credits().await, before + dec("100"));
}
