//! Tests of settings validation, the form and the serde round trip.

use std::time::Duration;

use rust_decimal::Decimal;

use super::*;
use crate::level::{Threshold, Thresholds};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn default_form() -> SettingsForm {
    Settings::default().to_form()
}

fn errors(form: &SettingsForm) -> Vec<(Field, String)> {
    Settings::from_form(form)
        .unwrap_err()
        .errors()
        .iter()
        .map(|e| (e.field(), e.to_string()))
        .collect()
}

#[test]
fn defaults() {
    let s = Settings::default();
    assert_eq!(s.refresh_interval(), Duration::from_secs(60));
    assert_eq!(s.thresholds(), Thresholds::default());
    assert!(s.notifications());
    assert!(!s.launch_at_login());
    assert_eq!(s.backend_url(), None);
}

#[test]
fn default_form_round_trips() {
    let form = default_form();
    assert_eq!(form.refresh_interval_secs, "60");
    assert_eq!(form.low_threshold, "24");
    assert_eq!(form.low_unit, ThresholdUnit::Hours);
    assert_eq!(form.backend_url, "");
    assert_eq!(Settings::from_form(&form).unwrap(), Settings::default());
}

#[test]
fn a_full_form_is_accepted() {
    let form = SettingsForm {
        refresh_interval_secs: " 15 ".into(),
        low_threshold: "50".into(),
        low_unit: ThresholdUnit::Credits,
        critical_threshold: "12.5".into(),
        critical_unit: ThresholdUnit::Credits,
        notifications: false,
        launch_at_login: true,
        backend_url: "https://api.example.com/v2".into(),
        console_url: String::new(),
        list_prices: String::new(),
        alerts: crate::alerts::AlertChoices {
            low: false,
            ..Default::default()
        },
        quiet_until: "2026-12-24T18:00:00+01:00".into(),
        shortcut: String::new(),
    };
    let s = Settings::from_form(&form).unwrap();
    assert_eq!(s.refresh_interval(), Duration::from_secs(15));
    assert_eq!(s.thresholds().low, Threshold::Credits(d("50")));
    assert_eq!(s.thresholds().critical, Threshold::Credits(d("12.5")));
    assert!(!s.notifications());
    assert!(s.launch_at_login());
    assert_eq!(
        s.backend_url().unwrap().as_str(),
        "https://api.example.com/v2"
    );
    assert_eq!(Settings::from_form(&s.to_form()).unwrap(), s);
}

#[test]
fn refresh_interval_bounds() {
    for (text, ok) in [("14", false), ("15", true), ("3600", true), ("3601", false)] {
        let form = SettingsForm {
            refresh_interval_secs: text.into(),
            ..default_form()
        };
        assert_eq!(Settings::from_form(&form).is_ok(), ok, "{text}");
    }
    let form = SettingsForm {
        refresh_interval_secs: "5".into(),
        ..default_form()
    };
    assert_eq!(
        errors(&form),
        [(
            Field::RefreshIntervalSecs,
            "Refresh interval must be between 15 s and 1 h".to_owned()
        )]
    );
    for text in ["", "abc", "30.5", "-20"] {
        let form = SettingsForm {
            refresh_interval_secs: text.into(),
            ..default_form()
        };
        assert_eq!(
            errors(&form),
            [(
                Field::RefreshIntervalSecs,
                "Refresh interval must be a whole number of seconds".to_owned()
            )],
            "{text:?}"
        );
    }
}

#[test]
fn thresholds_must_be_positive_numbers_within_range() {
    let form = SettingsForm {
        low_threshold: "lots".into(),
        critical_threshold: "0".into(),
        ..default_form()
    };
    assert_eq!(
        errors(&form),
        [
            (
                Field::LowThreshold,
                "Low threshold must be a number, like 24 or 12.5".to_owned()
            ),
            (
                Field::CriticalThreshold,
                "Critical threshold must be more than 0 and at most 8,760 hours (a year)"
                    .to_owned()
            ),
        ]
    );
    let form = SettingsForm {
        low_threshold: "1000000.01".into(),
        low_unit: ThresholdUnit::Credits,
        critical_threshold: "-1".into(),
        critical_unit: ThresholdUnit::Credits,
        ..default_form()
    };
    let fields: Vec<_> = errors(&form).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, [Field::LowThreshold, Field::CriticalThreshold]);
}

#[test]
fn critical_must_be_below_low_when_units_match() {
    for (low, critical) in [("10", "10"), ("10", "11")] {
        let form = SettingsForm {
            low_threshold: low.into(),
            critical_threshold: critical.into(),
            ..default_form()
        };
        assert_eq!(
            errors(&form),
            [(
                Field::CriticalThreshold,
                "Critical threshold must be below the low threshold".to_owned()
            )]
        );
    }
    // 100 credits and 200 hours are not comparable: either may come first.
    let form = SettingsForm {
        low_threshold: "100".into(),
        low_unit: ThresholdUnit::Credits,
        critical_threshold: "200".into(),
        critical_unit: ThresholdUnit::Hours,
        ..default_form()
    };
    assert!(Settings::from_form(&form).is_ok());
}

#[test]
fn backend_url_rules() {
    let cases = [
        ("", Ok(None)),
        ("  ", Ok(None)),
        (
            "https://api.example.com",
            Ok(Some("https://api.example.com/")),
        ),
        ("http://127.0.0.1:8080", Ok(Some("http://127.0.0.1:8080/"))),
        ("http://127.8.9.1:8080", Ok(Some("http://127.8.9.1:8080/"))),
        (
            "http://localhost:3000/api",
            Ok(Some("http://localhost:3000/api")),
        ),
        ("http://LOCALHOST:3000", Ok(Some("http://localhost:3000/"))),
        ("http://[::1]:3000", Ok(Some("http://[::1]:3000/"))),
        (
            "http://api.example.com",
            Err(SettingsError::BackendUrlInsecure),
        ),
        ("http://192.168.1.5", Err(SettingsError::BackendUrlInsecure)),
        (
            "http://localhost.evil.com",
            Err(SettingsError::BackendUrlInsecure),
        ),
        ("ftp://example.com", Err(SettingsError::BackendUrlMalformed)),
        ("not a url", Err(SettingsError::BackendUrlMalformed)),
        (
            "https://user:pw@example.com",
            Err(SettingsError::BackendUrlHasCredentials),
        ),
        (
            "https://example.com/?a=1",
            Err(SettingsError::BackendUrlHasQuery),
        ),
        (
            "https://example.com/#x",
            Err(SettingsError::BackendUrlHasQuery),
        ),
    ];
    for (text, expected) in cases {
        let form = SettingsForm {
            backend_url: text.into(),
            ..default_form()
        };
        let got = Settings::from_form(&form)
            .map(|s| s.backend_url().map(|u| u.as_str().to_owned()))
            .map_err(|e| e.errors().to_vec());
        let expected = expected.map(|u| u.map(str::to_owned)).map_err(|e| vec![e]);
        assert_eq!(got, expected, "{text:?}");
    }
}

#[test]
fn every_field_error_is_reported_at_once() {
    let form = SettingsForm {
        refresh_interval_secs: "1".into(),
        low_threshold: "x".into(),
        critical_threshold: "y".into(),
        backend_url: "http://example.com".into(),
        ..default_form()
    };
    let fields: Vec<_> = errors(&form).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            Field::RefreshIntervalSecs,
            Field::LowThreshold,
            Field::CriticalThreshold,
            Field::BackendUrl
        ]
    );
    let err = Settings::from_form(&form).unwrap_err();
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json[0]["field"], "refreshIntervalSecs");
    assert_eq!(json[3]["field"], "backendUrl");
    assert_eq!(json[3]["message"], err.errors()[3].to_string());
    assert!(
        err.to_string()
            .contains("; Low threshold must be a number, like 24 or 12.5;")
    );
}

#[test]
fn form_json_is_camel_case() {
    let json = serde_json::to_value(default_form()).unwrap();
    assert_eq!(json["refreshIntervalSecs"], "60");
    assert_eq!(json["lowUnit"], "hours");
    assert_eq!(json["launchAtLogin"], false);
}

#[test]
fn serde_validates_and_fills_missing_fields() {
    let s: Settings = serde_json::from_str(r#"{"refreshIntervalSecs": 120, "future": 1}"#).unwrap();
    assert_eq!(s.refresh_interval(), Duration::from_secs(120));
    assert_eq!(s.thresholds(), Thresholds::default());
    assert!(s.notifications());

    let err = serde_json::from_str::<Settings>(r#"{"refreshIntervalSecs": 1}"#).unwrap_err();
    assert!(
        err.to_string().contains("Refresh interval must be between"),
        "{err}"
    );
    let err = serde_json::from_str::<Settings>(r#"{"backendUrl": "http://x.com"}"#).unwrap_err();
    assert!(err.to_string().contains("must use https"), "{err}");

    let s = Settings::default()
        .with_notifications(false)
        .with_launch_at_login(true);
    let back: Settings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn new_rejects_what_the_form_rejects() {
    let inverted = Thresholds {
        low: Threshold::Credits(d("5")),
        critical: Threshold::Credits(d("50")),
    };
    let err = Settings::new(Duration::from_secs(10), inverted, true, false, None).unwrap_err();
    assert_eq!(
        err.errors(),
        [
            SettingsError::RefreshIntervalOutOfRange,
            SettingsError::CriticalNotBelowLow
        ]
    );
}

/// The form fails on `field` alone, with a message that says `problem`.
fn only_error(form: &SettingsForm, field: Field, problem: &str) {
    let found = errors(form);
    assert_eq!(found.len(), 1, "{form:?}: {found:?}");
    assert_eq!(found[0].0, field, "{form:?}");
    assert!(found[0].1.contains(problem), "{form:?}: {}", found[0].1);
}

#[test]
fn the_default_console_url_parses_and_another_can_be_set() {
    let defaults = Settings::default();
    assert_eq!(defaults.console_url().as_str(), DEFAULT_CONSOLE_URL);
    let form = SettingsForm {
        console_url: " https://console.example.com/billing?tab=credits ".into(),
        ..default_form()
    };
    let s = Settings::from_form(&form).unwrap();
    assert_eq!(
        s.console_url().as_str(),
        "https://console.example.com/billing?tab=credits"
    );
    assert_eq!(s.to_form().console_url, s.console_url().as_str());
    for (text, problem) in [
        ("console", "not valid"),
        ("http://console.example.com/", "must use https"),
        ("https://me:pw@console.example.com/", "must use https"),
        ("ftp://console.example.com/", "not valid"),
    ] {
        let form = SettingsForm {
            console_url: text.into(),
            ..default_form()
        };
        only_error(&form, Field::ConsoleUrl, problem);
    }
    let local = SettingsForm {
        console_url: "http://127.0.0.1:8080/console".into(),
        ..default_form()
    };
    assert!(Settings::from_form(&local).is_ok());
}

#[test]
fn list_prices_override_the_built_in_table_one_line_each() {
    let form = SettingsForm {
        list_prices: "g7e_2xlarge = 5.25\n\n  NEW_TYPE: 12  \n".into(),
        ..default_form()
    };
    let s = Settings::from_form(&form).unwrap();
    let table = s.list_prices();
    assert_eq!(table.rate("G7E_2XLARGE"), Some(d("5.25")));
    assert_eq!(table.rate("NEW_TYPE"), Some(d("12")));
    assert_eq!(table.rate("G4DN_XLARGE"), Some(d("1.2")), "the rest stays");
    assert_eq!(s.to_form().list_prices, "G7E_2XLARGE = 5.25\nNEW_TYPE = 12");
    let json = serde_json::to_string(&s).unwrap();
    let back: Settings = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s, "{json}");

    assert!(matches!(
        Settings::default().list_prices(),
        std::borrow::Cow::Borrowed(_)
    ));
    for (text, problem) in [
        ("G7E_2XLARGE = 4,8", "line 1"),
        ("G7E_2XLARGE", "line 1"),
        ("\nbad name = 3", "line 2"),
        ("G7E_2XLARGE = 0", "more than 0"),
        ("G7E_2XLARGE = 100001", "at most 100,000"),
        ("G7E_2XLARGE = -1", "line 1"),
    ] {
        let form = SettingsForm {
            list_prices: text.into(),
            ..default_form()
        };
        only_error(&form, Field::ListPrices, problem);
    }
}

#[test]
fn thresholds_are_read_one_way_in_each_locale() {
    let form = |low: &str| SettingsForm {
        low_threshold: low.into(),
        low_unit: ThresholdUnit::Credits,
        critical_threshold: "5".into(),
        critical_unit: ThresholdUnit::Credits,
        ..default_form()
    };
    let comma = crate::input::NumberStyle::DecimalComma;
    let s = Settings::from_form_in(&form("12,5"), comma).unwrap();
    assert_eq!(s.thresholds().low, Threshold::Credits(d("12.5")));
    let s = Settings::from_form_in(&form("1.500,5"), comma).unwrap();
    assert_eq!(s.thresholds().low, Threshold::Credits(d("1500.5")));
    only_error(&form("12,5"), Field::LowThreshold, "like 24 or 12.5");
    let refused = Settings::from_form_in(&form("1,000"), comma).unwrap_err();
    let said = refused.errors()[0].to_string();
    assert!(
        said.starts_with("Low threshold: \"1,000\" could mean 1 or 1000"),
        "{said}"
    );
}

#[test]
fn alert_choices_and_the_quiet_time_round_trip_through_the_form_and_the_file() {
    let form = SettingsForm {
        alerts: crate::alerts::AlertChoices {
            low: false,
            credits_added: false,
            ..Default::default()
        },
        quiet_until: "2026-12-24T18:00:00+01:00".into(),
        ..default_form()
    };
    let settings = Settings::from_form(&form).unwrap();
    assert!(!settings.alert_choices().low);
    assert!(settings.alert_choices().critical);
    assert_eq!(
        settings.quiet_until().unwrap().to_rfc3339(),
        "2026-12-24T17:00:00+00:00"
    );
    assert_eq!(settings.to_form().quiet_until, "2026-12-24T17:00:00Z");
    let json = serde_json::to_string(&settings).unwrap();
    assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), settings);
}

#[test]
fn a_settings_file_without_alert_choices_has_every_alert_on() {
    let settings: Settings = serde_json::from_str(r#"{"refreshIntervalSecs": 120}"#).unwrap();
    assert_eq!(
        settings.alert_choices(),
        crate::alerts::AlertChoices::default()
    );
    assert_eq!(settings.quiet_until(), None);
}

#[test]
fn a_quiet_time_that_is_not_a_time_is_refused_by_name() {
    let form = SettingsForm {
        quiet_until: "tomorrow".into(),
        ..default_form()
    };
    let errors = errors(&form);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, Field::QuietUntil);
    assert!(
        errors[0].1.starts_with("Do not disturb until"),
        "{errors:?}"
    );
}
