//! Tests of forgetting an account's local history: samples and alert state go, from the file
//! too; other records stay.

use std::fs;

use chrono::TimeDelta;
use tempfile::TempDir;

use super::tests::{all, fresh, sample, t0};
use super::*;
use crate::alerts::AlertState;

/// A balance no other test writes, to look for in the file's bytes.
const MARK: &str = "987654.321";

fn keys(history: &History) -> Vec<String> {
    let mut stmt = history
        .conn
        .prepare("SELECT key FROM kv ORDER BY key")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn on_disk_contains(dir: &TempDir, text: &str) -> bool {
    fs::read_dir(dir.path()).unwrap().any(|entry| {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        bytes.windows(text.len()).any(|w| w == text.as_bytes())
    })
}

#[test]
fn forgets_samples_and_alert_state_and_keeps_other_records() {
    let dir = TempDir::new().unwrap();
    let (history, _) = fresh(&dir);
    for minutes in 0..3 {
        history
            .record(&sample(t0() + TimeDelta::minutes(minutes), MARK))
            .unwrap();
    }
    history.save_alert_state(&AlertState::default()).unwrap();
    // Another feature's records in the same database: a kv entry and a table of its own.
    history
        .conn
        .execute_batch(
            "INSERT INTO kv (key, value) VALUES ('alert_state.corrupt-20250301T120000Z', '{');
             INSERT INTO kv (key, value) VALUES ('payment_journal', '[\"pay_1\"]');
             CREATE TABLE journal (id TEXT PRIMARY KEY);
             INSERT INTO journal (id) VALUES ('pay_1');",
        )
        .unwrap();
    history
        .conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    assert!(
        on_disk_contains(&dir, MARK),
        "the samples are on disk first"
    );

    let forgotten = history.forget_account().unwrap();

    assert_eq!(
        forgotten,
        Forgotten {
            samples: 3,
            alert_entries: 2
        }
    );
    assert_eq!(all(&history), vec![]);
    assert_eq!(history.latest().unwrap(), None);
    assert_eq!(keys(&history), ["payment_journal"]);
    let journal: String = history
        .conn
        .query_row("SELECT id FROM journal", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "pay_1");
    assert!(
        !on_disk_contains(&dir, MARK),
        "a forgotten balance can be read back from the files"
    );
    // The history goes on as new.
    history.record(&sample(t0(), "1")).unwrap();
    assert_eq!(all(&history), vec![sample(t0(), "1")]);
}

#[test]
fn forgetting_an_empty_history_is_no_error() {
    let dir = TempDir::new().unwrap();
    let (history, path) = fresh(&dir);
    assert_eq!(history.forget_account().unwrap(), Forgotten::default());
    drop(history);
    let reopened = History::open_at(&path, t0()).unwrap();
    assert_eq!(reopened.set_aside, None);
}
