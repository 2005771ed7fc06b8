//! Where the app keeps its files. The same folders Tauri's path resolver gives
//! (`app_config_dir`, `app_data_dir`, `app_log_dir`), computed without Tauri so the CLI, which
//! must not start GTK, finds the same settings and history as the tray.

use std::path::PathBuf;

/// The bundle identifier from `tauri.conf.json`; the folders are named after it.
pub const IDENTIFIER: &str = "ai.lattica.tray";

/// The app's per-user folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

/// The platform reports no home folder, so there is nowhere to keep anything.
#[derive(Debug, thiserror::Error)]
#[error("cannot find the per-user {0} folder (is HOME set?)")]
pub struct NoHomeError(&'static str);

impl AppPaths {
    /// The folders of the current user.
    pub fn resolve() -> Result<Self, NoHomeError> {
        let config = dirs::config_dir().ok_or(NoHomeError("configuration"))?;
        let data = dirs::data_dir().ok_or(NoHomeError("data"))?;
        #[cfg(target_os = "macos")]
        let log_dir = dirs::home_dir()
            .ok_or(NoHomeError("home"))?
            .join("Library/Logs")
            .join(IDENTIFIER);
        // The XDG state folder (`~/.local/state`), meant for logs.
        #[cfg(target_os = "linux")]
        let log_dir = dirs::state_dir()
            .ok_or(NoHomeError("state"))?
            .join(IDENTIFIER);
        #[cfg(not(any(target_os = "macos", target_os = "linux")))]
        let log_dir = dirs::data_local_dir()
            .ok_or(NoHomeError("local data"))?
            .join(IDENTIFIER)
            .join("logs");
        Ok(Self {
            config_dir: config.join(IDENTIFIER),
            data_dir: data.join(IDENTIFIER),
            log_dir,
        })
    }

    pub fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.json")
    }

    /// The demo account's settings, kept apart so trying the demo changes none of the user's.
    pub fn demo_settings_file(&self) -> PathBuf {
        self.config_dir.join("settings-demo.json")
    }

    /// The local balance history (SQLite). The sandbox's figures are kept apart, so trying
    /// `--sandbox` never mixes demo figures into a real account's chart.
    pub fn history_db(&self, sandbox: bool) -> PathBuf {
        self.data_dir.join(if sandbox {
            "history-sandbox.sqlite3"
        } else {
            "history.sqlite3"
        })
    }

    /// The in-process sandbox's database, so `--sandbox` keeps its account between runs.
    pub fn sandbox_dir(&self) -> PathBuf {
        self.data_dir.join("sandbox")
    }
}

/// The program `name` beside the running binary (a build folder, `/usr/bin`), else `name`
/// alone, for the system to find on `PATH`.
pub fn program_beside(name: &str) -> PathBuf {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(name)))
        .map(|path| path.with_extension(std::env::consts::EXE_EXTENSION));
    match beside {
        Some(path) if path.is_file() => path,
        _ => PathBuf::from(name),
    }
}
