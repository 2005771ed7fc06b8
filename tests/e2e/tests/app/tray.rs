//! The tray at a glance: label, icon and menu rows, read over D-Bus, against the sandbox.

use lattica_core::format;
use lattica_e2e::Result;
use rust_decimal::Decimal;
use serde_json::json;

use lattica_e2e::sandbox::Profile;

use crate::support::{
    icon_becomes, label_becomes, menu_row, signed_in_app, steady_sandbox, steady_sandbox_on,
};

#[tokio::test]
async fn label_icon_and_menu_rows_follow_the_sandbox() -> Result<()> {
    // 1,234.56 credits for one default worker at the platform's 1.2 credits/h: 1,028.8 h.
    label_icon_and_menu_rows(Profile::Full, "about 42 d 20 h").await
}

#[tokio::test]
async fn label_icon_and_menu_rows_follow_the_published_platform() -> Result<()> {
    // The published platform has no prices: one G7E_2XLARGE (the public clients' default) at
    // its assumed list price, 4.8 credits/h: 257.2 h.
    label_icon_and_menu_rows(Profile::Published, "about 10 d 17 h").await
}

async fn label_icon_and_menu_rows(profile: Profile, idle_estimate: &str) -> Result<()> {
    let sandbox = steady_sandbox_on(profile, "1234.56").await?;
    let (_env, app, tray) = signed_in_app(&sandbox).await?;

    label_becomes(&tray, "1.2k cr").await?;
    icon_becomes(&tray, "ok").await?;
    let rows = menu_row(&tray, "the balance row", |r| {
        r == "Balance: 1,234.56 credits"
    })
    .await?;
    let idle_row = format!("Estimated usage time: {idle_estimate} for 1 worker (none running)");
    assert!(rows.contains(&idle_row), "{rows:?}");
    let payments = sandbox
        .api("api/finance/get_transaction_history", json!({}))
        .await?;
    let last = &payments["payments"][0];
    let paid = format::money(
        last["amount"].as_i64().unwrap(),
        last["currency"].as_str().unwrap(),
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Last payment:") && r.contains(&paid)),
        "no last payment row with {paid}: {rows:?}"
    );
    for entry in [
        "Open",
        profile.add_credit(),
        "Refresh now",
        "Settings…",
        "Sign out",
        "Quit",
    ] {
        assert!(rows.iter().any(|r| r == entry), "no {entry:?} in {rows:?}");
    }

    // Four parallel workers of the expensive type: 1,234.56 / (4 × 4.8) h ≈ 2 d 16 h (its
    // platform price and its list price agree).
    let models = sandbox.api("api/model/list_models", json!({})).await?;
    let model = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["instanceTypeId"] == "G7E_2XLARGE")
        .unwrap()["modelId"]
        .clone();
    for _ in 0..4 {
        sandbox
            .control("start_worker", json!({ "modelId": model }))
            .await?;
    }
    tray.click("Refresh now")?;
    menu_row(&tray, "the 4-worker estimate", |r| {
        r == "Estimated usage time: about 2 d 16 h"
    })
    .await?;

    // Low, critical and empty each change the label and the icon's shape.
    sandbox
        .control("stop_worker", json!({ "all": true }))
        .await?;
    sandbox.set_balance("20").await?; // 16 h or 4 h for one worker: below the 24 h default
    tray.click("Refresh now")?;
    icon_becomes(&tray, "low").await?;
    label_becomes(&tray, "20 cr").await?;
    sandbox.set_balance("2").await?;
    tray.click("Refresh now")?;
    icon_becomes(&tray, "critical").await?;
    sandbox.set_balance("0").await?;
    tray.click("Refresh now")?;
    icon_becomes(&tray, "empty").await?;
    label_becomes(&tray, "0 cr").await?;

    app.quit(&tray).await
}

#[tokio::test]
async fn stale_while_the_server_is_down_then_recovers() -> Result<()> {
    let mut sandbox = steady_sandbox("321.5").await?;
    let (_env, app, tray) = signed_in_app(&sandbox).await?;
    label_becomes(&tray, "321 cr").await?;

    sandbox.stop()?;
    tray.click("Refresh now")?;
    icon_becomes(&tray, "stale").await?;
    // The last figures stay, marked with their age.
    let rows = menu_row(&tray, "a stale balance row", |r| {
        r.starts_with("Balance: 321.50 credits (as of")
    })
    .await?;
    assert_eq!(tray.label()?, "321 cr", "{rows:?}");

    sandbox.restart()?;
    tray.click("Refresh now")?;
    icon_becomes(&tray, "ok").await?;
    menu_row(&tray, "a fresh balance row", |r| {
        r == "Balance: 321.50 credits"
    })
    .await?;
    app.quit(&tray).await
}

#[tokio::test]
async fn an_expired_token_signs_the_app_out() -> Result<()> {
    let sandbox = steady_sandbox("100").await?;
    let (_env, app, tray) = signed_in_app(&sandbox).await?;
    label_becomes(&tray, "100 cr").await?;

    sandbox.control("expire_token", json!({})).await?;
    tray.click("Refresh now")?;
    icon_becomes(&tray, "signed-out").await?;
    label_becomes(&tray, "signed out").await?;
    let rows = menu_row(&tray, "a Sign in entry", |r| r == "Sign in…").await?;
    assert!(
        rows.iter().any(|r| r.to_lowercase().contains("expired")),
        "{rows:?}"
    );
    assert!(
        !rows.iter().any(|r| r.contains("100.00")),
        "figures cleared: {rows:?}"
    );
    app.quit(&tray).await
}

#[tokio::test]
async fn status_json_agrees_with_the_sandbox() -> Result<()> {
    let sandbox = steady_sandbox("77.25").await?;
    let env = lattica_e2e::app::AppEnv::new(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let out = env.cli(&["status", "--json"], None)?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let balance: Decimal = status["balance"].to_string().trim_matches('"').parse()?;
    assert_eq!(balance, sandbox.credits().await?, "{status}");
    let info = sandbox
        .api("api/account/get_account_info", json!({}))
        .await?;
    assert_eq!(
        status["tokenExpiresAt"].as_str().map(|s| &s[..16]),
        info["authExpDate"].as_str().map(|s| &s[..16]),
        "{status}"
    );
    let history = sandbox
        .api("api/finance/get_transaction_history", json!({}))
        .await?;
    let last = &history["payments"][0];
    assert_eq!(
        status["lastPayment"]["amountMinor"], last["amount"],
        "{status}"
    );
    assert_eq!(status["lastPayment"]["at"], last["createdAt"], "{status}");
    assert_eq!(status["stale"], false);
    assert_eq!(status["runningWorkers"], 0);
    Ok(())
}
