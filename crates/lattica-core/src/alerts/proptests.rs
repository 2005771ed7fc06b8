//! Property tests of the alert policy over random reading sequences.
//!
//! Balances are drawn around the test thresholds (low 50, critical 10 credits) so that every
//! level and every margin is crossed often.

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::tests::{credit_thresholds, t0};
use super::*;
use crate::level::Level;

/// No rate limit, so the balance rules can be checked exactly.
fn unlimited() -> AlertPolicy {
    AlertPolicy::new(AlertConfig {
        max_per_window: usize::MAX,
        same_kind_gap: TimeDelta::zero(),
        ..AlertConfig::default()
    })
}

/// Balances in tenths of a credit from -1 to 70.
fn balance() -> impl Strategy<Value = Decimal> {
    (-10_i64..=700).prop_map(|tenths| Decimal::new(tenths, 1))
}

fn reading(at: DateTime<Utc>, balance: Decimal) -> Reading {
    Reading {
        at,
        balance,
        hours_left: None,
        estimate_text: None,
        first_after_start: false,
    }
}

/// Readings five minutes apart; returns, per reading, the kinds notified.
fn run(policy: &AlertPolicy, state: &mut AlertState, balances: &[Decimal]) -> Vec<Vec<AlertKind>> {
    let thresholds = credit_thresholds();
    balances
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let at = t0() + TimeDelta::minutes(5 * i as i64);
            let out = policy.on_reading(state, &reading(at, *b), &thresholds);
            out.into_iter().map(|n| n.kind).collect()
        })
        .collect()
}

fn level_of(balance: Decimal) -> Level {
    credit_thresholds().level(balance, None)
}

fn kind_of(level: Level) -> Option<AlertKind> {
    match level {
        Level::Ok => None,
        Level::Low => Some(AlertKind::BalanceLow),
        Level::Critical => Some(AlertKind::BalanceCritical),
        Level::Empty => Some(AlertKind::BalanceEmpty),
    }
}

/// The spec for a balance that only falls: a reading notifies the deepest level it and the
/// reading before agree on (empty needs no agreement) when deeper than anything said yet.
fn expected_when_falling(balances: &[Decimal]) -> Vec<Vec<AlertKind>> {
    let mut said = Level::Ok;
    let mut previous: Option<Level> = None;
    balances
        .iter()
        .map(|b| {
            let level = level_of(*b);
            let confirmed = match (level, previous) {
                (Level::Empty, _) => Level::Empty,
                (_, Some(p)) => level.min(p),
                (_, None) => Level::Ok,
            };
            previous = Some(level);
            if confirmed > said {
                said = confirmed;
                kind_of(confirmed).into_iter().collect()
            } else {
                Vec::new()
            }
        })
        .collect()
}

fn falling(max_len: usize) -> impl Strategy<Value = Vec<Decimal>> {
    proptest::collection::vec(balance(), 1..max_len).prop_map(|mut v| {
        v.sort_by(|a, b| b.cmp(a));
        v
    })
}

/// Whether `balance` is a top-up after `previous` or clear of `level`'s re-arm point.
fn rearms(level: Level, previous: Option<Decimal>, balance: Decimal) -> bool {
    let margin = Decimal::new(10, 2);
    let top_up = previous.is_some_and(|p| {
        let rise = balance - p;
        if p <= Decimal::ZERO {
            rise > Decimal::ZERO
        } else {
            rise > p * margin
        }
    });
    let clear = match level {
        Level::Low => balance > Decimal::from(55),
        Level::Critical => balance > Decimal::from(11),
        Level::Empty => balance > Decimal::ZERO,
        Level::Ok => true,
    };
    top_up || clear
}

#[derive(Debug, Clone)]
enum Event {
    Reading(Decimal),
    Token(i64),
    Payment(bool, bool),
    TopUp,
    Snooze,
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        4 => balance().prop_map(Event::Reading),
        1 => (-48_i64..24 * 10).prop_map(Event::Token),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(ok, front)| Event::Payment(ok, front)),
        1 => Just(Event::TopUp),
        1 => Just(Event::Snooze),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A falling balance gives exactly the spec's notifications: each level at most once,
    /// only after two readings agree (empty at once), never a shallower one after a deeper.
    #[test]
    fn a_falling_balance_gives_exactly_the_expected_notifications(balances in falling(30)) {
        let mut state = AlertState::default();
        let got = run(&unlimited(), &mut state, &balances);
        prop_assert_eq!(got, expected_when_falling(&balances));
    }

    /// Any sequence: between two notifications of one level there is a reading that re-arms
    /// it (a top-up or a return above its threshold plus 10%).
    #[test]
    fn no_level_notifies_twice_without_a_rearm(balances in proptest::collection::vec(balance(), 1..60)) {
        let mut state = AlertState::default();
        let got = run(&unlimited(), &mut state, &balances);
        for level in [Level::Low, Level::Critical, Level::Empty] {
            let kind = kind_of(level);
            let fired: Vec<usize> = (0..got.len()).filter(|i| got[*i].iter().any(|k| Some(*k) == kind)).collect();
            for pair in fired.windows(2) {
                let rearmed = (pair[0] + 1..=pair[1])
                    .any(|i| rearms(level, Some(balances[i - 1]), balances[i]));
                prop_assert!(rearmed, "{:?} fired at {} and {} without a re-arm", level, pair[0], pair[1]);
            }
        }
    }

    /// Ok readings with lone dips in between (never two non-ok readings in a row, never
    /// empty) notify nothing.
    #[test]
    fn lone_noisy_samples_never_alert(
        pairs in proptest::collection::vec((501_i64..=700, prop::option::of(1_i64..=500)), 1..40),
    ) {
        let balances: Vec<Decimal> = pairs
            .iter()
            .flat_map(|(ok, dip)| std::iter::once(*ok).chain(*dip))
            .map(|tenths| Decimal::new(tenths, 1))
            .collect();
        let mut state = AlertState::default();
        let got = run(&unlimited(), &mut state, &balances);
        prop_assert!(got.iter().all(Vec::is_empty), "{:?}", got);
    }

    /// Saving the state, "restarting" and continuing never says again what was said
    /// before the restart (for a falling balance, where nothing re-arms).
    #[test]
    fn a_restart_replays_no_alert(balances in falling(30), split in any::<prop::sample::Index>()) {
        let policy = AlertPolicy::default();
        let split = split.index(balances.len());
        let mut state = AlertState::default();
        let mut said: Vec<AlertKind> = run(&policy, &mut state, &balances[..split]).concat();

        let saved = serde_json::to_string(&state).unwrap();
        let mut state: AlertState = serde_json::from_str(&saved).unwrap();
        let thresholds = credit_thresholds();
        for (i, b) in balances.iter().enumerate().skip(split) {
            let mut r = reading(t0() + TimeDelta::minutes(5 * i as i64), *b);
            r.first_after_start = i == split;
            said.extend(policy.on_reading(&mut state, &r, &thresholds).into_iter().map(|n| n.kind));
        }
        let mut unique = said.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), said.len(), "repeated: {:?}", said);
    }

    /// Persisting the state between any two steps changes nothing at all.
    #[test]
    fn persisting_the_state_is_lossless(
        balances in proptest::collection::vec(balance(), 1..40),
        split in any::<prop::sample::Index>(),
    ) {
        let policy = AlertPolicy::default();
        let mut straight = AlertState::default();
        let expected = run(&policy, &mut straight, &balances);

        let split = split.index(balances.len());
        let mut state = AlertState::default();
        let mut got = run(&policy, &mut state, &balances[..split]);
        let mut state: AlertState = serde_json::from_str(&serde_json::to_string(&state).unwrap()).unwrap();
        let thresholds = credit_thresholds();
        for (i, b) in balances.iter().enumerate().skip(split) {
            let r = reading(t0() + TimeDelta::minutes(5 * i as i64), *b);
            got.push(policy.on_reading(&mut state, &r, &thresholds).into_iter().map(|n| n.kind).collect());
        }
        prop_assert_eq!(got, expected);
        prop_assert_eq!(state, straight);
    }

    /// Whatever happens, at most 3 notifications in any 10 minutes and never the same kind
    /// twice within a minute.
    #[test]
    fn the_rate_limit_is_never_exceeded(
        steps in proptest::collection::vec((event(), 0_i64..180), 1..120),
    ) {
        let policy = AlertPolicy::default();
        let mut state = AlertState::default();
        let thresholds = credit_thresholds();
        let utc = FixedOffset::east_opt(0).unwrap();
        let expiry = t0() + TimeDelta::days(8);
        let mut now = t0();
        let mut sent: Vec<(DateTime<Utc>, AlertKind)> = Vec::new();
        for (i, (event, gap_secs)) in steps.into_iter().enumerate() {
            now += TimeDelta::seconds(gap_secs);
            let out = match event {
                Event::Reading(b) => {
                    let mut r = reading(now, b);
                    r.first_after_start = i == 0;
                    policy.on_reading(&mut state, &r, &thresholds)
                }
                Event::Token(hours) => policy.on_token(&mut state, expiry + TimeDelta::hours(hours), now),
                Event::Payment(ok, front) => {
                    let outcome = if ok {
                        PaymentOutcome::Succeeded { credits: Decimal::TEN }
                    } else {
                        PaymentOutcome::Failed { reason: "Declined".to_owned() }
                    };
                    policy.on_payment(&mut state, &outcome, front, now)
                }
                Event::TopUp => {
                    policy.on_top_up(&mut state);
                    Vec::new()
                }
                Event::Snooze => {
                    policy.snooze(&mut state, SnoozeFor::Hour, now, utc);
                    Vec::new()
                }
            };
            prop_assert!(out.len() <= 1);
            sent.extend(out.into_iter().map(|n| (now, n.kind)));
        }
        for (i, (at, kind)) in sent.iter().enumerate() {
            let in_window = sent[..=i].iter().filter(|(t, _)| *at - *t < TimeDelta::minutes(10)).count();
            let most = AlertConfig::default().max_per_window;
            prop_assert!(in_window <= most, "{} notifications in 10 minutes: {:?}", in_window, sent);
            let same = sent[..i]
                .iter()
                .any(|(t, k)| k == kind && *at - *t < TimeDelta::minutes(1));
            prop_assert!(!same, "{:?} twice within a minute: {:?}", kind, sent);
        }
    }
}
