//! Reads the whole durable state into memory at start.

use std::collections::HashMap;
use std::str::FromStr;

use rusqlite::{Connection, Row};
use rust_decimal::Decimal;

use crate::domain::{Account, Model, Profile, TokenRecord, Worker, WorkerStatus};
use crate::error::SandboxError;
use crate::time::{Instant, from_millis};

/// Everything [`load`] found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every account with its models and workers.
    pub accounts: Vec<Account>,
    /// Every token ever issued.
    pub tokens: Vec<TokenRecord>,
    /// The `meta` rows.
    pub meta: HashMap<String, String>,
}

/// Loads every account, model, worker, token and `meta` row.
pub fn load(conn: &Connection) -> Result<Loaded, SandboxError> {
    let meta = conn
        .prepare("SELECT key, value FROM meta")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;

    let mut accounts: Vec<Account> = conn
        .prepare(
            "SELECT id, email, company_name, contact_name, phone_number, created_at, balance,
                    settled_at
             FROM accounts ORDER BY rowid",
        )?
        .query_and_then([], account)?
        .collect::<Result<_, SandboxError>>()?;

    let models = conn
        .prepare(
            "SELECT account_id, id, name, status, instance_type_id, num_devices, visibility
             FROM models ORDER BY rowid",
        )?
        .query_and_then([], |row| -> Result<(String, Model), SandboxError> {
            Ok((
                row.get(0)?,
                Model {
                    model_id: row.get(1)?,
                    model_name: row.get(2)?,
                    status: row.get(3)?,
                    instance_type_id: row.get(4)?,
                    num_devices: row.get(5)?,
                    visibility: row.get(6)?,
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (account_id, model) in models {
        owner(&mut accounts, &account_id)?.models.push(model);
    }

    let workers = conn
        .prepare(
            "SELECT account_id, id, model_id, instance_type_id, status, started_at, stopped_at
             FROM workers ORDER BY rowid",
        )?
        .query_and_then([], |row| -> Result<(String, Worker), SandboxError> {
            let status: String = row.get(4)?;
            Ok((
                row.get(0)?,
                Worker {
                    worker_session_id: row.get(1)?,
                    model_id: row.get(2)?,
                    instance_type_id: row.get(3)?,
                    status: WorkerStatus::parse(&status)
                        .ok_or_else(|| SandboxError::Corrupt(format!("worker status {status}")))?,
                    started_at: instant(row, 5)?,
                    stopped_at: optional_instant(row, 6)?,
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (account_id, worker) in workers {
        owner(&mut accounts, &account_id)?.workers.push(worker);
    }

    let tokens = conn
        .prepare(
            "SELECT id, hash, account_id, created_at, expires_at, revoked_at
             FROM tokens ORDER BY rowid",
        )?
        .query_and_then([], |row| -> Result<TokenRecord, SandboxError> {
            Ok(TokenRecord {
                token_id: row.get(0)?,
                hash: row.get(1)?,
                account_id: row.get(2)?,
                created_at: instant(row, 3)?,
                expires_at: instant(row, 4)?,
                revoked_at: optional_instant(row, 5)?,
            })
        })?
        .collect::<Result<_, _>>()?;

    Ok(Loaded {
        accounts,
        tokens,
        meta,
    })
}

fn account(row: &Row<'_>) -> Result<Account, SandboxError> {
    let balance: String = row.get(6)?;
    Ok(Account {
        profile: Profile {
            account_id: row.get(0)?,
            email: row.get(1)?,
            company_name: row.get(2)?,
            contact_name: row.get(3)?,
            phone_number: row.get(4)?,
            created_at: instant(row, 5)?,
        },
        balance: Decimal::from_str(&balance)
            .map_err(|_| SandboxError::Corrupt(format!("balance {balance}")))?,
        settled_at: instant(row, 7)?,
        models: Vec::new(),
        workers: Vec::new(),
    })
}

fn owner<'a>(accounts: &'a mut [Account], id: &str) -> Result<&'a mut Account, SandboxError> {
    accounts
        .iter_mut()
        .find(|a| a.id() == id)
        .ok_or_else(|| SandboxError::Corrupt(format!("row of unknown account {id}")))
}

/// Reads column `index` as an instant stored in Unix milliseconds.
pub(crate) fn instant(row: &Row<'_>, index: usize) -> Result<Instant, SandboxError> {
    let ms: i64 = row.get(index)?;
    from_millis(ms).ok_or_else(|| SandboxError::Corrupt(format!("instant {ms}")))
}

/// Reads column `index` as an optional instant stored in Unix milliseconds.
pub(crate) fn optional_instant(
    row: &Row<'_>,
    index: usize,
) -> Result<Option<Instant>, SandboxError> {
    let ms: Option<i64> = row.get(index)?;
    ms.map(|ms| from_millis(ms).ok_or_else(|| SandboxError::Corrupt(format!("instant {ms}"))))
        .transpose()
}
