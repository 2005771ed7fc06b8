//! The published profile and hidden endpoints: what is not served answers exactly as an
//! endpoint that does not exist; the legacy name of the history.

use std::collections::BTreeSet;

use lattica_sandbox::api::ROUTES;
use lattica_sandbox::{ApiProfile, SandboxConfig, SandboxError, start};
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, client_info, spawn, spawn_with};
use crate::payments_helpers::key;

/// What Lattica publishes (`shared/docs/lattica-platform.md`).
const PUBLISHED: [&str; 10] = [
    "api/finance/get_account_credits",
    "api/finance/get_transaction_history",
    "api/account/retrieve_payment_transaction",
    "api/account/get_account_info",
    "api/worker/get_active_workers",
    "api/worker/list_worker_sessions",
    "api/worker/poll_worker_status",
    "api/worker/start_worker",
    "api/worker/stop_worker",
    "api/model/list_models",
];

/// This project's design (prices, payments), with parameters that would pass their checks.
fn ours() -> Vec<(&'static str, Value)> {
    vec![
        ("api/finance/get_pricing", json!({})),
        (
            "api/finance/create_payment",
            json!({"credits": 25, "idempotencyKey": key()}),
        ),
        (
            "api/finance/confirm_payment",
            json!({"paymentId": "pay_x", "paymentMethodId": "pm_x", "idempotencyKey": key()}),
        ),
        ("api/finance/get_payment", json!({"paymentId": "pay_x"})),
        (
            "api/finance/cancel_payment",
            json!({"paymentId": "pay_x", "idempotencyKey": key()}),
        ),
        ("api/finance/list_payment_methods", json!({})),
        (
            "api/finance/delete_payment_method",
            json!({"paymentMethodId": "pm_x"}),
        ),
        (
            "api/finance/add_credits",
            json!({"credits": 25, "paymentMethodId": "pm_x", "idempotencyKey": key()}),
        ),
    ]
}

/// An endpoint no sandbox has.
const NOWHERE: &str = "api/finance/no_such_endpoint";

/// Everything of an answer but the `date` header, with `endpoint` in the body replaced by a
/// placeholder (and the length header that depends on it dropped).
#[derive(Debug, PartialEq, Eq)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

async fn raw(t: &TestSandbox, method: reqwest::Method, endpoint: &str, body: &str) -> Raw {
    let response = t
        .client
        .request(method, format!("{}/{endpoint}", t.sandbox.url()))
        .bearer_auth(t.sandbox.demo_token())
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "content-length"))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    headers.sort();
    let body = response
        .text()
        .await
        .unwrap()
        .replace(endpoint, "<endpoint>");
    Raw {
        status,
        headers,
        body,
    }
}

/// Asserts `endpoint` answers exactly as [`NOWHERE`] does, with a valid body, with one that
/// is not JSON, and to a GET.
async fn assert_answers_as_unknown(t: &TestSandbox, endpoint: &str, params: &Value) {
    let mut valid = params.clone();
    valid["client_info"] = client_info();
    for (method, body) in [
        (reqwest::Method::POST, valid.to_string()),
        (reqwest::Method::POST, "not json".to_owned()),
        (reqwest::Method::GET, String::new()),
    ] {
        let hidden = raw(t, method.clone(), endpoint, &body).await;
        let unknown = raw(t, method.clone(), NOWHERE, &body).await;
        assert_eq!(hidden, unknown, "{method} {endpoint}");
    }
    let answer = t.call(endpoint, params.clone()).await;
    answer.assert_error(404, "UNKNOWN_ENDPOINT");
    assert_eq!(
        answer.body["error"],
        format!("unknown endpoint: {endpoint}")
    );
}

async fn spawn_published() -> TestSandbox {
    spawn_with(|config| {
        config.control = true;
        config.profile = ApiProfile::Published;
    })
    .await
}

#[test]
fn the_route_table_marks_exactly_the_published_endpoints() {
    let published: BTreeSet<&str> = ROUTES
        .iter()
        .filter(|r| r.published)
        .map(|r| r.endpoint)
        .collect();
    let ours: BTreeSet<&str> = ROUTES
        .iter()
        .filter(|r| !r.published)
        .map(|r| r.endpoint)
        .collect();
    assert_eq!(published, PUBLISHED.into_iter().collect());
    assert_eq!(ours, ours_endpoints());
    assert_eq!(
        ROUTES.len(),
        PUBLISHED.len() + ours.len(),
        "no endpoint twice"
    );
}

fn ours_endpoints() -> BTreeSet<&'static str> {
    ours().into_iter().map(|(endpoint, _)| endpoint).collect()
}

#[tokio::test]
async fn the_published_profile_answers_every_other_endpoint_as_an_unknown_one() {
    let t = spawn_published().await;
    let before = t.control("state", json!({})).await.result();
    for (endpoint, params) in ours() {
        assert_answers_as_unknown(&t, endpoint, &params).await;
    }
    let after = t.control("state", json!({})).await.result();
    assert_eq!(after["paymentsInFlight"], json!(0));
    assert_eq!(before["profile"], "published");
    let history = t
        .call("api/finance/get_transaction_history", json!({}))
        .await
        .result();
    assert_eq!(
        history["payments"].as_array().unwrap().len(),
        3,
        "nothing paid"
    );
}

#[tokio::test]
async fn every_published_endpoint_works_on_the_published_profile() {
    let t = spawn_published().await;
    let (t4, l4) = t.model_ids().await;
    let active = t
        .call("api/worker/get_active_workers", json!({"modelId": t4}))
        .await
        .result();
    let session = active["activeWorkers"][0]["workers"][0]["workerSessionId"].clone();
    assert!(session.is_string(), "{active}");
    let calls = [
        ("api/finance/get_account_credits", json!({})),
        ("api/finance/get_transaction_history", json!({})),
        ("api/account/retrieve_payment_transaction", json!({})),
        ("api/account/get_account_info", json!({})),
        ("api/worker/get_active_workers", json!({"modelId": l4})),
        ("api/worker/list_worker_sessions", json!({})),
        (
            "api/worker/poll_worker_status",
            json!({"modelId": t4, "workerSessionId": session}),
        ),
        ("api/worker/start_worker", json!({"modelId": l4})),
        ("api/worker/stop_worker", json!({"modelId": l4})),
        ("api/model/list_models", json!({})),
    ];
    let called: BTreeSet<&str> = calls.iter().map(|(endpoint, _)| *endpoint).collect();
    assert_eq!(called, PUBLISHED.into_iter().collect(), "every one of them");
    for (endpoint, params) in calls {
        let result = t.call(endpoint, params).await.result();
        assert!(!result.is_null(), "{endpoint}");
    }
    let sessions = t
        .call("api/worker/list_worker_sessions", json!({}))
        .await
        .result();
    assert_eq!(sessions["workerSessions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_legacy_history_name_returns_the_same_payments() {
    let t = spawn().await;
    t.pay(25, "4242424242424242").await;
    let history = t
        .call("api/finance/get_transaction_history", json!({}))
        .await
        .result();
    let legacy = t
        .call("api/account/retrieve_payment_transaction", json!({}))
        .await
        .result();
    assert_eq!(legacy, history);
    assert_eq!(legacy["payments"].as_array().unwrap().len(), 4);

    let published = spawn_published().await;
    published
        .control("record_payment", json!({"credits": 30}))
        .await
        .result();
    let history = published
        .call("api/finance/get_transaction_history", json!({}))
        .await
        .result();
    let legacy = published
        .call("api/account/retrieve_payment_transaction", json!({}))
        .await
        .result();
    assert_eq!(legacy, history);
    assert_eq!(legacy["payments"][0]["credits"], json!(30));
}

#[tokio::test]
async fn without_endpoint_hides_exactly_that_one() {
    let t = spawn_with(|config| {
        config.control = true;
        // Spelled as a client's path; the sandbox reads it as api/finance/get_transaction_history.
        config.hidden_endpoints = ["/finance/get_transaction_history".to_owned()].into();
    })
    .await;
    assert_answers_as_unknown(&t, "api/finance/get_transaction_history", &json!({})).await;
    let legacy = t
        .call("api/account/retrieve_payment_transaction", json!({}))
        .await
        .result();
    assert_eq!(legacy["payments"].as_array().unwrap().len(), 3);
    // Everything else stays, ours included: the profile is still full.
    assert!(
        t.call("api/finance/get_pricing", json!({}))
            .await
            .result()
            .is_object()
    );
    assert!(t.create_payment(json!(25)).await["id"].is_string());
    let state = t.control("state", json!({})).await.result();
    assert_eq!(state["profile"], "full");
    assert_eq!(
        state["hiddenEndpoints"],
        json!(["api/finance/get_transaction_history"])
    );

    let published = spawn_with(|config| {
        config.profile = ApiProfile::Published;
        config.hidden_endpoints = ["api/worker/start_worker".to_owned()].into();
    })
    .await;
    let (t4, _) = published.model_ids().await;
    assert_answers_as_unknown(
        &published,
        "api/worker/start_worker",
        &json!({"modelId": t4}),
    )
    .await;
    published
        .call("api/worker/stop_worker", json!({"modelId": t4}))
        .await
        .result();
}

#[tokio::test]
async fn hiding_an_endpoint_the_sandbox_does_not_have_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path());
    config.hidden_endpoints = ["api/finance/get_pricnig".to_owned()].into();
    let refused = start(config).await.unwrap_err();
    assert!(
        matches!(&refused, SandboxError::Config(message) if message.contains("get_pricnig")),
        "{refused}"
    );
}
