//! Unit tests of the token and payment alerts, the rate limit and the persisted state.

use chrono::{DateTime, TimeDelta, Utc};

use super::tests::{credit_thresholds, d, t0};
use super::*;
use crate::level::Level;

fn kinds(notifications: Vec<Notification>) -> Vec<AlertKind> {
    notifications.into_iter().map(|n| n.kind).collect()
}

#[test]
fn token_warns_once_at_seven_days_once_at_one_day_and_once_expired() {
    let policy = AlertPolicy::default();
    let mut state = AlertState::default();
    let expiry = t0() + TimeDelta::days(30);
    let at = |days_before: i64, hours: i64| {
        expiry - TimeDelta::days(days_before) - TimeDelta::hours(hours)
    };
    let mut check = |now: DateTime<Utc>| kinds(policy.on_token(&mut state, expiry, now));

    assert_eq!(check(t0()), []);
    assert_eq!(check(at(7, 1)), []);
    assert_eq!(check(at(7, 0)), [AlertKind::TokenExpiresInWeek]);
    assert_eq!(check(at(6, 0)), []);
    assert_eq!(check(at(1, 1)), []);
    assert_eq!(check(at(0, 23)), [AlertKind::TokenExpiresInDay]);
    assert_eq!(check(at(0, 1)), []);
    assert_eq!(check(expiry), [AlertKind::TokenExpired]);
    assert_eq!(check(expiry + TimeDelta::days(3)), []);
}

#[test]
fn a_new_token_expiry_rearms_the_warnings() {
    let policy = AlertPolicy::default();
    let mut state = AlertState::default();
    let old = t0() + TimeDelta::days(2);
    assert_eq!(
        kinds(policy.on_token(&mut state, old, t0())),
        [AlertKind::TokenExpiresInWeek]
    );
    // The new token expires in 30 days: nothing now, and its own week warning later.
    let new = t0() + TimeDelta::days(30);
    let later = t0() + TimeDelta::hours(1);
    assert_eq!(kinds(policy.on_token(&mut state, new, later)), []);
    let week_before = new - TimeDelta::days(6);
    assert_eq!(
        kinds(policy.on_token(&mut state, new, week_before)),
        [AlertKind::TokenExpiresInWeek]
    );
}

#[test]
fn entering_a_late_stage_directly_gives_only_that_warning() {
    let policy = AlertPolicy::default();
    let mut state = AlertState::default();
    let expiry = t0() + TimeDelta::hours(5);
    let out = policy.on_token(&mut state, expiry, t0());
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].kind, AlertKind::TokenExpiresInDay);
    assert_eq!(out[0].title, "Lattica session token expires in 5 hours");
    assert_eq!(out[0].actions[0].id, ActionId::UpdateToken);
    // The week warning is implied and never comes afterwards.
    assert_eq!(
        kinds(policy.on_token(&mut state, expiry, t0() + TimeDelta::hours(1))),
        []
    );

    let out = policy.on_token(&mut state, expiry, expiry + TimeDelta::minutes(1));
    assert_eq!(out[0].title, "Lattica session token expired");
    assert_eq!(out[0].urgency, Urgency::Critical);

    let mut fresh = AlertState::default();
    let in_six_and_a_half = t0() + TimeDelta::hours(6 * 24 + 12);
    let out = policy.on_token(&mut fresh, in_six_and_a_half, t0());
    assert_eq!(out[0].title, "Lattica session token expires in 6 days");
}

#[test]
fn payments_notify_only_when_the_wizard_is_not_in_front_and_success_rearms() {
    let policy = AlertPolicy::default();
    let mut state = AlertState::default();
    let thresholds = credit_thresholds();
    for minutes in [0, 5] {
        let reading = Reading {
            at: t0() + TimeDelta::minutes(minutes),
            balance: d("9"),
            hours_left: None,
            estimate_text: None,
            first_after_start: false,
        };
        policy.on_reading(&mut state, &reading, &thresholds);
    }
    assert!(state.is_notified(Level::Critical));

    let success = PaymentOutcome::Succeeded { credits: d("100") };
    let now = t0() + TimeDelta::minutes(6);
    assert_eq!(policy.on_payment(&mut state, &success, true, now), []);
    assert!(
        !state.is_notified(Level::Critical),
        "a successful payment is a top-up"
    );

    let out = policy.on_payment(&mut state, &success, false, now);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].title, "Payment received");
    assert_eq!(out[0].body, "100 credits added to your Lattica account");

    let failure = PaymentOutcome::Failed {
        reason: "Your card was declined.".to_owned(),
    };
    assert_eq!(policy.on_payment(&mut state, &failure, true, now), []);
    let out = policy.on_payment(&mut state, &failure, false, now);
    assert_eq!(out[0].kind, AlertKind::PaymentFailed);
    assert_eq!(out[0].body, "Your card was declined. No credit was added");
    assert_eq!(out[0].actions[0].id, ActionId::AddCredit);
}

#[test]
fn at_most_max_per_window_notifications_in_the_window() {
    // Three, to reach the limit with the few kinds one test can raise; the default is five.
    let policy = AlertPolicy::new(AlertConfig {
        max_per_window: 3,
        ..AlertConfig::default()
    });
    let mut state = AlertState::default();
    let success = PaymentOutcome::Succeeded { credits: d("5") };
    let failure = PaymentOutcome::Failed {
        reason: "Declined".to_owned(),
    };
    let now = t0();
    assert_eq!(policy.on_payment(&mut state, &success, false, now).len(), 1);
    assert_eq!(policy.on_payment(&mut state, &failure, false, now).len(), 1);
    let expiry = now + TimeDelta::hours(2);
    assert_eq!(policy.on_token(&mut state, expiry, now).len(), 1);
    // A fourth kind within the window is held back...
    let empty = Reading {
        at: now + TimeDelta::minutes(9),
        balance: d("0"),
        hours_left: None,
        estimate_text: None,
        first_after_start: false,
    };
    assert_eq!(
        policy.on_reading(&mut state, &empty, &credit_thresholds()),
        []
    );
    // ...and, being a level that is still true, goes out once the window has room.
    let later = Reading {
        at: now + TimeDelta::minutes(10),
        ..empty
    };
    assert_eq!(
        kinds(policy.on_reading(&mut state, &later, &credit_thresholds())),
        [AlertKind::BalanceEmpty]
    );
}

#[test]
fn the_same_kind_never_twice_within_a_minute() {
    let policy = AlertPolicy::default();
    let mut state = AlertState::default();
    let failure = PaymentOutcome::Failed {
        reason: "Declined".to_owned(),
    };
    assert_eq!(
        policy.on_payment(&mut state, &failure, false, t0()).len(),
        1
    );
    let soon = t0() + TimeDelta::seconds(59);
    assert_eq!(policy.on_payment(&mut state, &failure, false, soon), []);
    let after = t0() + TimeDelta::seconds(60);
    assert_eq!(
        policy.on_payment(&mut state, &failure, false, after).len(),
        1
    );
}

#[test]
fn a_clock_set_back_does_not_silence_alerts() {
    let policy = AlertPolicy::default();
    let mut state = AlertState::default();
    let failure = PaymentOutcome::Failed {
        reason: "Declined".to_owned(),
    };
    assert_eq!(
        policy.on_payment(&mut state, &failure, false, t0()).len(),
        1
    );
    let earlier = t0() - TimeDelta::days(1);
    assert_eq!(
        policy
            .on_payment(&mut state, &failure, false, earlier)
            .len(),
        1
    );
}

#[test]
fn the_state_round_trips_through_json_and_old_or_partial_json_loads() {
    let policy = AlertPolicy::default();
    let mut state = AlertState::default();
    policy.on_token(&mut state, t0() + TimeDelta::days(3), t0());
    policy.snooze(
        &mut state,
        SnoozeFor::Hour,
        t0(),
        chrono::FixedOffset::east_opt(0).unwrap(),
    );
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<AlertState>(&json).unwrap(), state);

    let empty: AlertState = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, AlertState::default());
    let partial: AlertState =
        serde_json::from_str(r#"{"spent": ["low"], "last_balance": "12.5"}"#).unwrap();
    assert!(partial.is_notified(Level::Low));
}

#[test]
fn action_ids_round_trip_through_their_strings() {
    for id in [
        ActionId::AddCredit,
        ActionId::SnoozeHour,
        ActionId::SnoozeUntilTomorrow,
        ActionId::UpdateToken,
    ] {
        assert_eq!(ActionId::parse(id.as_str()), Some(id));
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{}\"", id.as_str()));
    }
    assert_eq!(ActionId::parse("format-disk"), None);
}
