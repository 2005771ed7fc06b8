//! `lattica-tray reset`: everything the app keeps for the user, removed on request. Removing
//! the package removes only the system's files; this removes the session token from the
//! keychain, the launch-at-login entry and the app's folders (settings, history, the demo
//! sandbox's data, logs). Without `--yes` it lists them and removes nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::SANDBOX_ACCOUNT;
use crate::cli::exit;
use crate::paths::AppPaths;
use crate::session::{OsKeychain, Sessions, TokenVault};

/// The launch-at-login entry `tauri-plugin-autostart` writes on Linux (named after the app
/// name the tray app gives it).
fn autostart_entry() -> Option<PathBuf> {
    if cfg!(target_os = "linux") {
        dirs::config_dir().map(|dir| dir.join("autostart").join("Lattica Tray.desktop"))
    } else {
        None
    }
}

/// The files and folders `reset` removes, in order.
pub fn targets(paths: &AppPaths) -> Vec<PathBuf> {
    let mut targets: Vec<PathBuf> = autostart_entry().into_iter().collect();
    targets.push(paths.config_dir.clone());
    targets.push(paths.data_dir.clone());
    // The XDG state folder on Linux, ~/Library/Logs on macOS; inside the data folder on Windows.
    if !paths.log_dir.starts_with(&paths.data_dir) {
        targets.push(paths.log_dir.clone());
    }
    targets
}

#[allow(clippy::print_stdout)] // The command's output is the point.
/// Runs `reset`: with `yes`, removes the token and every target; without, lists them.
pub async fn run(sessions: &Sessions, paths: &AppPaths, yes: bool) -> ExitCode {
    let targets = targets(paths);
    if !yes {
        println!(
            "lattica-tray reset removes the session tokens (yours and the demo account's) from \
             the system keychain and:"
        );
        for target in &targets {
            println!("  {}", target.display());
        }
        println!("Run `lattica-tray reset --yes` to remove them (quit the tray app first).");
        return ExitCode::from(exit::USAGE);
    }
    let mut code = ExitCode::SUCCESS;
    match sessions.sign_out().await {
        Ok(()) => println!("Removed the session token from the system keychain."),
        Err(error) => {
            eprintln!("lattica-tray: the session token was not removed: {error}");
            code = ExitCode::from(exit::KEYCHAIN);
        }
    }
    // The demo account's token ("Try the demo account", `--sandbox`) has an entry of its own.
    let demo = OsKeychain::new(SANDBOX_ACCOUNT);
    match tokio::task::spawn_blocking(move || demo.remove()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => {
            eprintln!("lattica-tray: the demo account's token was not removed: {error}");
            code = ExitCode::from(exit::KEYCHAIN);
        }
        Err(error) => {
            eprintln!("lattica-tray: the demo account's token was not removed: {error}");
            code = ExitCode::from(exit::KEYCHAIN);
        }
    }
    for target in targets {
        let removed = if target.is_dir() {
            std::fs::remove_dir_all(&target)
        } else {
            std::fs::remove_file(&target)
        };
        match removed {
            Ok(()) => println!("Removed {}", target.display()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                eprintln!("lattica-tray: cannot remove {}: {error}", target.display());
                code = ExitCode::from(exit::FAILURE);
            }
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_removes_the_app_folders_and_nothing_beside_them() {
        let root = PathBuf::from("/home/u/.local/share");
        let paths = AppPaths {
            config_dir: PathBuf::from("/home/u/.config/ai.lattica.tray"),
            data_dir: root.join("ai.lattica.tray"),
            log_dir: root.join("ai.lattica.tray/logs"),
        };
        let targets = targets(&paths);
        assert!(targets.contains(&paths.config_dir));
        assert!(targets.contains(&paths.data_dir));
        assert!(
            !targets.contains(&paths.log_dir),
            "inside the data folder already"
        );
        for target in &targets {
            assert!(
                target.ends_with("ai.lattica.tray") || target.ends_with("Lattica Tray.desktop"),
                "{}",
                target.display()
            );
        }
    }
}
