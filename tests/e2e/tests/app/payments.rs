//! Adding credit through the wizard, as a user does: the tray's "Add credit…", an amount, the
//! payment service's card form in its iframe, the review, "Pay"; then what the platform says
//! (the balance, the history, one charge). Also declines, 3-D Secure, a dropped connection
//! during the confirmation, and the popover's one-click top-up with a saved card.

use serde_json::json;
use thirtyfour::prelude::*;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::desktop::{self, NotificationWatch};
use lattica_e2e::sandbox::Sandbox;
use lattica_e2e::tray::TrayItem;
use lattica_e2e::{Result, artifacts_dir, eventually};

use crate::popover::{text_becomes, text_of};
use crate::support::{WAIT, label_becomes, painted, steady_sandbox};

const DECLINED: &str = "4000000000000002";
const THREE_DS: &str = "4000002760003184";

/// A sandbox holding 100 credits that do not burn, and the app on it under WebDriver (its
/// folders live as long as the returned `AppEnv`).
pub(crate) async fn start() -> Result<(Sandbox, AppEnv, App, TrayItem)> {
    let sandbox = steady_sandbox("100").await?;
    sandbox
        .control("set_time_scale", json!({ "timeScale": 0 }))
        .await?;
    let env = AppEnv::new(&sandbox.url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "2");
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "100 cr").await?;
    Ok((sandbox, env, app, tray))
}

pub(crate) async fn screenshot(driver: &WebDriver, step: &str) -> Result<()> {
    painted(driver).await?;
    let png = desktop::window_png("Add credit")?;
    std::fs::write(artifacts_dir().join(format!("wizard-{step}.png")), png)?;
    Ok(())
}

async fn popover_screenshot(driver: &WebDriver, name: &str) -> Result<()> {
    painted(driver).await?;
    let png = desktop::window_png("Lattica")?;
    std::fs::write(artifacts_dir().join(format!("popover-{name}.png")), png)?;
    Ok(())
}

pub(crate) use crate::wizard::{
    PAYS, charged_once, charges, choose_amount, click, click_closing, dec, enter_card, history,
    hold, in_flight_becomes, open_wizard, open_wizard_at, pay_held, review_new_card, shown,
    switch_to,
};

/// How many requests the sandbox's faults answered with an error so far.
async fn fault_errors(sandbox: &Sandbox) -> Result<u64> {
    let state = sandbox.control("state", json!({})).await?;
    state["traffic"]["errors"]
        .as_u64()
        .ok_or_else(|| anyhow::anyhow!("no traffic.errors in the sandbox's state"))
}

async fn displayed(driver: &WebDriver, id: &str) -> Result<Option<WebElement>> {
    let element = driver.find(By::Id(id)).await?;
    Ok(element.is_displayed().await?.then_some(element))
}

#[tokio::test]
async fn a_new_card_pays_and_then_tops_up_in_one_click() -> Result<()> {
    let (sandbox, env, app, tray) = start().await?;
    let charged_before = charges(&sandbox).await?;
    let driver = app.driver()?;
    open_wizard(driver, &tray).await?;

    // Amount: a suggestion shows its price and runtime; a custom amount is checked as typed.
    click(driver, "amount-50").await?;
    text_becomes(driver, "amount-price", "$50.00").await?;
    let runtime = text_of(driver, "amount-runtime").await?;
    assert!(runtime.starts_with("Adds about"), "{runtime}");
    shown(driver, "custom-credits")
        .await?
        .send_keys("5")
        .await?;
    let error = text_of(driver, "amount-error").await?;
    assert!(error.contains("smallest purchase is 10"), "{error}");
    assert!(!driver.find(By::Id("to-method")).await?.is_enabled().await?);
    screenshot(driver, "amount").await?;
    choose_amount(driver, "40").await?;

    // Card: the payment service's form, with "save this card" outside it.
    click(driver, "save-card").await?;
    screenshot(driver, "card").await?;
    enter_card(driver, PAYS).await?;

    // Review.
    shown(driver, "step-review").await?;
    text_becomes(driver, "review-credits", "40 credits").await?;
    text_becomes(driver, "review-price", "$40.00").await?;
    text_becomes(driver, "review-card", "Visa •••• 4242").await?;
    text_becomes(driver, "review-balance", "about 140.00 credits").await?;
    text_becomes(driver, "pay", "Pay $40.00").await?;
    screenshot(driver, "review").await?;
    click(driver, "pay").await?;

    // Result: the receipt and the balance read back from the platform.
    shown(driver, "step-result").await?;
    text_becomes(driver, "new-balance", "140.00 credits").await?;
    let receipt = text_of(driver, "receipt").await?;
    assert!(receipt.contains('-'), "{receipt}");
    screenshot(driver, "result").await?;
    assert_eq!(sandbox.credits().await?, dec("140"));
    assert_eq!(charges(&sandbox).await?, charged_before + 1);
    let newest = &history(&sandbox).await?[0];
    assert_eq!(newest["receiptNumber"], receipt.as_str());
    assert_eq!(newest["cardLast4"], "4242");
    label_becomes(&tray, "140 cr").await?;
    click_closing(driver, "done").await?;

    // The popover shows the payment, and offers the saved card for a one-click top-up.
    switch_to(driver, "Lattica balance").await?;
    tray.click("Open")?;
    let last = text_of(driver, "last-payment").await?;
    assert!(last.contains("$40.00"), "{last}");
    let offer = shown(driver, "quick-top-up").await?;
    assert_eq!(
        offer.text().await?.trim(),
        "Add 25 credits · Visa •••• 4242"
    );
    popover_screenshot(driver, "quick-offer").await?;
    offer.click().await?;
    text_becomes(driver, "quick-question", "Pay $25.00?").await?;
    text_becomes(driver, "quick-card", "Visa •••• 4242").await?;
    popover_screenshot(driver, "quick-confirm").await?;
    // Cancel charges nothing; confirm pays.
    click(driver, "quick-cancel").await?;
    shown(driver, "quick-top-up").await?.click().await?;
    let watch = NotificationWatch::start()?;
    // From here on the pricing cannot be read: the offer is read again after the payment
    // (which drops the app's cached one) and fails, as in the soak.
    sandbox
        .control(
            "set_faults",
            json!({"errorRate": 1, "endpoints": ["api/finance/get_pricing"]}),
        )
        .await?;
    let errors_before = fault_errors(&sandbox).await?;
    click(driver, "quick-confirm").await?;
    let outcome = text_of(driver, "quick-status").await?;
    let outcome = if outcome.starts_with("Paying") {
        eventually("the quick top-up's outcome", WAIT, || async {
            let text = driver.find(By::Id("quick-status")).await?.text().await?;
            Ok((!text.starts_with("Paying")).then_some(text))
        })
        .await?
    } else {
        outcome
    };
    assert!(outcome.starts_with("Added 25 credits"), "{outcome}");
    // A transient error keeps the last good offer on screen: it never flickers away.
    let kept = eventually("failed reads of the pricing", WAIT, || async {
        if displayed(driver, "quick-top-up").await?.is_none() {
            return Ok(Some(false));
        }
        Ok((fault_errors(&sandbox).await? >= errors_before + 16).then_some(true))
    })
    .await?;
    assert!(kept, "the offer went away on a transient error");
    sandbox.control("set_faults", json!({})).await?;
    text_becomes(driver, "balance", "165.00").await?;
    popover_screenshot(driver, "quick-done").await?;
    label_becomes(&tray, "165 cr").await?;
    assert_eq!(sandbox.credits().await?, dec("165"));
    assert_eq!(charges(&sandbox).await?, charged_before + 2);
    // The wizard was not in front: the outcome is also a notification.
    let seen = eventually("the payment notification", WAIT, || async {
        let seen = watch.new_since()?;
        Ok((!seen.is_empty()).then_some(seen))
    })
    .await?;
    assert_eq!(seen[0].summary, "Payment received", "{seen:?}");

    // The card number went to the payment service only: nowhere in the app's files or log.
    for (path, bytes) in env.written_files()? {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(PAYS) && !text.contains("4242 4242 4242 4242"),
            "the card number is in {}",
            path.display()
        );
    }
    app.quit(&tray).await
}

#[tokio::test]
async fn a_declined_card_keeps_the_amount_and_charges_nothing() -> Result<()> {
    let (sandbox, _env, app, tray) = start().await?;
    let charged_before = charges(&sandbox).await?;
    let driver = app.driver()?;
    open_wizard(driver, &tray).await?;
    choose_amount(driver, "30").await?;
    enter_card(driver, DECLINED).await?;
    click(driver, "pay").await?;

    let decline = text_of(driver, "decline").await?;
    assert!(decline.contains("declined"), "{decline}");
    shown(driver, "step-method").await?;
    text_becomes(driver, "method-credits", "30").await?;
    text_becomes(driver, "method-price", "$30.00").await?;
    screenshot(driver, "declined").await?;
    assert_eq!(sandbox.credits().await?, dec("100"));
    assert_eq!(charges(&sandbox).await?, charged_before);

    // Cancel: the window closes and the payment is canceled, still without a charge.
    click_closing(driver, "method-cancel").await?;
    switch_to(driver, "Lattica balance").await?;
    let newest = &history(&sandbox).await?[0];
    let status = eventually("the payment canceled", WAIT, || async {
        let payment = sandbox
            .api(
                "api/finance/get_payment",
                json!({"paymentId": newest["id"]}),
            )
            .await?;
        Ok((payment["status"] == "canceled").then_some(()))
    })
    .await;
    status?;
    assert_eq!(sandbox.credits().await?, dec("100"));
    app.quit(&tray).await
}

#[tokio::test]
async fn three_d_secure_approved_pays_and_denied_does_not() -> Result<()> {
    let (sandbox, _env, app, tray) = start().await?;
    let driver = app.driver()?;
    for (approve, credits) in [(true, "60"), (false, "20")] {
        open_wizard(driver, &tray).await?;
        choose_amount(driver, credits).await?;
        enter_card(driver, THREE_DS).await?;
        click(driver, "pay").await?;
        let frame = shown(driver, "auth-frame").await?;
        if approve {
            screenshot(driver, "3ds").await?;
        }
        frame.enter_frame().await?;
        let label = if approve { "Approve" } else { "Deny" };
        let button = eventually(&format!("the {label} button"), WAIT, || async {
            for button in driver.find_all(By::Css("button")).await? {
                if button.text().await?.trim() == label {
                    return Ok(Some(button));
                }
            }
            Ok(None)
        })
        .await?;
        button.click().await?;
        driver.enter_default_frame().await?;
        if approve {
            shown(driver, "step-result").await?;
            text_becomes(driver, "new-balance", "160.00 credits").await?;
            click_closing(driver, "done").await?;
        } else {
            let decline = text_of(driver, "decline").await?;
            assert!(decline.contains("did not confirm"), "{decline}");
            text_becomes(driver, "method-credits", "20").await?;
            click_closing(driver, "method-cancel").await?;
        }
        switch_to(driver, "Lattica balance").await?;
    }
    assert_eq!(sandbox.credits().await?, dec("160"));
    app.quit(&tray).await
}

#[tokio::test]
async fn a_dropped_confirmation_is_retried_with_the_same_key_and_charged_once() -> Result<()> {
    let (sandbox, _env, app, tray) = start().await?;
    let charged_before = charges(&sandbox).await?;
    let driver = app.driver()?;
    review_new_card(driver, &tray, "35").await?;
    sandbox
        .control(
            "set_faults",
            json!({"dropNext": 1, "endpoints": ["api/finance/confirm_payment"]}),
        )
        .await?;
    click(driver, "pay").await?;
    shown(driver, "step-result").await?;
    charged_once(driver, &sandbox, charged_before, "135").await?;
    // The answer was lost and the same request sent again.
    let log = app.log_text();
    assert!(
        log.lines()
            .any(|l| l.contains("retrying") && l.contains("confirm_payment")),
        "no retry of the confirmation in the log"
    );
    app.quit(&tray).await
}

#[tokio::test]
async fn closing_the_wizard_mid_payment_charges_once_and_reopening_shows_it() -> Result<()> {
    let (sandbox, _env, app, tray) = start().await?;
    let charged_before = charges(&sandbox).await?;
    let driver = app.driver()?;
    review_new_card(driver, &tray, "45").await?;
    pay_held(driver, &sandbox).await?;
    screenshot(driver, "confirming").await?;
    click_closing(driver, "confirming-close").await?;
    switch_to(driver, "Lattica balance").await?;

    // Reopened while the payment is held: the wizard shows it in progress, not a new one.
    open_wizard_at(driver, &tray, "step-confirming").await?;
    hold(&sandbox, false).await?;
    shown(driver, "step-result").await?;
    charged_once(driver, &sandbox, charged_before, "145").await?;
    app.quit(&tray).await
}
