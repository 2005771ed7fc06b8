//! Logging through `tracing` to stderr and to files in the app's log folder (the XDG state
//! folder on Linux), one a day, the last [`KEPT_LOG_FILES`] kept (`tracing-appender`), each at
//! most [`MAX_DAY_BYTES`] (so the folder stays under 7 × 16 MiB whatever happens). Nothing
//! secret is ever logged: the token type prints `***`, and no code formats a secret into a
//! message.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;

use chrono::{NaiveDate, Utc};

use tracing_appender::rolling::{RollingFileAppender, Rotation};

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Daily log files kept; older ones are deleted as a new day's file starts. At the app's
/// `info` level (a few lines per refresh) a day's file stays well under a megabyte.
pub const KEPT_LOG_FILES: usize = 7;

/// The most a day's log file grows: past it, the day's later lines are dropped, after one line
/// that says so. tracing-appender rotates by time only; this is the size bound.
pub const MAX_DAY_BYTES: u64 = 16 * 1024 * 1024;

/// A day's log file that stops growing at `cap` bytes (the count starts from the file's size
/// when the app starts on a day that already has one).
#[derive(Debug)]
pub struct Capped {
    file: RollingFileAppender,
    dir: std::path::PathBuf,
    cap: u64,
    day: NaiveDate,
    written: u64,
}

impl Capped {
    pub fn new(log_dir: &Path, cap: u64) -> io::Result<Self> {
        let day = Utc::now().date_naive();
        Ok(Self {
            file: appender(log_dir)?,
            dir: log_dir.to_owned(),
            cap,
            day,
            written: day_file_size(log_dir, day),
        })
    }
}

/// The size of `day`'s file (tracing-appender names daily files by their UTC date).
fn day_file_size(dir: &Path, day: NaiveDate) -> u64 {
    let name = format!("lattica-tray.{}.log", day.format("%Y-%m-%d"));
    fs::metadata(dir.join(name)).map_or(0, |m| m.len())
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let today = Utc::now().date_naive();
        if today != self.day {
            self.day = today;
            self.written = day_file_size(&self.dir, today);
        }
        let len = buf.len() as u64;
        if self.written.saturating_add(len) > self.cap {
            if self.written < self.cap {
                // Said once a day: the count then sits at the cap.
                self.file.write_all(
                    b"lattica-tray: today's log reached its size limit; later lines are dropped\n",
                )?;
                self.written = self.cap;
            }
            return Ok(buf.len());
        }
        self.written += len;
        self.file.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// The rotating log files in `log_dir`: `lattica-tray.YYYY-MM-DD.log`.
pub fn appender(log_dir: &Path) -> std::io::Result<RollingFileAppender> {
    fs::create_dir_all(log_dir)?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("lattica-tray")
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(log_dir)
        .map_err(std::io::Error::other)
}

/// Installs the global subscriber. `stderr_level` applies to stderr unless `RUST_LOG` says
/// otherwise (the CLI passes `off`: stderr is for its own messages); the file always gets the
/// app's `info` events.
///
/// A log file that cannot be opened is not fatal: the app still runs and says so on stderr.
pub fn init(log_dir: &Path, stderr_level: &str) {
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

    let (file_layer, file_error) = match Capped::new(log_dir, MAX_DAY_BYTES) {
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
        tracing::warn!(path = %log_dir.display(), %error, "cannot open the log file");
    }
}

/// Whether stderr gets colours: a terminal, and no non-empty `NO_COLOR`.
fn colours_wanted(terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    terminal && no_color.is_none_or(|value| value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_go_to_a_dated_file_and_only_the_last_days_are_kept() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=9 {
            let old = dir.path().join(format!("lattica-tray.2020-01-0{day}.log"));
            fs::write(&old, "old\n").unwrap();
        }
        let mut file = appender(&dir.path().join("logs")).unwrap();
        file.write_all(b"a line\n").unwrap();
        file.flush().unwrap();
        let names: Vec<String> = fs::read_dir(dir.path().join("logs"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(names[0].starts_with("lattica-tray.") && names[0].ends_with(".log"));

        // Old days in the same folder: pruned to the newest KEPT_LOG_FILES, today's included.
        let mut file = appender(dir.path()).unwrap();
        file.write_all(b"a line\n").unwrap();
        let logs = fs::read_dir(dir.path())
            .unwrap()
            .filter(|entry| entry.as_ref().unwrap().path().is_file())
            .count();
        assert_eq!(logs, KEPT_LOG_FILES);
    }

    #[test]
    fn a_days_file_stops_growing_at_its_cap_and_says_so_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = Capped::new(dir.path(), 100).unwrap();
        for _ in 0..50 {
            file.write_all(b"0123456789\n").unwrap();
        }
        file.flush().unwrap();
        let text = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
            .collect::<String>();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines.iter().filter(|l| **l == "0123456789").count(),
            9,
            "{text}"
        );
        assert_eq!(
            lines.iter().filter(|l| l.contains("size limit")).count(),
            1,
            "{text}"
        );
        // A restart the same day counts what the file already holds.
        let mut again = Capped::new(dir.path(), 100).unwrap();
        again.write_all(b"more\n").unwrap();
        again.flush().unwrap();
        let after = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
            .collect::<String>();
        assert!(!after.contains("more"), "{after}");
    }

    #[test]
    fn no_color_turns_colours_off() {
        assert!(colours_wanted(true, None));
        assert!(!colours_wanted(true, Some("1".into())));
        assert!(
            colours_wanted(true, Some("".into())),
            "an empty NO_COLOR is unset"
        );
        assert!(!colours_wanted(false, None));
    }
}
