//! Helpers for the payment tests: tokenising cards at the payment origin, creating and
//! confirming payments, reading balances without burn.

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::helpers::{Answer, TestSandbox};

/// A fresh idempotency key.
pub fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A card body as the hosted form sends it.
pub fn card_body(number: &str, cvc: &str) -> Value {
    json!({"number": number, "expMonth": 12, "expYear": 2040, "cvc": cvc,
           "name": "Ada Lovelace", "postalCode": "12345"})
}

impl TestSandbox {
    /// Posts `body` to `/v1/payment_methods`: status and JSON answer.
    pub async fn post_card(&self, body: &Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!(
                "{}/v1/payment_methods",
                self.sandbox.payments_url()
            ))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    /// Tokenises a test card and returns its `pm_…` id.
    pub async fn card(&self, number: &str) -> String {
        let cvc = if number.starts_with("37") || number.starts_with("34") {
            "1234"
        } else {
            "123"
        };
        let (status, body) = self.post_card(&card_body(number, cvc)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// `create_payment` for `credits` with a fresh key; the payment.
    pub async fn create_payment(&self, credits: Value) -> Value {
        self.call(
            "api/finance/create_payment",
            json!({"credits": credits, "idempotencyKey": key()}),
        )
        .await
        .result()
    }

    /// `confirm_payment` with `key`.
    pub async fn confirm(&self, payment_id: &Value, method: &str, save: bool, key: &str) -> Answer {
        self.call(
            "api/finance/confirm_payment",
            json!({"paymentId": payment_id, "paymentMethodId": method,
                   "savePaymentMethod": save, "idempotencyKey": key}),
        )
        .await
    }

    /// Creates a payment of `credits` and confirms it with a fresh token of `number`.
    pub async fn pay(&self, credits: u32, number: &str) -> Value {
        let payment = self.create_payment(json!(credits)).await;
        let method = self.card(number).await;
        self.confirm(&payment["id"], &method, false, &key())
            .await
            .result()
    }

    /// Stops every worker, so balances compare exactly.
    pub async fn freeze(&self) {
        self.control("stop_worker", json!({"all": true}))
            .await
            .result();
    }

    /// Payments in `get_transaction_history`.
    pub async fn history(&self) -> Vec<Value> {
        let history = self
            .call("api/finance/get_transaction_history", json!({}))
            .await
            .result();
        history["payments"].as_array().unwrap().clone()
    }
}

/// An exact decimal.
pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}
