//! Property: whatever bytes arrive as a body, the answer is a JSON envelope and never a 5xx.

use proptest::prelude::*;
use serde_json::Value;

use crate::helpers::{TestSandbox, spawn};

fn bodies() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        // Mostly-JSON text reaches the deeper checks.
        "\\{(\"client_info\"|\"modelId\"|\"credits\"|[a-z]{1,5}|:|,|\\{|\\}|\\[|\\]|[0-9.e-]{1,8}|\"[^\"]{0,6}\"|null|true){0,12}\\}"
            .prop_map(String::into_bytes),
    ]
}

const ENDPOINTS: [&str; 5] = [
    "api/finance/get_account_credits",
    "api/worker/start_worker",
    "api/worker/list_worker_sessions",
    "api/worker/stop_worker",
    "api/nope",
];

#[test]
fn arbitrary_bodies_never_break_the_envelope() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let t: TestSandbox = runtime.block_on(spawn());
    let token = t.sandbox.demo_token();
    let config = ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(body in bodies(), endpoint in 0..ENDPOINTS.len(), auth in any::<bool>())| {
        let (status, text) = runtime.block_on(async {
            let mut request = t
                .client
                .post(format!("{}/{}", t.sandbox.url(), ENDPOINTS[endpoint]))
                .body(body.clone());
            if auth {
                request = request.bearer_auth(&token);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            (status, response.text().await.unwrap())
        });
        prop_assert!(status.as_u16() < 500, "{status}: {text}");
        let parsed: Value = serde_json::from_str(&text).map_err(|e| {
            TestCaseError::fail(format!("not JSON ({e}): {text}"))
        })?;
        prop_assert!(parsed.get("result").is_some() || parsed.get("error_code").is_some());
    });
    runtime.block_on(t.sandbox.shutdown());
}
