//! Auto top-up as a user sets it up (the settings window's rule, its confirmation) and as it
//! runs: workers burning at a fast time scale cross the limit, exactly one purchase follows
//! with its notification and the balance read back, even across a kill mid-purchase; the
//! monthly cap stops the next one; a declined card turns the rule off after one attempt; the
//! published platform shows the setting as unavailable, with why.

use chrono::Datelike;
use serde_json::{Value, json};
use thirtyfour::prelude::*;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::desktop::{Notification, NotificationWatch};
use lattica_e2e::sandbox::{Profile, Sandbox};
use lattica_e2e::{Result, eventually};

use crate::payments::{PAYS, charges, dec, hold, in_flight_becomes, shown, switch_to};
use crate::popover::text_of;
use crate::support::{WAIT, label_becomes, steady_sandbox, steady_sandbox_on};

/// A card saved by a first payment of 10 credits, made through the platform's API as the
/// wizard does; its token.
async fn save_card(sandbox: &Sandbox) -> Result<String> {
    let method: Value = reqwest::Client::new()
        .post(format!("{}/v1/payment_methods", sandbox.payments_url))
        .json(
            &json!({"number": PAYS, "expMonth": 12, "expYear": 2040, "cvc": "123",
                      "name": "Test Person", "postalCode": ""}),
        )
        .send()
        .await?
        .json()
        .await?;
    let key = || uuid::Uuid::new_v4().to_string();
    let payment = sandbox
        .api(
            "api/finance/create_payment",
            json!({"credits": 10, "idempotencyKey": key()}),
        )
        .await?;
    sandbox
        .api(
            "api/finance/confirm_payment",
            json!({"paymentId": payment["id"], "paymentMethodId": method["id"],
                   "idempotencyKey": key(), "savePaymentMethod": true}),
        )
        .await?;
    Ok(method["id"].as_str().unwrap_or_default().to_owned())
}

/// The calendar month the app counts its caps in: the local one, read from the same clock
/// (the app runs with this process's time zone). Checks around a month that begins during a
/// run compare months read before and after, never the time of day.
fn month() -> (i32, u32) {
    let now = chrono::Local::now();
    (now.year(), now.month())
}

/// Clicks `#id` scrolled to the top of the window, clear of the sticky Save bar.
async fn press(driver: &WebDriver, id: &str) -> Result<()> {
    let button = shown(driver, id).await?;
    button.scroll_into_view().await?;
    button.click().await?;
    Ok(())
}

async fn set_field(driver: &WebDriver, id: &str, value: &str) -> Result<()> {
    let field = shown(driver, id).await?;
    field.clear().await?;
    field.send_keys(value).await?;
    Ok(())
}

/// Turns auto top-up on in the settings window: below 50 credits add 200, at most
/// `max_count` top-ups and $600 a month. Checks the confirmation shows the rule and its price.
async fn turn_on(
    driver: &WebDriver,
    tray: &lattica_e2e::tray::TrayItem,
    max_count: &str,
) -> Result<()> {
    turn_on_below(driver, tray, ("50", "credits"), max_count).await
}

/// [`turn_on`] with the limit `(value, unit)`.
async fn turn_on_below(
    driver: &WebDriver,
    tray: &lattica_e2e::tray::TrayItem,
    (below, unit): (&str, &str),
    max_count: &str,
) -> Result<()> {
    tray.click("Settings…")?;
    switch_to(driver, "Lattica Tray settings").await?;
    eventually("auto top-up's state", WAIT, || async {
        let text = driver.find(By::Id("auto-state")).await?.text().await?;
        Ok(text.starts_with("Off").then_some(()))
    })
    .await?;
    set_field(driver, "auto-below", below).await?;
    if unit != "credits" {
        let select = shown(driver, "auto-unit").await?;
        select.scroll_into_view().await?;
        thirtyfour::components::SelectElement::new(&select)
            .await?
            .select_by_value(unit)
            .await?;
    }
    set_field(driver, "auto-add", "200").await?;
    set_field(driver, "auto-max-count", max_count).await?;
    set_field(driver, "auto-max-spend", "600").await?;
    press(driver, "auto-on").await?;
    let summary = text_of(driver, "auto-summary").await?;
    let when = match unit {
        "hours" => format!("less than {below} hours of runtime are left"),
        _ => format!("the balance falls below {below}.00 credits"),
    };
    assert_eq!(
        summary,
        format!(
            "When {when}, add 200.00 credits ($200.00) with Visa •••• 4242; at most {max_count} \
             top-ups and $600.00 per calendar month."
        )
    );
    press(driver, "auto-confirm").await?;
    eventually("auto top-up on", WAIT, || async {
        let text = driver.find(By::Id("auto-state")).await?.text().await?;
        Ok(text.starts_with("On.").then_some(text))
    })
    .await?;
    shown(driver, "close").await?.click().await.ok();
    Ok(())
}

/// Notifications whose summary starts with "Auto top-up" since `watch` started.
async fn auto_notices(watch: &NotificationWatch, count: usize) -> Result<Vec<Notification>> {
    eventually(
        &format!("{count} auto top-up notification(s)"),
        WAIT,
        || async {
            let seen: Vec<_> = watch
                .new_since()?
                .into_iter()
                .filter(|n| n.summary.starts_with("Auto top-up"))
                .collect();
            Ok((seen.len() >= count).then_some(seen))
        },
    )
    .await
}

/// Four workers of the expensive type at a fast time scale: the balance falls in seconds.
async fn burn(sandbox: &Sandbox) -> Result<()> {
    let models = sandbox.api("api/model/list_models", json!({})).await?;
    let model = models["models"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["instanceTypeId"] == "G7E_2XLARGE"))
        .map(|m| m["modelId"].clone())
        .unwrap_or_default();
    sandbox
        .control("start_worker", json!({ "modelId": model }))
        .await?;
    sandbox
        .control("set_time_scale", json!({ "timeScale": 1800 }))
        .await
        .map(drop)
}

async fn stop_burning(sandbox: &Sandbox) -> Result<()> {
    sandbox
        .control("stop_worker", json!({ "all": true }))
        .await?;
    sandbox
        .control("set_time_scale", json!({ "timeScale": 0 }))
        .await
        .map(drop)
}

async fn start(profile: Profile) -> Result<(Sandbox, AppEnv, App, lattica_e2e::tray::TrayItem)> {
    let sandbox = match profile {
        Profile::Full => steady_sandbox("300").await?,
        Profile::Published => steady_sandbox_on(profile, "300").await?,
    };
    sandbox
        .control("set_time_scale", json!({ "timeScale": 0 }))
        .await?;
    let env = AppEnv::new(&sandbox.url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "1");
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "300 cr").await?;
    Ok((sandbox, env, app, tray))
}

#[tokio::test]
async fn auto_top_up_buys_once_per_crossing_even_across_a_kill_and_stops_at_the_cap() -> Result<()>
{
    let (sandbox, env, mut app, tray) = start(Profile::Full).await?;
    save_card(&sandbox).await?;
    let base = charges(&sandbox).await?;
    turn_on(app.driver()?, &tray, "2").await?;

    // The crossing, with the processor holding the purchase: the app is killed meanwhile.
    let first_month = month();
    hold(&sandbox, true).await?;
    sandbox.set_balance("60").await?;
    burn(&sandbox).await?;
    in_flight_becomes(&sandbox, 1).await?;
    stop_burning(&sandbox).await?;
    app.crash().await?;
    drop(app);
    in_flight_becomes(&sandbox, 0).await?;
    assert_eq!(charges(&sandbox).await?, base, "nothing charged yet");

    // Started again below the limit: the journal sends the same purchase again, the rule
    // buys nothing new for the same crossing.
    let watch = NotificationWatch::start()?;
    let (app, tray) = App::launch(&env, &[]).await?;
    in_flight_becomes(&sandbox, 1).await?;
    hold(&sandbox, false).await?;
    let seen = auto_notices(&watch, 1).await?;
    assert!(
        seen[0]
            .body
            .starts_with("Auto top-up: +200.00 credits, $200.00"),
        "{seen:?}"
    );
    app.wait_for_refreshes(3).await?;
    assert_eq!(charges(&sandbox).await?, base + 1, "exactly one purchase");
    assert_eq!(auto_notices(&watch, 1).await?.len(), 1, "one notification");
    let after_first = sandbox.credits().await?;
    assert!(
        after_first > dec("200") && after_first < dec("250"),
        "{after_first}"
    );

    // A second crossing buys once more, told with the balance read back.
    sandbox.set_balance("300").await?;
    label_becomes(&tray, "300 cr").await?;
    sandbox.set_balance("40").await?;
    let seen = auto_notices(&watch, 2).await?;
    assert_eq!(
        seen[1].body,
        "Auto top-up: +200.00 credits, $200.00, balance 240.00"
    );
    assert_eq!(charges(&sandbox).await?, base + 2);
    label_becomes(&tray, "240 cr").await?;

    // The third crossing this month passes the cap of two: told once, nothing bought.
    sandbox.set_balance("300").await?;
    label_becomes(&tray, "300 cr").await?;
    sandbox.set_balance("40").await?;
    let seen = auto_notices(&watch, 3).await?;
    app.wait_for_refreshes(3).await?;
    let capped = "Auto top-up reached its monthly cap";
    if month() == first_month {
        // Every reading since the first crossing fell in one month, as the app counts them.
        assert_eq!(seen[2].summary, capped, "{seen:?}");
        assert_eq!(charges(&sandbox).await?, base + 2);
        assert_eq!(sandbox.credits().await?, dec("40"));
    } else {
        // A month began during the run and the app counted afresh from it: the third
        // crossing is capped (2 bought) or bought (3), never more, and told as it went.
        let bought = charges(&sandbox).await? - base;
        if seen[2].summary == capped {
            assert_eq!(bought, 2, "{seen:?}");
        } else {
            assert!(
                seen[2].body.starts_with("Auto top-up: +200.00 credits"),
                "{seen:?}"
            );
            assert_eq!(bought, 3, "{seen:?}");
        }
    }
    app.quit(&tray).await
}

#[tokio::test]
async fn a_declined_card_turns_auto_top_up_off_after_one_attempt() -> Result<()> {
    let (sandbox, _env, app, tray) = start(Profile::Full).await?;
    let card = save_card(&sandbox).await?;
    let base = charges(&sandbox).await?;
    let driver = app.driver()?;
    turn_on(driver, &tray, "3").await?;
    sandbox
        .control(
            "set_card_outcome",
            json!({"paymentMethodId": card, "outcome": "card_declined"}),
        )
        .await?;
    let watch = NotificationWatch::start()?;
    sandbox.set_balance("40").await?;
    let seen = auto_notices(&watch, 1).await?;
    assert_eq!(seen[0].summary, "Auto top-up is off", "{seen:?}");
    assert!(seen[0].body.contains("declined"), "{seen:?}");
    // Each purchase the app sends is one `add_credits` call in its log.
    let attempts = || {
        app.log_text()
            .matches("endpoint=\"api/finance/add_credits\"")
            .count()
    };
    assert_eq!(attempts(), 1, "one attempt");

    // Off: the next crossing tries nothing.
    sandbox.set_balance("300").await?;
    label_becomes(&tray, "300 cr").await?;
    sandbox.set_balance("40").await?;
    label_becomes(&tray, "40 cr").await?;
    app.wait_for_refreshes(3).await?;
    assert_eq!(attempts(), 1);
    assert_eq!(charges(&sandbox).await?, base);
    assert_eq!(auto_notices(&watch, 1).await?.len(), 1);
    tray.click("Settings…")?;
    switch_to(driver, "Lattica Tray settings").await?;
    // The window says "Loading…" until it has read the rule's state.
    let state = eventually("the rule's state", WAIT, || async {
        let text = driver.find(By::Id("auto-state")).await?.text().await?;
        Ok((text != "Loading…" && !text.is_empty()).then_some(text))
    })
    .await?;
    assert!(state.starts_with("Off: Your card was declined"), "{state}");
    app.quit(&tray).await
}

#[tokio::test]
async fn auto_top_up_is_unavailable_on_the_published_platform() -> Result<()> {
    let (_sandbox, _env, app, tray) = start(Profile::Published).await?;
    let driver = app.driver()?;
    tray.click("Settings…")?;
    switch_to(driver, "Lattica Tray settings").await?;
    eventually("auto top-up unavailable", WAIT, || async {
        let text = driver.find(By::Id("auto-state")).await?.text().await?;
        Ok((text == "Unavailable on this platform.").then_some(()))
    })
    .await?;
    let why = text_of(driver, "auto-unavailable").await?;
    assert!(why.contains("payments API"), "{why}");
    assert!(!driver.find(By::Id("auto-on")).await?.is_displayed().await?);
    app.quit(&tray).await
}

#[tokio::test]
async fn a_processing_error_is_tried_again_and_the_popover_shows_the_spend() -> Result<()> {
    let (sandbox, _env, app, tray) = start(Profile::Full).await?;
    let card = save_card(&sandbox).await?;
    let base = charges(&sandbox).await?;
    let driver = app.driver()?;
    turn_on(driver, &tray, "3").await?;
    let outcome = |outcome: &'static str| {
        sandbox.control(
            "set_card_outcome",
            json!({"paymentMethodId": card, "outcome": outcome}),
        )
    };
    outcome("processing_error").await?;
    let watch = NotificationWatch::start()?;
    let crossed = month();
    sandbox.set_balance("40").await?;
    let attempts = || {
        app.log_text()
            .matches("endpoint=\"api/finance/add_credits\"")
            .count()
    };
    eventually("the first attempt", WAIT, || async {
        Ok((attempts() >= 1).then_some(()))
    })
    .await?;
    // The processor recovers before the retry (which waits 2 s): the retry buys.
    outcome("succeed").await?;
    let seen = auto_notices(&watch, 1).await?;
    assert_eq!(
        seen[0].body,
        "Auto top-up: +200.00 credits, $200.00, balance 240.00"
    );
    assert_eq!(attempts(), 2, "one retry");
    assert_eq!(charges(&sandbox).await?, base + 1);
    let told = month();

    // The popover: the rule is on, with this month's spend against its caps.
    switch_to(driver, "Lattica balance").await?;
    tray.click("Open")?;
    eventually("the popover's auto top-up row", WAIT, || async {
        let read_from = month();
        let state = driver.find(By::Id("auto-top-up")).await?.text().await?;
        let detail = driver
            .find(By::Id("auto-top-up-detail"))
            .await?
            .text()
            .await?;
        let read_to = month();
        let one = "1 of 3 top-ups, $200.00 of $600.00 this month";
        let none = "0 of 3 top-ups, $0.00 of $600.00 this month";
        // The one purchase counts in its own month; a month begun since counts afresh.
        let expected: &[&str] = if crossed != told || read_from != read_to {
            &[one, none]
        } else if read_to == told {
            &[one]
        } else {
            &[none]
        };
        Ok((state == "On" && expected.contains(&detail.as_str())).then_some(()))
    })
    .await?;
    app.quit(&tray).await
}

#[tokio::test]
async fn a_runtime_limit_buys_when_the_hours_left_fall_below_it() -> Result<()> {
    let (sandbox, _env, app, tray) = start(Profile::Full).await?;
    save_card(&sandbox).await?;
    let base = charges(&sandbox).await?;
    turn_on_below(app.driver()?, &tray, ("2", "hours"), "3").await?;
    // One worker of 4.8 credits an hour, not burning (time scale 0): 310 credits last for
    // days, 8 for about 1 h 40 min.
    burn(&sandbox).await?;
    sandbox
        .control("set_time_scale", json!({ "timeScale": 0 }))
        .await?;
    let watch = NotificationWatch::start()?;
    app.wait_for_refreshes(2).await?;
    assert_eq!(
        charges(&sandbox).await?,
        base,
        "days of runtime left: nothing bought"
    );
    sandbox.set_balance("8").await?;
    let seen = auto_notices(&watch, 1).await?;
    assert_eq!(
        seen[0].body,
        "Auto top-up: +200.00 credits, $200.00, balance 208.00"
    );
    assert_eq!(charges(&sandbox).await?, base + 1);
    app.quit(&tray).await
}
