//! The `idempotency_keys` table: the first answer to each money-moving request, stored in the
//! same transaction as the request's effect, so that an effect never exists without its answer.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::time::Instant;

/// Which request a key belongs to: the account and the endpoint scope the key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyScope {
    /// The caller's account.
    pub account_id: String,
    /// e.g. `api/finance/confirm_payment`.
    pub endpoint: &'static str,
    /// The key, a UUID in its hyphenated lowercase form.
    pub key: String,
}

/// A stored first answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// SHA-256 of the request's parameters, to tell a replay from a reuse.
    pub fingerprint: String,
    /// The HTTP status sent.
    pub status: u16,
    /// For a 200 the `result` value; otherwise the whole error body.
    pub body: String,
}

/// The answer stored for `scope` at or after `not_before`, if any.
pub fn get(
    conn: &Connection,
    scope: &KeyScope,
    not_before: Instant,
) -> rusqlite::Result<Option<StoredAnswer>> {
    conn.prepare_cached(
        "SELECT fingerprint, status, body FROM idempotency_keys
         WHERE account_id = ?1 AND endpoint = ?2 AND key = ?3 AND created_at >= ?4",
    )?
    .query_row(
        params![
            scope.account_id,
            scope.endpoint,
            scope.key,
            not_before.timestamp_millis()
        ],
        |row| {
            Ok(StoredAnswer {
                fingerprint: row.get(0)?,
                status: row.get(1)?,
                body: row.get(2)?,
            })
        },
    )
    .optional()
}

/// Stores the first answer for `scope`. Fails on a duplicate key, which rolls back the
/// transaction that carries the effect.
pub fn insert(
    tx: &Transaction<'_>,
    scope: &KeyScope,
    answer: &StoredAnswer,
    now: Instant,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO idempotency_keys
             (account_id, endpoint, key, fingerprint, status, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        scope.account_id,
        scope.endpoint,
        scope.key,
        answer.fingerprint,
        answer.status,
        answer.body,
        now.timestamp_millis()
    ])?;
    Ok(())
}

/// Deletes the keys created before `before`.
pub fn purge(tx: &Transaction<'_>, before: Instant) -> rusqlite::Result<usize> {
    tx.prepare_cached("DELETE FROM idempotency_keys WHERE created_at < ?1")?
        .execute(params![before.timestamp_millis()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_millis;

    #[test]
    fn answers_are_found_until_they_expire_then_purged() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::db::open(dir.path()).unwrap();
        // The key's account is not what this test is about.
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        let at = |ms: i64| from_millis(1_790_000_000_000 + ms).unwrap();
        let scope = KeyScope {
            account_id: "acc".into(),
            endpoint: "api/finance/create_payment",
            key: "6f9619ff-8b86-d011-b42d-00cf4fc964ff".into(),
        };
        let answer = StoredAnswer {
            fingerprint: "f".into(),
            status: 200,
            body: "{}".into(),
        };
        let tx = conn.transaction().unwrap();
        insert(&tx, &scope, &answer, at(0)).unwrap();
        assert!(
            insert(&tx, &scope, &answer, at(5)).is_err(),
            "one answer per key"
        );
        tx.commit().unwrap();

        assert_eq!(get(&conn, &scope, at(0)).unwrap(), Some(answer));
        let elsewhere = KeyScope {
            endpoint: "api/finance/cancel_payment",
            ..scope.clone()
        };
        assert_eq!(get(&conn, &elsewhere, at(0)).unwrap(), None);
        assert_eq!(get(&conn, &scope, at(1)).unwrap(), None, "expired");
        let tx = conn.transaction().unwrap();
        assert_eq!(purge(&tx, at(0)).unwrap(), 0);
        assert_eq!(purge(&tx, at(1)).unwrap(), 1);
        tx.commit().unwrap();
        assert_eq!(get(&conn, &scope, at(-1)).unwrap(), None);
    }
}
