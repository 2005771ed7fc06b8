//! After a payment, through the real refresh loop against the real sandbox: the balance is the
//! platform's, read by a refresh that started after the payment; payment alerts go out only
//! when the wizard is not in front.

use std::time::Duration;

use lattica_client::{IdempotencyKey, LatticaClient, SessionToken};
use lattica_core::alerts::{AlertKind, PaymentOutcome};
use lattica_core::settings::Settings;
use lattica_sandbox::SandboxConfig;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::readback::refreshed_balance;
use crate::backend::Backend;
use crate::engine::{Command, Engine, EngineState};

#[tokio::test]
async fn the_balance_after_a_payment_is_read_back_and_alerts_follow_the_wizard() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path().join("sandbox"));
    config.control = true;
    let sandbox = lattica_sandbox::start(config).await.unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let post = |url: String, body: Value| {
        let http = http.clone();
        async move {
            let answer: Value = http
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            answer
        }
    };
    let control =
        |action: &str, body: Value| post(format!("{}/control/{action}", sandbox.url()), body);
    control("stop_worker", json!({"all": true})).await;
    control("set_balance", json!({"credits": 100})).await;

    let backend = Backend::sandbox(&sandbox.url()).unwrap();
    let token = SessionToken::parse(sandbox.demo_token()).unwrap();
    let client = LatticaClient::new(backend.config().clone(), token).unwrap();
    let (engine, handle) = Engine::new(
        EngineState::new(Settings::default(), true),
        Some(client.clone()),
        None,
        None,
    );
    let (alerts_out, mut alerts) = mpsc::unbounded_channel();
    tokio::spawn(engine.with_alerts(alerts_out).run());

    // Pay while the loop may be refreshing: the balance shown must include the payment.
    let payment = client
        .create_payment(Decimal::from(25), &IdempotencyKey::new())
        .await
        .unwrap();
    let method = post(
        format!("{}/v1/payment_methods", sandbox.payments_url()),
        json!({"number": "4242424242424242", "expMonth": 12, "expYear": 2040, "cvc": "123",
               "name": "Test Person"}),
    )
    .await;
    let paid = client
        .confirm_payment(
            &payment.id,
            method["id"].as_str().unwrap(),
            false,
            &IdempotencyKey::new(),
        )
        .await
        .unwrap();
    assert_eq!(paid.status.as_str(), "succeeded");
    let balance = refreshed_balance(&handle, Duration::from_secs(20)).await;
    assert_eq!(balance, Some(Decimal::from(125)));

    // In front, the wizard shows the outcome itself; otherwise a notification does.
    let outcome = PaymentOutcome::Succeeded {
        credits: Decimal::from(25),
    };
    handle.send(Command::PaymentEnded {
        outcome: outcome.clone(),
        wizard_in_front: true,
    });
    handle.send(Command::PaymentEnded {
        outcome,
        wizard_in_front: false,
    });
    let alert = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let alert = alerts.recv().await.unwrap();
            if matches!(
                alert.kind,
                AlertKind::PaymentSucceeded | AlertKind::PaymentFailed
            ) {
                return alert;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(alert.kind, AlertKind::PaymentSucceeded);
    assert!(alerts.try_recv().is_err(), "only the one not in front");
    sandbox.shutdown().await;
}
