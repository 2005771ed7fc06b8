//! Alerts as desktop notifications, read back from a real notification daemon (dunst): one per
//! downward crossing, none repeated across a restart, re-armed by a top-up (which is told as
//! credits added), token expiry, and the "Add credit" action.

use std::time::Duration;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::desktop::{Notification, NotificationWatch};
use lattica_e2e::{Result, eventually};
use serde_json::json;

use lattica_e2e::sandbox::Profile;

use crate::support::{WAIT, label_becomes, steady_sandbox, steady_sandbox_on};

/// Waits until the notifications since `watch` number `count`, and returns them.
async fn notifications(watch: &NotificationWatch, count: usize) -> Result<Vec<Notification>> {
    eventually(&format!("{count} notifications"), WAIT, || async {
        let seen = watch.new_since()?;
        Ok((seen.len() >= count).then_some(seen))
    })
    .await
}

fn summaries(seen: &[Notification]) -> Vec<&str> {
    seen.iter().map(|n| n.summary.as_str()).collect()
}

fn fast_env(url: &str) -> Result<AppEnv> {
    Ok(AppEnv::new(url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "1"))
}

#[tokio::test]
async fn a_falling_balance_alerts_once_per_level_and_a_restart_repeats_nothing() -> Result<()> {
    // No worker runs, so hours are estimated for one default worker (1.2 credits/h) against the
    // default thresholds: low below 24 h (28.8 credits), critical below 3 h (3.6 credits).
    let sandbox = steady_sandbox("100").await?;
    let env = fast_env(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let watch = NotificationWatch::start()?;
    let (app, tray) = App::launch(&env, &[]).await?;
    label_becomes(&tray, "100 cr").await?;

    sandbox.set_balance("20").await?;
    let seen = notifications(&watch, 1).await?;
    assert_eq!(summaries(&seen), ["Lattica credits low"]);
    assert!(seen[0].body.contains("20 credits left"), "{:?}", seen[0]);
    assert!(seen[0].body.contains("about 16 h"), "{:?}", seen[0]);

    sandbox.set_balance("2.5").await?;
    let seen = notifications(&watch, 2).await?;
    assert_eq!(summaries(&seen)[1], "Lattica credits critically low");
    assert!(seen[1].body.contains("2.5 credits left"), "{:?}", seen[1]);

    sandbox.set_balance("0").await?;
    let seen = notifications(&watch, 3).await?;
    assert_eq!(summaries(&seen)[2], "Lattica credits empty");
    assert!(
        seen[2].body.contains("all workers stopped"),
        "{:?}",
        seen[2]
    );

    // Several more readings at zero: nothing new.
    app.wait_for_refreshes(3).await?;
    assert_eq!(watch.new_since()?.len(), 3, "{:?}", watch.new_since()?);

    // A restart replays nothing, though the account is still empty.
    app.quit(&tray).await?;
    let (app, tray) = App::launch(&env, &[]).await?;
    label_becomes(&tray, "0 cr").await?;
    app.wait_for_refreshes(3).await?;
    assert_eq!(watch.new_since()?.len(), 3, "{:?}", watch.new_since()?);

    // A top-up re-arms: the next fall alerts again, once the policy's one-minute gap between
    // two alerts of the same kind has passed since the first "low".
    // The top-up itself is told, once, with its figures.
    sandbox.set_balance("100").await?;
    label_becomes(&tray, "100 cr").await?;
    let seen = notifications(&watch, 4).await?;
    assert_eq!(summaries(&seen)[3], "Credits added: +100 credits");
    assert_eq!(seen[3].body, "Balance now 100 credits");
    sandbox.set_balance("20").await?;
    let seen = eventually(
        "the re-armed low alert",
        Duration::from_secs(90),
        || async {
            let seen = watch.new_since()?;
            Ok((seen.len() >= 5).then_some(seen))
        },
    )
    .await?;
    assert_eq!(summaries(&seen)[4], "Lattica credits low");
    assert_eq!(seen.len(), 5, "{seen:?}");
    app.quit(&tray).await
}

#[tokio::test]
async fn on_the_published_platform_levels_follow_list_prices_and_a_top_up_is_told() -> Result<()> {
    // No prices there and no worker running: one G7E_2XLARGE (the public clients' default) at
    // its assumed list price of 4.8 credits/h. 500 credits: 104 h, fine.
    let sandbox = steady_sandbox_on(Profile::Published, "500").await?;
    let env = fast_env(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let watch = NotificationWatch::start()?;
    let (app, tray) = App::launch(&env, &[]).await?;
    label_becomes(&tray, "500 cr").await?;

    sandbox.set_balance("100").await?; // 20.8 h: below the 24 h default
    let seen = notifications(&watch, 1).await?;
    assert_eq!(summaries(&seen), ["Lattica credits low"]);
    assert!(seen[0].body.contains("100 credits left"), "{:?}", seen[0]);
    assert!(seen[0].body.contains("about 20 h"), "{:?}", seen[0]);
    sandbox.set_balance("10").await?; // 2 h: below the 3 h default
    let seen = notifications(&watch, 2).await?;
    assert_eq!(summaries(&seen)[1], "Lattica credits critically low");
    sandbox.set_balance("0").await?;
    let seen = notifications(&watch, 3).await?;
    assert_eq!(summaries(&seen)[2], "Lattica credits empty");

    sandbox.set_balance("200").await?;
    let seen = notifications(&watch, 4).await?;
    assert_eq!(summaries(&seen)[3], "Credits added: +200 credits");
    assert_eq!(seen[3].body, "Balance now 200 credits");
    app.wait_for_refreshes(3).await?;
    assert_eq!(watch.new_since()?.len(), 4, "{:?}", watch.new_since()?);
    app.quit(&tray).await
}

#[tokio::test]
async fn a_token_expiring_within_a_week_alerts_once() -> Result<()> {
    let sandbox = steady_sandbox("500").await?;
    sandbox
        .control("set_token_expiry", json!({ "inSeconds": 5 * 24 * 3600 }))
        .await?;
    let env = fast_env(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let watch = NotificationWatch::start()?;
    let (app, tray) = App::launch(&env, &[]).await?;
    label_becomes(&tray, "500 cr").await?;
    let seen = notifications(&watch, 1).await?;
    assert!(
        seen[0].summary.contains("session token expires"),
        "{seen:?}"
    );
    app.wait_for_refreshes(3).await?;
    assert_eq!(watch.new_since()?.len(), 1, "{:?}", watch.new_since()?);
    app.quit(&tray).await
}

#[tokio::test]
async fn the_add_credit_action_opens_the_wizard() -> Result<()> {
    let sandbox = steady_sandbox("2").await?; // critical at start: notified at once
    let env = fast_env(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let watch = NotificationWatch::start()?;
    let (app, tray) = App::launch(&env, &[]).await?;
    eventually("the critical notification on screen", WAIT, || async {
        let out = std::process::Command::new("dunstctl")
            .args(["count", "displayed"])
            .output()?;
        Ok((String::from_utf8_lossy(&out.stdout).trim() != "0").then_some(()))
    })
    .await?;
    // Pick "Add credit" from the notification's menu, as a user does.
    let runtime = std::env::var("XDG_RUNTIME_DIR")?;
    std::fs::write(format!("{runtime}/dunst-pick"), "Add credit")?;
    let out = std::process::Command::new("dunstctl")
        .arg("context")
        .output()?;
    assert!(out.status.success(), "{out:?}");
    eventually("the wizard window", WAIT, || async {
        let out = std::process::Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", "^Add credit$"])
            .output()?;
        Ok((!out.stdout.is_empty()).then_some(()))
    })
    .await?;
    assert!(summaries(&watch.new_since()?).contains(&"Lattica credits critically low"));
    app.quit(&tray).await
}
