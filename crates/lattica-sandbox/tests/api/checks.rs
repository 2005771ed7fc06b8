//! The contract's checks, each error code, and their order.

use serde_json::{Value, json};

use crate::helpers::{answer, client_info, spawn, spawn_with};

const CREDITS: &str = "api/finance/get_account_credits";

fn body(info: Value) -> String {
    json!({ "client_info": info }).to_string()
}

#[tokio::test]
async fn non_post_is_405_before_anything_else() {
    let t = spawn().await;
    for path in [CREDITS, "api/nope", "nowhere"] {
        let response = t
            .client
            .get(format!("{}/{path}", t.sandbox.url()))
            .send()
            .await
            .unwrap();
        answer(response)
            .await
            .assert_error(405, "METHOD_NOT_ALLOWED");
    }
    let response = t
        .client
        .put(format!("{}/{CREDITS}", t.sandbox.url()))
        .send()
        .await
        .unwrap();
    answer(response)
        .await
        .assert_error(405, "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn unknown_endpoints_are_404_before_the_body_is_read() {
    let t = spawn().await;
    let token = t.sandbox.demo_token();
    t.call_as(&token, "api/finance/nope", "not json")
        .await
        .assert_error(404, "UNKNOWN_ENDPOINT");
    t.call_as(&token, "somewhere/else", "{}")
        .await
        .assert_error(404, "UNKNOWN_ENDPOINT");
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_are_400() {
    let t = spawn().await;
    let token = t.sandbox.demo_token();
    for bad in [
        "",
        "not json",
        "[1, 2]",
        "42",
        "null",
        "{\"client_info\":",
        "\u{feff}{}",
    ] {
        t.call_as(&token, CREDITS, bad)
            .await
            .assert_error(400, "INVALID_JSON");
    }
    // The body is checked before the token: a bad body with no token is still INVALID_JSON.
    t.call_as("", CREDITS, "oops")
        .await
        .assert_error(400, "INVALID_JSON");
}

#[tokio::test]
async fn client_info_is_required_and_checked() {
    let t = spawn().await;
    let token = t.sandbox.demo_token();
    let missing = t.call_as(&token, CREDITS, "{}").await;
    missing.assert_error(400, "MISSING_PARAMETER");
    assert!(
        missing.body["error"]
            .as_str()
            .unwrap()
            .contains("client_info")
    );
    let cases = [
        (
            json!("lattica-tray 0.1.0"),
            "INVALID_PARAMETER",
            "client_info",
        ),
        (
            json!({"version": "1.0.0"}),
            "MISSING_PARAMETER",
            "client_info.module",
        ),
        (
            json!({"module": "x"}),
            "MISSING_PARAMETER",
            "client_info.version",
        ),
        (
            json!({"module": "x", "version": 1}),
            "INVALID_PARAMETER",
            "client_info.version",
        ),
        (
            json!({"module": "x", "version": "one"}),
            "INVALID_PARAMETER",
            "client_info.version",
        ),
        (
            json!({"module": "x", "version": "1.2"}),
            "INVALID_PARAMETER",
            "client_info.version",
        ),
    ];
    for (info, code, named) in cases {
        let a = t.call_as(&token, CREDITS, &body(info)).await;
        a.assert_error(400, code);
        assert!(
            a.body["error"].as_str().unwrap().contains(named),
            "{:?}",
            a.body
        );
    }
    // client_info is checked before the token.
    t.call_as("", CREDITS, "{}")
        .await
        .assert_error(400, "MISSING_PARAMETER");
}

#[tokio::test]
async fn old_clients_are_told_the_minimum_version() {
    let t = spawn_with(|c| c.min_client_version = Some(semver::Version::new(0, 2, 0))).await;
    let token = t.sandbox.demo_token();
    let old = t.call_as("", CREDITS, &body(client_info())).await;
    old.assert_error(400, "CLIENT_VERSION_INCOMPATIBLE");
    assert_eq!(old.body["min_version"], "0.2.0");
    let pre = json!({"module": "x", "version": "0.2.0-beta.1"});
    t.call_as(&token, CREDITS, &body(pre))
        .await
        .assert_error(400, "CLIENT_VERSION_INCOMPATIBLE");
    let new = json!({"module": "x", "version": "0.2.0"});
    assert!(
        t.call_as(&token, CREDITS, &body(new))
            .await
            .result()
            .is_number()
    );
}

#[tokio::test]
async fn tokens_missing_unknown_expired_or_revoked_are_401() {
    let t = spawn().await;
    let url = format!("{}/{CREDITS}", t.sandbox.url());
    let no_header = t
        .client
        .post(&url)
        .body(body(client_info()))
        .send()
        .await
        .unwrap();
    answer(no_header).await.assert_error(401, "UNAUTHORIZED");
    let basic = t
        .client
        .post(&url)
        .header("authorization", format!("Basic {}", t.sandbox.demo_token()))
        .body(body(client_info()))
        .send()
        .await
        .unwrap();
    answer(basic).await.assert_error(401, "UNAUTHORIZED");
    t.call_as("lat_unknown", CREDITS, &body(client_info()))
        .await
        .assert_error(401, "UNAUTHORIZED");

    let old = t.sandbox.demo_token();
    let issued = t.control("issue_token", json!({})).await.result();
    let new = issued["token"].as_str().unwrap().to_owned();
    assert_eq!(t.sandbox.demo_token(), new);
    assert!(
        t.call_as(&old, CREDITS, &body(client_info()))
            .await
            .result()
            .is_number()
    );

    t.control("revoke_token", json!({ "token": old }))
        .await
        .result();
    t.call_as(&old, CREDITS, &body(client_info()))
        .await
        .assert_error(401, "TOKEN_REVOKED");

    t.control("expire_token", json!({})).await.result();
    t.call_as(&new, CREDITS, &body(client_info()))
        .await
        .assert_error(401, "TOKEN_EXPIRED");
    // Expiry is checked before revocation.
    t.control("expire_token", json!({ "token": old }))
        .await
        .result();
    t.call_as(&old, CREDITS, &body(client_info()))
        .await
        .assert_error(401, "TOKEN_EXPIRED");

    t.control("set_token_expiry", json!({ "inSeconds": 3600 }))
        .await
        .result();
    assert!(
        t.call_as(&new, CREDITS, &body(client_info()))
            .await
            .result()
            .is_number()
    );
}

#[tokio::test]
async fn parameters_are_checked_after_the_token() {
    let t = spawn().await;
    t.call_as("", "api/worker/start_worker", &body(client_info()))
        .await
        .assert_error(401, "UNAUTHORIZED");
    let missing = t.call("api/worker/start_worker", json!({})).await;
    missing.assert_error(400, "MISSING_PARAMETER");
    assert!(missing.body["error"].as_str().unwrap().contains("modelId"));
    let wrong = t
        .call("api/worker/get_active_workers", json!({ "modelId": 7 }))
        .await;
    wrong.assert_error(400, "INVALID_PARAMETER");
    assert!(wrong.body["error"].as_str().unwrap().contains("modelId"));
    let date = t
        .call(
            "api/worker/list_worker_sessions",
            json!({ "fromDate": "soon" }),
        )
        .await;
    date.assert_error(400, "INVALID_PARAMETER");
    assert!(date.body["error"].as_str().unwrap().contains("fromDate"));
}

#[tokio::test]
async fn unknown_objects_are_404() {
    let t = spawn().await;
    let (t4, _) = t.model_ids().await;
    t.call("api/worker/start_worker", json!({ "modelId": "nope" }))
        .await
        .assert_error(404, "NOT_FOUND");
    t.call(
        "api/worker/poll_worker_status",
        json!({ "modelId": t4, "workerSessionId": "nope" }),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    t.call(
        "api/worker/stop_worker",
        json!({ "modelId": t4, "workerSessionId": "nope" }),
    )
    .await
    .assert_error(404, "NOT_FOUND");
}

#[tokio::test]
async fn starting_a_worker_without_credits_is_402() {
    let t = spawn().await;
    let (t4, _) = t.model_ids().await;
    t.control("set_balance", json!({ "credits": 0 }))
        .await
        .result();
    t.call("api/worker/start_worker", json!({ "modelId": t4 }))
        .await
        .assert_error(402, "INSUFFICIENT_CREDITS");
    // A missing model is reported before the balance.
    t.call("api/worker/start_worker", json!({ "modelId": "nope" }))
        .await
        .assert_error(404, "NOT_FOUND");
}
