//! Restarting on the same data directory keeps everything.

use lattica_sandbox::{SandboxConfig, start};
use rust_decimal::Decimal;
use serde_json::json;

use crate::helpers::{TestSandbox, client, spawn};

#[tokio::test]
async fn a_restart_keeps_balance_workers_tokens_and_payments() {
    let t = spawn().await;
    let (_, l4) = t.model_ids().await;
    t.control("set_balance", json!({"credits": "123.456789"}))
        .await
        .result();
    let started = t
        .call("api/worker/start_worker", json!({"modelId": l4}))
        .await
        .result();
    let issued = t
        .control("issue_token", json!({"validDays": 7}))
        .await
        .result();
    let token = issued["token"].as_str().unwrap().to_owned();
    let before = t.credits().await;
    let history = t
        .call("api/finance/get_transaction_history", json!({}))
        .await
        .result();

    let TestSandbox { sandbox, dir, .. } = t;
    sandbox.shutdown().await;
    let mut config = SandboxConfig::new(dir.path());
    config.control = true;
    let t = TestSandbox {
        sandbox: start(config).await.unwrap(),
        dir,
        client: client(),
    };

    assert_eq!(t.sandbox.demo_token(), token);
    let after = t.credits().await;
    assert!(
        after <= before && after > before - Decimal::ONE,
        "{before} -> {after}"
    );
    let sessions = t
        .call("api/worker/list_worker_sessions", json!({}))
        .await
        .result();
    let sessions = sessions["workerSessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0], started, "still up, same session");
    assert_eq!(
        t.call("api/finance/get_transaction_history", json!({}))
            .await
            .result(),
        history
    );
    let info = t
        .call("api/account/get_account_info", json!({}))
        .await
        .result();
    assert_eq!(info["authExpDate"], issued["expiresAt"]);
    t.sandbox.shutdown().await;
}

#[tokio::test]
async fn downtime_keeps_burning_and_can_deplete() {
    let t = spawn().await;
    t.control("set_balance", json!({"credits": "0.000002"}))
        .await
        .result();
    let TestSandbox { sandbox, dir, .. } = t;
    sandbox.shutdown().await;
    // 0.000002 credits at 1.2 per hour last 6 ms: gone by the time the sandbox is back.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let mut config = SandboxConfig::new(dir.path());
    config.control = true;
    let t = TestSandbox {
        sandbox: start(config).await.unwrap(),
        dir,
        client: client(),
    };
    assert_eq!(t.credits().await, Decimal::ZERO);
    let state = t.control("state", json!({})).await.result();
    assert_eq!(state["workers"][0]["status"], "STOPPED");
}
