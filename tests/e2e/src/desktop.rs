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
    pub summary: String,
    pub body: String,
    pub app: String,
}

/// Closes every open notification and returns the whole history, newest first.
pub fn notifications() -> Result<Vec<Notification>> {
    run("dunstctl", &["close-all"])?;
    let history: Value = serde_json::from_str(&run("dunstctl", &["history"])?)?;
    let field = |n: &Value, key: &str| n[key]["data"].as_str().unwrap_or_default().to_owned();
    Ok(history["data"][0]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| Notification {
            summary: field(n, "summary"),
            body: field(n, "body"),
            app: field(n, "appname"),
        })
        .collect())
}

/// Forgets every notification so a test starts from none.
pub fn clear_notifications() -> Result<()> {
    run("dunstctl", &["close-all"])?;
    run("dunstctl", &["history-clear"])?;
    Ok(())
}

/// A screenshot of the whole virtual screen.
pub fn screenshot(path: &Path) -> Result<()> {
    run("import", &["-window", "root", &path.to_string_lossy()])?;
    Ok(())
}
