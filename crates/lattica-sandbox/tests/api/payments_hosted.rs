//! The payment origin's pages: the card form (allow-listed parents only, strict CSP, nothing
//! external) and the 3-D Secure step, approved or denied over real HTTP or the control API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, spawn, spawn_with};
use crate::payments_helpers::{dec, key};

async fn get(t: &TestSandbox, path: &str) -> reqwest::Response {
    t.client
        .get(format!("{}{path}", t.sandbox.payments_url()))
        .send()
        .await
        .unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn the_card_form_is_served_to_allowed_parents_only() {
    let t = spawn().await;
    for parent in ["tauri%3A%2F%2Flocalhost", "http%3A%2F%2Ftauri.localhost"] {
        let page = get(&t, &format!("/card-form?parent={parent}")).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(header(&page, "content-type"), "text/html; charset=utf-8");
        let csp = header(&page, "content-security-policy").to_owned();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(
            csp.contains("frame-ancestors tauri://localhost http://tauri.localhost"),
            "{csp}"
        );
        assert_eq!(header(&page, "x-content-type-options"), "nosniff");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("data-parent=\"") && html.contains("localhost\""),
            "the parent is passed on"
        );
        for needle in [
            "id=\"number\"",
            "id=\"expiry\"",
            "id=\"cvc\"",
            "id=\"name\"",
            "id=\"postalCode\"",
            "autocomplete=\"cc-number\"",
        ] {
            assert!(html.contains(needle), "{needle}");
        }
        assert!(!html.contains("<script>"), "no inline script");
        assert!(!html.contains("https://"), "nothing external");
    }
    for query in [
        "",
        "?parent=https%3A%2F%2Fevil.example",
        "?parent=tauri%3A%2F%2Flocalhost%2F",
        "?parent=%2A",
    ] {
        let refused = get(&t, &format!("/card-form{query}")).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{query}");
        assert!(header(&refused, "content-security-policy").contains("frame-ancestors"));
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("cannot be shown here")
        );
    }
    for (asset, kind) in [
        ("card-form.js", "text/javascript"),
        ("three-ds.js", "text/javascript"),
        ("hosted.css", "text/css"),
    ] {
        let response = get(&t, &format!("/assets/{asset}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert!(
            header(&response, "content-type").starts_with(kind),
            "{asset}"
        );
        let text = response.text().await.unwrap();
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{asset} loads nothing external"
        );
    }
    assert_eq!(
        get(&t, "/assets/nope.js").await.status(),
        StatusCode::NOT_FOUND
    );
    let script = get(&t, "/assets/card-form.js").await.text().await.unwrap();
    assert!(script.contains("postMessage") && script.contains("parentOrigin"));
}

#[tokio::test]
async fn the_allow_list_is_configurable() {
    let t = spawn_with(|c| c.payments_allowed_origins = vec!["http://127.0.0.1:1420".into()]).await;
    let page = get(&t, "/card-form?parent=http%3A%2F%2F127.0.0.1%3A1420").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        header(&page, "content-security-policy").ends_with("frame-ancestors http://127.0.0.1:1420")
    );
    assert_eq!(
        get(&t, "/card-form?parent=tauri%3A%2F%2Flocalhost")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );

    let dir = tempfile::tempdir().unwrap();
    let mut config = lattica_sandbox::SandboxConfig::new(dir.path());
    config.payments_allowed_origins = vec!["http://a.example; script-src *".into()];
    assert!(matches!(
        lattica_sandbox::start(config).await,
        Err(lattica_sandbox::SandboxError::Config(_))
    ));
}

/// A payment of 50 credits waiting for 3-D Secure.
async fn awaiting_3ds(t: &TestSandbox, save: bool) -> (Value, String) {
    let payment = t.create_payment(json!(50)).await;
    let method = t.card("4000002760003184").await;
    let pending = t
        .confirm(&payment["id"], &method, save, &key())
        .await
        .result();
    assert_eq!(pending["status"], "requires_action");
    (pending, method)
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn three_d_secure_approved_in_the_hosted_page() {
    let t = spawn().await;
    t.freeze().await;
    let before = t.credits().await;
    let (pending, method) = awaiting_3ds(&t, true).await;
    let url = pending["nextAction"]["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&t.sandbox.payments_url()));
    let page = t
        .client
        .get(format!("{url}?parent=tauri%3A%2F%2Flocalhost"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(header(&page, "content-security-policy").contains("form-action 'self'"));
    // Under `no-referrer` a browser posts the buttons' forms with `Origin: null`, refused below.
    assert_eq!(header(&page, "referrer-policy"), "same-origin");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("50.00 USD") && html.contains("Visa •••• 3184"),
        "{html}"
    );
    let id = pending["id"].as_str().unwrap();
    assert!(
        html.contains(&format!(
            "action=\"/3ds/{id}/approve?parent=tauri%3A%2F%2Flocalhost\""
        )),
        "{html}"
    );
    assert_eq!(t.credits().await, before, "nothing granted while waiting");

    for origin in ["https://evil.example", "null"] {
        let foreign = no_redirects()
            .post(format!("{url}/approve"))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN, "{origin}");
    }

    let approved = no_redirects()
        .post(format!("{url}/approve?parent=tauri%3A%2F%2Flocalhost"))
        .header("origin", t.sandbox.payments_url())
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        header(&approved, "location"),
        format!("/3ds/{id}?parent=tauri%3A%2F%2Flocalhost")
    );
    // Following the redirect, the page tells the parent how it ended.
    let done = t
        .client
        .get(format!("{url}?parent=tauri%3A%2F%2Flocalhost"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("data-status=\"succeeded\""), "{done}");
    assert!(done.contains(&format!("data-payment-id=\"{id}\"")));
    assert!(
        done.contains("data-targets=\"[&quot;tauri://localhost&quot;]\""),
        "{done}"
    );
    assert!(done.contains("/assets/three-ds.js"));

    let payment = t
        .call("api/finance/get_payment", json!({"paymentId": id}))
        .await
        .result();
    assert_eq!(payment["status"], "succeeded");
    assert_eq!(payment["nextAction"], Value::Null);
    assert_eq!(t.credits().await, before + dec("50"));
    // A second click changes nothing.
    let twice = t
        .client
        .post(format!("{url}/approve"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        twice.status(),
        StatusCode::OK,
        "redirected to the finished page"
    );
    assert_eq!(t.credits().await, before + dec("50"));
    let saved = t
        .call("api/finance/list_payment_methods", json!({}))
        .await
        .result();
    assert_eq!(
        saved["paymentMethods"][0]["id"], method,
        "saved once it succeeded"
    );
}

#[tokio::test]
async fn three_d_secure_denied_then_paid_through_control() {
    let t = spawn().await;
    t.freeze().await;
    let before = t.credits().await;
    let (pending, _) = awaiting_3ds(&t, true).await;
    let url = pending["nextAction"]["url"].as_str().unwrap();
    let denied = t.client.post(format!("{url}/deny")).send().await.unwrap();
    assert_eq!(denied.status(), StatusCode::OK);
    let html = denied.text().await.unwrap();
    assert!(html.contains("data-status=\"failed\""), "{html}");
    assert!(
        html.contains("tauri.localhost"),
        "without a parent, every allowed origin is a target"
    );
    let payment = t
        .call(
            "api/finance/get_payment",
            json!({"paymentId": pending["id"]}),
        )
        .await
        .result();
    assert_eq!(payment["failureCode"], "authentication_failed");
    assert_eq!(t.credits().await, before);
    let saved = t
        .call("api/finance/list_payment_methods", json!({}))
        .await
        .result();
    assert_eq!(
        saved["paymentMethods"],
        json!([]),
        "a failed payment saves nothing"
    );

    let (pending, _) = awaiting_3ds(&t, false).await;
    let approved = t
        .control(
            "complete_3ds",
            json!({"paymentId": pending["id"], "approve": true}),
        )
        .await
        .result();
    assert_eq!(approved["status"], "succeeded");
    assert_eq!(t.credits().await, before + dec("50"));
    t.control(
        "complete_3ds",
        json!({"paymentId": pending["id"], "approve": true}),
    )
    .await
    .assert_error(409, "INVALID_PAYMENT_STATE");
    t.control(
        "complete_3ds",
        json!({"paymentId": "pay_nope", "approve": false}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    t.control("complete_3ds", json!({"paymentId": pending["id"]}))
        .await
        .assert_error(400, "MISSING_PARAMETER");
    assert_eq!(t.credits().await, before + dec("50"));
}

#[tokio::test]
async fn three_d_secure_pages_refuse_bad_parents_and_unknown_payments() {
    let t = spawn().await;
    let (pending, _) = awaiting_3ds(&t, false).await;
    let url = pending["nextAction"]["url"].as_str().unwrap();
    let bad = t
        .client
        .get(format!("{url}?parent=https%3A%2F%2Fevil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        get(&t, "/3ds/pay_nope").await.status(),
        StatusCode::NOT_FOUND
    );
    let unknown = t
        .client
        .post(format!("{}/3ds/pay_nope/approve", t.sandbox.payments_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let odd = t.client.post(format!("{url}/maybe")).send().await.unwrap();
    assert_eq!(odd.status(), StatusCode::NOT_FOUND);
    let canceled = t
        .call(
            "api/finance/cancel_payment",
            json!({"paymentId": pending["id"], "idempotencyKey": key()}),
        )
        .await
        .result();
    assert_eq!(canceled["status"], "canceled");
    let after = t
        .client
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(after.contains("data-status=\"canceled\""), "{after}");
}
