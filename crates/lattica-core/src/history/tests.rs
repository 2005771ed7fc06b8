//! Tests of the history store against real SQLite files in temporary folders.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use tempfile::TempDir;

use super::*;
use crate::alerts::{AlertPolicy, Reading};
use crate::level::Thresholds;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn sample(at: DateTime<Utc>, credits: &str) -> Sample {
    Sample {
        at,
        credits: d(credits),
        running_workers: 1,
    }
}

fn fresh(dir: &TempDir) -> (History, PathBuf) {
    let path = dir.path().join("history.sqlite");
    let opened = History::open_at(&path, t0()).unwrap();
    assert_eq!(opened.set_aside, None);
    (opened.history, path)
}

fn all(history: &History) -> Vec<Sample> {
    history
        .samples_between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)
        .unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn records_and_reads_back_in_order_with_exact_decimals() {
    let dir = TempDir::new().unwrap();
    let (history, _) = fresh(&dir);
    let later = sample(t0() + TimeDelta::minutes(1), "99.123456789012345678");
    let earlier = Sample {
        running_workers: 3,
        ..sample(t0(), "100.5")
    };
    history.record(&later).unwrap();
    history.record(&earlier).unwrap();

    assert_eq!(all(&history), vec![earlier, later]);
    assert_eq!(history.latest().unwrap(), Some(later));
    // Both ends are inclusive.
    assert_eq!(history.samples_between(t0(), t0()).unwrap(), vec![earlier]);
    assert!(
        history
            .samples_between(t0() + TimeDelta::seconds(1), t0() + TimeDelta::seconds(59))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_second_sample_at_the_same_millisecond_replaces_the_first() {
    let dir = TempDir::new().unwrap();
    let (history, _) = fresh(&dir);
    history.record(&sample(t0(), "10")).unwrap();
    history.record(&sample(t0(), "9")).unwrap();
    assert_eq!(all(&history), vec![sample(t0(), "9")]);
}

#[test]
fn samples_survive_reopening_and_the_file_uses_wal() {
    let dir = TempDir::new().unwrap();
    let (history, path) = fresh(&dir);
    history.record(&sample(t0(), "42")).unwrap();
    drop(history);

    let reopened = History::open_at(&path, t0()).unwrap();
    assert_eq!(reopened.set_aside, None);
    assert_eq!(all(&reopened.history), vec![sample(t0(), "42")]);
    let mode: String = reopened
        .history
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn chart_keeps_at_most_max_points_in_order_ending_on_the_newest() {
    let dir = TempDir::new().unwrap();
    let (history, _) = fresh(&dir);
    let now = t0();
    // One sample every 10 minutes for 8 days: the first day is outside the chart.
    let mut credits = Decimal::from(10_000);
    for i in (0..=8 * 24 * 6).rev() {
        history
            .record(&Sample {
                at: now - TimeDelta::minutes(10 * i),
                credits,
                running_workers: 1,
            })
            .unwrap();
        credits -= Decimal::ONE;
    }

    for max_points in [1, 2, 7, 100, 500] {
        let chart = history.chart(now, CHART_DAYS, max_points).unwrap();
        assert!(chart.len() <= max_points, "{} > {max_points}", chart.len());
        // Buckets are narrower than the data only up to 7 * 24 * 6 = 1008 samples.
        assert_eq!(chart.len(), max_points);
        assert!(chart.windows(2).all(|w| w[0].at < w[1].at));
        assert!(chart.iter().all(|s| s.at >= now - TimeDelta::days(7)));
        assert_eq!(chart.last().map(|s| s.at), Some(now));
    }
    assert!(history.chart(now, CHART_DAYS, 0).unwrap().is_empty());
    // Fewer samples than points: all of them, unchanged.
    let all_week = history.chart(now, CHART_DAYS, 5000).unwrap();
    assert_eq!(all_week.len(), 7 * 24 * 6 + 1);
}

#[test]
fn burn_rate_ignores_top_ups() {
    let dir = TempDir::new().unwrap();
    let (history, _) = fresh(&dir);
    let at = |m: i64| t0() + TimeDelta::minutes(m);
    // 10 credits burnt in the first half hour, a top-up, then 5 in the next half hour.
    for (m, credits) in [(0, "100"), (30, "90"), (31, "190"), (61, "185")] {
        history.record(&sample(at(m), credits)).unwrap();
    }
    let rate = history
        .observed_burn_per_hour(at(61), TimeDelta::hours(2))
        .unwrap();
    // 15 credits over the 60 falling minutes; the rising minute is left out.
    assert_eq!(rate, Some(d("15")));
}

#[test]
fn burn_rate_needs_enough_data_and_respects_the_window() {
    let dir = TempDir::new().unwrap();
    let (history, _) = fresh(&dir);
    let now = t0();
    assert_eq!(
        history
            .observed_burn_per_hour(now, TimeDelta::hours(1))
            .unwrap(),
        None
    );

    history
        .record(&sample(now - TimeDelta::minutes(2), "10"))
        .unwrap();
    history.record(&sample(now, "9")).unwrap();
    // Two minutes is less than MIN_BURN_SPAN.
    assert_eq!(
        history
            .observed_burn_per_hour(now, TimeDelta::hours(1))
            .unwrap(),
        None
    );

    // An old, steep drop outside the window does not count.
    history
        .record(&sample(now - TimeDelta::hours(5), "1000"))
        .unwrap();
    history
        .record(&sample(now - TimeDelta::minutes(30), "10.5"))
        .unwrap();
    let rate = history
        .observed_burn_per_hour(now, TimeDelta::hours(1))
        .unwrap();
    assert_eq!(rate, Some(d("3"))); // 1.5 credits in 30 minutes
    // A flat stretch lowers the rate: nothing burnt for a while is part of the average.
    history
        .record(&sample(now - TimeDelta::minutes(90), "10.5"))
        .unwrap();
    let rate = history
        .observed_burn_per_hour(now, TimeDelta::hours(2))
        .unwrap();
    assert_eq!(rate, Some(d("1"))); // 1.5 credits in 90 minutes
}

#[test]
fn burn_rate_with_only_rises_is_unknown() {
    let dir = TempDir::new().unwrap();
    let (history, _) = fresh(&dir);
    history.record(&sample(t0(), "1")).unwrap();
    history
        .record(&sample(t0() + TimeDelta::hours(1), "2"))
        .unwrap();
    let rate = history
        .observed_burn_per_hour(t0() + TimeDelta::hours(1), TimeDelta::hours(2))
        .unwrap();
    assert_eq!(rate, None);
}

#[test]
fn prune_keeps_recent_samples_thins_older_ones_and_drops_the_oldest() {
    let dir = TempDir::new().unwrap();
    let (mut history, _) = fresh(&dir);
    let now = t0();
    // Every 15 minutes for 35 days.
    let count = 35 * 24 * 4;
    for i in 0..count {
        let at = now - TimeDelta::minutes(15 * i);
        history.record(&sample(at, &i.to_string())).unwrap();
    }
    let report = history.prune(now).unwrap();
    let kept = all(&history);

    let raw_from = now - HOURLY_AFTER;
    let keep_from = now - RETENTION;
    let raw: Vec<_> = kept.iter().filter(|s| s.at >= raw_from).collect();
    let hourly: Vec<_> = kept.iter().filter(|s| s.at < raw_from).collect();
    assert_eq!(
        raw.len(),
        48 * 4 + 1,
        "the last 48 h stay untouched (both ends)"
    );
    assert!(hourly.iter().all(|s| s.at >= keep_from));
    // One per hour, the last of each: t0 is on the hour, so that is minute 45.
    assert_eq!(hourly.len(), (30 - 2) * 24);
    assert!(hourly.iter().all(|s| s.at.format("%M").to_string() == "45"));
    assert_eq!(report.expired, count as usize - 30 * 24 * 4 - 1);
    assert_eq!(report.thinned, (30 - 2) * 24 * 3);
    // Pruning again changes nothing.
    assert_eq!(history.prune(now).unwrap(), PruneReport::default());
}

#[test]
fn prune_never_deletes_the_newest_sample() {
    let dir = TempDir::new().unwrap();
    let (mut history, _) = fresh(&dir);
    let old = t0() - TimeDelta::days(90);
    history
        .record(&sample(old - TimeDelta::hours(1), "6"))
        .unwrap();
    history.record(&sample(old, "5")).unwrap();
    history.prune(t0()).unwrap();
    assert_eq!(all(&history), vec![sample(old, "5")]);
}

#[test]
fn garbage_file_is_set_aside_not_deleted() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("history.sqlite");
    let garbage = b"this is not a database, just bytes \x00\x01\x02 that must survive".repeat(50);
    fs::write(&path, &garbage).unwrap();
    fs::write(dir.path().join("history.sqlite-wal"), b"wal bytes").unwrap();

    let opened = History::open_at(&path, t0()).unwrap();
    let aside = opened.set_aside.expect("the garbage file is set aside");
    assert_eq!(aside.original, path);
    assert_eq!(aside.reason, CorruptReason::NotADatabase);
    assert_eq!(
        aside.moved_to,
        dir.path().join("history.sqlite.corrupt-20250301T120000Z")
    );
    assert_eq!(fs::read(&aside.moved_to).unwrap(), garbage);
    assert_eq!(
        fs::read(
            dir.path()
                .join("history.sqlite.corrupt-20250301T120000Z-wal")
        )
        .unwrap(),
        b"wal bytes"
    );

    // The new database works.
    opened.history.record(&sample(t0(), "1")).unwrap();
    assert_eq!(all(&opened.history), vec![sample(t0(), "1")]);
    drop(opened.history);

    // A second damaged file in the same second gets its own name.
    fs::write(&path, &garbage).unwrap();
    let again = History::open_at(&path, t0()).unwrap();
    let aside2 = again.set_aside.unwrap();
    assert_eq!(
        aside2.moved_to,
        dir.path().join("history.sqlite.corrupt-20250301T120000Z-1")
    );
    assert_eq!(fs::read(&aside.moved_to).unwrap(), garbage);
    drop(again.history);
    assert!(files_in(dir.path()).contains(&"history.sqlite".to_owned()));
}

#[test]
fn damaged_pages_are_detected_and_set_aside() {
    let dir = TempDir::new().unwrap();
    let (history, path) = fresh(&dir);
    for i in 0..10_000 {
        history
            .record(&sample(t0() + TimeDelta::seconds(i), "123.45"))
            .unwrap();
    }
    // Closing the last connection checkpoints the WAL into the main file.
    drop(history);
    // Overwrite a stretch of pages past the header with junk.
    let mut bytes = fs::read(&path).unwrap();
    assert!(bytes.len() > 16 * 4096, "the file is several pages long");
    for b in &mut bytes[4096 * 2..4096 * 6] {
        *b = 0xA5;
    }
    fs::write(&path, &bytes).unwrap();

    let opened = History::open_at(&path, t0()).unwrap();
    let aside = opened.set_aside.expect("damage is detected");
    assert!(
        matches!(aside.reason, CorruptReason::Damaged(_)),
        "{:?}",
        aside.reason
    );
    assert_eq!(fs::read(&aside.moved_to).unwrap(), bytes);
    assert!(all(&opened.history).is_empty());
}

#[test]
fn a_newer_schema_is_set_aside() {
    let dir = TempDir::new().unwrap();
    let (history, path) = fresh(&dir);
    history
        .conn
        .pragma_update(None, "user_version", 99)
        .unwrap();
    drop(history);

    let opened = History::open_at(&path, t0()).unwrap();
    let aside = opened.set_aside.unwrap();
    assert_eq!(
        aside.reason,
        CorruptReason::NewerSchema {
            found: 99,
            supported: open::SCHEMA_VERSION
        }
    );
    let version: i64 = opened
        .history
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, open::SCHEMA_VERSION);
}

#[test]
fn a_foreign_table_layout_is_set_aside() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("history.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE samples (something_else TEXT);")
        .unwrap();
    drop(conn);

    let opened = History::open_at(&path, t0()).unwrap();
    let aside = opened.set_aside.unwrap();
    assert!(matches!(aside.reason, CorruptReason::SchemaMismatch(_)));
    opened.history.record(&sample(t0(), "1")).unwrap();
}

#[test]
fn alert_state_persists_and_a_bad_value_is_set_aside() {
    let dir = TempDir::new().unwrap();
    let (history, path) = fresh(&dir);
    let policy = AlertPolicy::default();
    let mut state = history.load_alert_state(t0()).unwrap();
    let reading = Reading {
        at: t0(),
        balance: Decimal::ZERO,
        hours_left: None,
        estimate_text: None,
        first_after_start: false,
    };
    let fired = policy.on_reading(&mut state, &reading, &Thresholds::default());
    assert_eq!(fired.len(), 1);
    history.save_alert_state(&state).unwrap();
    drop(history);

    let history = History::open_at(&path, t0()).unwrap().history;
    let mut loaded = history.load_alert_state(t0()).unwrap();
    assert_eq!(loaded, state);
    let restart = Reading {
        first_after_start: true,
        ..reading
    };
    assert!(
        policy
            .on_reading(&mut loaded, &restart, &Thresholds::default())
            .is_empty()
    );

    history
        .conn
        .execute(
            "UPDATE kv SET value = '{not json' WHERE key = 'alert_state'",
            [],
        )
        .unwrap();
    assert_eq!(
        history.load_alert_state(t0()).unwrap(),
        crate::alerts::AlertState::default()
    );
    let kept: String = history
        .conn
        .query_row(
            "SELECT value FROM kv WHERE key LIKE 'alert_state.corrupt-%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, "{not json");
}

proptest! {
    /// Whatever was recorded, pruning keeps the newest sample, leaves rows in strictly
    /// increasing time order, never keeps more than it had, and keeps every recent sample.
    #[test]
    fn prune_keeps_the_newest_and_the_order(
        offsets in proptest::collection::vec(0_i64..(40 * 24 * 60), 1..120),
        now_offset in 0_i64..(45 * 24 * 60),
    ) {
        let dir = TempDir::new().unwrap();
        let (mut history, _) = fresh(&dir);
        let base = t0() - TimeDelta::days(40);
        for (i, minutes) in offsets.iter().enumerate() {
            history.record(&sample(base + TimeDelta::minutes(*minutes), &i.to_string())).unwrap();
        }
        let before = all(&history);
        let now = base + TimeDelta::minutes(now_offset);
        history.prune(now).unwrap();
        let after = all(&history);

        prop_assert_eq!(after.last(), before.last());
        prop_assert!(after.windows(2).all(|w| w[0].at < w[1].at));
        prop_assert!(after.iter().all(|s| before.contains(s)));
        let recent = |s: &&Sample| s.at >= now - HOURLY_AFTER;
        prop_assert_eq!(
            before.iter().filter(recent).collect::<Vec<_>>(),
            after.iter().filter(recent).collect::<Vec<_>>()
        );
    }
}
