//! "Credits added": credit that reached the account by any way but this app's own payments
//! (the web console, another device, a colleague), told once per arrival.
//!
//! An arrival is a new payment in the history (its credits are the exact figure) or, without
//! one, a balance above the previous reading (the rise, net of what burnt in between). Credit
//! this app just paid for is already told by the payment's own outcome: a successful payment
//! is remembered for [`OWN_PAYMENT_MEMORY`] and the arrival it explains is not told again.

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::{AlertKind, AlertPolicy, AlertState, text};
use crate::alerts::Notification;

/// How long a payment made in this app explains an arrival: a few refreshes.
pub const OWN_PAYMENT_MEMORY: TimeDelta = TimeDelta::minutes(10);

/// The newest payment the history shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaidIn {
    pub at: DateTime<Utc>,
    pub credits: Decimal,
}

/// Credit that arrived, as the popover and the notification tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    pub at: DateTime<Utc>,
    pub credits: Decimal,
    pub balance: Decimal,
}

impl AlertPolicy {
    /// Looks for an arrival in a reading. Call it with each reading before
    /// [`AlertPolicy::on_reading`], which moves the previous balance on. Returns the arrival
    /// (also for this app's own payments, so the shell can stop watching for it) and the
    /// notification, when it is news.
    pub fn on_credits(
        &self,
        state: &mut AlertState,
        at: DateTime<Utc>,
        balance: Decimal,
        newest_payment: Option<PaidIn>,
    ) -> (Option<Arrival>, Option<Notification>) {
        let tracked = std::mem::replace(&mut state.credits.tracked, true);
        let new_payment = newest_payment.filter(|paid| {
            tracked
                && state
                    .credits
                    .newest_payment_at
                    .is_none_or(|seen| paid.at > seen)
        });
        if let Some(paid) = newest_payment {
            let seen = state.credits.newest_payment_at.get_or_insert(paid.at);
            *seen = (*seen).max(paid.at);
        }
        let rise = state
            .last_balance
            .and_then(|previous| balance.checked_sub(previous))
            .filter(|rise| *rise > Decimal::ZERO);
        let Some(credits) = new_payment.map(|p| p.credits).or(rise) else {
            return (None, None);
        };
        let arrival = Arrival {
            at,
            credits,
            balance,
        };
        let own = state
            .credits
            .own_payment
            .take()
            .filter(|(paid_at, _)| at - *paid_at <= OWN_PAYMENT_MEMORY);
        let news = match own {
            Some((_, paid)) if credits <= paid => None,
            Some((_, paid)) => Some(credits - paid),
            None => Some(credits),
        };
        let notification = news.and_then(|credits| {
            self.emit(state, AlertKind::CreditsAdded, at, || {
                text::credits_added(credits, balance)
            })
            .shown()
        });
        (Some(arrival), notification)
    }

    /// Remembers credit this app paid for, so its arrival is not told twice.
    pub(super) fn own_payment(&self, state: &mut AlertState, credits: Decimal, at: DateTime<Utc>) {
        let total = state
            .credits
            .own_payment
            .filter(|(paid_at, _)| at - *paid_at <= OWN_PAYMENT_MEMORY)
            .map_or(credits, |(_, earlier)| earlier + credits);
        state.credits.own_payment = Some((at, total));
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::alerts::PaymentOutcome;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap() + TimeDelta::minutes(minutes)
    }

    /// One reading through `on_credits` then `on_reading`, as the app runs them.
    fn read(
        policy: &AlertPolicy,
        state: &mut AlertState,
        minute: i64,
        balance: &str,
        paid: Option<(i64, &str)>,
    ) -> Option<Notification> {
        let newest = paid.map(|(m, credits)| PaidIn {
            at: at(m),
            credits: d(credits),
        });
        let (_, notification) = policy.on_credits(state, at(minute), d(balance), newest);
        let reading = crate::alerts::Reading {
            at: at(minute),
            balance: d(balance),
            hours_left: None,
            estimate_text: None,
            first_after_start: false,
        };
        policy.on_reading(state, &reading, &Default::default());
        notification
    }

    #[test]
    fn a_payment_made_elsewhere_is_told_once_with_its_credits() {
        let policy = AlertPolicy::default();
        let mut state = AlertState::default();
        let old = Some((-600, "25"));
        assert_eq!(
            read(&policy, &mut state, 0, "100", old),
            None,
            "the first look"
        );
        assert_eq!(read(&policy, &mut state, 1, "99.5", old), None);
        let told = read(&policy, &mut state, 2, "149.4", Some((2, "50"))).unwrap();
        assert_eq!(told.kind, AlertKind::CreditsAdded);
        assert_eq!(told.title, "Credits added: +50 credits");
        assert_eq!(told.body, "Balance now 149.4 credits");
        assert_eq!(read(&policy, &mut state, 3, "149.3", Some((2, "50"))), None);
    }

    #[test]
    fn a_rise_without_a_payment_is_told_as_the_rise() {
        let policy = AlertPolicy::default();
        let mut state = AlertState::default();
        assert_eq!(read(&policy, &mut state, 0, "10", None), None);
        let told = read(&policy, &mut state, 1, "40.25", None).unwrap();
        assert_eq!(told.title, "Credits added: +30.25 credits");
        assert_eq!(
            read(&policy, &mut state, 2, "40", None),
            None,
            "a fall is no news"
        );
    }

    #[test]
    fn credit_this_app_paid_for_is_not_told_twice() {
        let policy = AlertPolicy::default();
        let mut state = AlertState::default();
        assert_eq!(read(&policy, &mut state, 0, "10", None), None);
        let outcome = PaymentOutcome::Succeeded { credits: d("50") };
        let _ = policy.on_payment(&mut state, &outcome, true, at(1));
        assert_eq!(read(&policy, &mut state, 2, "59.9", Some((1, "50"))), None);
        // Once used, the memory of the own payment is gone: the next arrival is told.
        let told = read(&policy, &mut state, 3, "79.9", Some((3, "20"))).unwrap();
        assert_eq!(told.title, "Credits added: +20 credits");
        // An own payment long ago explains nothing.
        let _ = policy.on_payment(&mut state, &outcome, true, at(4));
        let told = read(&policy, &mut state, 60, "129", Some((59, "50"))).unwrap();
        assert_eq!(told.title, "Credits added: +50 credits");
    }
}
