//! Write-through: the difference a mutation made, written inside its transaction.

use rusqlite::{Transaction, params};

use crate::domain::{Account, Model, TokenRecord, Worker};

/// Writes what changed between `before` (absent for a new account) and `after`.
///
/// Models and workers are only ever appended or changed in place, so comparing them by
/// position finds every difference.
pub fn sync_account(
    tx: &Transaction<'_>,
    before: Option<&Account>,
    after: &Account,
) -> rusqlite::Result<()> {
    match before {
        None => {
            let p = &after.profile;
            tx.execute(
                "INSERT INTO accounts (id, email, company_name, contact_name, phone_number,
                                       created_at, balance, settled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    p.account_id,
                    p.email,
                    p.company_name,
                    p.contact_name,
                    p.phone_number,
                    p.created_at.timestamp_millis(),
                    after.balance.to_string(),
                    after.settled_at.timestamp_millis()
                ],
            )?;
        }
        Some(before)
            if (before.balance, before.settled_at) != (after.balance, after.settled_at) =>
        {
            tx.execute(
                "UPDATE accounts SET balance = ?2, settled_at = ?3 WHERE id = ?1",
                params![
                    after.id(),
                    after.balance.to_string(),
                    after.settled_at.timestamp_millis()
                ],
            )?;
        }
        Some(_) => {}
    }
    let old_models = before.map_or(&[][..], |b| &b.models[..]);
    for (index, model) in after.models.iter().enumerate() {
        if old_models.get(index) != Some(model) {
            upsert_model(tx, after.id(), model)?;
        }
    }
    let old_workers = before.map_or(&[][..], |b| &b.workers[..]);
    for (index, worker) in after.workers.iter().enumerate() {
        if old_workers.get(index) != Some(worker) {
            upsert_worker(tx, after.id(), worker)?;
        }
    }
    Ok(())
}

fn upsert_model(tx: &Transaction<'_>, account_id: &str, m: &Model) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO models (id, account_id, name, status, instance_type_id, num_devices,
                             visibility)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, status = excluded.status,
             instance_type_id = excluded.instance_type_id, num_devices = excluded.num_devices,
             visibility = excluded.visibility",
        params![
            m.model_id,
            account_id,
            m.model_name,
            m.status,
            m.instance_type_id,
            m.num_devices,
            m.visibility
        ],
    )?;
    Ok(())
}

fn upsert_worker(tx: &Transaction<'_>, account_id: &str, w: &Worker) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO workers (id, account_id, model_id, instance_type_id, status, started_at,
                              stopped_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status,
             stopped_at = excluded.stopped_at",
        params![
            w.worker_session_id,
            account_id,
            w.model_id,
            w.instance_type_id,
            w.status.as_str(),
            w.started_at.timestamp_millis(),
            w.stopped_at.map(|at| at.timestamp_millis())
        ],
    )?;
    Ok(())
}

/// Stores a new token (its hash only).
pub fn insert_token(tx: &Transaction<'_>, t: &TokenRecord) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO tokens (id, account_id, hash, created_at, expires_at, revoked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            t.token_id,
            t.account_id,
            t.hash,
            t.created_at.timestamp_millis(),
            t.expires_at.timestamp_millis(),
            t.revoked_at.map(|at| at.timestamp_millis())
        ],
    )?;
    Ok(())
}

/// Stores a token's new expiry and revocation.
pub fn update_token(tx: &Transaction<'_>, t: &TokenRecord) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE tokens SET expires_at = ?2, revoked_at = ?3 WHERE id = ?1",
        params![
            t.token_id,
            t.expires_at.timestamp_millis(),
            t.revoked_at.map(|at| at.timestamp_millis())
        ],
    )?;
    Ok(())
}

/// Sets a `meta` row.
pub fn set_meta(tx: &Transaction<'_>, key: &str, value: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
