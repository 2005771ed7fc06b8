//! The `payment_methods` table: tokenised cards. A row holds the brand, the last four digits,
//! the expiry and the test-card outcome; never the number, never the CVC.

use rusqlite::{Connection, Row, Transaction, params};

use super::load::{instant, optional_instant};
use crate::error::SandboxError;
use crate::payments::outcome::Outcome;
use crate::time::Instant;

/// One row of `payment_methods`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodRecord {
    /// `pm_…` id, the opaque token the hosted form hands to the app.
    pub id: String,
    /// The account that first paid with it; `None` until then.
    pub account_id: Option<String>,
    /// `visa`, `mastercard`, `amex`, …
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month, 1–12.
    pub exp_month: u32,
    /// Expiry year, four digits.
    pub exp_year: u32,
    /// What a confirmation with it does.
    pub outcome: Outcome,
    /// Kept for later payments (the user opted in).
    pub saved: bool,
    /// When the form created it.
    pub created_at: Instant,
    /// When the user deleted it; a deleted method can no longer pay.
    pub deleted_at: Option<Instant>,
}

const COLUMNS: &str =
    "id, account_id, brand, last4, exp_month, exp_year, outcome, saved, created_at, deleted_at";

/// Inserts or fully rewrites a row.
pub fn upsert(tx: &Transaction<'_>, m: &MethodRecord) -> rusqlite::Result<()> {
    tx.execute(
        &format!("INSERT OR REPLACE INTO payment_methods ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        params![
            m.id,
            m.account_id,
            m.brand,
            m.last4,
            m.exp_month,
            m.exp_year,
            m.outcome.as_str(),
            m.saved,
            m.created_at.timestamp_millis(),
            m.deleted_at.map(|at| at.timestamp_millis()),
        ],
    )?;
    Ok(())
}

/// The method `id`, deleted or not.
pub fn get(conn: &Connection, id: &str) -> Result<Option<MethodRecord>, SandboxError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payment_methods WHERE id = ?1"
    ))?;
    let mut rows = statement.query_and_then(params![id], record)?;
    rows.next().transpose()
}

/// The methods `account_id` saved and has not deleted, newest first.
pub fn saved(conn: &Connection, account_id: &str) -> Result<Vec<MethodRecord>, SandboxError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payment_methods
         WHERE account_id = ?1 AND saved = 1 AND deleted_at IS NULL
         ORDER BY created_at DESC, rowid DESC"
    ))?;
    statement
        .query_and_then(params![account_id], record)?
        .collect()
}

/// Forgets tokens no payment ever used that were created before `before`: a form abandoned
/// half-way leaves nothing behind for long.
pub fn purge_unused(tx: &Transaction<'_>, before: Instant) -> rusqlite::Result<usize> {
    tx.execute(
        "DELETE FROM payment_methods WHERE account_id IS NULL AND created_at < ?1",
        params![before.timestamp_millis()],
    )
}

fn record(row: &Row<'_>) -> Result<MethodRecord, SandboxError> {
    let outcome: String = row.get(6)?;
    Ok(MethodRecord {
        id: row.get(0)?,
        account_id: row.get(1)?,
        brand: row.get(2)?,
        last4: row.get(3)?,
        exp_month: row.get(4)?,
        exp_year: row.get(5)?,
        outcome: Outcome::parse(&outcome)
            .ok_or_else(|| SandboxError::Corrupt(format!("payment method outcome {outcome}")))?,
        saved: row.get(7)?,
        created_at: instant(row, 8)?,
        deleted_at: optional_instant(row, 9)?,
    })
}
