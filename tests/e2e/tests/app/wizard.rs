//! The add-credit wizard's steps as a user takes them (open it, an amount, a card in the
//! payment service's form, pay), and what the platform says after (its history, its charges,
//! the processor's held confirmations): shared by the payment suites.

use rust_decimal::Decimal;
use serde_json::{Value, json};
use thirtyfour::error::WebDriverErrorInner;
use thirtyfour::prelude::*;

use lattica_e2e::sandbox::Sandbox;
use lattica_e2e::tray::TrayItem;
use lattica_e2e::{Result, eventually};

use crate::popover::text_becomes;
use crate::support::WAIT;

pub(crate) const PAYS: &str = "4242424242424242";

pub(crate) use crate::signin::switch_to_window as switch_to;

/// Waits until `#id` is displayed.
pub(crate) async fn shown(driver: &WebDriver, id: &str) -> Result<WebElement> {
    eventually(&format!("#{id} on screen"), WAIT, || async {
        let element = driver.find(By::Id(id)).await?;
        Ok(element.is_displayed().await?.then_some(element))
    })
    .await
}

pub(crate) async fn click(driver: &WebDriver, id: &str) -> Result<()> {
    shown(driver, id).await?.click().await?;
    Ok(())
}

/// Clicks a button that closes its own window. WebKitWebDriver may answer such a click for a
/// window that is already gone: that is the click having worked.
pub(crate) async fn click_closing(driver: &WebDriver, id: &str) -> Result<()> {
    match shown(driver, id).await?.click().await {
        Err(error) if !matches!(error.as_inner(), WebDriverErrorInner::NoSuchWindow(_)) => {
            Err(error.into())
        }
        _ => Ok(()),
    }
}

/// Opens the wizard from the tray menu and waits for its amounts.
pub(crate) async fn open_wizard(driver: &WebDriver, tray: &TrayItem) -> Result<()> {
    open_wizard_at(driver, tray, "amount-25").await
}

/// Opens the wizard from the tray menu and waits for `#step` (where an attempt left it).
pub(crate) async fn open_wizard_at(driver: &WebDriver, tray: &TrayItem, step: &str) -> Result<()> {
    tray.click("Add credit…")?;
    switch_to(driver, "Add credit").await?;
    shown(driver, step).await?;
    Ok(())
}

/// Types a test card into the payment service's form (inside the iframe) and submits it.
pub(crate) async fn enter_card(driver: &WebDriver, number: &str) -> Result<()> {
    let frame = shown(driver, "card-frame").await?;
    frame.enter_frame().await?;
    // A field found while the form still loads is not yet interactable: wait until a click
    // on it lands (which also gives it the focus).
    let field = |id: &'static str| async move {
        eventually(&format!("the card form's #{id}"), WAIT, || async {
            let field = driver.find(By::Id(id)).await?;
            if !field.is_displayed().await? {
                return Ok(None);
            }
            field.click().await?;
            Ok(Some(field))
        })
        .await
    };
    field("number").await?.send_keys(number).await?;
    field("expiry").await?.send_keys("1240").await?;
    field("cvc").await?.send_keys("123").await?;
    field("name").await?.send_keys("Test Person").await?;
    // The click that readies the button is the one that submits.
    field("submit").await?;
    driver.enter_default_frame().await?;
    Ok(())
}

/// Chooses `credits` (typed as another amount) and continues to the card step.
pub(crate) async fn choose_amount(driver: &WebDriver, credits: &str) -> Result<()> {
    let input = shown(driver, "custom-credits").await?;
    input.clear().await?;
    input.send_keys(credits).await?;
    text_becomes(driver, "amount-price", &format!("${credits}.00")).await?;
    click(driver, "to-method").await?;
    shown(driver, "step-method").await?;
    Ok(())
}

pub(crate) async fn history(sandbox: &Sandbox) -> Result<Vec<Value>> {
    let history = sandbox
        .api("api/finance/get_transaction_history", json!({}))
        .await?;
    Ok(history["payments"].as_array().cloned().unwrap_or_default())
}

pub(crate) async fn charges(sandbox: &Sandbox) -> Result<usize> {
    Ok(history(sandbox)
        .await?
        .iter()
        .filter(|p| p["status"] == "succeeded")
        .count())
}

/// Has the card processor hold every confirmation until released (`false`), or release them.
pub(crate) async fn hold(sandbox: &Sandbox, hold: bool) -> Result<()> {
    sandbox
        .control("set_processor", json!({ "hold": hold }))
        .await
        .map(drop)
}

/// Waits until the card processor holds `count` confirmations.
pub(crate) async fn in_flight_becomes(sandbox: &Sandbox, count: u64) -> Result<()> {
    eventually(&format!("{count} confirmation(s) held"), WAIT, || async {
        let state = sandbox.control("state", json!({})).await?;
        Ok((state["paymentsInFlight"].as_u64() == Some(count)).then_some(()))
    })
    .await
}

/// The wizard opened from the tray, `credits` chosen and a new card entered: at the review.
pub(crate) async fn review_new_card(
    driver: &WebDriver,
    tray: &TrayItem,
    credits: &str,
) -> Result<()> {
    open_wizard(driver, tray).await?;
    choose_amount(driver, credits).await?;
    enter_card(driver, PAYS).await?;
    shown(driver, "step-review").await.map(drop)
}

/// "Pay" pressed while the card processor holds the confirmation: the wizard shows it in
/// progress and the processor holds it.
pub(crate) async fn pay_held(driver: &WebDriver, sandbox: &Sandbox) -> Result<()> {
    hold(sandbox, true).await?;
    click(driver, "pay").await?;
    shown(driver, "step-confirming").await?;
    in_flight_becomes(sandbox, 1).await
}

/// The wizard's result shows `balance` (whole credits), which the platform holds, and the
/// platform made exactly one charge more than `before`.
pub(crate) async fn charged_once(
    driver: &WebDriver,
    sandbox: &Sandbox,
    before: usize,
    balance: &str,
) -> Result<()> {
    text_becomes(driver, "new-balance", &format!("{balance}.00 credits")).await?;
    assert_eq!(sandbox.credits().await?, dec(balance));
    assert_eq!(charges(sandbox).await?, before + 1, "exactly one charge");
    Ok(())
}

pub(crate) fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}
