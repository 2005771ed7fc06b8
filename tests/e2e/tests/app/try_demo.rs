//! "Try the demo account" on the sign-in window of an app signed out on the published
//! platform: the app moves to the demo (its own sandbox process, token and figures), labelled
//! as the demo in the tray and the popover, without touching the published platform's
//! keychain entry; leaving the demo stops its sandbox and returns to the sign-in window.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lattica_core::view::{DEMO_LABEL, LEAVE_DEMO};
use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::process::descendant_named;
use lattica_e2e::sandbox::Profile;
use lattica_e2e::{Context, Result, artifacts_dir, built_binary, desktop, ensure, eventually};
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
pub(crate) async fn press(driver: &WebDriver, id: &str, closing: bool) -> Result<()> {
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

/// The titles of the app's windows that exist now. A window that closes while they are read
/// (leaving the demo closes some) is not one of them.
async fn window_titles(driver: &WebDriver) -> Result<Vec<String>> {
    let mut titles = Vec::new();
    for handle in driver.windows().await? {
        if driver.switch_to_window(handle).await.is_ok()
            && let Ok(title) = driver.title().await
        {
            titles.push(title);
        }
    }
    Ok(titles)
}

/// Waits until the demo's balance shows in the tray, and returns the label.
pub(crate) async fn demo_balance(tray: &lattica_e2e::tray::TrayItem) -> Result<String> {
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

/// Prepares the demo's sandbox data in the app's data folder so that its demo token expires
/// `in_secs` from now: the same program, run once with its control API on that folder, then
/// stopped (the app's demo starts on the same data, without a control API).
async fn demo_token_expiring(env: &AppEnv, in_secs: i64) -> Result<()> {
    let data = env.root().join("data/ai.lattica.tray/sandbox");
    std::fs::create_dir_all(&data)?;
    let mut child = Command::new(built_binary("lattica-sandbox")?)
        .args(["--listen", "127.0.0.1:0", "--control", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting lattica-sandbox")?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("sandbox stdout")?).read_line(&mut line)?;
    let started: serde_json::Value = serde_json::from_str(&line)?;
    let url = started["url"].as_str().context("url")?;
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{url}/control/set_token_expiry"))
        .json(&serde_json::json!({ "inSeconds": in_secs }))
        .send()
        .await?
        .json()
        .await?;
    ensure!(answer.get("error").is_none(), "set_token_expiry: {answer}");
    let stopped = Command::new("kill").arg(child.id().to_string()).status()?;
    ensure!(stopped.success(), "kill failed");
    child.wait()?;
    Ok(())
}

/// The demo's session ends (its token expires): the tray still offers "Leave the demo" (not
/// "Sign in…"), the popover's signed-out view carries the demo banner and its button, and the
/// sign-in window opened for the demo offers the way out too. Leaving from the popover returns
/// to the published platform's sign-in window.
#[tokio::test]
async fn the_demo_can_be_left_after_its_session_ended() -> Result<()> {
    let sandbox = steady_sandbox_on(Profile::Published, "500").await?;
    let env = AppEnv::new(&sandbox.url)?;
    // Long enough for the app to start and enter the demo on a loaded machine.
    let lifetime = Duration::from_secs(40);
    demo_token_expiring(&env, lifetime.as_secs().try_into()?).await?;
    let expires = Instant::now() + lifetime;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "signed out").await?;
    let app_pid = tray.pid()?;
    let driver = app.driver()?;
    switch_to_window(driver, SIGN_IN).await?;
    click_closing(driver, "try-demo").await?;
    demo_balance(&tray).await?;
    ensure!(
        Instant::now() < expires,
        "the demo was entered after its token expired: raise the lifetime"
    );

    // The token expires; a refresh (asked now and then, not to wait for the schedule) finds
    // the session ended.
    let mut asked = Instant::now();
    eventually(
        "the demo's session to end",
        lifetime + Duration::from_secs(60),
        || {
            let ask = Instant::now() >= expires && asked.elapsed() > Duration::from_secs(5);
            if ask {
                asked = Instant::now();
            }
            let tray = &tray;
            async move {
                if ask {
                    tray.click("Refresh now")?;
                }
                Ok((tray.label()? == "signed out").then_some(()))
            }
        },
    )
    .await?;
    let rows: Vec<String> = tray.menu()?.into_iter().map(|e| e.label).collect();
    assert!(rows.iter().any(|r| r == LEAVE_DEMO), "{rows:?}");
    assert!(!rows.iter().any(|r| r == "Sign in…"), "{rows:?}");

    // The sign-in window opened for the ended session offers to leave the demo.
    switch_to_window(driver, SIGN_IN).await?;
    eventually("the sign-in window's way out", WAIT, || async {
        Ok((text_of(driver, "try-demo").await? == LEAVE_DEMO).then_some(()))
    })
    .await?;

    // The popover, signed out in the demo, still says it is the demo and how to leave.
    tray.click("Open")?;
    switch_to_window(driver, POPOVER).await?;
    assert_eq!(text_of(driver, "signed-out-demo-label").await?, DEMO_LABEL);
    click(driver, "signed-out-leave-demo").await?;
    eventually("the demo's sandbox to stop", WAIT, || async {
        Ok(descendant_named(app_pid, "lattica-sandbox")
            .is_none()
            .then_some(()))
    })
    .await?;
    menu_row(&tray, "the plain sign-in row", |row| row == "Sign in…").await?;
    // The sign-in window left open in the demo now signs in to the published platform.
    switch_to_window(driver, SIGN_IN).await?;
    eventually(
        "the sign-in window on the published platform",
        WAIT,
        || async {
            let hint = driver.find(By::Id("token-hint")).await?.text().await?;
            let offer = driver.find(By::Id("try-demo")).await?.text().await?;
            Ok((hint.contains(&sandbox.url) && offer == "Try the demo account").then_some(()))
        },
    )
    .await?;
    app.quit(&tray).await?;
    Ok(())
}
