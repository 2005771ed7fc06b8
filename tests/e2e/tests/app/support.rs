//! What several suites share: a sandbox with steady figures and a signed-in app on it.

use std::time::Duration;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::sandbox::{Profile, Sandbox};
use lattica_e2e::tray::TrayItem;
use lattica_e2e::{Result, eventually, require_session};
use serde_json::json;
use thirtyfour::WebDriver;

pub const WAIT: Duration = Duration::from_secs(20);

/// A sandbox whose balance holds still: no worker runs, the balance is `credits`.
pub async fn steady_sandbox(credits: &str) -> Result<Sandbox> {
    steady_sandbox_on(Profile::Full, credits).await
}

/// The same, playing `profile`.
pub async fn steady_sandbox_on(profile: Profile, credits: &str) -> Result<Sandbox> {
    require_session()?;
    let sandbox = Sandbox::spawn_on(profile)?;
    sandbox
        .control("stop_worker", json!({ "all": true }))
        .await?;
    sandbox.set_balance(credits).await?;
    Ok(sandbox)
}

/// An app signed in (through `lattica-tray login`) to `sandbox`, refreshing every 2 s.
pub async fn signed_in_app(sandbox: &Sandbox) -> Result<(AppEnv, App, TrayItem)> {
    let env = AppEnv::new(&sandbox.url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "2");
    env.login(&sandbox.token)?;
    let (app, tray) = App::launch(&env, &[]).await?;
    Ok((env, app, tray))
}

/// Waits until the tray's label reads `expected`.
pub async fn label_becomes(tray: &TrayItem, expected: &str) -> Result<()> {
    eventually(&format!("the tray label {expected:?}"), WAIT, || async {
        Ok((tray.label()? == expected).then_some(()))
    })
    .await
}

/// Waits until the tray shows the icon of `state`.
pub async fn icon_becomes(tray: &TrayItem, state: &str) -> Result<()> {
    eventually(&format!("the {state} tray icon"), WAIT, || async {
        Ok((tray.icon_state()? == state).then_some(()))
    })
    .await
}

/// Waits until some menu row satisfies `matches`, and returns the rows then.
pub async fn menu_row(
    tray: &TrayItem,
    what: &str,
    matches: impl Fn(&str) -> bool,
) -> Result<Vec<String>> {
    eventually(what, WAIT, || async {
        let rows: Vec<String> = tray.menu()?.into_iter().map(|e| e.label).collect();
        Ok(rows.iter().any(|r| matches(r)).then_some(rows))
    })
    .await
}

/// Waits until the page has painted its latest changes (two animation frames), so a
/// screenshot shows them.
pub async fn painted(driver: &WebDriver) -> Result<()> {
    driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => done()));",
            vec![],
        )
        .await?;
    Ok(())
}

/// What the window in front answers to `command` (without arguments), as its page would
/// receive it over IPC.
pub async fn ipc_answer(driver: &WebDriver, command: &str) -> Result<serde_json::Value> {
    let answer = driver
        .execute(
            "return window.__TAURI__.core.invoke(arguments[0])",
            vec![serde_json::Value::String(command.to_owned())],
        )
        .await?;
    Ok(answer.json().clone())
}
