//! Fault injection through the control API.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::spawn;

const CREDITS: &str = "api/finance/get_account_credits";

#[tokio::test]
async fn counters_fire_in_order_then_the_api_recovers() {
    let t = spawn().await;
    t.control(
        "set_faults",
        json!({"failNext": 1, "dropNext": 1, "malformedNext": 1, "retryAfterSeconds": 2}),
    )
    .await
    .result();

    let failed = t.call(CREDITS, json!({})).await;
    failed.assert_error(503, "SERVICE_UNAVAILABLE");
    assert_eq!(failed.retry_after.as_deref(), Some("2"));

    let url = format!("{}/{CREDITS}", t.sandbox.url());
    let body = json!({"client_info": crate::helpers::client_info()}).to_string();
    let request = || {
        t.client
            .post(&url)
            .bearer_auth(t.sandbox.demo_token())
            .body(body.clone())
    };
    let dropped = match request().send().await {
        Err(error) => error,
        Ok(response) => response.bytes().await.expect_err("a dropped connection"),
    };
    assert!(!dropped.is_status() && !dropped.is_timeout(), "{dropped}");

    let malformed = request().send().await.unwrap();
    assert_eq!(malformed.status(), 200);
    let text = malformed.text().await.unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err(),
        "{text}"
    );

    assert!(t.call(CREDITS, json!({})).await.result().is_number());

    // `state` counts the requests and what was done to them (the soak prints these).
    let traffic = t.control("state", json!({})).await.result()["traffic"].clone();
    assert_eq!(
        traffic,
        json!({"requests": 4, "delayed": 0, "errors": 1, "drops": 1, "malformed": 1})
    );
}

#[tokio::test]
async fn a_dropped_answer_was_still_processed() {
    let t = spawn().await;
    let (_, l4) = t.model_ids().await;
    t.control("set_faults", json!({"dropNext": 1}))
        .await
        .result();
    let url = format!("{}/api/worker/start_worker", t.sandbox.url());
    let body = json!({"client_info": crate::helpers::client_info(), "modelId": l4});
    let sent = t
        .client
        .post(&url)
        .bearer_auth(t.sandbox.demo_token())
        .json(&body)
        .send()
        .await;
    assert!(sent.is_err() || sent.unwrap().bytes().await.is_err());
    let state = t.control("state", json!({})).await.result();
    assert_eq!(
        state["workers"].as_array().unwrap().len(),
        2,
        "the worker started"
    );
}

#[tokio::test]
async fn rates_latency_status_and_endpoint_filter() {
    let t = spawn().await;
    t.control(
        "set_faults",
        json!({"errorRate": 1, "errorStatus": 500, "latencyMs": 300,
               "endpoints": ["api/finance/get_pricing"]}),
    )
    .await
    .result();
    let began = Instant::now();
    t.call("api/finance/get_pricing", json!({}))
        .await
        .assert_error(500, "SERVICE_UNAVAILABLE");
    assert!(began.elapsed() >= Duration::from_millis(300));
    let began = Instant::now();
    assert!(
        t.call(CREDITS, json!({})).await.result().is_number(),
        "not a listed endpoint"
    );
    assert!(began.elapsed() < Duration::from_millis(300));
    // Control itself is never faulted.
    let state = t.control("state", json!({})).await.result();
    assert_eq!(state["faults"]["errorRate"], json!(1));

    t.control("set_faults", json!({"malformedRate": 1}))
        .await
        .result();
    for _ in 0..3 {
        let response = t
            .client
            .post(format!("{}/{CREDITS}", t.sandbox.url()))
            .bearer_auth(t.sandbox.demo_token())
            .body(json!({"client_info": crate::helpers::client_info()}).to_string())
            .send()
            .await
            .unwrap();
        let text = response.text().await.unwrap();
        assert!(
            serde_json::from_str::<serde_json::Value>(&text).is_err(),
            "{text}"
        );
    }
    t.control("clear_faults", json!({})).await.result();
    assert!(t.call(CREDITS, json!({})).await.result().is_number());
}

#[tokio::test]
async fn faults_apply_however_many_slashes_lead_the_path() {
    let t = spawn().await;
    t.control("set_faults", json!({"failNext": 1}))
        .await
        .result();
    // `//api/…` is served as the same endpoint, so it meets the same faults.
    t.call(&format!("/{CREDITS}"), json!({}))
        .await
        .assert_error(503, "SERVICE_UNAVAILABLE");
    t.control("set_faults", json!({"failNext": 1, "endpoints": [CREDITS]}))
        .await
        .result();
    t.call(&format!("//{CREDITS}"), json!({}))
        .await
        .assert_error(503, "SERVICE_UNAVAILABLE");
    assert!(
        t.call(&format!("//{CREDITS}"), json!({}))
            .await
            .result()
            .is_number(),
        "the counter was used up by the slashed path"
    );
}
