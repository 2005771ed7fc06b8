//! The tray item clicked as a panel clicks it (`Activate` over D-Bus): the popover opens and
//! hides, by the click when the panel says where it was; the tooltip and label carry the
//! figures; the menu keeps working.

use std::time::Duration;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::sandbox::Profile;
use lattica_e2e::tray::TrayItem;
use lattica_e2e::{Context, Result, eventually};

use crate::support::{WAIT, label_becomes, menu_row, signed_in_app, steady_sandbox_on};

/// The popover's logical size and its margin from the work area's edges (windows.rs).
const POPOVER: (i64, i64) = (360, 480);
const MARGIN: i64 = 8;

/// Whether a window titled "Lattica" (the popover) is mapped on the X server.
fn popover_on_screen() -> Result<bool> {
    let out = std::process::Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", "^Lattica$"])
        .output()?;
    Ok(!out.stdout.is_empty())
}

async fn popover_becomes(shown: bool) -> Result<()> {
    let what = if shown { "shown" } else { "hidden" };
    eventually(&format!("the popover {what}"), WAIT, || async {
        Ok((popover_on_screen()? == shown).then_some(()))
    })
    .await
}

#[tokio::test]
async fn a_click_on_the_icon_opens_the_popover_and_a_second_hides_it() -> Result<()> {
    let sandbox = steady_sandbox_on(Profile::Full, "1234.56").await?;
    let (_env, app, tray) = signed_in_app(&sandbox).await?;
    label_becomes(&tray, "1.2k cr").await?;
    assert!(!popover_on_screen()?, "hidden before any click");

    // A host that gives no position sends (0, 0).
    tray.activate(0, 0)?;
    popover_becomes(true).await?;
    tray.activate(0, 0)?;
    popover_becomes(false).await?;

    // The menu is still there with every row, and its clicks still run.
    let rows = menu_row(&tray, "the balance row", |r| {
        r == "Balance: 1,234.56 credits"
    })
    .await?;
    for entry in [
        "Open",
        "Add credit…",
        "Refresh now",
        "Settings…",
        "Sign out",
        "Quit",
    ] {
        assert!(rows.iter().any(|r| r == entry), "no {entry:?} in {rows:?}");
    }
    tray.click("Open")?;
    popover_becomes(true).await?;
    tray.activate(5, 5)?;
    popover_becomes(false).await?;
    app.quit(&tray).await
}

#[tokio::test]
async fn the_tooltip_and_label_carry_the_figures() -> Result<()> {
    // Both platforms: 1,028.8 h for one default worker at 1.2 credits/h on the sandbox;
    // one G7E_2XLARGE at its assumed list price, 4.8 credits/h, on the published one.
    for (profile, estimate) in [
        (Profile::Full, "about 42 d 20 h"),
        (Profile::Published, "about 10 d 17 h"),
    ] {
        let sandbox = steady_sandbox_on(profile, "1234.56").await?;
        let (_env, app, tray) = signed_in_app(&sandbox).await?;
        label_becomes(&tray, "1.2k cr").await?;
        assert_eq!(tray.title()?, "Lattica");
        let (title, body) = eventually("a tooltip with figures", WAIT, || async {
            let tooltip = tray.tooltip()?;
            Ok(tooltip.1.contains("credits").then_some(tooltip))
        })
        .await?;
        assert_eq!(title, "Lattica");
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines[0], "Balance: 1,234.56 credits", "{body}");
        assert!(
            lines[1].starts_with("Estimated usage time: ") && lines[1].contains(estimate),
            "{profile:?}: {body}"
        );
        assert!(
            lines[2].starts_with("Updated at ") && lines[2].len() == "Updated at 14:05".len(),
            "{body}"
        );
        // The icon travels as pixels, one of the state icons.
        assert_eq!(tray.icon_name()?, "");
        assert_eq!(tray.icon_state()?, "ok");
        app.quit(&tray).await?;
    }
    Ok(())
}

const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// The pid behind the session's StatusNotifierWatcher, if one runs.
fn watcher_pid() -> Result<Option<u32>> {
    let out = std::process::Command::new("busctl")
        .args([
            "--user",
            "call",
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
        ])
        .args([
            "org.freedesktop.DBus",
            "GetConnectionUnixProcessID",
            "s",
            WATCHER,
        ])
        .output()?;
    if !out.status.success() {
        return Ok(None);
    }
    // "u 1234"
    let text = String::from_utf8(out.stdout)?;
    Ok(text.split_whitespace().nth(1).map(str::parse).transpose()?)
}

#[tokio::test]
async fn the_item_comes_back_when_the_panel_restarts() -> Result<()> {
    let sandbox = steady_sandbox_on(Profile::Full, "1234.56").await?;
    let (_env, app, tray) = signed_in_app(&sandbox).await?;
    label_becomes(&tray, "1.2k cr").await?;

    // The panel goes: the session's watcher (headless-session.sh's) is stopped...
    let pid = watcher_pid()?.context("the session runs a StatusNotifierWatcher")?;
    // `comm` keeps the first 15 bytes of "status-notifier-watcher".
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm"))?;
    assert_eq!(
        comm.trim(),
        "status-notifier",
        "only ever stop the session's watcher"
    );
    lattica_e2e::process::sigkill(pid)?;
    eventually("the watcher gone", WAIT, || async {
        Ok(watcher_pid()?.is_none().then_some(()))
    })
    .await?;
    // ...and a new one starts, knowing no item, as a restarted panel does. It serves the rest
    // of the session and ends with its bus.
    let log = std::env::var_os("LATTICA_SESSION_ROOT")
        .map(|root| std::path::PathBuf::from(root).join("watcher-restarted.log"))
        .context("run inside scripts/headless-session.sh")?;
    std::process::Command::new("status-notifier-watcher")
        .stdout(std::fs::File::create(&log)?)
        .stderr(std::fs::File::create(log.with_extension("err"))?)
        .spawn()?;

    // The app registers again by itself and still answers: label, click.
    let again = app.tray().await?;
    assert_eq!(again.object, tray.object);
    label_becomes(&again, "1.2k cr").await?;
    again.activate(0, 0)?;
    popover_becomes(true).await?;
    again.activate(0, 0)?;
    popover_becomes(false).await?;
    app.quit(&again).await
}

/// The X screen's size: without a window manager, the monitor's work area.
fn screen() -> Result<(i64, i64)> {
    let out = std::process::Command::new("xdotool")
        .arg("getdisplaygeometry")
        .output()?;
    let text = String::from_utf8(out.stdout)?;
    let mut parts = text.split_whitespace().map(str::parse::<i64>);
    Ok((
        parts.next().context("width")??,
        parts.next().context("height")??,
    ))
}

#[tokio::test]
async fn the_popover_opens_by_the_click_inside_the_work_area() -> Result<()> {
    let sandbox = steady_sandbox_on(Profile::Full, "1234.56").await?;
    let env = AppEnv::new(&sandbox.url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "2");
    env.login(&sandbox.token)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "1.2k cr").await?;
    let driver = app.driver()?;
    let (width, height) = screen()?;

    // Under a click on a top panel: centred on the click, a margin below the panel's edge.
    let (x, y) = (600, 2);
    placed_at(
        &tray,
        driver,
        (x, y),
        (x - POPOVER.0 / 2, MARGIN.max(y + MARGIN)),
    )
    .await?;
    // In the bottom right corner: above the click, pushed back inside the screen.
    let (x, y) = (width - 3, height - 3);
    let expected = (width - POPOVER.0 - MARGIN, y - POPOVER.1 - MARGIN);
    placed_at(&tray, driver, (x, y), expected).await?;
    app.quit(&tray).await
}

/// Clicks at `click`, checks the popover's top-left corner is `expected`, and hides it again.
async fn placed_at(
    tray: &TrayItem,
    driver: &thirtyfour::WebDriver,
    click: (i64, i64),
    expected: (i64, i64),
) -> Result<()> {
    tray.activate(i32::try_from(click.0)?, i32::try_from(click.1)?)?;
    popover_becomes(true).await?;
    let rect = eventually(
        "the popover at its place",
        Duration::from_secs(5),
        || async {
            let rect = driver.get_window_rect().await?;
            Ok(((rect.x, rect.y) == expected).then_some(rect))
        },
    )
    .await
    .with_context(|| format!("a click at {click:?} should put the popover at {expected:?}"))?;
    assert_eq!((rect.width, rect.height), POPOVER, "{rect:?}");
    tray.activate(i32::try_from(click.0)?, i32::try_from(click.1)?)?;
    popover_becomes(false).await
}
