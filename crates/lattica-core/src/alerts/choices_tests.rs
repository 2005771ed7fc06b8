//! The user's alert choices applied by the policy: kinds switched off, and the quiet time.

use chrono::{DateTime, TimeDelta, Utc};

use super::tests::{credit_thresholds, d, t0};
use super::*;
use crate::level::Level;

fn reading(at: DateTime<Utc>, balance: &str) -> Reading {
    Reading {
        at,
        balance: d(balance),
        hours_left: None,
        estimate_text: None,
        first_after_start: false,
    }
}

/// Feeds `balances` five minutes apart from `start`; the kinds notified.
fn feed(
    policy: &AlertPolicy,
    state: &mut AlertState,
    start: DateTime<Utc>,
    balances: &[&str],
) -> Vec<AlertKind> {
    balances
        .iter()
        .enumerate()
        .flat_map(|(i, balance)| {
            let at = start + TimeDelta::minutes(5 * i as i64);
            policy.on_reading(state, &reading(at, balance), &credit_thresholds())
        })
        .map(|n| n.kind)
        .collect()
}

fn policy_with(choices: AlertChoices, quiet_until: Option<DateTime<Utc>>) -> AlertPolicy {
    let mut policy = AlertPolicy::default();
    policy.set_wanted(Wanted {
        choices,
        quiet_until,
    });
    policy
}

#[test]
fn with_low_off_a_low_crossing_is_silent_and_critical_still_notifies() {
    let policy = policy_with(
        AlertChoices {
            low: false,
            ..AlertChoices::default()
        },
        None,
    );
    let mut state = AlertState::default();
    assert_eq!(feed(&policy, &mut state, t0(), &["100", "40", "40"]), []);
    assert!(state.is_notified(Level::Low), "low counts as told");
    assert_eq!(
        feed(&policy, &mut state, t0() + TimeDelta::hours(1), &["8", "8"]),
        [AlertKind::BalanceCritical]
    );
}

#[test]
fn switching_low_back_on_does_not_bring_up_the_old_crossing() {
    let mut policy = policy_with(
        AlertChoices {
            low: false,
            ..AlertChoices::default()
        },
        None,
    );
    let mut state = AlertState::default();
    feed(&policy, &mut state, t0(), &["100", "40", "40"]);
    policy.set_wanted(Wanted::default());
    assert_eq!(
        feed(
            &policy,
            &mut state,
            t0() + TimeDelta::hours(1),
            &["39", "38"]
        ),
        []
    );
    // A top-up re-arms it, and the next crossing notifies.
    assert_eq!(
        feed(
            &policy,
            &mut state,
            t0() + TimeDelta::hours(2),
            &["200", "45", "45"]
        ),
        [AlertKind::BalanceLow]
    );
}

#[test]
fn every_kind_has_its_switch() {
    use AlertKind::*;
    let all_off = AlertChoices {
        low: false,
        critical: false,
        empty: false,
        token_expiry: false,
        payments: false,
        credits_added: false,
    };
    for kind in [
        BalanceLow,
        BalanceCritical,
        BalanceEmpty,
        TokenExpiresInWeek,
        TokenExpiresInDay,
        TokenExpired,
        PaymentSucceeded,
        PaymentFailed,
        CreditsAdded,
    ] {
        assert!(
            AlertChoices::default().wants(kind),
            "{kind:?} on by default"
        );
        assert!(!all_off.wants(kind), "{kind:?} can be switched off");
    }
    assert!(all_off.wants(Test), "a test notification always shows");
}

#[test]
fn payments_and_token_warnings_can_be_switched_off() {
    let policy = policy_with(
        AlertChoices {
            payments: false,
            token_expiry: false,
            ..AlertChoices::default()
        },
        None,
    );
    let mut state = AlertState::default();
    let failed = PaymentOutcome::Failed {
        reason: "Your card was declined.".into(),
    };
    assert!(
        policy
            .on_payment(&mut state, &failed, false, t0())
            .is_empty()
    );
    let expires = t0() + TimeDelta::days(3);
    assert!(policy.on_token(&mut state, expires, t0()).is_empty());
    // Told, not held back: switching the warnings on later repeats nothing for this expiry.
    let on = AlertPolicy::default();
    assert!(
        on.on_token(&mut state, expires, t0() + TimeDelta::hours(1))
            .is_empty()
    );
}

#[test]
fn the_quiet_time_holds_alerts_back_and_they_go_out_when_it_ends() {
    let until = t0() + TimeDelta::hours(1);
    let policy = policy_with(AlertChoices::default(), Some(until));
    let mut state = AlertState::default();
    assert_eq!(
        feed(&policy, &mut state, t0(), &["100", "40", "40", "5", "5"]),
        [],
        "nothing during the quiet time, not even critical"
    );
    let expires = t0() + TimeDelta::days(3);
    assert!(policy.on_token(&mut state, expires, t0()).is_empty());
    assert!(!state.is_notified(Level::Critical), "still armed");
    assert_eq!(
        feed(&policy, &mut state, until, &["5"]),
        [AlertKind::BalanceCritical],
        "the deepest level still true goes out once the quiet time is over"
    );
    assert_eq!(
        policy
            .on_token(&mut state, expires, until + TimeDelta::minutes(2))
            .len(),
        1
    );
}

#[test]
fn a_test_notification_says_it_is_one() {
    let n = test_notification();
    assert_eq!(n.kind, AlertKind::Test);
    assert!(n.title.contains("test"), "{}", n.title);
}

#[test]
fn auto_top_up_notices_follow_the_payments_switch_and_the_quiet_time() {
    let notice = Notification {
        kind: AlertKind::AutoTopUpCapped,
        title: "Auto top-up reached its cap".into(),
        body: String::new(),
        actions: Vec::new(),
        urgency: Urgency::Normal,
    };
    let outcome = PaymentOutcome::AutoTopUpNotice(notice);
    let mut state = AlertState::default();
    let on = AlertPolicy::default();
    assert_eq!(on.on_payment(&mut state, &outcome, false, t0()).len(), 1);
    // Never held back by the rate limit: each one is told.
    assert_eq!(on.on_payment(&mut state, &outcome, false, t0()).len(), 1);
    let off = policy_with(
        AlertChoices {
            payments: false,
            ..AlertChoices::default()
        },
        None,
    );
    assert!(off.on_payment(&mut state, &outcome, false, t0()).is_empty());
    let quiet = policy_with(AlertChoices::default(), Some(t0() + TimeDelta::hours(1)));
    assert!(
        quiet
            .on_payment(&mut state, &outcome, false, t0())
            .is_empty()
    );
}
