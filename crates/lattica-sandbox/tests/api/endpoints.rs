//! Every published endpoint's result shape on the seeded demo account.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::helpers::{exact_result, spawn};

fn instant(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a timestamp: {value}"));
    assert!(
        text.ends_with('Z') && text.len() == 24,
        "ISO-8601 UTC with millis: {text}"
    );
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn assert_worker(worker: &Value) {
    for key in ["workerSessionId", "modelId", "instanceTypeId"] {
        assert!(
            worker[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key}: {worker}"
        );
    }
    instant(&worker["startedAt"]);
    match worker["status"].as_str().unwrap() {
        "UP" => assert!(worker["stoppedAt"].is_null()),
        "STOPPED" => drop(instant(&worker["stoppedAt"])),
        other => panic!("status {other}"),
    }
}

#[tokio::test]
async fn credits_are_an_exact_number_near_the_seed() {
    let t = spawn().await;
    let answer = t.call("api/finance/get_account_credits", json!({})).await;
    let credits = exact_result(&answer.text);
    assert!(
        credits <= Decimal::from(250) && credits > Decimal::from(249),
        "{credits}"
    );
    assert!(credits.scale() <= 6);
}

#[tokio::test]
async fn account_info_has_the_profile_and_the_token_expiry() {
    let t = spawn().await;
    let info = t
        .call("api/account/get_account_info", json!({}))
        .await
        .result();
    assert_eq!(info["email"], "demo@lattica.ai");
    for key in ["accountId", "companyName", "contactName", "phoneNumber"] {
        assert!(
            info[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key}: {info}"
        );
    }
    assert!(instant(&info["createdAt"]) < Utc::now());
    assert!(info["credits"].is_number());
    let expiry = instant(&info["authExpDate"]) - Utc::now();
    assert!(
        expiry > Duration::days(29) && expiry <= Duration::days(30),
        "{expiry}"
    );
}

#[tokio::test]
async fn transaction_history_lists_three_seeded_payments_newest_first() {
    let t = spawn().await;
    let history = t
        .call("api/finance/get_transaction_history", json!({}))
        .await
        .result();
    let payments = history["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 3);
    let mut previous = None;
    for p in payments {
        assert!(p["id"].as_str().unwrap().starts_with("pay_"));
        assert_eq!(p["status"], "succeeded");
        assert_eq!(p["currency"], "usd");
        assert!(p["receiptNumber"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(p["cardBrand"].as_str().is_some());
        assert_eq!(p["cardLast4"].as_str().unwrap().len(), 4);
        let credits = p["credits"].as_i64().unwrap();
        assert_eq!(
            p["amount"].as_i64().unwrap(),
            credits * 100,
            "100 cents per credit"
        );
        let created = instant(&p["createdAt"]);
        assert!(Utc::now() - created < Duration::days(61));
        assert!(previous.is_none_or(|newer| created < newer), "newest first");
        previous = Some(created);
    }
}

#[tokio::test]
async fn pricing_is_exactly_the_documented_one() {
    let t = spawn().await;
    let answer = t.call("api/finance/get_pricing", json!({})).await;
    let expected = format!(
        r#"{{"result":{{"currency":"usd","creditPrice":{{"amount":100,"currency":"usd"}},"defaultInstanceTypeId":"G4DN_XLARGE","instanceTypes":[{{"instanceTypeId":"G4DN_XLARGE","name":"NVIDIA T4","creditsPerHour":1.2}},{{"instanceTypeId":"G7E_2XLARGE","name":"NVIDIA L4","creditsPerHour":4.8}}],"limits":{{"minCredits":10,"maxCredits":5000}},"suggestedCredits":[25,50,100,250],"paymentsUrl":"{}"}}}}"#,
        t.sandbox.payments_url()
    );
    assert_eq!(answer.text, expected);
}

#[tokio::test]
async fn models_are_listed_and_filtered_by_visibility() {
    let t = spawn().await;
    let models = t.call("api/model/list_models", json!({})).await.result();
    let models = models["models"].as_array().unwrap();
    assert_eq!(models.len(), 2);
    for m in models {
        for key in [
            "modelId",
            "modelName",
            "status",
            "instanceTypeId",
            "visibility",
        ] {
            assert!(m[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {m}");
        }
        assert!(m["numDevices"].as_u64().unwrap() >= 1);
    }
    let private = t
        .call("api/model/list_models", json!({"visibility": "PRIVATE"}))
        .await
        .result();
    let private = private["models"].as_array().unwrap();
    assert_eq!(private.len(), 1);
    assert_eq!(private[0]["instanceTypeId"], "G4DN_XLARGE");
}

#[tokio::test]
async fn the_seeded_worker_runs_on_the_t4_model() {
    let t = spawn().await;
    let (t4, l4) = t.model_ids().await;
    let active = t
        .call("api/worker/get_active_workers", json!({"modelId": t4}))
        .await
        .result();
    let groups = active["activeWorkers"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["modelId"], t4.as_str());
    let workers = groups[0]["workers"].as_array().unwrap();
    assert_eq!(workers.len(), 1);
    assert_worker(&workers[0]);
    assert_eq!(workers[0]["status"], "UP");
    assert_eq!(workers[0]["instanceTypeId"], "G4DN_XLARGE");

    let idle = t
        .call("api/worker/get_active_workers", json!({"modelId": l4}))
        .await
        .result();
    assert_eq!(idle["activeWorkers"][0]["workers"], json!([]));

    let id = workers[0]["workerSessionId"].as_str().unwrap();
    let polled = t
        .call(
            "api/worker/poll_worker_status",
            json!({"modelId": t4, "workerSessionId": id}),
        )
        .await
        .result();
    assert_eq!(&polled, &workers[0]);
    let by_alias = t
        .call(
            "api/worker/poll_worker_status",
            json!({"modelId": t4, "sessionId": id}),
        )
        .await
        .result();
    assert_eq!(by_alias, polled);
}

#[tokio::test]
async fn sessions_are_listed_newest_first_and_filtered() {
    let t = spawn().await;
    let (t4, l4) = t.model_ids().await;
    let started = t
        .call("api/worker/start_worker", json!({"modelId": l4}))
        .await
        .result();
    assert_worker(&started);
    assert_eq!(started["status"], "UP");
    assert_eq!(started["instanceTypeId"], "G7E_2XLARGE");

    let all = t
        .call("api/worker/list_worker_sessions", json!({}))
        .await
        .result();
    let sessions = all["workerSessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    sessions.iter().for_each(assert_worker);
    assert_eq!(sessions[0], started, "newest first");

    let of_t4 = t
        .call("api/worker/list_worker_sessions", json!({"modelId": t4}))
        .await
        .result();
    assert_eq!(of_t4["workerSessions"].as_array().unwrap().len(), 1);

    let since = Utc::now() - Duration::minutes(30);
    let recent = t
        .call(
            "api/worker/list_worker_sessions",
            json!({"toDate": since.timestamp_millis()}),
        )
        .await
        .result();
    let recent = recent["workerSessions"].as_array().unwrap();
    assert_eq!(
        recent.len(),
        1,
        "only the seeded worker started before: {recent:?}"
    );
    assert_eq!(recent[0]["modelId"], t4.as_str());

    let stopped = t
        .call("api/worker/stop_worker", json!({"modelId": l4}))
        .await
        .result();
    assert_eq!(stopped["workerSessionId"], started["workerSessionId"]);
    assert_eq!(stopped["status"], "STOPPED");
    assert_worker(&stopped);
    let later = Utc::now() + Duration::seconds(5);
    let after = t
        .call(
            "api/worker/list_worker_sessions",
            json!({"fromDate": later.to_rfc3339()}),
        )
        .await
        .result();
    let after = after["workerSessions"].as_array().unwrap();
    assert_eq!(
        after.len(),
        1,
        "a stopped session does not overlap the future: {after:?}"
    );
    assert_eq!(after[0]["status"], "UP");
}
