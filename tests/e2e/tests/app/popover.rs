//! The popover, opened from the tray menu over D-Bus and read through WebDriver.

use lattica_core::format;
use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::desktop;
use lattica_e2e::{Result, artifacts_dir, eventually};
use serde_json::json;
use thirtyfour::prelude::*;

use lattica_e2e::sandbox::Profile;

use crate::support::{WAIT, label_becomes, painted, steady_sandbox_on};

/// The text of `#id`, once it is non-empty.
pub async fn text_of(driver: &WebDriver, id: &str) -> Result<String> {
    eventually(&format!("#{id} to have text"), WAIT, || async {
        let text = driver.find(By::Id(id)).await?.text().await?;
        Ok((!text.trim().is_empty()).then_some(text))
    })
    .await
}

/// Waits until `#id` reads `expected`.
pub async fn text_becomes(driver: &WebDriver, id: &str, expected: &str) -> Result<()> {
    eventually(&format!("#{id} to read {expected:?}"), WAIT, || async {
        let text = driver.find(By::Id(id)).await?.text().await?;
        Ok((text.trim() == expected).then_some(()))
    })
    .await
}

/// Saves what the popover shows once it has painted it (animation frames run only while the
/// page is on screen, so this also waits for it to be shown).
async fn save_screenshot(driver: &WebDriver, name: &str) -> Result<()> {
    painted(driver).await?;
    let png = desktop::window_png("Lattica")?;
    std::fs::write(artifacts_dir().join(format!("popover-{name}.png")), png)?;
    Ok(())
}

#[tokio::test]
async fn popover_shows_the_same_figures_as_the_sandbox() -> Result<()> {
    popover_figures(Profile::Full, "at platform prices").await
}

#[tokio::test]
async fn popover_shows_the_same_figures_on_the_published_platform() -> Result<()> {
    popover_figures(Profile::Published, "at list prices").await
}

async fn popover_figures(profile: Profile, basis: &str) -> Result<()> {
    let save_screenshot = |driver: &WebDriver, name: &str| {
        let name = match profile {
            Profile::Full => name.to_owned(),
            other => format!("{name}-{}", other.name()),
        };
        let driver = driver.clone();
        async move { save_screenshot(&driver, &name).await }
    };
    let sandbox = steady_sandbox_on(profile, "1234.56").await?;
    let models = sandbox.api("api/model/list_models", json!({})).await?;
    let cheap = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["instanceTypeId"] == "G4DN_XLARGE")
        .unwrap()["modelId"]
        .clone();
    sandbox
        .control("start_worker", json!({ "modelId": cheap }))
        .await?;
    sandbox
        .control("set_time_scale", json!({ "timeScale": 0 }))
        .await?;
    sandbox.set_balance("1234.56").await?;

    let env = AppEnv::new(&sandbox.url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "2");
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "1.2k cr").await?;
    tray.click("Open")?;
    let driver = app.driver()?;

    text_becomes(driver, "balance", "1,234.56").await?;
    // 1,234.56 credits at 1.2 credits/h (the platform's price, and the assumed list price):
    // 1,028.8 h.
    let estimate = text_of(driver, "estimate").await?;
    assert!(estimate.contains("about 42 d 20 h"), "{estimate}");
    text_becomes(driver, "estimate-basis", basis).await?;
    text_becomes(driver, "add-credit", profile.add_credit()).await?;
    let workers = text_of(driver, "workers").await?;
    assert!(workers.contains("1 worker"), "{workers}");
    let note = text_of(driver, "estimate-note").await?;
    assert!(note.to_lowercase().contains("approximate"), "{note}");

    let history = sandbox
        .api("api/finance/get_transaction_history", json!({}))
        .await?;
    let last = &history["payments"][0];
    let paid = format::money(
        last["amount"].as_i64().unwrap(),
        last["currency"].as_str().unwrap(),
    );
    let last_payment = text_of(driver, "last-payment").await?;
    assert!(last_payment.contains(&paid), "{last_payment} lacks {paid}");
    let updated = text_of(driver, "updated").await?;
    assert!(updated.to_lowercase().contains("updated"), "{updated}");
    assert!(
        !driver
            .find(By::Id("stale-banner"))
            .await?
            .is_displayed()
            .await?
    );
    save_screenshot(driver, "normal").await?;

    // Low: the popover follows the refresh on its own.
    sandbox.set_balance("12.5").await?;
    tray.click("Refresh now")?;
    text_becomes(driver, "balance", "12.50").await?;
    save_screenshot(driver, "low").await?;

    // Stale: the server goes away; the banner says how old the figures are.
    let mut sandbox = sandbox;
    sandbox.stop()?;
    tray.click("Refresh now")?;
    let banner = eventually("the stale banner", WAIT, || async {
        let banner = driver.find(By::Id("stale-banner")).await?;
        Ok(if banner.is_displayed().await? {
            Some(banner.text().await?)
        } else {
            None
        })
    })
    .await?;
    assert!(
        banner.contains("ago") || banner.contains(" s"),
        "no age in {banner:?}"
    );
    text_becomes(driver, "balance", "12.50").await?;
    save_screenshot(driver, "stale").await?;

    sandbox.restart()?;
    sandbox.control("expire_token", json!({})).await?;
    tray.click("Refresh now")?;
    eventually("the signed-out view", WAIT, || async {
        Ok(driver
            .find(By::Id("signed-out"))
            .await?
            .is_displayed()
            .await?
            .then_some(()))
    })
    .await?;
    // The sign-in window took the focus, which hides the popover: open it again, as a user
    // would to look at it.
    tray.click("Open")?;
    save_screenshot(driver, "signed-out").await?;
    app.quit(&tray).await
}
