//! Burn: the balance falls while workers run and stops at exactly zero with every worker
//! stopped at the depletion instant.

use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::helpers::{eventually, spawn};

#[tokio::test]
async fn the_balance_falls_while_a_worker_runs_and_stops_when_it_stops() {
    let t = spawn().await;
    let (t4, _) = t.model_ids().await;
    // One T4 worker burns 1.2 credits per hour; at 3600x that is 1.2 per second.
    t.control("set_time_scale", json!({"timeScale": 3600}))
        .await
        .result();
    let first = t.credits().await;
    let fell = eventually(Duration::from_secs(10), "the balance to fall", || async {
        let now = t.credits().await;
        (now < first).then_some(now)
    })
    .await;
    assert!(fell > Decimal::from(200), "{fell}");

    let stopped = t
        .call("api/worker/stop_worker", json!({"modelId": t4}))
        .await
        .result();
    assert_eq!(stopped["status"], "STOPPED");
    let idle = t.credits().await;
    tokio::time::sleep(Duration::from_millis(50)).await; // not synchronization: time passing
    assert_eq!(t.credits().await, idle, "no worker, no burn");
}

#[tokio::test]
async fn credits_run_out_at_exactly_zero_and_every_worker_stops() {
    let t = spawn().await;
    let (t4, l4) = t.model_ids().await;
    t.control("set_balance", json!({"credits": "0.5"}))
        .await
        .result();
    t.call("api/worker/start_worker", json!({"modelId": l4}))
        .await
        .result();
    t.call("api/worker/start_worker", json!({"modelId": t4}))
        .await
        .result();
    // 1.2 + 4.8 + 1.2 = 7.2 credits per hour; at 36000x, 0.5 credits last 6.9 s.
    t.control("set_time_scale", json!({"timeScale": 36000}))
        .await
        .result();

    let sessions = eventually(Duration::from_secs(30), "every worker to stop", || async {
        let all = t
            .call("api/worker/list_worker_sessions", json!({}))
            .await
            .result();
        let sessions = all["workerSessions"].as_array().unwrap().clone();
        sessions
            .iter()
            .all(|w| w["status"] == "STOPPED")
            .then_some(sessions)
    })
    .await;
    assert_eq!(sessions.len(), 3);
    assert_eq!(t.credits().await, Decimal::ZERO);
    let stops: Vec<&Value> = sessions.iter().map(|w| &w["stoppedAt"]).collect();
    assert!(
        stops.iter().all(|s| *s == stops[0]),
        "one depletion instant: {stops:?}"
    );

    let state = t.control("state", json!({})).await.result();
    assert_eq!(state["credits"], json!(0));
    assert!(
        state["workers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["status"] == "STOPPED")
    );

    t.call("api/worker/start_worker", json!({"modelId": t4}))
        .await
        .assert_error(402, "INSUFFICIENT_CREDITS");
    assert_eq!(t.credits().await, Decimal::ZERO, "never negative");
}

#[tokio::test]
async fn the_settler_stops_workers_without_any_request() {
    let t = spawn().await;
    t.control("set_balance", json!({"credits": "0.001"}))
        .await
        .result();
    t.control("set_time_scale", json!({"timeScale": 36000}))
        .await
        .result();
    // 0.001 credits at 1.2 x 36000 per hour last 83 ms. Only the control API's state is read,
    // which does not settle anything itself: it shows what the settler persisted.
    let state = eventually(Duration::from_secs(10), "the settler", || async {
        let state = t.control("state", json!({})).await.result();
        (state["workers"][0]["status"] == "STOPPED").then_some(state)
    })
    .await;
    assert_eq!(state["credits"], json!(0));
}

#[tokio::test]
async fn setting_the_balance_to_zero_stops_workers_at_once() {
    let t = spawn().await;
    let state = t
        .control("set_balance", json!({"credits": 0}))
        .await
        .result();
    assert_eq!(state["credits"], json!(0));
    assert_eq!(state["workers"][0]["status"], "STOPPED");
}

#[tokio::test]
async fn stopping_twice_is_harmless_and_stop_by_id_works() {
    let t = spawn().await;
    let (t4, _) = t.model_ids().await;
    let a = t
        .call("api/worker/start_worker", json!({"modelId": t4}))
        .await
        .result();
    let id = a["workerSessionId"].as_str().unwrap();
    let stopped = t
        .call(
            "api/worker/stop_worker",
            json!({"modelId": t4, "workerSessionId": id}),
        )
        .await
        .result();
    assert_eq!(stopped["workerSessionId"], id);
    assert_eq!(stopped["status"], "STOPPED");
    let active = t
        .call("api/worker/get_active_workers", json!({"modelId": t4}))
        .await
        .result();
    assert_eq!(
        active["activeWorkers"][0]["workers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let all = t
        .call("api/worker/stop_worker", json!({"modelId": t4}))
        .await
        .result();
    assert_eq!(all["status"], "STOPPED");
    let again = t
        .call("api/worker/stop_worker", json!({"modelId": t4}))
        .await
        .result();
    assert_eq!(again["status"], "STOPPED");
    assert_eq!(
        again["stoppedAt"], all["stoppedAt"],
        "nothing stopped twice"
    );
}
