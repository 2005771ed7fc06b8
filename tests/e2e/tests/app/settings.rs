//! Settings: invalid values get a clear message and change nothing; valid ones are saved
//! atomically and take effect. And the popover's keyboard and token-expiry behaviour.

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::sandbox::Sandbox;
use lattica_e2e::tray::TrayItem;
use lattica_e2e::{Result, artifacts_dir, desktop, eventually};
use serde_json::json;
use thirtyfour::prelude::*;

use crate::popover::{text_becomes, text_of};
use crate::signin::switch_to_window;
use crate::support::{WAIT, label_becomes, painted, steady_sandbox};

async fn set_field(driver: &WebDriver, id: &str, value: &str) -> Result<()> {
    let field = driver.find(By::Id(id)).await?;
    field.clear().await?;
    if !value.is_empty() {
        field.send_keys(value).await?;
    }
    Ok(())
}

/// A signed-in app on a steady sandbox of 300 credits, with its settings window open and in
/// front of the WebDriver session.
pub(crate) async fn settings_open() -> Result<(Sandbox, AppEnv, App, TrayItem)> {
    let sandbox = steady_sandbox("300").await?;
    let env = AppEnv::new(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "300 cr").await?;
    tray.click("Settings…")?;
    switch_to_window(app.driver()?, "Lattica Tray settings").await?;
    form_filled(app.driver()?).await?;
    Ok((sandbox, env, app, tray))
}

/// Waits until the settings window's form holds the saved settings: the page reads them after
/// it loads, and a form read before shows the page's blank defaults.
pub(crate) async fn form_filled(driver: &WebDriver) -> Result<()> {
    eventually("the settings form filled", WAIT, || async {
        Ok(driver
            .find_all(By::Css("body[data-filled]"))
            .await?
            .first()
            .map(|_| ()))
    })
    .await
}

#[tokio::test]
async fn invalid_settings_are_explained_and_valid_ones_saved() -> Result<()> {
    let (_sandbox, env, app, tray) = settings_open().await?;
    let driver = app.driver()?;
    let settings_file = env.root().join("config/ai.lattica.tray/settings.json");
    let before = std::fs::read(&settings_file).ok();

    set_field(driver, "refreshIntervalSecs", "5").await?;
    set_field(driver, "backendUrl", "http://example.com").await?;
    driver.find(By::Id("save")).await?.click().await?;
    let interval_error = text_of(driver, "refreshIntervalSecs-error").await?;
    assert!(interval_error.contains("15"), "{interval_error}");
    let url_error = text_of(driver, "backendUrl-error").await?;
    assert!(url_error.to_lowercase().contains("https"), "{url_error}");
    std::fs::write(artifacts_dir().join("settings-invalid.png"), {
        painted(driver).await?;
        desktop::window_png("Lattica Tray settings")?
    })?;
    assert_eq!(std::fs::read(&settings_file).ok(), before, "nothing saved");

    set_field(driver, "refreshIntervalSecs", "120").await?;
    set_field(driver, "backendUrl", "").await?;
    driver.find(By::Id("save")).await?.click().await?;
    let saved = eventually("the settings file", WAIT, || async {
        let Ok(text) = std::fs::read_to_string(&settings_file) else {
            return Ok(None);
        };
        let value: serde_json::Value = serde_json::from_str(&text)?;
        Ok((value.to_string().contains("120")).then_some(value))
    })
    .await?;
    assert!(saved.to_string().contains("120"), "{saved}");
    app.quit(&tray).await
}

#[tokio::test]
async fn escape_closes_the_popover_and_expiry_within_a_week_warns() -> Result<()> {
    let sandbox = steady_sandbox("300").await?;
    sandbox
        .control("set_token_expiry", json!({ "inSeconds": 3 * 24 * 3600 }))
        .await?;
    let env = AppEnv::new(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "300 cr").await?;
    tray.click("Open")?;
    let driver = app.driver()?;
    text_becomes(driver, "balance", "300.00").await?;
    let warning = eventually("the token warning", WAIT, || async {
        let el = driver.find(By::Id("token-warning")).await?;
        Ok(if el.is_displayed().await? {
            Some(el.text().await?)
        } else {
            None
        })
    })
    .await?;
    assert!(
        warning.contains("2 d") || warning.contains("3 d") || warning.contains("days"),
        "{warning}"
    );

    driver
        .active_element()
        .await?
        .send_keys(Key::Escape)
        .await?;
    eventually("the popover to hide", WAIT, || async {
        let out = std::process::Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", "^Lattica$"])
            .output()?;
        Ok(out.stdout.is_empty().then_some(()))
    })
    .await?;
    app.quit(&tray).await
}

#[tokio::test]
async fn launch_at_login_writes_the_login_item_and_the_window_reads_its_real_state() -> Result<()> {
    let (_sandbox, _env, app, tray) = settings_open().await?;
    let driver = app.driver()?;
    let check = driver.find(By::Id("launchAtLogin")).await?;
    assert!(!check.is_selected().await?, "off by default");
    // Scrolled to the top of the window first, as a user would: the sticky Save bar covers
    // the bottom of the form.
    check.scroll_into_view().await?;
    check.click().await?;
    driver.find(By::Id("save")).await?.click().await?;
    // The login item goes where the desktop reads it, ~/.config/autostart (the session's HOME).
    let autostart = std::path::Path::new(&std::env::var("HOME")?).join(".config/autostart");
    let entry = eventually("the login item", WAIT, || async {
        Ok(std::fs::read_dir(&autostart)
            .ok()
            .and_then(|mut entries| entries.next())
            .and_then(|e| e.ok())
            .map(|e| e.path()))
    })
    .await?;
    let text = std::fs::read_to_string(&entry)?;
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .unwrap_or_default();
    // The entry starts the very binary that runs: the build tree's here, `/usr/bin`'s when the
    // package test runs this suite against the installed app (`LATTICA_BIN_DIR`).
    let program = exec.split_whitespace().next().unwrap_or_default();
    assert_eq!(
        std::path::Path::new(program.trim_matches('"')),
        lattica_e2e::built_binary("lattica-tray-app")?.canonicalize()?,
        "{text}"
    );

    // Removed outside the app (a desktop's startup settings): what the window reads says so.
    std::fs::remove_file(&entry)?;
    let read = driver
        .execute(
            "return window.__TAURI__.core.invoke('get_settings')",
            vec![],
        )
        .await?;
    assert_eq!(
        read.json()["form"]["launchAtLogin"],
        serde_json::Value::Bool(false),
        "{}",
        read.json()
    );
    app.quit(&tray).await
}
