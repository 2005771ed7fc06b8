//! Forgetting an account's local history at sign-out, when the user asks: the balance samples
//! and the alert state go (overwritten on disk, not only unlinked); anything else the database
//! keeps, such as a journal of payments, stays.

use rusqlite::params;

use super::kv::ALERT_STATE;
use super::{History, HistoryError};

/// What [`History::forget_account`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Forgotten {
    pub samples: usize,
    /// The alert state and any copies of it set aside as undecodable.
    pub alert_entries: usize,
}

impl History {
    /// Deletes every balance sample and the alert state (with its set-aside copies) in one
    /// transaction. The deleted rows are zeroed in the file (`secure_delete`) and the
    /// write-ahead log is emptied, so they cannot be read back from the disk afterwards.
    pub fn forget_account(&self) -> Result<Forgotten, HistoryError> {
        self.conn.pragma_update(None, "secure_delete", true)?;
        let forgotten = self.delete_account_rows();
        // Back to the default whatever happened: later writes need not pay for zeroing.
        self.conn.pragma_update(None, "secure_delete", false)?;
        let forgotten = forgotten?;
        // The log may still hold the deleted pages as they were: fold it in and truncate it.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        tracing::info!(?forgotten, "local history forgotten");
        Ok(forgotten)
    }

    fn delete_account_rows(&self) -> Result<Forgotten, HistoryError> {
        let tx = self.conn.unchecked_transaction()?;
        let samples = tx.execute("DELETE FROM samples", [])?;
        let alert_entries = tx.execute(
            "DELETE FROM kv WHERE key = ?1 OR key LIKE ?2",
            params![ALERT_STATE, format!("{ALERT_STATE}.corrupt-%")],
        )?;
        tx.commit()?;
        Ok(Forgotten {
            samples,
            alert_entries,
        })
    }
}
