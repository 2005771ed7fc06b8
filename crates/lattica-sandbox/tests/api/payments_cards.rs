//! Test cards and the checks of `POST {payments_url}/v1/payment_methods`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn;
use crate::payments_helpers::{card_body, dec, key};

#[tokio::test]
async fn every_test_card_does_what_the_table_says() {
    let t = spawn().await;
    t.freeze().await;
    let cases = [
        ("4242424242424242", "succeeded", None, "visa"),
        ("5555555555554444", "succeeded", None, "mastercard"),
        ("378282246310005", "succeeded", None, "amex"),
        ("4000000000000002", "failed", Some("card_declined"), "visa"),
        (
            "4000000000009995",
            "failed",
            Some("insufficient_funds"),
            "visa",
        ),
        ("4000000000000069", "failed", Some("expired_card"), "visa"),
        ("4000000000000127", "failed", Some("incorrect_cvc"), "visa"),
        (
            "4000000000000119",
            "failed",
            Some("processing_error"),
            "visa",
        ),
        ("4000002760003184", "requires_action", None, "visa"),
        ("6011111111111117", "succeeded", None, "discover"),
    ];
    let mut expected = t.credits().await;
    for (number, status, failure, brand) in cases {
        let payment = t.pay(10, number).await;
        assert_eq!(payment["status"], status, "{number}: {payment}");
        assert_eq!(payment["failureCode"], json!(failure), "{number}");
        assert_eq!(payment["paymentMethod"]["brand"], brand, "{number}");
        assert_eq!(
            payment["paymentMethod"]["last4"],
            number[number.len() - 4..],
            "{number}"
        );
        if status == "succeeded" {
            expected += dec("10");
        }
        if status == "requires_action" {
            let url = format!(
                "{}/3ds/{}",
                t.sandbox.payments_url(),
                payment["id"].as_str().unwrap()
            );
            assert_eq!(
                payment["nextAction"],
                json!({"type": "redirect", "url": url})
            );
        } else {
            assert_eq!(payment["nextAction"], Value::Null);
        }
        assert_eq!(t.credits().await, expected, "{number}");
    }
}

#[tokio::test]
async fn a_processing_error_can_be_retried() {
    let t = spawn().await;
    let payment = t.create_payment(json!(10)).await;
    let flaky = t.card("4000000000000119").await;
    let failed = t
        .confirm(&payment["id"], &flaky, false, &key())
        .await
        .result();
    assert_eq!(failed["failureCode"], "processing_error");
    // The same token again (a new attempt, a new key) is allowed; the test card fails again.
    let again = t
        .confirm(&payment["id"], &flaky, false, &key())
        .await
        .result();
    assert_eq!(again["status"], "failed");
    let good = t.card("4242424242424242").await;
    assert_eq!(
        t.confirm(&payment["id"], &good, false, &key())
            .await
            .result()["status"],
        "succeeded"
    );
}

async fn refused(t: &crate::helpers::TestSandbox, body: Value, field: &str) -> String {
    let (status, answer) = t.post_card(&body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
    assert_eq!(answer["field"], field, "{body}: {answer}");
    let message = answer["error"].as_str().unwrap().to_owned();
    assert!(!message.is_empty());
    message
}

fn with(mut body: Value, name: &str, value: Value) -> Value {
    body[name] = value;
    body
}

#[tokio::test]
async fn the_card_endpoint_checks_every_field() {
    let t = spawn().await;
    let visa = card_body("4242424242424242", "123");
    let (status, ok) = t.post_card(&visa).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ok["id"].as_str().unwrap().starts_with("pm_"));
    // Exactly these fields (in any order: serde_json keeps insertion order when another crate
    // of the workspace turns on its `preserve_order`).
    let mut keys: Vec<_> = ok.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["brand", "expMonth", "expYear", "id", "last4"]);
    assert_eq!(
        (ok["brand"].as_str(), ok["last4"].as_str()),
        (Some("visa"), Some("4242"))
    );

    refused(&t, with(visa.clone(), "expMonth", json!(13)), "expiry").await;
    refused(&t, with(visa.clone(), "expMonth", json!(0)), "expiry").await;
    let past = refused(&t, with(visa.clone(), "expYear", json!(2020)), "expiry").await;
    assert!(past.contains("expired"), "{past}");
    refused(&t, with(visa.clone(), "cvc", json!("12")), "cvc").await;
    refused(&t, with(visa.clone(), "cvc", json!(123)), "cvc").await;
    refused(&t, with(visa.clone(), "name", json!("")), "name").await;
    refused(
        &t,
        with(visa.clone(), "postalCode", json!("<b>")),
        "postalCode",
    )
    .await;
    let luhn = refused(&t, card_body("4242424242424241", "123"), "number").await;
    assert!(luhn.contains("not valid"), "{luhn}");
    let visa_15 = refused(&t, card_body("424242424242424", "123"), "number").await;
    assert!(visa_15.contains("13, 16 or 19"), "{visa_15}");
    let mc_15 = refused(&t, card_body("555555555555444", "123"), "number").await;
    assert!(mc_15.contains("16"), "{mc_15}");
    let unknown = refused(&t, card_body("9111111111111111", "123"), "number").await;
    assert!(unknown.contains("brand"), "{unknown}");
    refused(&t, card_body("4242 4242 4242 42x2", "123"), "number").await;

    let amex = card_body("378282246310005", "1234");
    let (status, ok) = t.post_card(&amex).await;
    assert_eq!(status, StatusCode::OK, "{ok}");
    assert_eq!(ok["brand"], "amex");
    let amex_3 = refused(&t, card_body("378282246310005", "123"), "cvc").await;
    assert!(amex_3.contains("4-digit"), "{amex_3}");
    refused(&t, card_body("4242424242424242", "1234"), "cvc").await;
    let spaced = t.post_card(&card_body("4242 4242 4242 4242", "123")).await;
    assert_eq!(spaced.0, StatusCode::OK);
    let two_digit_year = t.post_card(&with(visa, "expYear", json!(40))).await;
    assert_eq!(two_digit_year.1["expYear"], 2040);
}

#[tokio::test]
async fn the_card_endpoint_refuses_other_origins_and_bodies() {
    let t = spawn().await;
    let url = format!("{}/v1/payment_methods", t.sandbox.payments_url());
    let body = card_body("4242424242424242", "123").to_string();
    let send = |origin: Option<&str>, content_type: &str, body: String| {
        let mut request = t
            .client
            .post(&url)
            .header("content-type", content_type)
            .body(body);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    let foreign = send(
        Some("https://evil.example"),
        "application/json",
        body.clone(),
    )
    .await
    .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let tauri = send(Some("tauri://localhost"), "application/json", body.clone())
        .await
        .unwrap();
    assert_eq!(
        tauri.status(),
        StatusCode::FORBIDDEN,
        "the app itself never sees card data"
    );
    let own = send(
        Some(&t.sandbox.payments_url()),
        "application/json",
        body.clone(),
    )
    .await
    .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    assert!(
        own.headers().get("access-control-allow-origin").is_none(),
        "no CORS"
    );
    let form = send(
        None,
        "application/x-www-form-urlencoded",
        "number=4242".into(),
    )
    .await
    .unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let broken = send(None, "application/json", "{".into()).await.unwrap();
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    let answer: Value = broken.json().await.unwrap();
    assert_eq!(answer["field"], Value::Null);
    let get = t.client.get(&url).send().await.unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
}
