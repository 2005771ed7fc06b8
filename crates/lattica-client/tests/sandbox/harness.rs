//! A sandbox per test, with its control API, and clients configured for tests.

use std::time::{Duration, Instant};

use lattica_client::{ClientConfig, LatticaClient, RetryPolicy, SessionToken};
use lattica_sandbox::{RunningSandbox, SandboxConfig};
use serde_json::{Value, json};
use tempfile::TempDir;

/// A retry policy quick enough for tests but with the production shape.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        budget: Duration::from_secs(10),
    }
}

pub struct Harness {
    sandbox: Option<RunningSandbox>,
    http: reqwest::Client,
    // Dropped last: the sandbox writes into it until shutdown.
    _dir: TempDir,
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(|config| config).await
    }

    /// A sandbox started with `adjust`ed settings (a profile, hidden endpoints).
    pub async fn start_with(adjust: impl FnOnce(SandboxConfig) -> SandboxConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = lattica_sandbox::start(adjust(SandboxConfig {
            control: true,
            ..SandboxConfig::new(dir.path())
        }))
        .await
        .expect("the sandbox starts");
        Self {
            sandbox: Some(sandbox),
            http: reqwest::Client::builder().no_proxy().build().unwrap(),
            _dir: dir,
        }
    }

    fn sandbox(&self) -> &RunningSandbox {
        self.sandbox.as_ref().expect("running until shutdown")
    }

    pub fn url(&self) -> String {
        self.sandbox().url()
    }

    pub fn payments_url(&self) -> String {
        self.sandbox().payments_url()
    }

    pub fn token(&self) -> SessionToken {
        SessionToken::parse(self.sandbox().demo_token()).unwrap()
    }

    /// The demo token's text, to look for it where it must not be.
    pub fn token_text(&self) -> String {
        self.token().expose_secret().to_owned()
    }

    pub fn config(&self) -> ClientConfig {
        ClientConfig::new(&self.url())
            .unwrap()
            .with_module("lattica-client-tests")
            .with_request_timeout(Duration::from_secs(5))
            .with_retry_policy(fast_retries())
    }

    /// A client of the demo account.
    pub fn client(&self) -> LatticaClient {
        self.client_with(self.config())
    }

    pub fn client_with(&self, config: ClientConfig) -> LatticaClient {
        LatticaClient::new(config, self.token()).unwrap()
    }

    /// `POST /control/{action}`; panics unless it succeeds, returns its `result`.
    pub async fn control(&self, action: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/control/{action}", self.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "control {action}: {status} {body}");
        body["result"].clone()
    }

    pub async fn set_faults(&self, faults: Value) {
        self.control("set_faults", faults).await;
    }

    pub async fn state(&self) -> Value {
        self.control("state", json!({})).await
    }

    pub async fn shutdown(mut self) {
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.shutdown().await;
        }
    }
}

/// Runs `call` and returns its outcome with how long it took.
pub async fn timed<T>(call: impl std::future::Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let outcome = call.await;
    (outcome, started.elapsed())
}

/// A loopback URL on which nothing listens.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
