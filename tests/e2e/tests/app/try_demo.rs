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

use crate::payments::{click, click_closing, shown};
use crate::popover::text_of;
use crate::signin::switch_to_window;
use crate::support::{WAIT, label_becomes, menu_row, painted, steady_sandbox_on};

const SIGN_IN: &str = "Sign in to Lattica";
const POPOVER: &str = "Lattica balance";
const SETTINGS: &str = "Lattica Tray settings";
const WIZARD: &str = "Add credit";

/// Clicks `#id` in the settings once scrolled to the middle of the window (its sticky row of
/// buttons would take a click at the bottom edge); `closing`: the click closes the window.
async fn press(driver: &WebDriver, id: &str, closing: bool) -> Result<()> {
    let element = shown(driver, id).await?;
    driver
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![element.to_json()?],
        )
        .await?;
    if closing {
        click_closing(driver, id).await
    } else {
        click(driver, id).await
    }
}

/// The titles of the app's windows that exist now.
async fn window_titles(driver: &WebDriver) -> Result<Vec<String>> {
    let mut titles = Vec::new();
    for handle in driver.windows().await? {
        if driver.switch_to_window(handle).await.is_ok() {
            titles.push(driver.title().await?);
        }
    }
    Ok(titles)
}

/// Waits until the demo's balance shows in the tray, and returns the label.
async fn demo_balance(tray: &lattica_e2e::tray::TrayItem) -> Result<String> {
    eventually("the demo account's balance in the tray", WAIT, || async {
        let label = tray.label()?;
        Ok(label.ends_with(" cr").then_some(label))
    })
    .await
}

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
    switch_to_window(driver, SIGN_IN).await?;
    let offer = text_of(driver, "demo-hint").await?;
    assert!(offer.contains("test cards only, no real money"), "{offer}");
    click_closing(driver, "try-demo").await?;

    // The demo account's balance in the tray, labelled as the demo in its status row.
    let label = demo_balance(&tray).await?;
    assert_ne!(
        label, "500 cr",
        "the demo's figures, not the published platform's"
    );
    let rows = menu_row(&tray, "the demo label in the tray menu", |row| {
        row.starts_with(DEMO_LABEL)
    })
    .await?;
    assert!(rows.iter().any(|r| r.starts_with("Balance: ")), "{rows:?}");
    // Signing out of the demo is leaving it, and the tray says so; its tooltip names the demo.
    assert!(rows.iter().any(|r| r == "Leave the demo"), "{rows:?}");
    let (title, _) = tray.tooltip()?;
    assert!(title.contains(DEMO_LABEL), "{title}");
    assert!(
        descendant_named(app_pid, "lattica-sandbox").is_some(),
        "the demo's sandbox runs beside the app"
    );

    // The popover shows the demo's balance under the demo label.
    switch_to_window(driver, POPOVER).await?;
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

    // The wizard (test cards) and Settings say so too.
    tray.click("Add credit…")?;
    switch_to_window(driver, WIZARD).await?;
    assert_eq!(text_of(driver, "demo").await?, DEMO_LABEL);
    tray.click("Settings…")?;
    switch_to_window(driver, SETTINGS).await?;
    assert_eq!(text_of(driver, "demo").await?, DEMO_LABEL);

    // Leaving the demo: back to the sign-in window of the published platform; the demo's
    // windows close.
    switch_to_window(driver, POPOVER).await?;
    click(driver, "leave-demo").await?;
    label_becomes(&tray, "signed out").await?;
    switch_to_window(driver, SIGN_IN).await?;
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
    let titles = window_titles(driver).await?;
    assert!(
        !titles.iter().any(|t| t == SETTINGS || t == WIZARD),
        "the demo's settings and wizard closed: {titles:?}"
    );
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

    // The demo's token has an entry of its own, which `reset --yes` removes with the rest.
    let demo_entry = "username = sandbox";
    let keychain = desktop::keychain_search("ai.lattica.tray")?;
    assert!(keychain.contains(demo_entry), "{keychain}");
    let reset = env.cli(&["reset", "--yes"], None)?;
    assert!(
        reset.status.success(),
        "{}",
        String::from_utf8_lossy(&reset.stderr)
    );
    let keychain = desktop::keychain_search("ai.lattica.tray")?;
    assert!(!keychain.contains(demo_entry), "{keychain}");
    Ok(())
}

/// A user signed in on their platform (through the command line) who opens the sign-in window
/// from Settings ("Use another token…") and tries the demo: their token stays in the keychain
/// throughout, and leaving the demo (Settings' "Leave the demo") signs them back in.
#[tokio::test]
async fn a_signed_in_users_token_is_kept_through_the_demo() -> Result<()> {
    let sandbox = steady_sandbox_on(Profile::Published, "500").await?;
    let env = AppEnv::new(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "500 cr").await?;
    let driver = app.driver()?;
    let stored =
        |keychain: &str| keychain.contains(&sandbox.token) && keychain.contains(&sandbox.url);
    assert!(stored(&desktop::keychain_search("ai.lattica.tray")?));

    tray.click("Settings…")?;
    switch_to_window(driver, SETTINGS).await?;
    press(driver, "switch-account", false).await?;
    switch_to_window(driver, SIGN_IN).await?;
    click_closing(driver, "try-demo").await?;
    menu_row(&tray, "the demo label in the tray menu", |row| {
        row.starts_with(DEMO_LABEL)
    })
    .await?;
    eventually(
        "the demo's balance in place of the user's",
        WAIT,
        || async {
            let label = tray.label()?;
            Ok((label.ends_with(" cr") && label != "500 cr").then_some(()))
        },
    )
    .await?;
    assert!(
        stored(&desktop::keychain_search("ai.lattica.tray")?),
        "the user's token is still stored for their platform"
    );

    tray.click("Settings…")?;
    switch_to_window(driver, SETTINGS).await?;
    assert_eq!(text_of(driver, "demo").await?, DEMO_LABEL);
    let button = driver.find(By::Id("sign-out")).await?;
    assert_eq!(button.text().await?, "Leave the demo");
    press(driver, "sign-out", true).await?;
    label_becomes(&tray, "500 cr").await?;
    assert!(
        !window_titles(driver).await?.iter().any(|t| t == SIGN_IN),
        "signed in again: no sign-in window"
    );
    assert!(stored(&desktop::keychain_search("ai.lattica.tray")?));
    app.quit(&tray).await?;
    Ok(())
}
