//! The app on the platform as Lattica publishes it (the sandbox's `--published-only` profile:
//! no pricing, no payments API): the estimate at list prices and then at the observed usage,
//! "Add credit" in the web console, credit added elsewhere told once, and one log line about
//! the absent pricing endpoint.

use std::path::Path;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use lattica_core::history::{History, MIN_BURN_SPAN, Sample};
use lattica_core::settings::DEFAULT_CONSOLE_URL;
use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::desktop::NotificationWatch;
use lattica_e2e::sandbox::Sandbox;
use lattica_e2e::{Result, eventually, require_session};
use rust_decimal::Decimal;
use serde_json::json;

use crate::popover::text_becomes;
use crate::support::{WAIT, menu_row};

/// A stand-in for the desktop's opener (`xdg-open`) that writes down what it was asked to open.
fn recording_opener(dir: &Path) -> Result<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let record = dir.join("opened.txt");
    let script = dir.join("xdg-open");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            record.display()
        ),
    )?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    Ok(record)
}

fn pricing_absence_lines(log: &str) -> usize {
    log.lines()
        .filter(|l| l.contains("does not offer") && l.contains("get_pricing"))
        .count()
}

#[tokio::test]
async fn the_estimate_is_at_list_prices_first_then_at_the_observed_usage() -> Result<()> {
    require_session()?;
    let sandbox = Sandbox::spawn_published()?;
    let env = AppEnv::new(&sandbox.url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "1");
    env.login(&sandbox.token)?;
    // The seeded account runs one worker. The local history already holds that worker's burn
    // for a little less than the trusted span, as if the app had watched it until just now.
    let balance = sandbox.credits().await?;
    let history_path = env.root().join("data/ai.lattica.tray/history.sqlite3");
    std::fs::create_dir_all(history_path.parent().unwrap())?;
    let seeded = History::open(&history_path)?.history;
    let now = Utc::now();
    let first = MIN_BURN_SPAN - TimeDelta::seconds(45);
    for seconds_ago in (30..=first.num_seconds()).rev().step_by(60) {
        // 1.2 credits an hour before now, falling towards the balance the sandbox has.
        let credits = balance + Decimal::new(12 * seconds_ago, 1) / Decimal::from(3600);
        seeded.record(&Sample {
            at: now - TimeDelta::seconds(seconds_ago),
            credits,
            running_workers: 1,
        })?;
    }
    drop(seeded);

    let (app, tray) = App::with_webdriver(&env).await?;
    tray.click("Open")?;
    let driver = app.driver()?;
    text_becomes(driver, "estimate-basis", "at list prices").await?;
    let estimate = crate::popover::text_of(driver, "estimate").await?;
    assert!(estimate.starts_with("about"), "{estimate}");
    let status = env.cli(&["status", "--json"], None)?;
    let report: serde_json::Value = serde_json::from_slice(&status.stdout)?;
    assert!(
        report["estimate"].as_str().unwrap().starts_with("about"),
        "{report}"
    );
    assert!(report["estimateBasis"].is_string(), "{report}");

    // Once the history covers the trusted span, the observed usage takes over.
    eventually(
        "the estimate at the observed usage",
        Duration::from_secs(60),
        || async {
            let basis = crate::popover::text_of(driver, "estimate-basis").await?;
            Ok((basis == "at your observed usage").then_some(()))
        },
    )
    .await?;
    let note = crate::popover::text_of(driver, "estimate-note").await?;
    assert!(note.contains("how fast the balance fell"), "{note}");
    app.wait_for_refreshes(3).await?;
    let log = app.log_text();
    assert_eq!(pricing_absence_lines(&log), 1, "{log}");
    assert!(!log.contains("could not fetch pricing"), "{log}");
    app.quit(&tray).await
}

#[tokio::test]
async fn add_credit_opens_the_web_console_and_the_credit_is_told_once() -> Result<()> {
    require_session()?;
    let sandbox = Sandbox::spawn_published()?;
    let bin = tempfile::tempdir()?;
    let opened = recording_opener(bin.path())?;
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The default refresh (a minute): the credit is seen within seconds only because the app
    // watches for it after sending the user to the console.
    let env = AppEnv::new(&sandbox.url)?.with_var("PATH", &path);
    env.login(&sandbox.token)?;
    let watch = NotificationWatch::start()?;
    let (app, tray) = App::launch(&env, &[]).await?;
    let rows = menu_row(&tray, "the web console entry", |row| {
        row == "Add credit in the web console…"
    })
    .await?;
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Last payment:") && !r.ends_with("none")),
        "{rows:?}"
    );
    assert!(!rows.iter().any(|r| r == "Add credit…"), "{rows:?}");
    tray.click("Add credit in the web console…")?;
    let url = eventually("the opener's call", WAIT, || async {
        Ok(std::fs::read_to_string(&opened)
            .ok()
            .filter(|t| !t.is_empty()))
    })
    .await?;
    assert_eq!(url.trim(), DEFAULT_CONSOLE_URL);

    // The user pays in the console: a payment of 50 credits lands.
    sandbox
        .control(
            "record_payment",
            json!({ "credits": 50, "amountMinor": 5000, "currency": "usd" }),
        )
        .await?;
    let seen = eventually("the credits-added notification", WAIT, || async {
        let seen = watch.new_since()?;
        Ok((!seen.is_empty()).then_some(seen))
    })
    .await?;
    assert_eq!(seen[0].summary, "Credits added: +50 credits", "{seen:?}");
    let balance = sandbox.credits().await?;
    assert!(seen[0].body.starts_with("Balance now "), "{seen:?}");
    let told: Decimal = seen[0].body["Balance now ".len()..]
        .trim_end_matches(" credits")
        .parse()?;
    // Cut to two decimals, and read a moment before the sandbox's balance here.
    assert!(
        (told - balance).abs() < Decimal::ONE,
        "{told} against {balance}"
    );
    // The credit arrived: the app is back to its minute, so refreshes are asked for.
    for _ in 0..2 {
        app.refresh_now(&tray).await?;
    }
    assert_eq!(watch.new_since()?.len(), 1, "{:?}", watch.new_since()?);
    // Nothing was asked of an endpoint of ours more than once an hour.
    assert_eq!(pricing_absence_lines(&app.log_text()), 1);
    app.quit(&tray).await
}
