//! The `payments` table: the row type with every column the payment object needs, and its
//! queries. The state machine that changes the rows lives in [`crate::payments`].

use std::str::FromStr;

use rusqlite::{Connection, Row, Transaction, params};
use rust_decimal::Decimal;
use serde::Serialize;

use super::load::{instant, optional_instant};
use crate::error::SandboxError;
use crate::time::Instant;

/// Where a payment is in its state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Created, waiting for a card.
    RequiresPaymentMethod,
    /// Waiting for 3-D Secure.
    RequiresAction,
    /// Paid; credits granted. Final.
    Succeeded,
    /// Declined or errored; may be confirmed again.
    Failed,
    /// Abandoned. Final.
    Canceled,
}

impl PaymentStatus {
    const ALL: [Self; 5] = [
        Self::RequiresPaymentMethod,
        Self::RequiresAction,
        Self::Succeeded,
        Self::Failed,
        Self::Canceled,
    ];

    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequiresPaymentMethod => "requires_payment_method",
            Self::RequiresAction => "requires_action",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The card a payment was (last) confirmed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardOnPayment {
    /// `pm_…` id of the payment method.
    pub payment_method_id: String,
    /// `visa`, `mastercard`, `amex`.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month, 1–12.
    pub exp_month: u32,
    /// Expiry year, four digits.
    pub exp_year: u32,
}

/// One row of `payments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    /// `pay_…` id.
    pub id: String,
    /// Owner.
    pub account_id: String,
    /// Created.
    pub created_at: Instant,
    /// Last state change.
    pub updated_at: Instant,
    /// State.
    pub status: PaymentStatus,
    /// Credits bought.
    pub credits: Decimal,
    /// Price in minor units.
    pub amount: i64,
    /// Lowercase ISO currency.
    pub currency: String,
    /// Card, once one was given.
    pub card: Option<CardOnPayment>,
    /// Why it failed, e.g. `card_declined`.
    pub failure_code: Option<String>,
    /// Human reason it failed.
    pub failure_message: Option<String>,
    /// Where 3-D Secure happens while `requires_action`.
    pub next_action_url: Option<String>,
    /// Receipt number once succeeded.
    pub receipt_number: Option<String>,
    /// When it succeeded.
    pub succeeded_at: Option<Instant>,
    /// Save the card for later once the payment succeeds (asked at confirmation, kept while
    /// 3-D Secure is pending).
    pub save_method: bool,
}

const COLUMNS: &str = "id, account_id, created_at, updated_at, status, credits, amount, currency,
    payment_method_id, card_brand, card_last4, card_exp_month, card_exp_year, failure_code,
    failure_message, next_action_url, receipt_number, succeeded_at, save_method";

/// Inserts or fully rewrites a payment row.
pub fn upsert(tx: &Transaction<'_>, p: &PaymentRecord) -> rusqlite::Result<()> {
    let card = p.card.as_ref();
    tx.execute(
        &format!(
            "INSERT OR REPLACE INTO payments ({COLUMNS})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19)"
        ),
        params![
            p.id,
            p.account_id,
            p.created_at.timestamp_millis(),
            p.updated_at.timestamp_millis(),
            p.status.as_str(),
            p.credits.to_string(),
            p.amount,
            p.currency,
            card.map(|c| &c.payment_method_id),
            card.map(|c| &c.brand),
            card.map(|c| &c.last4),
            card.map(|c| c.exp_month),
            card.map(|c| c.exp_year),
            p.failure_code,
            p.failure_message,
            p.next_action_url,
            p.receipt_number,
            p.succeeded_at.map(|at| at.timestamp_millis()),
            p.save_method
        ],
    )?;
    Ok(())
}

/// The payment `id` of `account_id`, if any.
pub fn get(
    conn: &Connection,
    account_id: &str,
    id: &str,
) -> Result<Option<PaymentRecord>, SandboxError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payments WHERE account_id = ?1 AND id = ?2"
    ))?;
    let mut rows = statement.query_and_then(params![account_id, id], record)?;
    rows.next().transpose()
}

/// The payment `id`, whoever owns it (the hosted 3-D Secure page knows only the id).
pub fn find(conn: &Connection, id: &str) -> Result<Option<PaymentRecord>, SandboxError> {
    let mut statement =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM payments WHERE id = ?1"))?;
    let mut rows = statement.query_and_then(params![id], record)?;
    rows.next().transpose()
}

/// The next receipt number: one after the highest issued so far, so numbers stay unique
/// even if the sequence has gaps.
pub fn next_receipt_number(conn: &Connection) -> rusqlite::Result<String> {
    let highest: Option<i64> = conn.query_row(
        "SELECT MAX(CAST(substr(receipt_number, length(?1) + 2) AS INTEGER)) FROM payments
         WHERE receipt_number LIKE ?1 || '-%'",
        params![RECEIPT_PREFIX],
        |row| row.get(0),
    )?;
    let next = highest.map_or(FIRST_RECEIPT, |n| n.saturating_add(1).max(FIRST_RECEIPT));
    Ok(format!("{RECEIPT_PREFIX}-{next}"))
}

/// Receipt numbers read `1842-1004`: the sandbox's merchant prefix and a sequence.
pub const RECEIPT_PREFIX: &str = "1842";
/// The sequence starts here (the seeded history uses the first numbers).
pub const FIRST_RECEIPT: i64 = 1001;

/// Payments shown in the transaction history (final or failed), newest first.
pub fn history(conn: &Connection, account_id: &str) -> Result<Vec<PaymentRecord>, SandboxError> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payments
         WHERE account_id = ?1 AND status IN ('succeeded', 'failed', 'canceled')
         ORDER BY created_at DESC, rowid DESC"
    ))?;
    statement
        .query_and_then(params![account_id], record)?
        .collect()
}

fn record(row: &Row<'_>) -> Result<PaymentRecord, SandboxError> {
    let status: String = row.get(4)?;
    let credits: String = row.get(5)?;
    let payment_method_id: Option<String> = row.get(8)?;
    let card = match payment_method_id {
        Some(payment_method_id) => Some(CardOnPayment {
            payment_method_id,
            brand: row.get::<_, Option<String>>(9)?.unwrap_or_default(),
            last4: row.get::<_, Option<String>>(10)?.unwrap_or_default(),
            exp_month: row.get::<_, Option<u32>>(11)?.unwrap_or_default(),
            exp_year: row.get::<_, Option<u32>>(12)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(PaymentRecord {
        id: row.get(0)?,
        account_id: row.get(1)?,
        created_at: instant(row, 2)?,
        updated_at: instant(row, 3)?,
        status: PaymentStatus::parse(&status)
            .ok_or_else(|| SandboxError::Corrupt(format!("payment status {status}")))?,
        credits: Decimal::from_str(&credits)
            .map_err(|_| SandboxError::Corrupt(format!("payment credits {credits}")))?,
        amount: row.get(6)?,
        currency: row.get(7)?,
        card,
        failure_code: row.get(13)?,
        failure_message: row.get(14)?,
        next_action_url: row.get(15)?,
        receipt_number: row.get(16)?,
        succeeded_at: optional_instant(row, 17)?,
        save_method: row.get(18)?,
    })
}
