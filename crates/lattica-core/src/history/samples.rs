//! Writing and reading balance samples: the raw range, the downsampled chart and the burn
//! rate observed from consecutive samples.

use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{OptionalExtension, Row, params};
use rust_decimal::Decimal;

use super::{History, HistoryError, Sample};

/// The observed burn is trusted once this much time is covered by falling or flat samples
/// taken with the same number of workers running as now: two readings seconds apart would
/// turn one rounding step into a wild hourly rate, and a platform that bills by the minute
/// shows its real pace only over several minutes. With the default refresh (every minute),
/// ten readings.
pub const MIN_BURN_SPAN: TimeDelta = TimeDelta::minutes(10);

const MILLIS_PER_HOUR: i64 = 3_600_000;

impl History {
    /// Stores a sample. A second sample at the same millisecond replaces the first: the
    /// later reading of the same instant is the one to keep.
    pub fn record(&self, sample: &Sample) -> Result<(), HistoryError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO samples (at, credits, running_workers) VALUES (?1, ?2, ?3)",
            params![
                sample.at.timestamp_millis(),
                sample.credits.to_string(),
                sample.running_workers
            ],
        )?;
        Ok(())
    }

    /// The samples with `from <= at <= to`, oldest first.
    pub fn samples_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Sample>, HistoryError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, credits, running_workers FROM samples
             WHERE at BETWEEN ?1 AND ?2 ORDER BY at",
        )?;
        let rows = stmt.query_map(
            params![from.timestamp_millis(), to.timestamp_millis()],
            raw_sample,
        )?;
        rows.map(|row| row?.decode()).collect()
    }

    /// The newest sample, if any: the last balance seen, to show before the first fetch.
    pub fn latest(&self) -> Result<Option<Sample>, HistoryError> {
        self.conn
            .query_row(
                "SELECT at, credits, running_workers FROM samples ORDER BY at DESC LIMIT 1",
                [],
                raw_sample,
            )
            .optional()?
            .map(RawSample::decode)
            .transpose()
    }

    /// The last `days` days up to `now`, thinned to at most `max_points` for the chart.
    ///
    /// The span is cut into `max_points` equal time buckets and each bucket keeps its last
    /// sample, so the points stay evenly spread in time, stay in order, and the newest sample
    /// is always the last point (the chart ends on the balance the tray shows).
    pub fn chart(
        &self,
        now: DateTime<Utc>,
        days: u32,
        max_points: usize,
    ) -> Result<Vec<Sample>, HistoryError> {
        let from = now - TimeDelta::days(i64::from(days));
        let samples = self.samples_between(from, now)?;
        Ok(downsample(samples, from, now, max_points))
    }

    /// Credits burnt per hour over `window` before `now`, from consecutive samples, once it
    /// can be trusted.
    ///
    /// Only the newest run of samples with the same number of running workers counts: the
    /// pace before a worker started or stopped is not today's. A rise between two samples is
    /// a top-up: that interval is left out entirely, since what was burnt during it is
    /// unknown. `None` when the falling or flat intervals cover less than [`MIN_BURN_SPAN`].
    pub fn observed_burn_per_hour(
        &self,
        now: DateTime<Utc>,
        window: TimeDelta,
    ) -> Result<Option<Decimal>, HistoryError> {
        let samples = self.samples_between(now - window, now)?;
        Ok(burn_per_hour(&samples))
    }
}

/// See [`History::observed_burn_per_hour`]. Overflow (absurd balances) yields `None` rather
/// than a panic.
pub(super) fn burn_per_hour(samples: &[Sample]) -> Option<Decimal> {
    let workers_now = samples.last()?.running_workers;
    let same_since = samples
        .iter()
        .rposition(|s| s.running_workers != workers_now)
        .map_or(0, |changed| changed + 1);
    let samples = &samples[same_since..];
    let mut burnt = Decimal::ZERO;
    let mut millis = 0_i64;
    for pair in samples.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        if after.credits > before.credits {
            continue;
        }
        burnt = burnt.checked_add(before.credits - after.credits)?;
        millis = millis.checked_add((after.at - before.at).num_milliseconds())?;
    }
    if millis < MIN_BURN_SPAN.num_milliseconds() {
        return None;
    }
    burnt
        .checked_mul(Decimal::from(MILLIS_PER_HOUR))?
        .checked_div(Decimal::from(millis))
}

/// Keeps the last sample of each of `max_points` equal time buckets over `from..=to`.
/// `samples` must be sorted and inside the range.
pub(super) fn downsample(
    samples: Vec<Sample>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    max_points: usize,
) -> Vec<Sample> {
    if max_points == 0 {
        return Vec::new();
    }
    if samples.len() <= max_points {
        return samples;
    }
    // i128 keeps `offset * buckets` exact whatever the span; +1 makes the range inclusive
    // so a sample at `to` lands in the last bucket, not one past it.
    let span = i128::from((to - from).num_milliseconds()) + 1;
    let buckets = i128::try_from(max_points).unwrap_or(i128::MAX);
    let bucket_of = |s: &Sample| i128::from((s.at - from).num_milliseconds()) * buckets / span;

    let mut kept: Vec<Sample> = Vec::with_capacity(max_points);
    let mut iter = samples.into_iter().peekable();
    while let Some(sample) = iter.next() {
        let is_last_of_bucket = iter
            .peek()
            .is_none_or(|next| bucket_of(next) != bucket_of(&sample));
        if is_last_of_bucket {
            kept.push(sample);
        }
    }
    kept
}

/// A row as SQLite holds it, decoded outside the row callback so a bad value becomes a
/// [`HistoryError::BadRow`] naming the row rather than a generic conversion error.
pub(super) struct RawSample {
    at: i64,
    credits: String,
    running_workers: u32,
}

pub(super) fn raw_sample(row: &Row<'_>) -> rusqlite::Result<RawSample> {
    Ok(RawSample {
        at: row.get(0)?,
        credits: row.get(1)?,
        running_workers: row.get(2)?,
    })
}

impl RawSample {
    pub(super) fn decode(self) -> Result<Sample, HistoryError> {
        let at = DateTime::from_timestamp_millis(self.at)
            .ok_or_else(|| HistoryError::BadRow(format!("time {} is out of range", self.at)))?;
        let credits = self.credits.parse().map_err(|_| {
            HistoryError::BadRow(format!(
                "credits {:?} at {at} are not a decimal",
                self.credits
            ))
        })?;
        Ok(Sample {
            at,
            credits,
            running_workers: self.running_workers,
        })
    }
}
