//! Tests of the history store against real SQLite files in temporary folders.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use tempfile::TempDir;

use super::*;

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()
}

pub(super) fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub(super) fn sample(at: DateTime<Utc>, credits: &str) -> Sample {
    Sample {
        at,
        credits: d(credits),
        running_workers: 1,
    }
}

pub(super) fn fresh(dir: &TempDir) -> (History, PathBuf) {
    let path = dir.path().join("history.sqlite");
    let opened = History::open_at(&path, t0()).unwrap();
    assert_eq!(opened.set_aside, None);
    (opened.history, path)
}

pub(super) fn all(history: &History) -> Vec<Sample> {
    history
        .samples_between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)
        .unwrap()
}

pub(super) fn files_in(dir: &Path) -> Vec<String> {
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
fn burn_rate_counts_only_since_the_running_workers_last_changed() {
    let dir = TempDir::new().unwrap();
    let (history, _) = fresh(&dir);
    let at = |m: i64| t0() + TimeDelta::minutes(m);
    let with = |m: i64, credits: &str, running_workers: u32| Sample {
        running_workers,
        ..sample(at(m), credits)
    };
    // One worker burnt 1 credit an hour for an hour; then a second started.
    for s in [with(0, "100", 1), with(60, "99", 1), with(61, "98.96", 2)] {
        history.record(&s).unwrap();
    }
    let window = TimeDelta::hours(6);
    assert_eq!(
        history.observed_burn_per_hour(at(61), window).unwrap(),
        None,
        "a minute of two workers is not a pace yet"
    );
    history.record(&with(71, "98.56", 2)).unwrap();
    assert_eq!(
        history.observed_burn_per_hour(at(71), window).unwrap(),
        Some(d("2.4")),
        "0.4 credits in 10 minutes, counted since the second worker started"
    );
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
