//! Tests of the settings file: defaults, atomic saves and setting unusable files aside.

use chrono::TimeZone;

use super::*;
use crate::settings::SettingsForm;

fn custom() -> Settings {
    let form = SettingsForm {
        refresh_interval_secs: "300".into(),
        backend_url: "http://localhost:4000".into(),
        ..Settings::default().to_form()
    };
    Settings::from_form(&form)
        .unwrap()
        .with_notifications(false)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 13, 45, 7).unwrap()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn missing_file_gives_defaults_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = SettingsStore::new(dir.path().join("settings.json"));
    let outcome = store.load().unwrap();
    assert_eq!(outcome.settings, Settings::default());
    assert_eq!(outcome.source, Source::Defaults);
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn save_then_load_round_trips_without_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let store = SettingsStore::new(dir.path().join("nested/app/settings.json"));
    store.save(&Settings::default()).unwrap();
    store.save(&custom()).unwrap();
    let outcome = store.load().unwrap();
    assert_eq!(outcome.settings, custom());
    assert_eq!(outcome.source, Source::File);
    assert_eq!(entries(&dir.path().join("nested/app")), ["settings.json"]);

    let json: serde_json::Value = serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
    assert_eq!(json["refreshIntervalSecs"], 300);
    assert_eq!(json["backendUrl"], "http://localhost:4000/");
    assert_eq!(json["thresholds"]["low"]["unit"], "hours");
}

#[test]
fn corrupt_file_is_set_aside_not_wiped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    fs::write(&path, b"{\"refreshIntervalSecs\": 60,").unwrap();
    let store = SettingsStore::new(&path);

    let outcome = store.load_at(now()).unwrap();
    assert_eq!(outcome.settings, Settings::default());
    let Source::SetAside { moved_to, reason } = outcome.source else {
        panic!(
            "expected the file to be set aside, got {:?}",
            outcome.source
        );
    };
    assert_eq!(
        moved_to,
        dir.path().join("settings.json.corrupt-20261126T134507Z")
    );
    assert!(reason.contains("EOF"), "{reason}");
    assert_eq!(
        fs::read(&moved_to).unwrap(),
        b"{\"refreshIntervalSecs\": 60,"
    );
    assert!(!path.exists());

    // The next load starts clean.
    assert_eq!(store.load().unwrap().source, Source::Defaults);
}

#[test]
fn invalid_values_and_binary_garbage_are_set_aside_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let store = SettingsStore::new(&path);

    fs::write(&path, br#"{"refreshIntervalSecs": 2}"#).unwrap();
    let outcome = store.load_at(now()).unwrap();
    assert!(
        matches!(&outcome.source, Source::SetAside { reason, .. } if reason.contains("Refresh interval")),
        "{outcome:?}"
    );

    // A second bad file in the same second must not overwrite the first one set aside.
    fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
    let outcome = store.load_at(now()).unwrap();
    assert!(matches!(outcome.source, Source::SetAside { .. }));
    assert_eq!(
        entries(dir.path()),
        [
            "settings.json.corrupt-20261126T134507Z",
            "settings.json.corrupt-20261126T134507Z-2"
        ]
    );
    assert_eq!(
        fs::read(dir.path().join("settings.json.corrupt-20261126T134507Z")).unwrap(),
        br#"{"refreshIntervalSecs": 2}"#
    );
}

#[test]
fn unreadable_path_is_an_error_and_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: reading fails with something other than NotFound.
    let path = dir.path().join("settings.json");
    fs::create_dir(&path).unwrap();
    let err = SettingsStore::new(&path).load().unwrap_err();
    assert!(matches!(err, StoreError::Read { .. }), "{err:?}");
    assert!(path.is_dir());
    assert_eq!(entries(dir.path()), ["settings.json"]);
}

#[test]
fn save_fails_cleanly_when_the_target_cannot_be_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("keep"), b"x").unwrap();
    let err = SettingsStore::new(&path).save(&custom()).unwrap_err();
    assert!(matches!(err, StoreError::Write { .. }), "{err:?}");
    assert_eq!(
        entries(dir.path()),
        ["settings.json"],
        "temp file left behind"
    );
}
