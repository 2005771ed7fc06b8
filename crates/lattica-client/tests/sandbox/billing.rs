//! Pricing and payments (the project's own design) end to end: card tokenised by the hosted
//! payment service, payment created and confirmed by the client, credits granted by the server.

use lattica_client::{ClientError, IdempotencyKey, PaymentStatus};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::harness::Harness;

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

/// Tokenises a test card with the payment service, as the hosted form does.
async fn card(h: &Harness, number: &str) -> String {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/v1/payment_methods", h.payments_url()))
        .json(
            &json!({"number": number, "expMonth": 12, "expYear": 2040, "cvc": "123",
                      "name": "Test Person", "postalCode": "12345"}),
        )
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{status} {body}");
    body["id"].as_str().unwrap().to_owned()
}

/// Stops the burn so that balances can be compared exactly.
async fn frozen(h: &Harness) {
    h.control("stop_worker", json!({"all": true})).await;
}

#[tokio::test]
async fn pricing_matches_the_contract() {
    let h = Harness::start().await;
    let pricing = h.client().get_pricing().await.unwrap();
    assert_eq!(pricing.currency, "usd");
    assert_eq!(pricing.credit_price.amount, 100);
    assert_eq!(pricing.credits_per_hour(None), Some(dec("1.2")));
    assert_eq!(
        pricing.credits_per_hour(Some("G7E_2XLARGE")),
        Some(dec("4.8"))
    );
    let limits = pricing.limits.unwrap();
    assert_eq!(
        (limits.min_credits, limits.max_credits),
        (dec("10"), dec("5000"))
    );
    assert_eq!(
        pricing.suggested_credits,
        [25, 50, 100, 250].map(Decimal::from)
    );
    let payments = pricing.payments_url.unwrap();
    assert_eq!(
        payments.origin().ascii_serialization(),
        h.payments_url().trim_end_matches('/')
    );
    h.shutdown().await;
}

#[tokio::test]
async fn a_paid_payment_grants_exactly_its_credits() {
    let h = Harness::start().await;
    frozen(&h).await;
    let client = h.client();
    let before = client.get_account_credits().await.unwrap();
    let key = IdempotencyKey::new();
    let created = client.create_payment(dec("25"), &key).await.unwrap();
    assert_eq!(created.status, PaymentStatus::RequiresPaymentMethod);
    assert_eq!(created.amount.amount, 2500);
    // The same key and parameters give back the same payment, not a second one.
    let again = client.create_payment(dec("25"), &key).await.unwrap();
    assert_eq!(again.id, created.id);

    let method = card(&h, "4242424242424242").await;
    let paid = client
        .confirm_payment(&created.id, &method, false, &IdempotencyKey::new())
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded, "{paid:?}");
    assert!(paid.receipt_number.is_some());
    assert_eq!(
        paid.payment_method.as_ref().unwrap().last4.as_deref(),
        Some("4242")
    );
    assert_eq!(client.get_payment(&created.id).await.unwrap(), paid);
    assert_eq!(
        client.get_account_credits().await.unwrap(),
        before + dec("25")
    );

    let history = client.get_transaction_history().await.unwrap();
    assert_eq!(history[0].id, created.id);
    assert!(history[0].is_success());
    assert_eq!(history[0].amount, Some(2500));
    h.shutdown().await;
}

#[tokio::test]
async fn a_declined_card_fails_and_another_card_can_pay() {
    let h = Harness::start().await;
    frozen(&h).await;
    let client = h.client();
    let before = client.get_account_credits().await.unwrap();
    let payment = client
        .create_payment(dec("10"), &IdempotencyKey::new())
        .await
        .unwrap();
    let declined = client
        .confirm_payment(
            &payment.id,
            &card(&h, "4000000000000002").await,
            false,
            &IdempotencyKey::new(),
        )
        .await
        .unwrap();
    assert_eq!(declined.status, PaymentStatus::Failed);
    assert_eq!(declined.failure_code.as_deref(), Some("card_declined"));
    assert_eq!(client.get_account_credits().await.unwrap(), before);

    let paid = client
        .confirm_payment(
            &payment.id,
            &card(&h, "5555555555554444").await,
            false,
            &IdempotencyKey::new(),
        )
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(
        client.get_account_credits().await.unwrap(),
        before + dec("10")
    );
    h.shutdown().await;
}

/// Approves or denies a 3-D Secure challenge, as the hosted page's buttons do.
async fn authenticate(h: &Harness, payment_id: &str, decision: &str) {
    let response = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/3ds/{payment_id}/{decision}", h.payments_url()))
        .header("Origin", h.payments_url())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn three_d_secure_needs_an_action_then_settles() {
    let h = Harness::start().await;
    frozen(&h).await;
    let client = h.client();
    let before = client.get_account_credits().await.unwrap();
    let method = card(&h, "4000002760003184").await;

    let approved = client
        .create_payment(dec("50"), &IdempotencyKey::new())
        .await
        .unwrap();
    let pending = client
        .confirm_payment(&approved.id, &method, false, &IdempotencyKey::new())
        .await
        .unwrap();
    assert_eq!(pending.status, PaymentStatus::RequiresAction);
    let action = pending.next_action.unwrap();
    assert_eq!(action.kind, "redirect");
    assert!(action.url.unwrap().starts_with(&h.payments_url()));
    assert_eq!(client.get_account_credits().await.unwrap(), before);
    authenticate(&h, &approved.id, "approve").await;
    let paid = client.get_payment(&approved.id).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(
        client.get_account_credits().await.unwrap(),
        before + dec("50")
    );

    let denied = client
        .create_payment(dec("10"), &IdempotencyKey::new())
        .await
        .unwrap();
    client
        .confirm_payment(&denied.id, &method, false, &IdempotencyKey::new())
        .await
        .unwrap();
    authenticate(&h, &denied.id, "deny").await;
    let failed = client.get_payment(&denied.id).await.unwrap();
    assert_eq!(failed.status, PaymentStatus::Failed);
    assert_eq!(
        failed.failure_code.as_deref(),
        Some("authentication_failed")
    );
    assert_eq!(
        client.get_account_credits().await.unwrap(),
        before + dec("50")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn an_open_payment_can_be_canceled() {
    let h = Harness::start().await;
    let client = h.client();
    let payment = client
        .create_payment(dec("25"), &IdempotencyKey::new())
        .await
        .unwrap();
    let key = IdempotencyKey::new();
    let canceled = client.cancel_payment(&payment.id, &key).await.unwrap();
    assert_eq!(canceled.status, PaymentStatus::Canceled);
    assert!(canceled.status.is_final());
    assert_eq!(
        client.cancel_payment(&payment.id, &key).await.unwrap(),
        canceled
    );
    // A canceled payment cannot be paid any more.
    let method = card(&h, "4242424242424242").await;
    let refused = client
        .confirm_payment(&payment.id, &method, false, &IdempotencyKey::new())
        .await
        .unwrap_err();
    assert!(matches!(refused, ClientError::Server { .. }), "{refused:?}");
    assert!(!refused.is_retryable());
    h.shutdown().await;
}

#[tokio::test]
async fn saved_methods_add_credits_in_one_call() {
    let h = Harness::start().await;
    frozen(&h).await;
    let client = h.client();
    let payment = client
        .create_payment(dec("10"), &IdempotencyKey::new())
        .await
        .unwrap();
    let method = card(&h, "4242424242424242").await;
    client
        .confirm_payment(&payment.id, &method, true, &IdempotencyKey::new())
        .await
        .unwrap();
    let saved = client.list_payment_methods().await.unwrap();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0].id, method);

    let before = client.get_account_credits().await.unwrap();
    let key = IdempotencyKey::new();
    let added = client.add_credits(dec("100"), &method, &key).await.unwrap();
    assert_eq!(added.status, PaymentStatus::Succeeded);
    // Replaying the same purchase charges nothing more.
    let replay = client.add_credits(dec("100"), &method, &key).await.unwrap();
    assert_eq!(replay.id, added.id);
    assert_eq!(
        client.get_account_credits().await.unwrap(),
        before + dec("100")
    );
    // The same key for another purchase is refused.
    let reused = client
        .add_credits(dec("50"), &method, &key)
        .await
        .unwrap_err();
    assert!(
        matches!(&reused, ClientError::Server { status: 422, code: Some(c), .. } if c == "IDEMPOTENCY_KEY_REUSED"),
        "{reused:?}"
    );

    client.delete_payment_method(&method).await.unwrap();
    assert!(client.list_payment_methods().await.unwrap().is_empty());
    let gone = client.delete_payment_method(&method).await.unwrap_err();
    assert_eq!(gone.status(), Some(404), "{gone:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn a_lost_answer_is_replayed_not_charged_twice() {
    let h = Harness::start().await;
    frozen(&h).await;
    let client = h.client();
    let before = client.get_account_credits().await.unwrap();
    let payment = client
        .create_payment(dec("25"), &IdempotencyKey::new())
        .await
        .unwrap();
    let method = card(&h, "4242424242424242").await;
    // The sandbox charges, then loses the answer; the client retries with the same key and
    // gets the stored first answer.
    h.set_faults(json!({"dropNext": 1, "endpoints": ["finance/confirm_payment"]}))
        .await;
    let paid = client
        .confirm_payment(&payment.id, &method, false, &IdempotencyKey::new())
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentStatus::Succeeded);
    assert_eq!(h.state().await["faults"]["dropNext"], json!(0));
    assert_eq!(
        client.get_account_credits().await.unwrap(),
        before + dec("25")
    );
    h.shutdown().await;
}
