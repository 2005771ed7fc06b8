//! Fault injection: what is retried, what is not, and how long it may take.

use std::time::Duration;

use lattica_client::{ClientError, RetryPolicy};
use serde_json::json;

use crate::harness::{Harness, timed};

/// Scheduling slack on a loaded 2-core machine; still far below what an unbounded retry loop
/// would take (up to `max_attempts` of 1000).
const SLACK: Duration = Duration::from_secs(3);

fn budgeted(budget: Duration) -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1000,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(150),
        budget,
    }
}

#[tokio::test]
async fn transient_errors_recover_through_retries() {
    let h = Harness::start().await;
    let client = h.client();
    h.set_faults(json!({"failNext": 2})).await;
    client.get_account_credits().await.unwrap();
    assert_eq!(h.state().await["faults"]["failNext"], json!(0));

    h.set_faults(json!({"dropNext": 2})).await;
    client.get_transaction_history().await.unwrap();
    assert_eq!(h.state().await["faults"]["dropNext"], json!(0));

    h.set_faults(json!({"failNext": 1, "errorStatus": 429}))
        .await;
    client.list_models(None).await.unwrap();
    h.shutdown().await;
}

#[tokio::test]
async fn a_persistent_fault_ends_within_the_budget() {
    let h = Harness::start().await;
    h.set_faults(json!({"errorRate": 1.0})).await;
    let budget = Duration::from_secs(1);
    let client = h.client_with(h.config().with_retry_policy(budgeted(budget)));
    let (outcome, elapsed) = timed(client.get_account_credits()).await;
    let error = outcome.unwrap_err();
    assert!(
        matches!(&error, ClientError::Server { status: 503, code: Some(c), .. } if c == "SERVICE_UNAVAILABLE"),
        "{error:?}"
    );
    assert!(elapsed <= budget + SLACK, "{elapsed:?}");
    // It did retry for a good part of the budget rather than give up at once.
    assert!(elapsed >= budget / 2, "{elapsed:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn a_persistently_slow_platform_ends_within_the_budget() {
    let h = Harness::start().await;
    h.set_faults(json!({"latencyMs": 5000})).await;
    let budget = Duration::from_millis(1200);
    let config = h
        .config()
        .with_request_timeout(Duration::from_millis(400))
        .with_retry_policy(budgeted(budget));
    let (outcome, elapsed) = timed(h.client_with(config).get_account_info()).await;
    assert_eq!(outcome.unwrap_err(), ClientError::Timeout);
    assert!(elapsed <= budget + SLACK, "{elapsed:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let h = Harness::start().await;
    h.set_faults(json!({"failNext": 1, "retryAfterSeconds": 1}))
        .await;
    let (outcome, elapsed) = timed(h.client().get_account_credits()).await;
    outcome.unwrap();
    // The computed backoff would be at most 20 ms; the server asked for a second.
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed <= Duration::from_secs(1) + SLACK, "{elapsed:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn retry_after_beyond_the_budget_gives_up_at_once() {
    let h = Harness::start().await;
    h.set_faults(json!({"failNext": 1, "retryAfterSeconds": 30}))
        .await;
    let client = h.client_with(
        h.config()
            .with_retry_policy(budgeted(Duration::from_secs(10))),
    );
    let (outcome, elapsed) = timed(client.get_account_credits()).await;
    assert_eq!(outcome.unwrap_err().status(), Some(503));
    // Neither the 30 s asked for nor the 10 s of budget were waited out.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    let h = Harness::start().await;
    h.set_faults(json!({"failNext": 5, "errorStatus": 400}))
        .await;
    let error = h.client().get_account_credits().await.unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(h.state().await["faults"]["failNext"], json!(4));
    h.shutdown().await;
}

#[tokio::test]
async fn starting_a_worker_is_not_repeated_after_it_may_have_happened() {
    let h = Harness::start().await;
    let client = h.client();
    let models = client.list_models(None).await.unwrap();
    let before = client.running_workers().await.unwrap().len();

    // The sandbox starts the worker, then drops the connection: a retry would start another.
    h.set_faults(json!({"dropNext": 1, "endpoints": ["worker/start_worker"]}))
        .await;
    let error = client.start_worker(&models[0].model_id).await.unwrap_err();
    assert!(matches!(error, ClientError::Network(_)), "{error:?}");
    assert_eq!(client.running_workers().await.unwrap().len(), before + 1);

    // An injected 503 happens before processing; still not retried, nothing started.
    h.set_faults(json!({"failNext": 1, "endpoints": ["worker/start_worker"]}))
        .await;
    let error = client.start_worker(&models[0].model_id).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(client.running_workers().await.unwrap().len(), before + 1);
    h.shutdown().await;
}
