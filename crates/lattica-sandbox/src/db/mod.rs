//! SQLite persistence: schema, migrations, loading and write-through.
//!
//! The database is the durable copy; the in-memory [`crate::state::Ledger`] is the one reads
//! use. Every mutation writes its difference in one transaction before the new in-memory state
//! is installed, so the two never disagree after a successful call.
//!
//! Instants are stored as Unix milliseconds (`INTEGER`), credits as decimal text (exact).
//! Tokens are stored only as their SHA-256, except the demo account's current token, which is
//! kept in clear in the `meta` row `demo_token` so the binary can print it on every start (it
//! is a local test credential; a real deployment would mail it and keep only the hash).

pub mod idempotency;
mod load;
pub mod payment_methods;
pub mod payments;
mod write;

use std::path::Path;

use rusqlite::Connection;

pub use load::{Loaded, load};
pub use write::{insert_token, set_meta, sync_account, update_token};

use crate::error::SandboxError;

/// File name of the database inside the data directory.
pub const FILE_NAME: &str = "sandbox.sqlite3";

/// `meta` key: id of the demo account.
pub const META_DEMO_ACCOUNT: &str = "demo_account_id";
/// `meta` key: the demo account's current token, in clear (see the module doc).
pub const META_DEMO_TOKEN: &str = "demo_token";
/// `meta` key: the burn speed in force, so downtime burns at the speed that was running.
pub const META_TIME_SCALE: &str = "time_scale";

/// Schema versions, applied in order; the index + 1 is SQLite's `user_version` after it.
/// Append new steps (the payment service adds its tables this way); never edit old ones.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,
    email        TEXT NOT NULL,
    company_name TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    balance      TEXT NOT NULL,
    settled_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    hash       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE TABLE models (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    name             TEXT NOT NULL,
    status           TEXT NOT NULL,
    instance_type_id TEXT NOT NULL,
    num_devices      INTEGER NOT NULL,
    visibility       TEXT NOT NULL
) STRICT;

CREATE TABLE workers (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    model_id         TEXT NOT NULL REFERENCES models(id),
    instance_type_id TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('UP', 'STOPPED')),
    started_at       INTEGER NOT NULL,
    stopped_at       INTEGER
) STRICT;

CREATE TABLE payments (
    id                TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts(id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('requires_payment_method',
                          'requires_action', 'succeeded', 'failed', 'canceled')),
    credits           TEXT NOT NULL,
    amount            INTEGER NOT NULL,
    currency          TEXT NOT NULL,
    payment_method_id TEXT,
    card_brand        TEXT,
    card_last4        TEXT,
    card_exp_month    INTEGER,
    card_exp_year     INTEGER,
    failure_code      TEXT,
    failure_message   TEXT,
    next_action_url   TEXT,
    receipt_number    TEXT,
    succeeded_at      INTEGER
) STRICT;

CREATE INDEX payments_by_account ON payments(account_id, created_at);
",
    r"
-- The payment service: tokenised cards, idempotency keys, and whether a payment waiting for
-- 3-D Secure should save its card once it succeeds.
ALTER TABLE payments ADD COLUMN save_method INTEGER NOT NULL DEFAULT 0
    CHECK (save_method IN (0, 1));
CREATE UNIQUE INDEX payments_by_receipt ON payments(receipt_number);

-- Never the number nor the CVC: brand, last four digits, expiry and the test-card outcome.
-- `account_id` is empty until a payment first uses the card.
CREATE TABLE payment_methods (
    id         TEXT PRIMARY KEY,
    account_id TEXT REFERENCES accounts(id),
    brand      TEXT NOT NULL,
    last4      TEXT NOT NULL,
    exp_month  INTEGER NOT NULL,
    exp_year   INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    saved      INTEGER NOT NULL CHECK (saved IN (0, 1)),
    created_at INTEGER NOT NULL,
    deleted_at INTEGER
) STRICT;
CREATE INDEX payment_methods_by_account ON payment_methods(account_id, created_at);

-- The first answer to each money-moving request, replayed for the same key.
CREATE TABLE idempotency_keys (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    endpoint    TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, endpoint, key)
) STRICT;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
",
];

/// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
pub fn open(data_dir: &Path) -> Result<Connection, SandboxError> {
    std::fs::create_dir_all(data_dir).map_err(|source| SandboxError::DataDir {
        path: data_dir.to_path_buf(),
        source,
    })?;
    let read_only = || SandboxError::ReadOnly {
        path: data_dir.to_path_buf(),
    };
    // SQLite opens a file it cannot write read-only without a word and fails at the first
    // write, deep in the start; a folder it cannot write fails with "unable to open". Both
    // are the same problem for the user, said once here.
    let probe = data_dir.join(".write-probe");
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
        }
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            return Err(read_only());
        }
        Err(source) => {
            return Err(SandboxError::DataDir {
                path: data_dir.to_path_buf(),
                source,
            });
        }
    }
    let mut conn = Connection::open(data_dir.join(FILE_NAME))?;
    if conn.is_readonly(rusqlite::DatabaseName::Main)? {
        return Err(read_only());
    }
    // WAL + NORMAL: a commit survives a crash of the process (not of the OS) without an
    // fsync per write, which keeps mutations cheap. Another process holding the file
    // (a second sandbox on the same directory) waits a little instead of failing at once.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), SandboxError> {
    let current: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current > MIGRATIONS.len() {
        return Err(SandboxError::Corrupt(format!(
            "schema version {current} is newer than this sandbox ({})",
            MIGRATIONS.len()
        )));
    }
    for (index, step) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_reopen_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        drop(open(dir.path()).unwrap());
        let conn = open(dir.path()).unwrap();
        let version: usize = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(dir.path()).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        drop(conn);
        assert!(matches!(open(dir.path()), Err(SandboxError::Corrupt(_))));
    }
}
