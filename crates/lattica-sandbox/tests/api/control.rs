//! The control API: refused unless enabled; its actions.

use serde_json::json;

use crate::helpers::{spawn, spawn_with};

#[tokio::test]
async fn control_is_a_404_when_off() {
    let t = spawn_with(|_| {}).await;
    for action in ["state", "set_balance", "nope"] {
        t.control(action, json!({"credits": 1}))
            .await
            .assert_error(404, "UNKNOWN_ENDPOINT");
    }
    let get = t
        .client
        .get(format!("{}/control/state", t.sandbox.url()))
        .send()
        .await
        .unwrap();
    crate::helpers::answer(get)
        .await
        .assert_error(404, "UNKNOWN_ENDPOINT");
}

#[tokio::test]
async fn state_shows_credits_workers_scale_faults_and_tokens() {
    let t = spawn().await;
    let state = t.control("state", json!({})).await.result();
    assert!(state["credits"].is_number());
    assert_eq!(state["workers"].as_array().unwrap().len(), 1);
    assert_eq!(state["timeScale"], json!(1));
    assert_eq!(state["faults"]["failNext"], json!(0));
    let tokens = state["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["revoked"], json!(false));
    assert!(tokens[0]["tokenId"].as_str().unwrap().starts_with("tok_"));
    assert!(
        !state.to_string().contains(&t.sandbox.demo_token()),
        "no token in clear"
    );
}

#[tokio::test]
async fn actions_validate_their_input() {
    let t = spawn().await;
    t.control("set_balance", json!({}))
        .await
        .assert_error(400, "MISSING_PARAMETER");
    t.control("set_balance", json!({"credits": -1}))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    t.control("set_balance", json!({"credits": "1.0000001"}))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    t.control("set_time_scale", json!({"timeScale": -2}))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    t.control("set_faults", json!({"errorRate": 2}))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    t.control("stop_worker", json!({}))
        .await
        .assert_error(400, "MISSING_PARAMETER");
    t.control("revoke_token", json!({"token": "nope"}))
        .await
        .assert_error(404, "NOT_FOUND");
    t.control("set_min_client_version", json!({"version": "x"}))
        .await
        .assert_error(400, "INVALID_PARAMETER");
    t.control("teleport", json!({}))
        .await
        .assert_error(404, "UNKNOWN_ENDPOINT");
    let raw = t
        .client
        .post(format!("{}/control/state", t.sandbox.url()))
        .header("content-type", "application/json")
        .body("nope")
        .send()
        .await
        .unwrap();
    crate::helpers::answer(raw)
        .await
        .assert_error(400, "INVALID_JSON");
}

#[tokio::test]
async fn balance_workers_and_min_version_can_be_driven() {
    let t = spawn().await;
    let (t4, _) = t.model_ids().await;
    let state = t
        .control("set_balance", json!({"credits": 42.5}))
        .await
        .result();
    assert!(state["credits"].as_f64().unwrap() <= 42.5);
    let worker = t
        .control("start_worker", json!({"modelId": t4}))
        .await
        .result();
    assert_eq!(worker["status"], "UP");
    let stopped = t
        .control(
            "stop_worker",
            json!({"workerSessionId": worker["workerSessionId"]}),
        )
        .await
        .result();
    assert_eq!(stopped["stopped"].as_array().unwrap().len(), 1);
    let all = t
        .control("stop_worker", json!({"all": true}))
        .await
        .result();
    assert_eq!(
        all["stopped"].as_array().unwrap().len(),
        1,
        "the seeded worker"
    );
    let state = t.control("state", json!({})).await.result();
    assert!(
        state["workers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["status"] == "STOPPED")
    );

    t.control("set_min_client_version", json!({"version": "9.0.0"}))
        .await
        .result();
    t.call("api/finance/get_account_credits", json!({}))
        .await
        .assert_error(400, "CLIENT_VERSION_INCOMPATIBLE");
    t.control("set_min_client_version", json!({}))
        .await
        .result();
    assert!(
        t.call("api/finance/get_account_credits", json!({}))
            .await
            .result()
            .is_number()
    );
}

#[tokio::test]
async fn token_expiry_can_be_moved() {
    let t = spawn().await;
    let at = "2031-01-02T03:04:05.678Z";
    let moved = t
        .control("set_token_expiry", json!({"expiresAt": at}))
        .await
        .result();
    assert_eq!(moved["expiresAt"], at);
    let info = t
        .call("api/account/get_account_info", json!({}))
        .await
        .result();
    assert_eq!(info["authExpDate"], at);
    t.control("set_token_expiry", json!({"inSeconds": -1}))
        .await
        .result();
    t.call("api/finance/get_account_credits", json!({}))
        .await
        .assert_error(401, "TOKEN_EXPIRED");
}

/// Posts `{}` (or `body`) to `control/{action}` with exactly these `Host`, `Origin` and
/// `Content-Type` headers (`None`: not sent; `Host` defaults to the listener's).
async fn control_with(
    t: &crate::helpers::TestSandbox,
    action: &str,
    headers: [(&str, Option<&str>); 3],
    body: &str,
) -> crate::helpers::Answer {
    let mut request = t
        .client
        .post(format!("{}/control/{action}", t.sandbox.url()))
        .body(body.to_owned());
    for (name, value) in headers {
        if let Some(value) = value {
            request = request.header(name, value);
        }
    }
    crate::helpers::answer(request.send().await.unwrap()).await
}

fn port(t: &crate::helpers::TestSandbox) -> String {
    t.sandbox.url().rsplit(':').next().unwrap().to_owned()
}

const JSON: Option<&str> = Some("application/json");

#[tokio::test]
async fn control_refuses_a_host_that_is_not_this_listener() {
    let t = spawn().await;
    let port = port(&t);
    let balance = |credits| json!({"credits": credits}).to_string();
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        "127.0.0.1:1".to_owned(),
        "localhost".to_owned(),
        format!("192.168.1.20:{port}"),
    ] {
        let refused = control_with(
            &t,
            "set_balance",
            [
                ("host", Some(&host)),
                ("origin", None),
                ("content-type", JSON),
            ],
            &balance(7),
        )
        .await;
        refused.assert_error(403, "FORBIDDEN");
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let state = control_with(
            &t,
            "state",
            [
                ("host", Some(&host)),
                ("origin", None),
                ("content-type", JSON),
            ],
            "{}",
        )
        .await
        .result();
        assert!(
            state["credits"].as_f64().unwrap() > 7.0,
            "{host}: untouched"
        );
    }
}

#[tokio::test]
async fn control_refuses_a_foreign_origin() {
    let t = spawn().await;
    let port = port(&t);
    for origin in [
        "http://evil.example".to_owned(),
        "null".to_owned(),
        format!("https://127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}.evil.example"),
        "http://127.0.0.1:1".to_owned(),
    ] {
        control_with(
            &t,
            "set_balance",
            [
                ("host", None),
                ("origin", Some(&origin)),
                ("content-type", JSON),
            ],
            r#"{"credits": 7}"#,
        )
        .await
        .assert_error(403, "FORBIDDEN");
    }
    for origin in [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ] {
        let state = control_with(
            &t,
            "state",
            [
                ("host", None),
                ("origin", Some(&origin)),
                ("content-type", JSON),
            ],
            "",
        )
        .await
        .result();
        assert!(
            state["credits"].as_f64().unwrap() > 7.0,
            "{origin}: untouched"
        );
    }
}

#[tokio::test]
async fn control_requires_a_json_content_type() {
    let t = spawn().await;
    t.freeze().await;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/jsonp"),
        Some(""),
    ] {
        control_with(
            &t,
            "set_balance",
            [
                ("host", None),
                ("origin", None),
                ("content-type", content_type),
            ],
            r#"{"credits": 7}"#,
        )
        .await
        .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    }
    for content_type in ["application/json; charset=utf-8", "Application/JSON"] {
        let state = control_with(
            &t,
            "set_balance",
            [
                ("host", None),
                ("origin", None),
                ("content-type", Some(content_type)),
            ],
            r#"{"credits": 7}"#,
        )
        .await
        .result();
        assert_eq!(state["credits"], json!(7), "{content_type}");
    }
}
