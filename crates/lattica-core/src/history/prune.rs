//! Retention: raw samples for two days, hourly ones for a month, then nothing.

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::named_params;

use super::{History, HistoryError};

/// Samples younger than this are kept as recorded.
pub const HOURLY_AFTER: TimeDelta = TimeDelta::hours(48);
/// Samples older than this are deleted (except the newest sample, see [`History::prune`]).
pub const RETENTION: TimeDelta = TimeDelta::days(30);

const MILLIS_PER_HOUR: i64 = 3_600_000;

/// What one [`History::prune`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PruneReport {
    /// Samples older than [`HOURLY_AFTER`] folded into one per hour.
    pub thinned: usize,
    /// Samples older than [`RETENTION`] deleted.
    pub expired: usize,
}

impl History {
    /// Applies the retention policy in one transaction:
    ///
    /// - samples from the last [`HOURLY_AFTER`] (and any from the future) stay as they are;
    /// - older ones keep one sample per UTC clock hour, the **last** of that hour: the
    ///   balance the hour ended on, so a chart or a burn rate over the thinned samples still
    ///   sees each hour's net change (a minimum would invent drops that top-ups undid);
    /// - samples older than [`RETENTION`] are deleted, except the newest sample of all, so
    ///   the app always remembers the last balance it saw however long it was closed.
    pub fn prune(&mut self, now: DateTime<Utc>) -> Result<PruneReport, HistoryError> {
        let raw_from = (now - HOURLY_AFTER).timestamp_millis();
        let keep_from = (now - RETENTION).timestamp_millis();
        let tx = self.conn.transaction()?;
        let expired = tx.execute(
            "DELETE FROM samples
             WHERE at < :keep_from AND at <> (SELECT max(at) FROM samples)",
            named_params! { ":keep_from": keep_from },
        )?;
        // SQLite's `/` truncates toward zero, so before 1970 an "hour" bucket would straddle
        // zero; samples are never that old, and the result is still one sample per bucket.
        let thinned = tx.execute(
            "DELETE FROM samples
             WHERE at < :raw_from
               AND at NOT IN (
                   SELECT max(at) FROM samples WHERE at < :raw_from GROUP BY at / :hour
               )",
            named_params! { ":raw_from": raw_from, ":hour": MILLIS_PER_HOUR },
        )?;
        tx.commit()?;
        Ok(PruneReport { thinned, expired })
    }
}
