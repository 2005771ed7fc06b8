//! The shortcut in a Wayland session (`WAYLAND_DISPLAY` set, GTK kept on the X server with
//! `GDK_BACKEND=x11`, as under XWayland): Settings binds it through the GlobalShortcuts
//! portal on the session bus, here the tests' own small portal (none with a GlobalShortcuts
//! backend runs headless); its `Activated` signals toggle the popover, clearing the field
//! closes the portal session, and a missing portal or a declined dialog is explained.

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::sandbox::Sandbox;
use lattica_e2e::tray::TrayItem;
use lattica_e2e::{Context, Result, eventually};
use thirtyfour::prelude::*;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::fake_portal::{Answer, Call, activate, next, start_portal};
use crate::shortcut::{popover_shown, saved_shortcut};
use crate::signin::switch_to_window;
use crate::support::{WAIT, label_becomes, steady_sandbox};

fn session_bus() -> Result<String> {
    std::env::var("DBUS_SESSION_BUS_ADDRESS").context("the headless session's bus")
}

/// A signed-in app in a Wayland session under WebDriver, its settings window in front.
async fn settings_open_on_wayland() -> Result<(Sandbox, AppEnv, App, TrayItem)> {
    let sandbox = steady_sandbox("300").await?;
    let env = AppEnv::new(&sandbox.url)?
        .with_var("WAYLAND_DISPLAY", "wayland-lattica-e2e")
        .with_var("GDK_BACKEND", "x11");
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "300 cr").await?;
    tray.click("Settings…")?;
    let driver = app.driver()?;
    switch_to_window(driver, "Lattica Tray settings").await?;
    // Typed into only once the page has filled the form from the saved settings.
    eventually("the settings form filled", WAIT, || async {
        let refresh = driver
            .find(By::Id("refreshIntervalSecs"))
            .await?
            .value()
            .await?;
        Ok(refresh.is_some_and(|v| !v.is_empty()).then_some(()))
    })
    .await?;
    Ok((sandbox, env, app, tray))
}

async fn save_shortcut(driver: &WebDriver, typed: &str) -> Result<()> {
    let field = driver.find(By::Id("shortcut")).await?;
    field.clear().await?;
    if !typed.is_empty() {
        field.send_keys(typed).await?;
    }
    driver.find(By::Id("save")).await?.click().await?;
    Ok(())
}

async fn shortcut_error_says(driver: &WebDriver, words: &str) -> Result<()> {
    eventually(&format!("“{words}” beside the field"), WAIT, || async {
        let error = driver.find(By::Id("shortcut-error")).await?.text().await?;
        Ok(error.contains(words).then_some(()))
    })
    .await
}

/// The session and the app's bus name of the next bind, after its CreateSession.
async fn bound(calls: &mut UnboundedReceiver<Call>, trigger: &str) -> (String, String) {
    let Call::CreateSession { session } = next(calls).await else {
        panic!("a portal session first")
    };
    let Call::Bind {
        sender,
        session: bound_in,
        shortcuts,
    } = next(calls).await
    else {
        panic!("then the bind")
    };
    assert_eq!(bound_in, session);
    let asked: Vec<_> = shortcuts
        .iter()
        .map(|(id, description, trigger)| (id.as_str(), description.as_str(), trigger.as_deref()))
        .collect();
    assert_eq!(
        asked,
        [("toggle-popover", "Open the Lattica popover", Some(trigger))]
    );
    (session, sender)
}

#[tokio::test]
async fn on_wayland_the_portal_binds_the_shortcut_and_its_presses_toggle_the_popover() -> Result<()>
{
    let (portal, mut calls, _) = start_portal(&session_bus()?, Answer::Bind("Ctrl+Alt+L")).await;
    let (_sandbox, env, app, tray) = settings_open_on_wayland().await?;
    let driver = app.driver()?;

    save_shortcut(driver, "ctrl+alt+l").await?;
    let (session, app_name) = bound(&mut calls, "CTRL+ALT+l").await;
    eventually("the shortcut saved", WAIT, || async {
        Ok((saved_shortcut(&env)?.as_deref() == Some("Ctrl+Alt+L")).then_some(()))
    })
    .await?;
    assert_eq!(
        driver.find(By::Id("shortcut-error")).await?.text().await?,
        "",
        "the portal bound it"
    );

    activate(&portal, &app_name, &session, "toggle-popover", 1).await;
    popover_shown(true).await?;
    activate(&portal, &app_name, &session, "toggle-popover", 2).await;
    popover_shown(false).await?;

    // Cleared: the portal session is closed, without a restart.
    switch_to_window(driver, "Lattica Tray settings").await?;
    save_shortcut(driver, "").await?;
    assert_eq!(next(&mut calls).await, Call::CloseSession(session));
    eventually("the shortcut cleared", WAIT, || async {
        Ok(saved_shortcut(&env)?.is_none().then_some(()))
    })
    .await?;
    app.quit(&tray).await
}

#[tokio::test]
async fn on_wayland_a_missing_portal_and_a_declined_dialog_are_explained() -> Result<()> {
    let (_sandbox, env, app, tray) = settings_open_on_wayland().await?;
    let driver = app.driver()?;

    // No portal on the session bus.
    save_shortcut(driver, "Ctrl+Alt+L").await?;
    shortcut_error_says(
        driver,
        "This Wayland desktop does not let applications use a keyboard shortcut such as \
         Ctrl+Alt+L",
    )
    .await?;
    assert_eq!(saved_shortcut(&env)?, None, "nothing saved");

    // A portal now, and the user says no in its dialog.
    let (_portal, mut calls, _) = start_portal(&session_bus()?, Answer::Code(1)).await;
    save_shortcut(driver, "Ctrl+Alt+L").await?;
    let (session, _) = bound(&mut calls, "CTRL+ALT+l").await;
    shortcut_error_says(driver, "Ctrl+Alt+L was declined in the desktop's dialog").await?;
    assert_eq!(next(&mut calls).await, Call::CloseSession(session));
    assert_eq!(saved_shortcut(&env)?, None, "nothing saved");
    app.quit(&tray).await
}
