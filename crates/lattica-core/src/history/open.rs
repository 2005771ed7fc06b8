//! Opening the history database: damage checks, setting a damaged file aside, the schema and
//! its version.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode};

use super::{CorruptReason, History, HistoryError, Opened, SetAside};

/// The schema version this code writes, kept in `PRAGMA user_version`. Version 0 is a new,
/// empty file.
pub(super) const SCHEMA_VERSION: i64 = 1;

/// Version 1. `at` is milliseconds since the Unix epoch (UTC); as the integer primary key it
/// is the rowid, so samples are unique per millisecond and range scans are index scans.
/// `credits` is a decimal string: SQLite's REAL would round it.
const SCHEMA_V1: &str = "
    CREATE TABLE samples (
        at INTEGER PRIMARY KEY,
        credits TEXT NOT NULL,
        running_workers INTEGER NOT NULL CHECK (running_workers >= 0)
    );
    CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
";

/// Statements that must prepare against a healthy version-1 database.
const SCHEMA_PROBES: [&str; 2] = [
    "SELECT at, credits, running_workers FROM samples LIMIT 0",
    "SELECT key, value FROM kv LIMIT 0",
];

/// Another process (or a slow disk) holding a lock is waited for this long before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The outcome of one attempt at opening a file.
enum Attempt {
    Ready(History),
    Corrupt(CorruptReason),
}

impl History {
    /// Opens (or creates) the history at `path`, setting a damaged database aside as
    /// `<name>.corrupt-<UTC timestamp>` first. Errors that say nothing about the file's
    /// health (permissions, a lock held elsewhere) are returned instead: the file may be fine.
    pub fn open(path: &Path) -> Result<Opened, HistoryError> {
        Self::open_at(path, Utc::now())
    }

    /// [`History::open`] with the time used to name a file set aside.
    pub fn open_at(path: &Path, now: DateTime<Utc>) -> Result<Opened, HistoryError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|source| HistoryError::Io {
                action: "create the folder",
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let reason = match try_open(path)? {
            Attempt::Ready(history) => {
                return Ok(Opened {
                    history,
                    set_aside: None,
                });
            }
            Attempt::Corrupt(reason) => reason,
        };
        let moved_to = set_aside(path, now)?;
        tracing::warn!(
            original = %path.display(),
            moved_to = %moved_to.display(),
            %reason,
            "history database was damaged; moved it aside and started a new one"
        );
        match try_open(path)? {
            Attempt::Ready(history) => Ok(Opened {
                history,
                set_aside: Some(SetAside {
                    original: path.to_path_buf(),
                    moved_to,
                    reason,
                }),
            }),
            Attempt::Corrupt(reason) => Err(HistoryError::Unusable(reason)),
        }
    }
}

impl History {
    /// Makes every commit on this connection reach the disk before it returns
    /// (`synchronous=FULL`), not only the WAL's checkpoints: for what a power cut must not
    /// undo (the payment journal opens a connection of its own with this). Others keep NORMAL.
    pub fn sync_every_commit(&self) -> Result<(), HistoryError> {
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        Ok(())
    }

    /// This connection's `synchronous` level: 0 off, 1 normal, 2 full, 3 extra.
    pub fn synchronous(&self) -> Result<i64, HistoryError> {
        Ok(self
            .conn
            .pragma_query_value(None, "synchronous", |row| row.get(0))?)
    }
}

fn try_open(path: &Path) -> Result<Attempt, HistoryError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Closing the last connection normally folds the WAL into the main file and deletes
    // it; a damaged database must be set aside as found, WAL included.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    match prepare(&conn) {
        Ok(None) => {
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
            Ok(Attempt::Ready(History { conn }))
        }
        Ok(Some(reason)) => Ok(Attempt::Corrupt(reason)),
        Err(error) => match error_code(&error) {
            Some(ErrorCode::NotADatabase) => Ok(Attempt::Corrupt(CorruptReason::NotADatabase)),
            Some(ErrorCode::DatabaseCorrupt) => {
                Ok(Attempt::Corrupt(CorruptReason::Damaged(error.to_string())))
            }
            _ => Err(error.into()),
        },
    }
}

/// Checks the file, then brings it to the current schema. `Ok(Some(_))` is a damaged file;
/// `Err` is either damage SQLite only noticed on the way (classified by the caller) or an
/// unrelated failure.
fn prepare(conn: &Connection) -> rusqlite::Result<Option<CorruptReason>> {
    // quick_check reads every page but skips index cross-checks: milliseconds for a file
    // this small, and it catches what a crash or a bad disk leaves behind.
    let problems = {
        let mut stmt = conn.prepare("PRAGMA quick_check")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    if problems != ["ok"] {
        return Ok(Some(CorruptReason::Damaged(problems.join("; "))));
    }

    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Ok(Some(CorruptReason::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        }));
    }

    // WAL lets the chart read while a sample is written; NORMAL sync is durable enough in
    // WAL mode (a power cut can only lose the last samples, which are re-read anyway).
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::debug!(%mode, "history database could not switch to WAL; continuing");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;

    if found < SCHEMA_VERSION {
        let tx = conn.unchecked_transaction()?;
        // Only version 0 (a new file) exists below the current version today.
        if let Err(error) = tx.execute_batch(SCHEMA_V1) {
            schema_error(error)?;
            return Ok(Some(CorruptReason::SchemaMismatch(
                "a version-0 file already holds other tables".to_owned(),
            )));
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
    }

    for probe in SCHEMA_PROBES {
        if let Err(error) = conn.prepare(probe) {
            schema_error(error)?;
            return Ok(Some(CorruptReason::SchemaMismatch(format!(
                "`{probe}` does not prepare"
            ))));
        }
    }
    Ok(None)
}

/// A plain SQL error while creating or probing tables means the tables are not ours (for
/// example a version-0 file holding someone else's `samples`): `Ok(())` lets the caller
/// report a mismatch. Any other error passes through.
fn schema_error(error: rusqlite::Error) -> rusqlite::Result<()> {
    match error_code(&error) {
        Some(ErrorCode::Unknown) => Ok(()),
        _ => Err(error),
    }
}

/// The SQLite result code of an error. Errors in SQL text carry it in their own variant
/// (rusqlite's `bundled` feature turns on `modern_sqlite`, which adds that variant).
fn error_code(error: &rusqlite::Error) -> Option<ErrorCode> {
    match error {
        rusqlite::Error::SqlInputError { error, .. } => Some(error.code),
        other => other.sqlite_error_code(),
    }
}

/// Renames the database and its `-wal`/`-shm` companions to `<name>.corrupt-<stamp>[-n]`,
/// picking the first name not taken.
fn set_aside(path: &Path, now: DateTime<Utc>) -> Result<PathBuf, HistoryError> {
    let Some(file_name) = path.file_name() else {
        return Err(HistoryError::Io {
            action: "set aside",
            path: path.to_path_buf(),
            source: std::io::ErrorKind::InvalidInput.into(),
        });
    };
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut attempt = 0_u32;
    let target = loop {
        let mut name = file_name.to_os_string();
        name.push(format!(".corrupt-{stamp}"));
        if attempt > 0 {
            name.push(format!("-{attempt}"));
        }
        let candidate = path.with_file_name(name);
        let taken = [&candidate, &with_suffix(&candidate, "-wal")]
            .into_iter()
            .any(|p| p.symlink_metadata().is_ok());
        if !taken {
            break candidate;
        }
        attempt += 1;
    };

    rename(path, &target)?;
    for suffix in ["-wal", "-shm"] {
        let companion = with_suffix(path, suffix);
        if companion.symlink_metadata().is_ok() {
            rename(&companion, &with_suffix(&target, suffix))?;
        }
    }
    Ok(target)
}

fn rename(from: &Path, to: &Path) -> Result<(), HistoryError> {
    fs::rename(from, to).map_err(|source| HistoryError::Io {
        action: "set aside",
        path: from.to_path_buf(),
        source,
    })
}

pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}
