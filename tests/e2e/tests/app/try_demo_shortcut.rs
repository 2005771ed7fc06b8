//! The global shortcut follows the move into and out of the demo, whose settings are its own:
//! in the demo the user's key (pressed on the X server with `xdotool`) no longer opens the
//! popover, and once the app is back on the user's platform it does again.
//!
//! Whether the key is free on the X server itself is not checked: `global-hotkey` 0.8 queues
//! an X11 ungrab without flushing it, so the grab lingers until the app's next X request.

use std::time::Duration;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::sandbox::Profile;
use lattica_e2e::{Result, eventually};
use thirtyfour::prelude::*;

use crate::cli::visible_window;
use crate::payments::{click, click_closing};
use crate::shortcut::{press as press_keys, saved_shortcut};
use crate::signin::switch_to_window;
use crate::support::{WAIT, label_becomes, steady_sandbox_on};
use crate::try_demo::{demo_balance, press};

async fn popover_shown(shown: bool, within: Duration) -> Result<()> {
    let what = if shown { "shown" } else { "hidden" };
    eventually(&format!("the popover {what}"), within, || async {
        Ok((visible_window("^Lattica$")? == shown).then_some(()))
    })
    .await
}

/// Hides the popover the way the user does, with Escape in it.
async fn escape_popover(driver: &WebDriver) -> Result<()> {
    switch_to_window(driver, "Lattica balance").await?;
    driver
        .active_element()
        .await?
        .send_keys(Key::Escape)
        .await?;
    popover_shown(false, WAIT).await
}

#[tokio::test]
async fn the_users_shortcut_is_released_in_the_demo_and_taken_back_after() -> Result<()> {
    let sandbox = steady_sandbox_on(Profile::Published, "500").await?;
    let env = AppEnv::new(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "500 cr").await?;
    let driver = app.driver()?;

    // The user's shortcut, saved in Settings.
    tray.click("Settings…")?;
    switch_to_window(driver, "Lattica Tray settings").await?;
    let field = driver.find(By::Id("shortcut")).await?;
    field.clear().await?;
    field.send_keys("ctrl+alt+k").await?;
    press(driver, "save", false).await?;
    eventually("the shortcut saved", WAIT, || async {
        Ok((saved_shortcut(&env)?.as_deref() == Some("Ctrl+Alt+K")).then_some(()))
    })
    .await?;

    // Into the demo (Settings, "Use another token…", "Try the demo account"): its settings
    // have no shortcut, so the user's key does nothing there.
    press(driver, "switch-account", false).await?;
    switch_to_window(driver, "Sign in to Lattica").await?;
    click_closing(driver, "try-demo").await?;
    demo_balance(&tray).await?;
    popover_shown(true, WAIT).await?;
    escape_popover(driver).await?;
    press_keys("ctrl+alt+k")?;
    // Shown within a second when registered (below); here it must not show.
    let shown = popover_shown(true, Duration::from_secs(2)).await;
    assert!(
        shown.is_err(),
        "the user's shortcut still works in the demo"
    );

    // Out of the demo from its popover: the user's key opens the popover again.
    tray.click("Open")?;
    switch_to_window(driver, "Lattica balance").await?;
    click(driver, "leave-demo").await?;
    label_becomes(&tray, "500 cr").await?;
    popover_shown(false, WAIT).await?;
    press_keys("ctrl+alt+k")?;
    popover_shown(true, WAIT).await?;
    assert_eq!(saved_shortcut(&env)?.as_deref(), Some("Ctrl+Alt+K"));
    app.quit(&tray).await?;
    Ok(())
}
