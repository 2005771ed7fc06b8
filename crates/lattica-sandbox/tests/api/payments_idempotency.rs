//! Idempotency keys: replays, reuse, requests in flight, restarts, lost answers, and many
//! concurrent requests.

use std::time::Duration;

use futures::future::join_all;
use lattica_sandbox::{SandboxConfig, start};
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, client, eventually, spawn};
use crate::payments_helpers::{dec, key};

const CREATE: &str = "api/finance/create_payment";
const CONFIRM: &str = "api/finance/confirm_payment";
const CANCEL: &str = "api/finance/cancel_payment";

#[tokio::test]
async fn the_same_key_replays_the_first_answer_and_charges_once() {
    let t = spawn().await;
    t.freeze().await;
    let before = t.credits().await;
    let create_key = key();
    let create = |credits: Value| {
        t.call(
            CREATE,
            json!({"credits": credits, "idempotencyKey": create_key}),
        )
    };
    let first = create(json!(25)).await;
    let replay = create(json!("25.00")).await;
    assert_eq!(first.status, 200);
    assert_eq!(
        replay.text, first.text,
        "the same parameters, spelled differently"
    );
    create(json!(26))
        .await
        .assert_error(422, "IDEMPOTENCY_KEY_REUSED");
    let payment = first.result();

    let method = t.card("4242424242424242").await;
    let confirm_key = key();
    let paid = t
        .confirm(&payment["id"], &method, false, &confirm_key)
        .await;
    let again = t
        .confirm(&payment["id"], &method, false, &confirm_key)
        .await;
    assert_eq!(again.text, paid.text);
    t.confirm(&payment["id"], &method, true, &confirm_key)
        .await
        .assert_error(422, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(t.credits().await, before + dec("25"));
    assert_eq!(t.history().await.len(), 4);

    // A refusal is an answer too: replayed, not re-evaluated.
    let late_key = key();
    let refused = t.confirm(&payment["id"], &method, false, &late_key).await;
    refused.assert_error(409, "INVALID_PAYMENT_STATE");
    assert_eq!(
        t.confirm(&payment["id"], &method, false, &late_key)
            .await
            .text,
        refused.text
    );

    // The key is scoped to the endpoint: the same key elsewhere is a new request.
    let other = t.create_payment(json!(10)).await;
    let canceled = t
        .call(
            CANCEL,
            json!({"paymentId": other["id"], "idempotencyKey": create_key}),
        )
        .await
        .result();
    assert_eq!(canceled["status"], "canceled");
    // A request refused by its parameter checks leaves the key unused.
    let unused = key();
    t.call(CREATE, json!({"credits": 1, "idempotencyKey": unused}))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    let created = t
        .call(CREATE, json!({"credits": 10, "idempotencyKey": unused}))
        .await
        .result();
    assert_eq!(created["status"], "requires_payment_method");
}

#[tokio::test]
async fn a_duplicate_while_the_first_runs_is_409() {
    let t = spawn().await;
    t.freeze().await;
    let before = t.credits().await;
    let payment = t.create_payment(json!(25)).await;
    let method = t.card("4242424242424242").await;
    t.control("set_processor", json!({"hold": true}))
        .await
        .result();
    let confirm_key = key();
    let first = tokio::spawn({
        let (sandbox_client, url, token) = (client(), t.sandbox.url(), t.sandbox.demo_token());
        let body = json!({"paymentId": payment["id"], "paymentMethodId": method,
                          "idempotencyKey": confirm_key, "savePaymentMethod": false,
                          "client_info": crate::helpers::client_info()});
        async move {
            let response = sandbox_client
                .post(format!("{url}/{CONFIRM}"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            crate::helpers::answer(response).await
        }
    });
    eventually(
        Duration::from_secs(10),
        "the first confirmation in flight",
        || async {
            let state = t.control("state", json!({})).await.result();
            (state["paymentsInFlight"] == 1).then_some(())
        },
    )
    .await;
    t.confirm(&payment["id"], &method, false, &confirm_key)
        .await
        .assert_error(409, "IDEMPOTENCY_KEY_IN_FLIGHT");
    t.confirm(&payment["id"], &method, true, &confirm_key)
        .await
        .assert_error(422, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(t.credits().await, before, "nothing charged yet");

    let released = t.control("set_processor", json!({})).await.result();
    assert_eq!(released["processor"], json!({"delayMs": 0, "hold": false}));
    let first = first.await.unwrap();
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.body["result"]["status"], "succeeded");
    let replay = t
        .confirm(&payment["id"], &method, false, &confirm_key)
        .await;
    assert_eq!(replay.text, first.text);
    assert_eq!(t.credits().await, before + dec("25"));
    assert_eq!(
        t.control("state", json!({})).await.result()["paymentsInFlight"],
        0
    );
}

#[tokio::test]
async fn keys_survive_a_restart() {
    let t = spawn().await;
    let create_key = key();
    let created = t
        .call(CREATE, json!({"credits": 30, "idempotencyKey": create_key}))
        .await;
    let payment = created.body["result"].clone();
    let method = t.card("4242424242424242").await;
    let confirm_key = key();
    let paid = t
        .confirm(&payment["id"], &method, false, &confirm_key)
        .await;
    assert_eq!(paid.status, 200);

    let TestSandbox { sandbox, dir, .. } = t;
    sandbox.shutdown().await;
    let mut config = SandboxConfig::new(dir.path());
    config.control = true;
    let t = TestSandbox {
        sandbox: start(config).await.unwrap(),
        dir,
        client: client(),
    };

    let history = t.history().await.len();
    assert_eq!(
        t.confirm(&payment["id"], &method, false, &confirm_key)
            .await
            .text,
        paid.text
    );
    assert_eq!(
        t.call(CREATE, json!({"credits": 30, "idempotencyKey": create_key}))
            .await
            .text,
        created.text
    );
    t.call(CREATE, json!({"credits": 31, "idempotencyKey": create_key}))
        .await
        .assert_error(422, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(t.history().await.len(), history, "nothing new");
}

#[tokio::test]
async fn a_lost_answer_then_a_retry_with_the_same_key_charges_once() {
    let t = spawn().await;
    t.freeze().await;
    let before = t.credits().await;
    let payment = t.create_payment(json!(25)).await;
    let method = t.card("4242424242424242").await;
    t.control(
        "set_faults",
        json!({"dropNext": 1, "endpoints": ["finance/confirm_payment"]}),
    )
    .await
    .result();
    let confirm_key = key();
    let body = json!({"paymentId": payment["id"], "paymentMethodId": method,
                      "idempotencyKey": confirm_key, "savePaymentMethod": false,
                      "client_info": crate::helpers::client_info()});
    let sent = t
        .client
        .post(format!("{}/{CONFIRM}", t.sandbox.url()))
        .bearer_auth(t.sandbox.demo_token())
        .json(&body)
        .send()
        .await;
    let lost = match sent {
        Err(error) => error,
        Ok(response) => response.bytes().await.expect_err("the answer is lost"),
    };
    assert!(!lost.is_status(), "{lost}");
    assert_eq!(
        t.control("state", json!({})).await.result()["faults"]["dropNext"],
        0
    );
    assert_eq!(t.credits().await, before + dec("25"), "the charge happened");

    let retried = t
        .confirm(&payment["id"], &method, false, &confirm_key)
        .await
        .result();
    assert_eq!(retried["status"], "succeeded");
    assert_eq!(t.credits().await, before + dec("25"), "and only once");
    let history = t.history().await;
    assert_eq!(
        history.iter().filter(|p| p["id"] == payment["id"]).count(),
        1
    );
}

#[tokio::test]
async fn many_concurrent_requests_charge_exactly_what_they_should() {
    let t = spawn().await;
    t.freeze().await;
    let start_balance = t.credits().await;

    // 200 confirmations with ONE key: one charge; every answer is that payment or a 409.
    let payment = t.create_payment(json!(25)).await;
    let method = t.card("4242424242424242").await;
    let one_key = key();
    let answers =
        join_all((0..200).map(|_| t.confirm(&payment["id"], &method, true, &one_key))).await;
    let succeeded: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
    assert!(!succeeded.is_empty());
    for answer in &answers {
        if answer.status == 200 {
            assert_eq!(answer.text, succeeded[0].text);
        } else {
            answer.assert_error(409, "IDEMPOTENCY_KEY_IN_FLIGHT");
        }
    }
    assert_eq!(succeeded[0].body["result"]["status"], "succeeded");
    assert_eq!(t.credits().await, start_balance + dec("25"));

    // 200 purchases with DISTINCT keys: 200 charges, the balance grows by their sum.
    let answers = join_all((0..200).map(|i| {
        t.call(
            "api/finance/add_credits",
            json!({"credits": 10 + i % 3, "paymentMethodId": method, "idempotencyKey": key()}),
        )
    }))
    .await;
    let mut granted = dec("25");
    let mut receipts = std::collections::HashSet::new();
    for answer in answers {
        let payment = answer.result();
        assert_eq!(payment["status"], "succeeded");
        granted += dec(&payment["credits"].to_string());
        assert!(receipts.insert(payment["receiptNumber"].as_str().unwrap().to_owned()));
    }
    assert_eq!(receipts.len(), 200);
    assert_eq!(t.credits().await, start_balance + granted);
    let succeeded_in_history = t
        .history()
        .await
        .iter()
        .filter(|p| p["status"] == "succeeded")
        .count();
    assert_eq!(succeeded_in_history, 3 + 1 + 200);
}
