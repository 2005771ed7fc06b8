//! Restarting on the same data directory keeps everything.

use std::time::Duration;

use chrono::{DateTime, Utc};
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

/// Stops `t` and starts it again on the same directory with the default speed, after
/// `downtime` has passed (time passing is the point here, not synchronization).
async fn restart_after(t: TestSandbox, downtime: Duration) -> TestSandbox {
    let TestSandbox { sandbox, dir, .. } = t;
    sandbox.shutdown().await;
    tokio::time::sleep(downtime).await;
    let mut config = SandboxConfig::new(dir.path());
    config.control = true;
    TestSandbox {
        sandbox: start(config).await.unwrap(),
        dir,
        client: client(),
    }
}

#[tokio::test]
async fn downtime_burns_at_the_speed_that_was_running() {
    let t = spawn().await;
    t.control("set_balance", json!({"credits": 100}))
        .await
        .result();
    // The seeded T4 worker at 3600x burns 1.2 credits per second.
    t.control("set_time_scale", json!({"timeScale": 3600}))
        .await
        .result();
    let before = t.credits().await;
    let t = restart_after(t, Duration::from_millis(500)).await;
    let after = t.credits().await;
    assert!(
        after <= before - Decimal::new(6, 1),
        "half a second burned: {before} -> {after}"
    );
    assert!(after > Decimal::from(50), "{after}");
    let state = t.control("state", json!({})).await.result();
    assert_eq!(
        state["timeScale"],
        json!(1),
        "the configured speed applies from the restart"
    );
    assert_eq!(state["workers"][0]["status"], "UP");
}

#[tokio::test]
async fn credits_that_run_out_during_downtime_stop_the_workers_back_then() {
    let t = spawn().await;
    t.control("set_balance", json!({"credits": "0.3"}))
        .await
        .result();
    t.control("set_time_scale", json!({"timeScale": 3600}))
        .await
        .result();
    let t = restart_after(t, Duration::from_millis(500)).await;
    let restarted = Utc::now();
    assert_eq!(t.credits().await, Decimal::ZERO);
    let state = t.control("state", json!({})).await.result();
    let worker = &state["workers"][0];
    assert_eq!(worker["status"], "STOPPED");
    let stopped = DateTime::parse_from_rfc3339(worker["stoppedAt"].as_str().unwrap()).unwrap();
    assert!(
        stopped < restarted,
        "{stopped} is before the restart at {restarted}"
    );
}

#[tokio::test]
async fn a_payment_waiting_for_3ds_points_at_the_payment_origin_after_a_restart() {
    let t = spawn().await;
    let payment = t.create_payment(json!(50)).await;
    let method = t.card("4000002760003184").await;
    let pending = t
        .confirm(
            &payment["id"],
            &method,
            false,
            &crate::payments_helpers::key(),
        )
        .await
        .result();
    let id = pending["id"].as_str().unwrap().to_owned();
    let old = t.sandbox.payments_url();
    assert_eq!(pending["nextAction"]["url"], format!("{old}/3ds/{id}"));

    let TestSandbox { sandbox, dir, .. } = t;
    sandbox.shutdown().await;
    // Keep the old port taken, so the restarted payment origin cannot land on it again.
    let _old_port = std::net::TcpListener::bind(old.trim_start_matches("http://")).unwrap();
    let mut config = SandboxConfig::new(dir.path());
    config.control = true;
    let t = TestSandbox {
        sandbox: start(config).await.unwrap(),
        dir,
        client: client(),
    };
    let new = t.sandbox.payments_url();
    assert_ne!(new, old);
    let read = t
        .call("api/finance/get_payment", json!({"paymentId": id}))
        .await
        .result();
    assert_eq!(read["status"], "requires_action");
    let url = read["nextAction"]["url"].as_str().unwrap();
    assert_eq!(url, format!("{new}/3ds/{id}"));
    let page = t.client.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200, "the page is served there");
    t.sandbox.shutdown().await;
}
