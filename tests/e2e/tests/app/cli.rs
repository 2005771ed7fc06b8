//! The app where the desktop is missing a piece, and a second launch.

use std::fs;
use std::process::Command;
use std::time::Duration;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::{Result, eventually, require_session};

use crate::support::{WAIT, label_becomes, signed_in_app, steady_sandbox};

#[tokio::test]
async fn without_a_display_the_app_says_so_and_exits_non_zero() -> Result<()> {
    require_session()?;
    let env = AppEnv::new("http://127.0.0.1:9")?;
    let out = env.run(
        env.app_command()?
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY"),
        None,
    )?;
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.to_lowercase().contains("display"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    Ok(())
}

#[tokio::test]
async fn without_a_keychain_login_says_what_is_missing_and_stores_nothing() -> Result<()> {
    let sandbox = steady_sandbox("10").await?;
    let env = AppEnv::new(&sandbox.url)?;
    let mut cmd = env.app_command()?;
    cmd.arg("login")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let out = env.run(&mut cmd, Some(&sandbox.token))?;
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Secret Service") || stderr.contains("keychain"),
        "{stderr}"
    );
    for (path, bytes) in env.written_files()? {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&sandbox.token),
            "token written to {}",
            path.display()
        );
    }
    Ok(())
}

/// Whether a visible X window has exactly this title.
pub(crate) fn visible_window(title: &str) -> Result<bool> {
    let out = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", title])
        .output()?;
    Ok(out.status.success() && !out.stdout.is_empty())
}

#[tokio::test]
async fn a_second_launch_opens_the_running_apps_popover() -> Result<()> {
    let sandbox = steady_sandbox("42").await?;
    let (env, app, tray) = signed_in_app(&sandbox).await?;
    label_becomes(&tray, "42 cr").await?;
    assert!(!visible_window("^Lattica$")?, "no window is open at start");

    let second = env.run(&mut env.app_command()?, None)?;
    assert!(second.status.success(), "{second:?}");
    eventually("the popover to show", WAIT, || async {
        Ok(visible_window("^Lattica$")?.then_some(()))
    })
    .await?;
    app.quit(&tray).await
}

#[tokio::test]
async fn a_corrupt_history_is_set_aside_not_deleted() -> Result<()> {
    let sandbox = steady_sandbox("42").await?;
    let env = AppEnv::new(&sandbox.url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "2");
    env.login(&sandbox.token)?;
    let dir = env.root().join("data/ai.lattica.tray");
    fs::create_dir_all(&dir)?;
    let garbage = b"this is not a SQLite database, but someone's data all the same";
    fs::write(dir.join("history.sqlite3"), garbage)?;

    let (app, tray) = App::launch(&env, &[]).await?;
    label_becomes(&tray, "42 cr").await?;
    let aside = eventually(
        "the damaged history set aside",
        Duration::from_secs(10),
        || async {
            Ok(fs::read_dir(&dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.to_string_lossy().contains("history.sqlite3.corrupt-")))
        },
    )
    .await?;
    assert_eq!(fs::read(&aside)?, garbage, "kept byte for byte");
    assert!(app.log_text().contains("set aside"), "reported in the log");
    app.quit(&tray).await
}
