//! What the user controls: alert kinds switched off in the settings window, the test
//! notification read back from the notification daemon, and the notice about a local file set
//! aside at start, shown in the popover until dismissed.

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::desktop::NotificationWatch;
use lattica_e2e::tray::TrayItem;
use lattica_e2e::{Result, artifacts_dir, desktop, eventually};
use thirtyfour::prelude::*;

use crate::popover::text_of;
use crate::settings::form_filled;
use crate::signin::switch_to_window;
use crate::support::{WAIT, label_becomes, painted, steady_sandbox};

/// Whether `#id` is on screen (present and not hidden).
async fn displayed(driver: &WebDriver, id: &str) -> Result<bool> {
    Ok(driver.find(By::Id(id)).await?.is_displayed().await?)
}

#[tokio::test]
async fn with_low_switched_off_only_critical_notifies_and_the_test_notification_shows() -> Result<()>
{
    // No worker runs: one default worker's 1.2 credits/h against the default thresholds, low
    // below 24 h (28.8 credits) and critical below 3 h (3.6 credits).
    let sandbox = steady_sandbox("100").await?;
    let env = AppEnv::new(&sandbox.url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "1");
    env.login(&sandbox.token)?;
    let watch = NotificationWatch::start()?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "100 cr").await?;

    tray.click("Settings…")?;
    let driver = app.driver()?;
    switch_to_window(driver, "Lattica Tray settings").await?;
    form_filled(driver).await?;
    let low = driver.find(By::Id("alert-low")).await?;
    assert!(low.is_selected().await?, "every alert is on by default");
    low.click().await?;
    assert!(
        driver
            .find(By::Id("alert-critical"))
            .await?
            .is_selected()
            .await?
    );
    driver.find(By::Id("save")).await?.click().await?;
    let settings_file = env.root().join("config/ai.lattica.tray/settings.json");
    eventually("the choice saved", WAIT, || async {
        let Ok(text) = std::fs::read_to_string(&settings_file) else {
            return Ok(None);
        };
        let saved: serde_json::Value = serde_json::from_str(&text)?;
        Ok((saved["alerts"]["low"] == false && saved["alerts"]["critical"] == true).then_some(()))
    })
    .await?;

    // Scrolled to the top of the window first, as a user would: the sticky Save bar covers
    // the bottom of the form.
    let test = driver.find(By::Id("test-notification")).await?;
    test.scroll_into_view().await?;
    test.click().await?;
    let seen = eventually("the test notification", WAIT, || async {
        let seen = watch.new_since()?;
        Ok((!seen.is_empty()).then_some(seen))
    })
    .await?;
    assert_eq!(seen[0].summary, "Lattica Tray test notification");
    let status = text_of(driver, "test-status").await?;
    assert!(status.starts_with("Sent"), "{status}");
    painted(driver).await?;
    std::fs::write(
        artifacts_dir().join("settings-alerts.png"),
        desktop::window_png("Lattica Tray settings")?,
    )?;

    // A low crossing, confirmed over several readings: nothing is shown.
    sandbox.set_balance("20").await?;
    label_becomes(&tray, "20 cr").await?;
    app.wait_for_refreshes(3).await?;
    assert_eq!(watch.new_since()?.len(), 1, "{:?}", watch.new_since()?);

    // Critical is still on.
    sandbox.set_balance("2.5").await?;
    let seen = eventually("the critical alert", WAIT, || async {
        let seen = watch.new_since()?;
        Ok((seen.len() >= 2).then_some(seen))
    })
    .await?;
    assert_eq!(seen[1].summary, "Lattica credits critically low");
    assert_eq!(seen.len(), 2, "{seen:?}");
    app.quit(&tray).await
}

#[tokio::test]
async fn a_corrupt_settings_file_is_told_in_the_popover_once() -> Result<()> {
    let sandbox = steady_sandbox("42").await?;
    let env = AppEnv::new(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let dir = env.root().join("config/ai.lattica.tray");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("settings.json"), b"{ \"refreshIntervalSecs\": ")?;

    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "42 cr").await?;
    tray.click("Open")?;
    let driver = app.driver()?;
    let notice = text_of(driver, "notice-text").await?;
    assert!(
        notice.starts_with(
            "Your settings file could not be read, so the default settings are in use."
        ),
        "{notice}"
    );
    painted(driver).await?;
    std::fs::write(
        artifacts_dir().join("popover-notice.png"),
        desktop::window_png("Lattica")?,
    )?;
    let aside = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().contains("settings.json.corrupt-"))
        .expect("the old file set aside");
    assert!(notice.contains(&aside.display().to_string()), "{notice}");

    driver.find(By::Id("notice-dismiss")).await?.click().await?;
    assert!(!displayed(driver, "notice").await?);
    // Dismissed in the app, not only on the page: a fresh view still has no notice.
    app.refresh_now(&tray).await?;
    assert!(!displayed(driver, "notice").await?);
    app.quit(&tray).await?;
    eventually("the first app gone from the tray", WAIT, || async {
        let gone = TrayItem::registered()?
            .iter()
            .all(|item| item.service != tray.service);
        Ok(gone.then_some(()))
    })
    .await?;

    // The next start finds no damaged file (it was moved away): no notice.
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "42 cr").await?;
    tray.click("Open")?;
    let driver = app.driver()?;
    crate::popover::text_becomes(driver, "balance", "42.00").await?;
    assert!(!displayed(driver, "notice").await?);
    app.quit(&tray).await
}
