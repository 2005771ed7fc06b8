//! The token never shows: not in `Debug`/`Display` of the token, the client or the config, not
//! in any error, not in any log line (at the most verbose level, HTTP stack included).

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lattica_client::{ClientConfig, ClientError, LatticaClient, RetryPolicy, SessionToken};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

use crate::harness::{Harness, closed_port_url};

const SECRET: &str = "tok_SECRET_123";

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn assert_hidden(what: &str, printed: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !printed.contains(secret),
            "{what} shows the token: {printed}"
        );
    }
}

/// Every error path the client has, with a made-up token and with the demo token.
async fn error_paths(h: &Harness) -> Vec<ClientError> {
    let fast = h
        .config()
        .with_request_timeout(Duration::from_millis(300))
        .with_retry_policy(RetryPolicy::none());
    let stranger = LatticaClient::new(fast.clone(), SessionToken::parse(SECRET).unwrap()).unwrap();
    let demo = h.client_with(fast);
    let mut errors = Vec::new();

    errors.push(stranger.get_account_info().await.unwrap_err());
    errors.push(
        LatticaClient::new(
            ClientConfig::new(&closed_port_url()).unwrap(),
            SessionToken::parse(SECRET).unwrap(),
        )
        .unwrap()
        .get_account_credits()
        .await
        .unwrap_err(),
    );
    errors.push(demo.poll_worker_status("none", "none").await.unwrap_err());
    for faults in [
        json!({"failNext": 1, "errorStatus": 500}),
        json!({"dropNext": 1}),
        json!({"malformedNext": 1}),
        json!({"latencyMs": 1000}),
    ] {
        h.set_faults(faults).await;
        errors.push(demo.get_account_credits().await.unwrap_err());
        errors.push(stranger.get_transaction_history().await.unwrap_err());
    }
    h.control("clear_faults", json!({})).await;
    h.control("set_min_client_version", json!({"version": "99.0.0"}))
        .await;
    errors.push(demo.get_account_credits().await.unwrap_err());
    h.control("set_min_client_version", json!({"version": "0.0.0"}))
        .await;
    h.control("expire_token", json!({})).await;
    errors.push(demo.get_account_credits().await.unwrap_err());
    errors.push(SessionToken::parse("tok_SECRET 123").unwrap_err().into());
    for url in [
        format!("https://user:{SECRET}@api.example"),
        format!("http://{SECRET}.example"),
        format!("ftp://api.example/{SECRET}"),
    ] {
        errors.push(ClientConfig::new(&url).unwrap_err());
    }
    errors
}

#[tokio::test]
async fn the_token_never_shows() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_env_filter("lattica_client=trace,reqwest=trace,hyper=trace,hyper_util=trace")
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = Harness::start().await;
    // Other tests of this binary may have registered a callsite while this subscriber was
    // being installed, caching "nobody listens" for it; recompute now that it is in place.
    tracing::callsite::rebuild_interest_cache();
    let demo_token = h.token_text();
    let secrets = [SECRET, demo_token.as_str()];

    let token = SessionToken::parse(SECRET).unwrap();
    assert_hidden(
        "the token",
        &format!("{token:?} {token} {token:#?}"),
        &secrets,
    );
    let client = LatticaClient::new(h.config(), token).unwrap();
    assert_hidden("the client", &format!("{client:?} {client:#?}"), &secrets);
    assert_hidden("the config", &format!("{:?}", h.config()), &secrets);
    let demo = h.client();
    assert_hidden("the demo client", &format!("{demo:?}"), &secrets);

    demo.get_account_credits().await.unwrap();
    let errors = error_paths(&h).await;
    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            ClientError::Unauthorized { .. } => "unauthorized",
            ClientError::ClientTooOld { .. } => "too old",
            ClientError::Server { .. } => "server",
            ClientError::Timeout => "timeout",
            ClientError::Network(_) => "network",
            ClientError::Malformed(_) => "malformed",
            ClientError::InvalidConfig(_) => "config",
            ClientError::InvalidToken(_) => "token",
            ClientError::Unsupported { .. } => "unsupported",
        })
        .collect();
    for kind in [
        "unauthorized",
        "too old",
        "server",
        "timeout",
        "network",
        "malformed",
        "token",
        "config",
    ] {
        assert!(kinds.contains(&kind), "no {kind} error among {kinds:?}");
    }
    for error in &errors {
        assert_hidden("an error", &format!("{error:?} {error}"), &secrets);
    }

    h.shutdown().await;
    let logs = captured.text();
    assert!(
        logs.contains("platform call"),
        "the client logs its calls: {logs}"
    );
    assert!(logs.contains("api/finance/get_account_credits"), "{logs}");
    assert_hidden("the logs", &logs, &secrets);
}
