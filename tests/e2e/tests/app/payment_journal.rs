//! A payment survives the app or the platform going away mid-confirmation: the app killed
//! (SIGKILL) while the card processor holds its confirmation, then started again; the sandbox
//! restarted instead. Each ends with exactly one charge and its outcome shown.

use serde_json::{Value, json};

use lattica_e2e::app::App;
use lattica_e2e::desktop::{self, NotificationWatch};
use lattica_e2e::sandbox::Sandbox;
use lattica_e2e::{Result, eventually};

use crate::payments::{
    PAYS, charged_once, charges, click, click_closing, dec, history, hold, in_flight_becomes,
    open_wizard_at, pay_held, review_new_card, shown, start,
};
use crate::popover::text_becomes;
use crate::support::{WAIT, label_becomes};

/// The card token the newest payment was confirmed with.
async fn newest_token(sandbox: &Sandbox) -> Result<String> {
    let newest = &history(sandbox).await?[0];
    let payment: Value = sandbox
        .api(
            "api/finance/get_payment",
            json!({"paymentId": newest["id"]}),
        )
        .await?;
    Ok(payment["paymentMethod"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

#[tokio::test]
async fn killed_mid_confirmation_the_app_settles_it_at_start_and_charges_once() -> Result<()> {
    let (sandbox, env, mut app, tray) = start().await?;
    let charged_before = charges(&sandbox).await?;
    let driver = app.driver()?;
    review_new_card(driver, &tray, "45").await?;
    pay_held(driver, &sandbox).await?;
    let card_entry = format!("{}#payment-card", sandbox.url.trim_end_matches('/'));
    let keychain = desktop::keychain_search("ai.lattica.tray")?;
    assert!(
        keychain.contains(&card_entry),
        "the card token waits in the keychain: {keychain}"
    );

    app.crash().await?;
    drop(app);
    // The held confirmation died with its connection: nothing was charged yet.
    in_flight_becomes(&sandbox, 0).await?;
    assert_eq!(charges(&sandbox).await?, charged_before);

    // Started again (the processor still holding): it sends the same confirmation again.
    let watch = NotificationWatch::start()?;
    let (app, tray) = App::with_webdriver(&env).await?;
    in_flight_becomes(&sandbox, 1).await?;
    hold(&sandbox, false).await?;
    let seen = eventually("the payment's outcome as a notification", WAIT, || async {
        let seen = watch.new_since()?;
        Ok((!seen.is_empty()).then_some(seen))
    })
    .await?;
    assert_eq!(seen[0].summary, "Payment received", "{seen:?}");
    label_becomes(&tray, "145 cr").await?;
    assert_eq!(sandbox.credits().await?, dec("145"));
    assert_eq!(
        charges(&sandbox).await?,
        charged_before + 1,
        "exactly one charge"
    );
    let log = app.log_text();
    assert!(
        log.contains("settling the payment of the last run"),
        "{log}"
    );
    // The wizard, opened now, shows how the payment ended (with the balance read back).
    let driver = app.driver()?;
    open_wizard_at(driver, &tray, "step-result").await?;
    text_becomes(driver, "new-balance", "145.00 credits").await?;
    click_closing(driver, "done").await?;

    // The journal and the token are gone with the outcome shown: nothing of the card stays.
    let token = newest_token(&sandbox).await?;
    assert!(token.starts_with("pm_"), "{token}");
    eventually("the card token out of the keychain", WAIT, || async {
        let keychain = desktop::keychain_search("ai.lattica.tray")?;
        Ok((!keychain.contains(&card_entry)).then_some(()))
    })
    .await?;
    for (path, bytes) in env.written_files()? {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&token) && !text.contains(PAYS),
            "card data in {}",
            path.display()
        );
    }

    // Another start finds nothing to settle and buys nothing.
    app.quit(&tray).await?;
    let (app, tray) = App::launch(&env, &[]).await?;
    label_becomes(&tray, "145 cr").await?;
    app.wait_for_refreshes(2).await?;
    assert!(
        !app.log_text()
            .contains("settling the payment of the last run")
    );
    assert_eq!(charges(&sandbox).await?, charged_before + 1);
    assert_eq!(watch.new_since()?.len(), 1, "one notification only");
    app.quit(&tray).await
}

#[tokio::test]
async fn a_sandbox_restarted_mid_confirmation_charges_once_and_shows_it() -> Result<()> {
    let (mut sandbox, _env, app, tray) = start().await?;
    let charged_before = charges(&sandbox).await?;
    let driver = app.driver()?;
    review_new_card(driver, &tray, "45").await?;
    pay_held(driver, &sandbox).await?;

    // The platform goes down with the confirmation held, and comes back (without the hold).
    sandbox.restart()?;
    let step = eventually("the payment's outcome or an unknown one", WAIT, || async {
        for id in ["step-result", "step-unknown"] {
            if driver
                .find(thirtyfour::By::Id(id))
                .await?
                .is_displayed()
                .await?
            {
                return Ok(Some(id));
            }
        }
        Ok(None)
    })
    .await?;
    if step == "step-unknown" {
        // The app gave up waiting before the platform was back: the same key, asked again.
        click(driver, "check-again").await?;
        shown(driver, "step-result").await?;
    }
    charged_once(driver, &sandbox, charged_before, "145").await?;
    app.quit(&tray).await
}
