//! The global shortcut: set in the real settings window (a malformed one, or one another X11
//! client holds, explained and not saved), then pressed on the X server with `xdotool`, it
//! shows the popover and hides it.

use std::process::Command;
use std::time::Duration;

use lattica_core::view::SettingsTexts;
use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::{Context, Result, ensure, eventually};
use thirtyfour::prelude::*;

use crate::cli::visible_window;
use crate::popover::text_of;
use crate::settings::settings_open;
use crate::signin::switch_to_window;
use crate::support::{WAIT, label_becomes, steady_sandbox};

/// Presses `keys` (xdotool's spelling, `ctrl+alt+l`) as the keyboard would, through XTEST.
pub(crate) fn press(keys: &str) -> Result<()> {
    let status = Command::new("xdotool").args(["key", keys]).status()?;
    ensure!(status.success(), "xdotool key {keys} failed");
    Ok(())
}

pub(crate) async fn popover_shown(shown: bool) -> Result<()> {
    let what = if shown { "shown" } else { "hidden" };
    eventually(&format!("the popover {what}"), WAIT, || async {
        Ok((visible_window("^Lattica$")? == shown).then_some(()))
    })
    .await
}

/// Waits for the save's answer: the window's "Saved." (worded in Rust), which it shows only
/// once `save_settings` answered without a refusal (the status is emptied when the form is sent).
async fn saved(driver: &WebDriver) -> Result<()> {
    let texts = SettingsTexts::new(Duration::from_secs(1), Duration::from_secs(1));
    eventually("the settings' answer", WAIT, || async {
        let status = driver.find(By::Id("save-status")).await?.text().await?;
        Ok((status == texts.saved).then_some(()))
    })
    .await
}

/// The shortcut in the saved settings file, if any.
pub(crate) fn saved_shortcut(env: &AppEnv) -> Result<Option<String>> {
    let file = env.root().join("config/ai.lattica.tray/settings.json");
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Ok(None);
    };
    let saved: serde_json::Value = serde_json::from_str(&text)?;
    Ok(saved["shortcut"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn the_shortcut_set_in_settings_toggles_the_popover() -> Result<()> {
    let (_sandbox, env, app, tray) = settings_open().await?;
    let driver = app.driver()?;
    let saved_shortcut = || saved_shortcut(&env);

    // Off by default: the field is empty and the key does nothing.
    let field = driver.find(By::Id("shortcut")).await?;
    assert_eq!(field.value().await?.unwrap_or_default(), "");

    field.send_keys("Ctrl+").await?;
    driver.find(By::Id("save")).await?.click().await?;
    let error = text_of(driver, "shortcut-error").await?;
    assert!(error.contains("“Ctrl+” has no key"), "{error}");
    assert_eq!(saved_shortcut()?, None, "nothing saved");

    field.clear().await?;
    field.send_keys("ctrl+alt+l").await?;
    driver.find(By::Id("save")).await?.click().await?;
    // The field is emptied when the form is sent: only the answer says whether the desktop
    // took the key.
    saved(driver).await?;
    assert_eq!(saved_shortcut()?.as_deref(), Some("Ctrl+Alt+L"));
    assert_eq!(
        driver.find(By::Id("shortcut-error")).await?.text().await?,
        "",
        "the desktop took it"
    );
    assert!(!visible_window("^Lattica$")?, "no popover yet");

    press("ctrl+alt+l")?;
    popover_shown(true).await?;
    press("ctrl+alt+l")?;
    popover_shown(false).await?;

    // Cleared, the key is given back: pressing it shows nothing.
    switch_to_window(driver, "Lattica Tray settings").await?;
    let field = driver.find(By::Id("shortcut")).await?;
    field.clear().await?;
    driver.find(By::Id("save")).await?.click().await?;
    eventually("the shortcut cleared", WAIT, || async {
        Ok(saved_shortcut()?.is_none().then_some(()))
    })
    .await?;
    press("ctrl+alt+l")?;
    // Shown within a second when grabbed (above); a released key shows nothing.
    let shown = eventually("the popover", Duration::from_secs(2), || async {
        Ok(visible_window("^Lattica$")?.then_some(()))
    })
    .await;
    assert!(
        shown.is_err(),
        "the cleared shortcut still opens the popover"
    );
    app.quit(&tray).await
}

/// A key combination grabbed on the X server by a connection of the test's own, as another
/// application holding it would; released when dropped.
struct OtherApplication {
    _conn: x11rb::rust_connection::RustConnection,
}

impl OtherApplication {
    /// Grabs Ctrl+Alt+`key` (a lowercase letter) on the root window.
    fn grab_ctrl_alt(key: char) -> Result<Self> {
        use x11rb::connection::Connection;
        use x11rb::protocol::xproto::{ConnectionExt, GrabMode, ModMask};
        let (conn, screen) = x11rb::connect(None)?;
        let setup = conn.setup();
        let root = setup.roots[screen].root;
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = conn.get_keyboard_mapping(min, max - min + 1)?.reply()?;
        let per = usize::from(map.keysyms_per_keycode).max(1);
        // Latin-1 letters' keysyms are their code points.
        let keysym = u32::from(key);
        let index = map
            .keysyms
            .chunks(per)
            .position(|syms| syms.contains(&keysym))
            .with_context(|| format!("no keycode for {key}"))?;
        let keycode = min + u8::try_from(index)?;
        conn.grab_key(
            false,
            root,
            ModMask::CONTROL | ModMask::M1,
            keycode,
            GrabMode::ASYNC,
            GrabMode::ASYNC,
        )?
        .check()?;
        Ok(Self { _conn: conn })
    }
}

#[tokio::test]
async fn shortcuts_another_application_holds_are_explained_and_not_saved() -> Result<()> {
    let sandbox = steady_sandbox("300").await?;
    let env = AppEnv::new(&sandbox.url)?;
    env.login(&sandbox.token)?;
    // Saved earlier, and held by another application since.
    let config = env.root().join("config/ai.lattica.tray");
    std::fs::create_dir_all(&config)?;
    std::fs::write(
        config.join("settings.json"),
        r#"{"shortcut": "Ctrl+Alt+K"}"#,
    )?;
    let held_k = OtherApplication::grab_ctrl_alt('k')?;
    let held_j = OtherApplication::grab_ctrl_alt('j')?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "300 cr").await?;
    tray.click("Settings…")?;
    let driver = app.driver()?;
    switch_to_window(driver, "Lattica Tray settings").await?;

    let field = driver.find(By::Id("shortcut")).await?;
    // The form is filled once the page has read the settings (a run read it empty before).
    eventually("the saved shortcut in the field", WAIT, || async {
        Ok((field.value().await?.as_deref() == Some("Ctrl+Alt+K")).then_some(()))
    })
    .await?;
    let at_start = text_of(driver, "shortcut-error").await?;
    assert!(
        at_start.contains("Ctrl+Alt+K is already used by another application"),
        "the refusal at start is told: {at_start}"
    );

    field.clear().await?;
    field.send_keys("Ctrl+Alt+J").await?;
    driver.find(By::Id("save")).await?.click().await?;
    eventually("the refusal of Ctrl+Alt+J", WAIT, || async {
        let error = driver.find(By::Id("shortcut-error")).await?.text().await?;
        Ok(error
            .contains("Ctrl+Alt+J is already used by another application")
            .then_some(()))
    })
    .await?;
    assert_eq!(saved_shortcut(&env)?.as_deref(), Some("Ctrl+Alt+K"), "kept");

    // Released by the other application, the saved shortcut is taken on the next save.
    drop((held_k, held_j));
    field.clear().await?;
    field.send_keys("Ctrl+Alt+K").await?;
    driver.find(By::Id("save")).await?.click().await?;
    // The file already held Ctrl+Alt+K: only the answer tells this save from the refusal.
    saved(driver).await?;
    let error = driver.find(By::Id("shortcut-error")).await?.text().await?;
    assert!(error.is_empty(), "the refusal is still told: {error}");
    assert_eq!(saved_shortcut(&env)?.as_deref(), Some("Ctrl+Alt+K"));
    press("ctrl+alt+k")?;
    popover_shown(true).await?;
    app.quit(&tray).await
}
