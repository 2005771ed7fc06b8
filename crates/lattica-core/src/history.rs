//! The local balance history: a small SQLite database of balance samples that feeds the
//! popover chart and the observed burn rate, and that also keeps the alert state across
//! restarts.
//!
//! The database is a cache of what the app has seen, never a source of truth, so a damaged
//! one is not worth failing over: [`History::open`] moves it aside (never deletes it, so
//! nothing is lost that someone may want to inspect) and starts a fresh one.

mod forget;
#[cfg(test)]
mod forget_tests;
mod kv;
mod open;
mod prune;
mod samples;
#[cfg(test)]
mod store_tests;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use rust_decimal::Decimal;

pub use forget::Forgotten;
pub use prune::{HOURLY_AFTER, PruneReport, RETENTION};
pub use samples::MIN_BURN_SPAN;

/// Days of history the popover chart shows by default.
pub const CHART_DAYS: u32 = 7;

/// How far back the observed burn rate looks ([`History::observed_burn_per_hour`]).
pub const BURN_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(6);

/// One balance reading as stored. Times are kept to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub at: DateTime<Utc>,
    pub credits: Decimal,
    pub running_workers: u32,
}

/// The balance history, backed by one SQLite connection. Not `Sync`: the shell keeps it
/// behind a mutex.
#[derive(Debug)]
pub struct History {
    conn: Connection,
}

/// What [`History::open`] returns: the history, and the damaged file it moved aside, if any,
/// so the shell can tell the user.
#[derive(Debug)]
pub struct Opened {
    pub history: History,
    pub set_aside: Option<SetAside>,
}

/// A damaged database that was renamed instead of opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// Where the database was.
    pub original: PathBuf,
    /// Where it is now (its `-wal` and `-shm` files, if any, sit next to it with those suffixes).
    pub moved_to: PathBuf,
    pub reason: CorruptReason,
}

/// Why a database was judged damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorruptReason {
    /// The file is not a SQLite database at all.
    NotADatabase,
    /// SQLite reports damage (`PRAGMA quick_check` or a corrupt-page error).
    Damaged(String),
    /// A newer version of the app wrote a schema this one does not know.
    NewerSchema { found: i64, supported: i64 },
    /// The schema version is ours but the tables do not match it.
    SchemaMismatch(String),
}

impl std::fmt::Display for CorruptReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotADatabase => f.write_str("the file is not a SQLite database"),
            Self::Damaged(detail) => write!(f, "the database is damaged ({detail})"),
            Self::NewerSchema { found, supported } => write!(
                f,
                "schema version {found} is newer than the supported version {supported}"
            ),
            Self::SchemaMismatch(detail) => {
                write!(f, "the tables do not match the schema ({detail})")
            }
        }
    }
}

/// What can go wrong with the history. Messages carry file paths and SQLite messages only:
/// nothing stored here is secret.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a freshly created history database is unusable: {0}")]
    Unusable(CorruptReason),
    #[error("history row is invalid: {0}")]
    BadRow(String),
    #[error("stored state could not be encoded: {0}")]
    Encode(#[from] serde_json::Error),
}
