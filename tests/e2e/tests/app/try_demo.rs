//! "Try the demo account" on the sign-in window of an app signed out on the published
//! platform: the app moves to the demo (its own sandbox process, token and figures), labelled
//! as the demo in the tray and the popover, without touching the published platform's
//! keychain entry; leaving the demo stops its sandbox and returns to the sign-in window.

use lattica_core::view::DEMO_LABEL;
use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::process::descendant_named;
use lattica_e2e::sandbox::Profile;
use lattica_e2e::{Result, artifacts_dir, desktop, eventually};
use thirtyfour::prelude::*;

use crate::popover::text_of;
use crate::signin::switch_to_window;
use crate::support::{WAIT, label_becomes, menu_row, painted, steady_sandbox_on};

#[tokio::test]
async fn the_demo_is_reached_from_the_sign_in_window_and_left_back_to_it() -> Result<()> {
    let sandbox = steady_sandbox_on(Profile::Published, "500").await?;
    let env = AppEnv::new(&sandbox.url)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "signed out").await?;
    let app_pid = tray.pid()?;
    assert_eq!(
        descendant_named(app_pid, "lattica-sandbox"),
        None,
        "signed out on a real platform, no demo runs"
    );
    let driver = app.driver()?;
    switch_to_window(driver, "Sign in to Lattica").await?;
    let offer = text_of(driver, "demo-hint").await?;
    assert!(offer.contains("test cards only, no real money"), "{offer}");
    driver.find(By::Id("try-demo")).await?.click().await?;

    // The demo account's balance in the tray, labelled as the demo in its status row.
    let label = eventually("the demo account's balance in the tray", WAIT, || async {
        let label = tray.label()?;
        Ok(label.ends_with(" cr").then_some(label))
    })
    .await?;
    assert_ne!(
        label, "500 cr",
        "the demo's figures, not the published platform's"
    );
    let rows = menu_row(&tray, "the demo label in the tray menu", |row| {
        row.starts_with(DEMO_LABEL)
    })
    .await?;
    assert!(rows.iter().any(|r| r.starts_with("Balance: ")), "{rows:?}");
    assert!(
        descendant_named(app_pid, "lattica-sandbox").is_some(),
        "the demo's sandbox runs beside the app"
    );

    // The popover shows the demo's balance under the demo label.
    switch_to_window(driver, "Lattica balance").await?;
    let demo_label = text_of(driver, "demo-label").await?;
    assert_eq!(demo_label, DEMO_LABEL);
    let balance = text_of(driver, "balance").await?;
    assert!(
        balance.chars().next().is_some_and(|c| c.is_ascii_digit()),
        "{balance}"
    );
    std::fs::write(artifacts_dir().join("popover-demo.png"), {
        painted(driver).await?;
        desktop::window_png("Lattica")?
    })?;
    let keychain = desktop::keychain_search("ai.lattica.tray")?;
    assert!(
        !keychain.contains(&sandbox.url),
        "the published platform's entry stays absent: {keychain}"
    );

    // Leaving the demo: back to the sign-in window of the published platform.
    driver.find(By::Id("leave-demo")).await?.click().await?;
    label_becomes(&tray, "signed out").await?;
    switch_to_window(driver, "Sign in to Lattica").await?;
    let hint = text_of(driver, "token-hint").await?;
    assert!(
        hint.contains(&sandbox.url),
        "checked with the published platform: {hint}"
    );
    eventually("the demo's sandbox to stop", WAIT, || async {
        Ok(descendant_named(app_pid, "lattica-sandbox")
            .is_none()
            .then_some(()))
    })
    .await?;
    let rows: Vec<String> = tray.menu()?.into_iter().map(|e| e.label).collect();
    assert!(
        !rows.iter().any(|r| r.contains(DEMO_LABEL)),
        "no demo label once left: {rows:?}"
    );
    assert!(
        !desktop::keychain_search("ai.lattica.tray")?.contains(&sandbox.url),
        "still nothing stored for the published platform"
    );
    app.quit(&tray).await?;
    Ok(())
}
