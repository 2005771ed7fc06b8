//! Logging through `tracing` to stderr and to a file in the app's log folder. Nothing secret is
//! ever logged: the token type prints `***`, and no code formats a secret into a message.

use std::fs::{self, OpenOptions};
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Installs the global subscriber. `stderr_level` applies to stderr unless `RUST_LOG` says
/// otherwise (the CLI passes `off`: stderr is for its own messages); the file always gets the
/// app's `info` events.
///
/// A log file that cannot be opened is not fatal: the app still runs and says so on stderr.
pub fn init(log_file: &Path, stderr_level: &str) {
    let env_or = |default: &str| {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
    };
    let file_filter = "warn,lattica_tray=info,lattica_app=info,lattica_client=info,lattica_core=info,\
                       lattica_sandbox=info";
    let stderr_filter = if stderr_level == "info" {
        file_filter
    } else {
        stderr_level
    };

    let file = log_file
        .parent()
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|()| OpenOptions::new().create(true).append(true).open(log_file));
    let (file_layer, file_error) = match file {
        Ok(file) => (
            Some(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(Mutex::new(file))
                    .with_filter(env_or(file_filter)),
            ),
            None,
        ),
        Err(error) => (None, Some(error)),
    };
    let stderr_layer = tracing_subscriber::fmt::layer()
        // Colours for a terminal only (a redirected stderr is a file someone will read), and
        // never where NO_COLOR is set to anything but empty (no-color.org).
        .with_ansi(colours_wanted(
            std::io::IsTerminal::is_terminal(&std::io::stderr()),
            std::env::var_os("NO_COLOR"),
        ))
        .with_writer(std::io::stderr)
        .with_filter(env_or(stderr_filter));
    // Only a second initialisation fails (unit tests); the first subscriber then stays.
    let _ = tracing_subscriber::registry()
        .with(stderr_layer)
        .with(file_layer)
        .try_init();
    if let Some(error) = file_error {
        tracing::warn!(path = %log_file.display(), %error, "cannot open the log file");
    }
}

/// Whether stderr gets colours: a terminal, and no non-empty `NO_COLOR`.
fn colours_wanted(terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    terminal && no_color.is_none_or(|value| value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::colours_wanted;

    #[test]
    fn no_color_turns_colours_off() {
        assert!(colours_wanted(true, None));
        assert!(!colours_wanted(true, Some("1".into())));
        assert!(colours_wanted(true, Some("".into())), "an empty NO_COLOR is unset");
        assert!(!colours_wanted(false, None));
    }
}
