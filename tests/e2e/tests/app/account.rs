//! What the user controls about their account (issue 17): a saved card removed in the
//! settings is gone from the platform, the open wizard and the popover's one-click top-up; a
//! sign-out removes the token from the keychain and, when asked, the local history; the
//! sign-in window names the account it would replace.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde_json::json;
use thirtyfour::prelude::*;

use lattica_e2e::app::App;
use lattica_e2e::{Result, artifacts_dir, desktop, eventually};

use crate::payments::{
    PAYS, choose_amount, click, click_closing, enter_card, open_wizard, shown, start, switch_to,
};
use crate::popover::text_becomes;
use crate::support::{WAIT, ipc_answer, label_becomes, painted, steady_sandbox};

const SETTINGS: &str = "Lattica Tray settings";
const POPOVER: &str = "Lattica balance";

/// Clicks `element` once scrolled to the middle of its window: the settings' sticky row of
/// buttons would take a click at the bottom edge.
async fn press(driver: &WebDriver, element: &WebElement) -> Result<()> {
    driver
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![element.to_json()?],
        )
        .await?;
    element.click().await?;
    Ok(())
}

/// Clicks `#id` once it is on screen, as [`press`].
async fn press_id(driver: &WebDriver, id: &str) -> Result<()> {
    let element = shown(driver, id).await?;
    press(driver, &element).await
}

/// The ids of the cards the wizard offers (`new` for "New card").
async fn wizard_cards(driver: &WebDriver) -> Result<Vec<String>> {
    let mut values = Vec::new();
    for input in driver
        .find_all(By::Css("#cards input[name='card']"))
        .await?
    {
        values.push(input.value().await?.unwrap_or_default());
    }
    Ok(values)
}

/// Fails if a window's IPC `answer` holds a payment method id (`card_id`, or any `pm_…`).
fn no_token(answer: &serde_json::Value, card_id: &str) -> Result<()> {
    let text = answer.to_string();
    anyhow::ensure!(
        !text.contains(card_id) && !text.contains("pm_"),
        "a payment method id reached a window: {text}"
    );
    Ok(())
}

/// The cards the platform keeps for the account, read with its API.
async fn platform_cards(sandbox: &lattica_e2e::sandbox::Sandbox) -> Result<Vec<String>> {
    let listed = sandbox
        .api("api/finance/list_payment_methods", json!({}))
        .await?;
    let methods = listed["paymentMethods"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("no paymentMethods in {listed}"))?;
    Ok(methods
        .iter()
        .map(|m| m["id"].as_str().unwrap_or_default().to_owned())
        .collect())
}

#[tokio::test]
async fn a_card_removed_in_settings_is_gone_everywhere() -> Result<()> {
    let (sandbox, _env, app, tray) = start().await?;
    let driver = app.driver()?;

    // A payment saves the card.
    open_wizard(driver, &tray).await?;
    choose_amount(driver, "40").await?;
    click(driver, "save-card").await?;
    enter_card(driver, PAYS).await?;
    shown(driver, "step-review").await?;
    click(driver, "pay").await?;
    shown(driver, "step-result").await?;
    text_becomes(driver, "new-balance", "140.00 credits").await?;
    click_closing(driver, "done").await?;
    let saved = platform_cards(&sandbox).await?;
    assert_eq!(saved.len(), 1, "the card was saved: {saved:?}");
    let card_id = saved[0].clone();

    // The popover offers it for a one-click top-up.
    switch_to(driver, POPOVER).await?;
    tray.click("Open")?;
    let offer = shown(driver, "quick-top-up").await?;
    assert_eq!(
        offer.text().await?.trim(),
        "Add 25 credits · Visa •••• 4242"
    );

    let offer = ipc_answer(driver, "quick_top_up_offer").await?;
    no_token(&offer, &card_id)?;

    // The wizard, left open at the card step, offers it too, by a handle of this run: the
    // platform's id of the card stays in Rust.
    open_wizard(driver, &tray).await?;
    choose_amount(driver, "30").await?;
    let handle = offer["card"]["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(wizard_cards(driver).await?, [handle.clone(), "new".into()]);
    no_token(&ipc_answer(driver, "payment_context").await?, &card_id)?;

    // Settings list it; "Remove" asks first, then removes it.
    tray.click("Settings…")?;
    switch_to(driver, SETTINGS).await?;
    let row = format!("saved-{handle}");
    let row_el = shown(driver, &row).await?;
    no_token(&ipc_answer(driver, "saved_cards").await?, &card_id)?;
    no_token(&ipc_answer(driver, "auto_top_up_state").await?, &card_id)?;
    let row_text = row_el.text().await?;
    assert!(row_text.contains("Visa •••• 4242"), "{row_text}");
    assert!(row_text.contains("Expires 12/40"), "{row_text}");
    press(driver, &row_el.find(By::ClassName("remove-card")).await?).await?;
    let confirm = row_el.find(By::ClassName("confirm-remove")).await?;
    assert!(confirm.is_displayed().await?, "a confirmation is asked");
    assert_eq!(
        platform_cards(&sandbox).await?,
        std::slice::from_ref(&card_id)
    );
    std::fs::write(artifacts_dir().join("settings-remove-card.png"), {
        painted(driver).await?;
        desktop::window_png(SETTINGS)?
    })?;
    press(driver, &confirm).await?;
    let status = eventually("the removal's outcome", WAIT, || async {
        let text = driver.find(By::Id("cards-status")).await?.text().await?;
        Ok((!text.is_empty()).then_some(text))
    })
    .await?;
    assert_eq!(status, "Visa •••• 4242 removed.");
    text_becomes(
        driver,
        "cards-note",
        "No saved cards. A card is saved when you tick “Save this card” while adding credit.",
    )
    .await?;
    assert!(
        driver
            .find_all(By::Css(format!("#{row}")))
            .await?
            .is_empty()
    );

    // Gone on the platform, from the open wizard, and from the popover's offer.
    assert_eq!(platform_cards(&sandbox).await?, Vec::<String>::new());
    switch_to(driver, "Add credit").await?;
    eventually("the wizard to drop the card", WAIT, || async {
        let cards = wizard_cards(driver).await?;
        Ok((cards == ["new"]).then_some(()))
    })
    .await?;
    switch_to(driver, POPOVER).await?;
    tray.click("Open")?;
    eventually("the quick offer to go", WAIT, || async {
        let offer = driver.find(By::Id("quick-top-up")).await?;
        Ok((!offer.is_displayed().await?).then_some(()))
    })
    .await?;
    app.quit(&tray).await
}

/// Balance samples and alert-state entries in the app's local history, read beside the app.
fn history_rows(path: &Path) -> Result<(i64, i64)> {
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let samples = db.query_row("SELECT count(*) FROM samples", [], |r| r.get(0))?;
    let alerts = db.query_row(
        "SELECT count(*) FROM kv WHERE key LIKE 'alert_state%'",
        [],
        |r| r.get(0),
    )?;
    Ok((samples, alerts))
}

#[tokio::test]
async fn signing_out_can_delete_the_local_history_and_the_token_is_gone() -> Result<()> {
    let sandbox = steady_sandbox("300").await?;
    let env =
        lattica_e2e::app::AppEnv::new(&sandbox.url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "2");
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "300 cr").await?;
    let driver = app.driver()?;
    let history = env.root().join("data/ai.lattica.tray/history.sqlite3");
    eventually("samples and alert state in the history", WAIT, || async {
        let (samples, alerts) = history_rows(&history)?;
        Ok((samples > 0 && alerts > 0).then_some(()))
    })
    .await?;
    assert!(desktop::keychain_search("ai.lattica.tray")?.contains(&sandbox.token));

    // The sign-in window, opened while signed in, names the account it would replace.
    tray.click("Settings…")?;
    switch_to(driver, SETTINGS).await?;
    press_id(driver, "switch-account").await?;
    switch_to(driver, "Sign in to Lattica").await?;
    let named = eventually("the signed-in account", WAIT, || async {
        let el = driver.find(By::Id("signed-in-as")).await?;
        Ok(el.is_displayed().await?.then_some(el.text().await?))
    })
    .await?;
    assert!(named.contains("demo@lattica.ai"), "{named}");
    assert!(named.contains(sandbox.url.trim_end_matches('/')), "{named}");
    std::fs::write(artifacts_dir().join("signin-signed-in-as.png"), {
        painted(driver).await?;
        desktop::window_png("Sign in to Lattica")?
    })?;
    // Escape closes it; the driver may answer for a window already gone.
    let _ = driver.active_element().await?.send_keys(Key::Escape).await;

    // Sign out from the settings, asking to delete the local history.
    switch_to(driver, SETTINGS).await?;
    press_id(driver, "sign-out").await?;
    let forget = shown(driver, "forget-history").await?;
    assert!(!forget.is_selected().await?, "deleting is opt-in");
    press(driver, &forget).await?;
    std::fs::write(artifacts_dir().join("settings-sign-out.png"), {
        painted(driver).await?;
        desktop::window_png(SETTINGS)?
    })?;
    press_id(driver, "sign-out-confirmed").await?;
    label_becomes(&tray, "signed out").await?;
    text_becomes(
        driver,
        "save-status",
        "Signed out; the local history was deleted.",
    )
    .await?;
    eventually("the token to leave the keychain", WAIT, || async {
        let found = desktop::keychain_search("ai.lattica.tray")?;
        Ok((!found.contains(&sandbox.token) && !found.contains(&sandbox.url)).then_some(()))
    })
    .await?;
    assert_eq!(
        history_rows(&history)?,
        (0, 0),
        "the local history is empty"
    );
    app.quit(&tray).await?;
    // Still empty once the app has closed its database.
    assert_eq!(history_rows(&history)?, (0, 0));
    Ok(())
}

/// The app signed in to `sandbox` (300 credits) under WebDriver, its settings window open.
async fn settings_on(
    sandbox: &lattica_e2e::sandbox::Sandbox,
) -> Result<(lattica_e2e::app::AppEnv, App, lattica_e2e::tray::TrayItem)> {
    let env = lattica_e2e::app::AppEnv::new(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "300 cr").await?;
    tray.click("Settings…")?;
    switch_to(app.driver()?, SETTINGS).await?;
    Ok((env, app, tray))
}

#[tokio::test]
async fn on_the_published_platform_settings_say_why_no_card_is_listed() -> Result<()> {
    let sandbox =
        crate::support::steady_sandbox_on(lattica_e2e::sandbox::Profile::Published, "300").await?;
    let (_env, app, tray) = settings_on(&sandbox).await?;
    let driver = app.driver()?;
    let note = eventually("the saved cards' note", WAIT, || async {
        let text = driver.find(By::Id("cards-note")).await?.text().await?;
        Ok((!text.is_empty() && !text.starts_with("Reading")).then_some(text))
    })
    .await?;
    assert_eq!(
        note,
        "This platform keeps no cards for the app: credit is added, and cards are kept, in the \
         Lattica web console."
    );
    assert!(driver.find_all(By::Css("#cards-list li")).await?.is_empty());
    app.quit(&tray).await
}

#[tokio::test]
async fn a_failed_read_of_the_saved_cards_says_why_in_the_apps_words() -> Result<()> {
    let sandbox = steady_sandbox("300").await?;
    sandbox
        .control(
            "set_faults",
            json!({"errorRate": 1, "errorStatus": 500,
                   "endpoints": ["api/finance/list_payment_methods"]}),
        )
        .await?;
    let (_env, app, tray) = settings_on(&sandbox).await?;
    let driver = app.driver()?;
    // Worded in Rust, cause and all: no prefix of the window's own before a raw message.
    text_becomes(
        driver,
        "cards-note",
        "The saved cards could not be read. The Lattica platform is having trouble right now. \
         Try again in a minute.",
    )
    .await?;
    app.quit(&tray).await
}
