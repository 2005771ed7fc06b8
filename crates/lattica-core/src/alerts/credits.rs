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
