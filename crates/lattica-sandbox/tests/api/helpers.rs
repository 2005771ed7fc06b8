//! Spawning a sandbox for a test and talking to it.

use std::time::{Duration, Instant};

use lattica_sandbox::{RunningSandbox, SandboxConfig, start};
use std::str::FromStr;

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use tempfile::TempDir;

/// A running sandbox, its data directory and a client.
pub struct TestSandbox {
    pub sandbox: RunningSandbox,
    pub dir: TempDir,
    pub client: reqwest::Client,
}

/// An answer: status, `Retry-After` and the parsed JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub retry_after: Option<String>,
    pub body: Value,
    pub text: String,
}

impl Answer {
    /// The `result` of a 200, or a panic describing the answer.
    pub fn result(self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{:?}", self.body);
        self.body
            .get("result")
            .cloned()
            .unwrap_or_else(|| panic!("no result: {:?}", self.body))
    }

    /// Asserts a failure with `status` and `code`.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{:?}", self.body);
        assert_eq!(self.body["error_code"], code, "{:?}", self.body);
        assert!(
            self.body["error"].as_str().is_some_and(|m| !m.is_empty()),
            "{:?}",
            self.body
        );
    }
}

/// `client_info` as the app sends it.
pub fn client_info() -> Value {
    json!({"module": "lattica-tray", "version": "0.1.0"})
}

/// A sandbox with the control API on.
pub async fn spawn() -> TestSandbox {
    spawn_with(|config| config.control = true).await
}

/// A sandbox configured by `adjust`.
pub async fn spawn_with(adjust: impl FnOnce(&mut SandboxConfig)) -> TestSandbox {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path());
    adjust(&mut config);
    let sandbox = start(config).await.unwrap();
    TestSandbox {
        sandbox,
        dir,
        client: client(),
    }
}

/// A client with short timeouts, so a hung server fails the test instead of hanging it.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

impl TestSandbox {
    /// Calls `endpoint` with the demo token and `params` plus `client_info`.
    pub async fn call(&self, endpoint: &str, params: Value) -> Answer {
        let mut body = params;
        body["client_info"] = client_info();
        self.call_as(&self.sandbox.demo_token(), endpoint, &body.to_string())
            .await
    }

    /// Posts `body` verbatim to `endpoint` with `token`.
    pub async fn call_as(&self, token: &str, endpoint: &str, body: &str) -> Answer {
        let response = self
            .client
            .post(format!("{}/{endpoint}", self.sandbox.url()))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        answer(response).await
    }

    /// Calls a control action.
    pub async fn control(&self, action: &str, body: Value) -> Answer {
        let response = self
            .client
            .post(format!("{}/control/{action}", self.sandbox.url()))
            .json(&body)
            .send()
            .await
            .unwrap();
        answer(response).await
    }

    /// The balance as `get_account_credits` reports it, read exactly from the wire.
    pub async fn credits(&self) -> Decimal {
        let answer = self
            .call("api/finance/get_account_credits", json!({}))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        exact_result(&answer.text)
    }

    /// The seeded models: (T4 model id, L4 model id).
    pub async fn model_ids(&self) -> (String, String) {
        let models = self.call("api/model/list_models", json!({})).await.result();
        let id = |instance: &str| {
            models["models"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["instanceTypeId"] == instance)
                .map(|m| m["modelId"].as_str().unwrap().to_owned())
                .unwrap()
        };
        (id("G4DN_XLARGE"), id("G7E_2XLARGE"))
    }
}

/// The `result` of a body, as the exact decimal written on the wire.
pub fn exact_result(text: &str) -> Decimal {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        result: &'a RawValue,
    }
    let envelope: Envelope<'_> = serde_json::from_str(text).unwrap();
    let raw = envelope.result.get();
    assert!(
        !raw.starts_with('"'),
        "credits must be a JSON number: {raw}"
    );
    Decimal::from_str(raw).unwrap()
}

/// Reads status, `Retry-After` and the body, asserting the body is JSON.
pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let content_type = response.headers().get("content-type").cloned();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not JSON ({e}), status {status}: {text:?}"));
    assert_eq!(content_type.unwrap(), "application/json");
    Answer {
        status,
        retry_after,
        body,
        text,
    }
}

/// Polls `probe` until it returns `Some`, failing after `limit`.
pub async fn eventually<T, F>(limit: Duration, what: &str, mut probe: impl FnMut() -> F) -> T
where
    F: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
