//! The harness of the end-to-end suites: it spawns the real sandbox and the real app inside the
//! headless desktop session (`scripts/headless-session.sh`), and reads what a user would see —
//! the tray over D-Bus, windows through WebDriver, notifications from dunst, the keychain
//! through `secret-tool`.
//!
//! Linux only: the session it drives (Xvfb, D-Bus, the Secret Service, dunst, a
//! StatusNotifier host) exists only there, so on other targets the crate is empty.
#![cfg(target_os = "linux")]

pub mod app;
pub mod desktop;
pub mod process;
pub mod sandbox;
pub mod soak;
pub mod tray;

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use anyhow::{Context, Result, bail, ensure};

/// The workspace root (this crate lives at `tests/e2e`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A binary built into the workspace's target directory (debug unless `LATTICA_PROFILE` says
/// otherwise), or the installed package's copy in `LATTICA_BIN_DIR` (`/usr/bin`: the package
/// test drives the installed app with the same suites). The suites never build: `make test`
/// builds first.
pub fn built_binary(name: &str) -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("LATTICA_BIN_DIR") {
        let path = PathBuf::from(dir).join(name);
        ensure!(path.exists(), "{} is not installed", path.display());
        return Ok(path);
    }
    let profile = std::env::var("LATTICA_PROFILE").unwrap_or_else(|_| "debug".into());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let path = target.join(profile).join(name);
    ensure!(
        path.exists(),
        "{} is not built; run `make test` (it builds first)",
        path.display()
    );
    Ok(path)
}

/// Where the suites save screenshots for people to look at.
pub fn artifacts_dir() -> PathBuf {
    let dir = workspace_root().join("artifacts/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Fails unless the suite runs inside the headless session, with a message saying how to run it.
pub fn require_session() -> Result<()> {
    ensure!(
        std::env::var("LATTICA_IN_SESSION").as_deref() == Ok("1"),
        "the end-to-end suites need the headless desktop session: run them through \
         `scripts/headless-session.sh cargo test -p lattica-e2e` (or `make test`)"
    );
    Ok(())
}

/// Polls `probe` until it returns `Ok(Some(value))` or `timeout` passes; the last error or
/// "still None" is reported with `what`. This is the suites' only way to wait.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let deadline = Instant::now() + timeout;
    let mut last = String::from("condition never held");
    loop {
        match probe().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(err) => last = format!("{err:#}"),
        }
        if Instant::now() >= deadline {
            bail!("timed out after {timeout:?} waiting for {what}: {last}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
