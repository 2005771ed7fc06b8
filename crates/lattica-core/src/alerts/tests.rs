//! Unit tests of the alert policy, one rule at a time.

use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::level::{Level, Threshold, Thresholds};

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap()
}

pub(super) fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Low at 50 credits, critical at 10.
pub(super) fn credit_thresholds() -> Thresholds {
    Thresholds {
        low: Threshold::Credits(d("50")),
        critical: Threshold::Credits(d("10")),
    }
}

/// Feeds readings `minutes apart` from `t0`, returning the kinds notified at each step.
struct Run {
    policy: AlertPolicy,
    state: AlertState,
    thresholds: Thresholds,
    now: DateTime<Utc>,
}

impl Run {
    fn new() -> Self {
        Self {
            policy: AlertPolicy::default(),
            state: AlertState::default(),
            thresholds: credit_thresholds(),
            now: t0(),
        }
    }

    fn reading(&self, balance: &str) -> Reading {
        Reading {
            at: self.now,
            balance: d(balance),
            hours_left: None,
            estimate_text: None,
            first_after_start: false,
        }
    }

    /// One reading five minutes after the previous one.
    fn read(&mut self, balance: &str) -> Vec<AlertKind> {
        let reading = self.reading(balance);
        self.feed(reading)
    }

    fn start(&mut self, balance: &str) -> Vec<AlertKind> {
        let reading = Reading {
            first_after_start: true,
            ..self.reading(balance)
        };
        self.feed(reading)
    }

    fn feed(&mut self, reading: Reading) -> Vec<AlertKind> {
        let out = self
            .policy
            .on_reading(&mut self.state, &reading, &self.thresholds);
        self.now += TimeDelta::minutes(5);
        out.into_iter().map(|n| n.kind).collect()
    }

    fn reads(&mut self, balances: &[&str]) -> Vec<AlertKind> {
        balances.iter().flat_map(|b| self.read(b)).collect()
    }
}

use AlertKind::{BalanceCritical as Critical, BalanceEmpty as Empty, BalanceLow as Low};

#[test]
fn each_level_notifies_once_after_two_readings_and_empty_at_once() {
    let mut run = Run::new();
    assert_eq!(run.read("80"), []);
    assert_eq!(run.read("45"), [], "one reading below low is not enough");
    assert_eq!(run.read("44"), [Low]);
    assert_eq!(run.read("43"), []);
    assert_eq!(run.read("9"), []);
    assert_eq!(run.read("8"), [Critical]);
    assert_eq!(run.read("7"), []);
    assert_eq!(run.read("0"), [Empty], "empty needs no confirmation");
    assert_eq!(run.reads(&["0", "0", "-1"]), []);
}

#[test]
fn a_single_noisy_sample_never_alerts() {
    let mut run = Run::new();
    assert_eq!(run.reads(&["80", "40", "80", "5", "80", "49", "60"]), []);
}

#[test]
fn a_steep_drop_notifies_only_the_deepest_level() {
    let mut run = Run::new();
    assert_eq!(run.reads(&["80", "9", "8"]), [Critical]);
    assert!(run.state.is_notified(Level::Low));
    assert!(run.state.is_notified(Level::Critical));
    assert_eq!(run.reads(&["8", "7.5", "7"]), []);
}

#[test]
fn two_readings_below_low_where_the_second_is_critical_say_low_first() {
    let mut run = Run::new();
    assert_eq!(run.reads(&["80", "45", "9"]), [Low]);
    assert_eq!(run.read("8"), [Critical]);
}

#[test]
fn a_level_rearms_only_above_its_threshold_plus_ten_percent() {
    let mut run = Run::new();
    assert_eq!(run.reads(&["45", "45"]), [Low]);
    // 50 < 54 < 55: inside the margin. Every rise here is under 10% of the reading before,
    // so none counts as a top-up.
    assert_eq!(run.reads(&["49", "53", "54", "52", "50", "49"]), []);
    // Above 55 re-arms.
    assert_eq!(run.reads(&["52", "54.5", "56", "53", "50", "49"]), [Low]);
}

#[test]
fn a_rise_larger_than_the_margin_is_a_top_up() {
    let mut run = Run::new();
    assert_eq!(run.reads(&["40", "40"]), [Low]);
    // 40 → 42 is 5%: noise, not a top-up.
    assert_eq!(run.reads(&["42", "41"]), []);
    // 41 → 48 is 17%: a top-up; the balance is still low, so after two readings low is
    // said again.
    assert_eq!(run.read("48"), []);
    assert_eq!(run.read("47"), [Low]);
}

#[test]
fn an_explicit_top_up_rearms_and_restarts_confirmation() {
    let mut run = Run::new();
    assert_eq!(run.reads(&["9", "9"]), [Critical]);
    run.policy.on_top_up(&mut run.state);
    assert!(!run.state.is_notified(Level::Critical));
    assert_eq!(run.read("9"), []);
    assert_eq!(run.read("9"), [Critical]);
}

#[test]
fn empty_rearms_once_there_is_credit_again() {
    let mut run = Run::new();
    assert_eq!(run.reads(&["0", "0"]), [Empty]);
    assert_eq!(run.read("0.5"), []);
    assert_eq!(run.read("0"), [Empty]);
}

#[test]
fn at_launch_critical_and_empty_notify_at_once_but_low_only_shows_in_the_tray() {
    let mut run = Run::new();
    assert_eq!(run.start("9"), [Critical]);

    let mut run = Run::new();
    assert_eq!(run.start("0"), [Empty]);

    let mut run = Run::new();
    assert_eq!(run.start("40"), []);
    assert!(run.state.is_notified(Level::Low));
    assert_eq!(run.reads(&["40", "39", "38"]), []);
    // Getting worse still notifies.
    assert_eq!(run.reads(&["9", "9"]), [Critical]);

    let mut run = Run::new();
    assert_eq!(run.start("80"), []);
}

#[test]
fn a_restart_with_the_persisted_state_repeats_nothing() {
    let mut run = Run::new();
    assert_eq!(run.reads(&["9", "9"]), [Critical]);
    let saved = serde_json::to_string(&run.state).unwrap();

    let mut restarted = Run::new();
    restarted.now = run.now;
    restarted.state = serde_json::from_str(&saved).unwrap();
    assert_eq!(restarted.start("9"), []);
    assert_eq!(restarted.reads(&["9", "8"]), []);
    assert_eq!(restarted.read("0"), [Empty]);
}

#[test]
fn hours_thresholds_use_the_estimate_and_an_unknown_estimate_changes_nothing() {
    let mut run = Run::new();
    run.thresholds = Thresholds::default(); // low 24 h, critical 3 h
    let with_hours = |run: &Run, balance: &str, hours: Option<&str>| Reading {
        hours_left: hours.map(d),
        ..run.reading(balance)
    };
    for hours in ["20", "19"] {
        let reading = with_hours(&run, "100", Some(hours));
        run.feed(reading);
    }
    assert!(run.state.is_notified(Level::Low));
    // Workers stopped: no estimate. Neither an alert nor a re-arm.
    for _ in 0..3 {
        let reading = with_hours(&run, "100", None);
        assert_eq!(run.feed(reading), []);
    }
    assert!(run.state.is_notified(Level::Low));
    // 26 h is inside the 10% margin of 24 h; 26.5 h is above it.
    let reading = with_hours(&run, "100", Some("26"));
    run.feed(reading);
    assert!(run.state.is_notified(Level::Low));
    let reading = with_hours(&run, "100", Some("26.5"));
    run.feed(reading);
    assert!(!run.state.is_notified(Level::Low));
}

#[test]
fn balance_text_says_what_and_how_long_with_an_add_credit_action() {
    let mut run = Run::new();
    let reading = |run: &Run| Reading {
        estimate_text: Some("about 3 h at current usage".to_owned()),
        ..run.reading("12.4")
    };
    let first = reading(&run);
    run.policy
        .on_reading(&mut run.state, &first, &run.thresholds);
    run.now += TimeDelta::minutes(5);
    let second = reading(&run);
    let out = run
        .policy
        .on_reading(&mut run.state, &second, &run.thresholds);
    assert_eq!(
        out,
        [Notification {
            kind: Low,
            title: "Lattica credits low".to_owned(),
            body: "12.4 credits left, about 3 h at current usage".to_owned(),
            actions: vec![
                Action {
                    id: ActionId::AddCredit,
                    label: "Add credit".to_owned()
                },
                Action {
                    id: ActionId::SnoozeHour,
                    label: "Snooze 1 hour".to_owned()
                },
                Action {
                    id: ActionId::SnoozeUntilTomorrow,
                    label: "Snooze until tomorrow".to_owned()
                },
            ],
            urgency: Urgency::Normal,
        }]
    );

    let empty = text::balance(Level::Empty, &run.reading("0"));
    assert_eq!(empty.body, "Credits ran out: all workers stopped");
    assert_eq!(empty.urgency, Urgency::Critical);
    assert!(empty.actions.iter().any(|a| a.id == ActionId::AddCredit));
    let critical = text::balance(Level::Critical, &run.reading("3.456"));
    assert_eq!(critical.title, "Lattica credits critically low");
    assert_eq!(critical.body, "3.45 credits left");
}

#[test]
fn credits_show_at_most_two_decimals_cut_toward_zero() {
    let cases = [
        ("12.40", "12.4 credits"),
        ("12", "12 credits"),
        ("1", "1 credit"),
        ("1.00", "1 credit"),
        ("0.999", "0.99 credits"),
        ("0.001", "0 credits"),
        ("1234567.891", "1234567.89 credits"),
    ];
    for (amount, shown) in cases {
        assert_eq!(text::credits(d(amount)), shown, "{amount}");
    }
}

#[test]
fn snooze_holds_low_and_critical_back_but_not_empty() {
    let mut run = Run::new();
    let until = run.policy.snooze(
        &mut run.state,
        SnoozeFor::Hour,
        run.now,
        FixedOffset::east_opt(0).unwrap(),
    );
    assert_eq!(until, t0() + TimeDelta::hours(1));
    assert_eq!(run.state.snoozed_until(run.now), Some(until));
    assert_eq!(run.reads(&["45", "45", "9", "9"]), []);
    assert_eq!(run.read("0"), [Empty]);

    // Still armed after the snooze: critical says so once the hour is over.
    let mut run = Run::new();
    run.policy.snooze(
        &mut run.state,
        SnoozeFor::Hour,
        run.now,
        FixedOffset::east_opt(0).unwrap(),
    );
    assert_eq!(run.reads(&["9"; 12]), []); // 12 readings, 5 min apart: the hour
    assert_eq!(run.state.snoozed_until(run.now), None);
    assert_eq!(run.read("9"), [Critical]);

    // Unsnooze ends it early.
    let mut run = Run::new();
    run.policy.snooze(
        &mut run.state,
        SnoozeFor::Hour,
        run.now,
        FixedOffset::east_opt(0).unwrap(),
    );
    run.policy.unsnooze(&mut run.state);
    assert_eq!(run.reads(&["9", "9"]), [Critical]);
}

#[test]
fn snooze_until_tomorrow_ends_at_the_next_local_midnight() {
    let policy = AlertPolicy::default();
    let mut state = AlertState::default();
    let plus_two = FixedOffset::east_opt(2 * 3600).unwrap();
    // 23:30 UTC is 01:30 on March 2nd at +02:00: the next local midnight is March 3rd 00:00,
    // 22:00 UTC on March 2nd.
    let now = Utc.with_ymd_and_hms(2025, 3, 1, 23, 30, 0).unwrap();
    let until = policy.snooze(&mut state, SnoozeFor::UntilTomorrow, now, plus_two);
    assert_eq!(until, Utc.with_ymd_and_hms(2025, 3, 2, 22, 0, 0).unwrap());

    let minus_five = FixedOffset::west_opt(5 * 3600).unwrap();
    let until = policy.snooze(&mut state, SnoozeFor::UntilTomorrow, now, minus_five);
    assert_eq!(until, Utc.with_ymd_and_hms(2025, 3, 2, 5, 0, 0).unwrap());
}
