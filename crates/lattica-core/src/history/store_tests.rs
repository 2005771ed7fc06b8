//! Tests of opening the history: damaged files set aside, schema checks, and the alert
//! state kept across restarts.

use std::fs;

use chrono::TimeDelta;

use rust_decimal::Decimal;
use tempfile::TempDir;

use super::tests::{all, files_in, fresh, sample, t0};
use super::*;
use crate::alerts::{AlertPolicy, AlertState, Reading};
use crate::level::Thresholds;

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
        AlertState::default()
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

#[test]
fn missing_folders_are_created() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("a").join("b").join("history.sqlite");
    let opened = History::open_at(&path, t0()).unwrap();
    assert_eq!(opened.set_aside, None);
    opened.history.record(&sample(t0(), "1")).unwrap();
    assert!(path.is_file());
}

#[test]
fn a_path_that_cannot_be_opened_is_an_error_and_is_left_alone() {
    let dir = TempDir::new().unwrap();
    // A folder where the file should be says nothing about a database's health.
    let path = dir.path().join("history.sqlite");
    fs::create_dir(&path).unwrap();
    assert!(History::open_at(&path, t0()).is_err());
    assert!(path.is_dir());
    assert_eq!(files_in(dir.path()), ["history.sqlite"]);
}
