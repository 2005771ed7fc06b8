//! The rest of the desktop a user has: the keychain (Secret Service), the notification daemon
//! (dunst) and the screen.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::{Result, ensure};

fn run(cmd: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(cmd).args(args).output()?;
    ensure!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Everything the Secret Service holds for `service`, as `secret-tool search --all` prints it
/// (attributes and secrets).
pub fn keychain_search(service: &str) -> Result<String> {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "--unlock", "service", service])
        .output()?;
    // secret-tool prints attributes on stderr and secrets on stdout.
    Ok(format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// A notification as dunst recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: i64,
    pub summary: String,
    pub body: String,
    pub app: String,
}

/// Closes every open notification and returns the whole history, newest first. (dunst's
/// history holds closed notifications only.)
pub fn notifications() -> Result<Vec<Notification>> {
    run("dunstctl", &["close-all"])?;
    let history: Value = serde_json::from_str(&run("dunstctl", &["history"])?)?;
    let text = |n: &Value, key: &str| n[key]["data"].as_str().unwrap_or_default().to_owned();
    Ok(history["data"][0]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| Notification {
            id: n["id"]["data"].as_i64().unwrap_or_default(),
            summary: text(n, "summary"),
            body: text(n, "body"),
            app: text(n, "appname"),
        })
        .collect())
}

/// Marks the present: [`NotificationWatch::new_since`] then returns only what came after.
/// (The dunst shipped by Debian 12 cannot clear its history.)
#[derive(Debug, Clone, Copy)]
pub struct NotificationWatch {
    after_id: i64,
}

impl NotificationWatch {
    pub fn start() -> Result<Self> {
        let after_id = notifications()?.iter().map(|n| n.id).max().unwrap_or(0);
        Ok(Self { after_id })
    }

    /// Notifications shown since the watch started, oldest first.
    pub fn new_since(&self) -> Result<Vec<Notification>> {
        let mut fresh: Vec<_> = notifications()?
            .into_iter()
            .filter(|n| n.id > self.after_id)
            .collect();
        fresh.sort_by_key(|n| n.id);
        Ok(fresh)
    }
}

/// A PNG of the mapped window titled exactly `title` (no regex characters), as the X server
/// shows it: the pixels a user sees. WebDriver's own screenshots are WebKit snapshots of the
/// page, and WebKitWebDriver's hang in some states (a second webview open, a cross-origin
/// frame) when WebKit renders without accelerated compositing, as the app has it do.
pub fn window_png(title: &str) -> Result<Vec<u8>> {
    let ids = run(
        "xdotool",
        &["search", "--onlyvisible", "--name", &format!("^{title}$")],
    )?;
    let id = ids.lines().next().unwrap_or_default().trim().to_owned();
    ensure!(!id.is_empty(), "no visible window titled {title:?}");
    let out = Command::new("import")
        .args(["-window", &id, "png:-"])
        .output()?;
    ensure!(
        out.status.success() && out.stdout.starts_with(b"\x89PNG"),
        "import -window {id}: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(out.stdout)
}

/// A screenshot of the whole virtual screen.
pub fn screenshot(path: &Path) -> Result<()> {
    run("import", &["-window", "root", &path.to_string_lossy()])?;
    Ok(())
}
