//! Each kind of `ClientError`, produced by the real sandbox.

use std::time::Duration;

use lattica_client::{ClientConfig, ClientError, LatticaClient, RetryPolicy, SessionToken};
use serde_json::json;

use crate::harness::{Harness, closed_port_url, timed};

fn code_of(error: &ClientError) -> Option<&str> {
    error.code()
}

#[tokio::test]
async fn unknown_token_is_unauthorized() {
    let h = Harness::start().await;
    let stranger =
        LatticaClient::new(h.config(), SessionToken::parse("tok_unknown_1").unwrap()).unwrap();
    let error = stranger.get_account_credits().await.unwrap_err();
    assert!(
        matches!(&error, ClientError::Unauthorized { status: 401, code: Some(c), .. } if c == "UNAUTHORIZED"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    let validation = LatticaClient::new(h.config(), SessionToken::parse("tok_unknown_2").unwrap())
        .unwrap()
        .get_account_info()
        .await
        .unwrap_err();
    assert_eq!(validation.status(), Some(401));
    h.shutdown().await;
}

#[tokio::test]
async fn expired_and_revoked_tokens_are_told_apart() {
    let h = Harness::start().await;
    let client = h.client();
    h.control("expire_token", json!({})).await;
    let expired = client.get_account_info().await.unwrap_err();
    assert!(expired.is_token_expired(), "{expired:?}");
    assert_eq!(code_of(&expired), Some("TOKEN_EXPIRED"));

    h.control("set_token_expiry", json!({"inSeconds": 3600}))
        .await;
    client.get_account_info().await.unwrap();

    h.control("revoke_token", json!({})).await;
    let revoked = client.get_account_info().await.unwrap_err();
    assert!(
        matches!(&revoked, ClientError::Unauthorized { status: 401, code: Some(c), .. } if c == "TOKEN_REVOKED"),
        "{revoked:?}"
    );
    assert!(!revoked.is_token_expired());
    h.shutdown().await;
}

#[tokio::test]
async fn an_old_client_is_told_to_update() {
    let h = Harness::start().await;
    h.control("set_min_client_version", json!({"version": "99.0.0"}))
        .await;
    let error = h.client().get_account_credits().await.unwrap_err();
    let ClientError::ClientTooOld {
        min_version,
        message,
    } = &error
    else {
        panic!("expected ClientTooOld, got {error:?}");
    };
    assert_eq!(min_version.as_deref(), Some("99.0.0"));
    assert!(!message.is_empty());
    // Checked before the token: even a stranger is told to update first.
    let stranger = LatticaClient::new(h.config(), SessionToken::parse("nope").unwrap()).unwrap();
    assert!(matches!(
        stranger.get_account_credits().await,
        Err(ClientError::ClientTooOld { .. })
    ));
    h.control("set_min_client_version", json!({"version": "0.0.1"}))
        .await;
    h.client().get_account_credits().await.unwrap();
    h.shutdown().await;
}

#[tokio::test]
async fn unknown_objects_are_not_found() {
    let h = Harness::start().await;
    let client = h.client();
    let error = client
        .poll_worker_status("no-model", "no-session")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, ClientError::Server { status: 404, code: Some(c), .. } if c == "NOT_FOUND"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    h.shutdown().await;
}

#[tokio::test]
async fn starting_without_credits_is_refused() {
    let h = Harness::start().await;
    let client = h.client();
    let models = client.list_models(None).await.unwrap();
    h.control("set_balance", json!({"credits": 0})).await;
    let error = client.start_worker(&models[0].model_id).await.unwrap_err();
    assert_eq!(error.status(), Some(402), "{error:?}");
    assert_eq!(error.code(), Some("INSUFFICIENT_CREDITS"));
    h.shutdown().await;
}

#[tokio::test]
async fn server_errors_exhaust_the_retries() {
    let h = Harness::start().await;
    h.set_faults(json!({"failNext": 10, "errorStatus": 500}))
        .await;
    let error = h.client().get_account_credits().await.unwrap_err();
    assert!(
        matches!(&error, ClientError::Server { status: 500, code: Some(c), .. } if c == "SERVICE_UNAVAILABLE"),
        "{error:?}"
    );
    // Exactly `max_attempts` requests reached the sandbox.
    let state = h.state().await;
    assert_eq!(state["faults"]["failNext"], json!(10 - 4), "{state}");
    h.shutdown().await;
}

#[tokio::test]
async fn a_slow_platform_times_out() {
    let h = Harness::start().await;
    h.set_faults(json!({"latencyMs": 10000})).await;
    let config = h
        .config()
        .with_request_timeout(Duration::from_millis(300))
        .with_retry_policy(RetryPolicy::none());
    let (outcome, elapsed) = timed(h.client_with(config).get_account_credits()).await;
    assert_eq!(outcome.unwrap_err(), ClientError::Timeout);
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn a_closed_port_is_a_network_error() {
    let config = ClientConfig::new(&closed_port_url()).unwrap();
    let client = LatticaClient::new(config, SessionToken::parse("tok").unwrap()).unwrap();
    let error = client.get_account_credits().await.unwrap_err();
    let ClientError::Network(message) = &error else {
        panic!("expected a network error, got {error:?}");
    };
    assert!(
        !message.contains("127.0.0.1"),
        "no URL in the message: {message}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_dropped_connection_is_a_network_error() {
    let h = Harness::start().await;
    h.set_faults(json!({"dropNext": 1})).await;
    let client = h.client_with(h.config().with_retry_policy(RetryPolicy::none()));
    let error = client.get_account_credits().await.unwrap_err();
    assert!(matches!(error, ClientError::Network(_)), "{error:?}");
    client.get_account_credits().await.unwrap();
    h.shutdown().await;
}

#[tokio::test]
async fn a_garbled_answer_is_malformed_and_not_retried() {
    let h = Harness::start().await;
    h.set_faults(json!({"malformedNext": 1})).await;
    let error = h.client().get_account_info().await.unwrap_err();
    assert!(matches!(error, ClientError::Malformed(_)), "{error:?}");
    assert_eq!(h.state().await["faults"]["malformedNext"], json!(0));
    h.client().get_account_info().await.unwrap();
    h.shutdown().await;
}
