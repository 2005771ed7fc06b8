//! The processes a test starts, read from `/proc`: who descends from whom, what runs, how
//! much memory it holds; and SIGKILL, as a crash would end them.

use crate::{Context, Result};

/// The process id of the program `name` started (directly or through tauri-driver
/// and WebKitWebDriver) under `ancestor`.
pub fn descendant_named(ancestor: u32, name: &str) -> Option<u32> {
    let mut found = None;
    for entry in std::fs::read_dir("/proc").ok()? {
        let Some(pid) = entry
            .ok()
            .and_then(|e| e.file_name().to_str()?.parse::<u32>().ok())
        else {
            continue;
        };
        if process_name(pid).as_deref() != Some(name) {
            continue;
        }
        let mut up = pid;
        for _ in 0..8 {
            match parent(up) {
                Some(p) if p == ancestor => {
                    found = Some(pid);
                    break;
                }
                Some(p) if p > 1 => up = p,
                _ => break,
            }
        }
    }
    found
}

/// The file name of the program `pid` runs (not `comm`, which is cut at 15 bytes).
fn process_name(pid: u32) -> Option<String> {
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    Some(exe.file_name()?.to_string_lossy().into_owned())
}

fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The name in parentheses may hold spaces: the fields after its closing one are fixed.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(1)?.parse().ok()
}

/// The resident memory of `pid`, in KiB.
pub fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS line")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .context("VmRSS value")?
        .parse()?)
}

/// Sends SIGKILL to `pid`.
pub fn sigkill(pid: u32) -> Result<()> {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()?;
    crate::ensure!(status.success(), "kill -KILL {pid} failed");
    Ok(())
}

/// Whether `pid` is `ancestor` or runs under it (directly or a few levels down: tauri-driver,
/// WebKitWebDriver, the app).
pub fn descends_from(pid: u32, ancestor: u32) -> bool {
    let mut up = pid;
    for _ in 0..8 {
        if up == ancestor {
            return true;
        }
        match parent(up) {
            Some(p) if p > 1 => up = p,
            _ => return false,
        }
    }
    false
}
