//! The global shortcut: set in the real settings window (a malformed one explained and not
//! saved), then pressed on the X server with `xdotool`, it shows the popover and hides it.

use std::process::Command;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::{Result, ensure, eventually};
use thirtyfour::prelude::*;

use crate::cli::visible_window;
use crate::popover::text_of;
use crate::signin::switch_to_window;
use crate::support::{WAIT, label_becomes, steady_sandbox};

/// Presses `keys` (xdotool's spelling, `ctrl+alt+l`) as the keyboard would, through XTEST.
fn press(keys: &str) -> Result<()> {
    let status = Command::new("xdotool").args(["key", keys]).status()?;
    ensure!(status.success(), "xdotool key {keys} failed");
    Ok(())
}

async fn popover_shown(shown: bool) -> Result<()> {
    let what = if shown { "shown" } else { "hidden" };
    eventually(&format!("the popover {what}"), WAIT, || async {
        Ok((visible_window("^Lattica$")? == shown).then_some(()))
    })
    .await
}

#[tokio::test]
async fn the_shortcut_set_in_settings_toggles_the_popover() -> Result<()> {
    let sandbox = steady_sandbox("300").await?;
    let env = AppEnv::new(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "300 cr").await?;
    tray.click("Settings…")?;
    let driver = app.driver()?;
    switch_to_window(driver, "Lattica Tray settings").await?;
    let settings_file = env.root().join("config/ai.lattica.tray/settings.json");
    let saved_shortcut = || -> Result<Option<String>> {
        let Ok(text) = std::fs::read_to_string(&settings_file) else {
            return Ok(None);
        };
        let saved: serde_json::Value = serde_json::from_str(&text)?;
        Ok(saved["shortcut"].as_str().map(str::to_owned))
    };

    // Off by default: the field is empty and the key does nothing.
    let field = driver.find(By::Id("shortcut")).await?;
    assert_eq!(field.value().await?.unwrap_or_default(), "");

    field.send_keys("Ctrl+").await?;
    driver.find(By::Id("save")).await?.click().await?;
    let error = text_of(driver, "shortcut-error").await?;
    assert!(error.contains("“Ctrl+” has no key"), "{error}");
    assert_eq!(saved_shortcut()?, None, "nothing saved");

    field.clear().await?;
    field.send_keys("ctrl+alt+l").await?;
    driver.find(By::Id("save")).await?.click().await?;
    eventually("the shortcut saved", WAIT, || async {
        Ok((saved_shortcut()?.as_deref() == Some("Ctrl+Alt+L")).then_some(()))
    })
    .await?;
    assert_eq!(
        driver.find(By::Id("shortcut-error")).await?.text().await?,
        "",
        "the desktop took it"
    );
    assert!(!visible_window("^Lattica$")?, "no popover yet");

    press("ctrl+alt+l")?;
    popover_shown(true).await?;
    press("ctrl+alt+l")?;
    popover_shown(false).await?;

    // Cleared, the key is given back: pressing it shows nothing.
    switch_to_window(driver, "Lattica Tray settings").await?;
    let field = driver.find(By::Id("shortcut")).await?;
    field.clear().await?;
    driver.find(By::Id("save")).await?.click().await?;
    eventually("the shortcut cleared", WAIT, || async {
        Ok(saved_shortcut()?.is_none().then_some(()))
    })
    .await?;
    press("ctrl+alt+l")?;
    // Shown within a second when grabbed (above); a released key shows nothing.
    let shown = eventually("the popover", std::time::Duration::from_secs(2), || async {
        Ok(visible_window("^Lattica$")?.then_some(()))
    })
    .await;
    assert!(
        shown.is_err(),
        "the cleared shortcut still opens the popover"
    );
    app.quit(&tray).await
}
