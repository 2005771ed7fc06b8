//! Alerts that are not about the balance level: token expiry, payments, and the snooze.

use chrono::{DateTime, FixedOffset, NaiveTime, TimeDelta, Utc};

use super::state::{TokenAlerts, TokenStage};
use super::{AlertKind, AlertPolicy, AlertState, Notification, PaymentOutcome, SnoozeFor, text};

/// Warn this long before the token expires, and again at [`DAY_WARNING`].
const WEEK_WARNING: TimeDelta = TimeDelta::days(7);
const DAY_WARNING: TimeDelta = TimeDelta::days(1);

impl AlertPolicy {
    /// Checks the session token's expiry; call whenever the expiry is (re)read and
    /// periodically. Each stage notifies once per expiry date; entering a later stage
    /// directly (say the app was closed all week) gives only that stage's warning.
    pub fn on_token(
        &self,
        state: &mut AlertState,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<Notification> {
        if state.token.expires_at != Some(expires_at) {
            state.token = TokenAlerts {
                expires_at: Some(expires_at),
                warned: Default::default(),
            };
        }
        let left = expires_at - now;
        let (stage, kind) = if left <= TimeDelta::zero() {
            (TokenStage::Expired, AlertKind::TokenExpired)
        } else if left <= DAY_WARNING {
            (TokenStage::Day, AlertKind::TokenExpiresInDay)
        } else if left <= WEEK_WARNING {
            (TokenStage::Week, AlertKind::TokenExpiresInWeek)
        } else {
            return Vec::new();
        };
        if state.token.warned.contains(&stage) {
            return Vec::new();
        }
        let emitted = self.emit(state, kind, now, || text::token(kind, left));
        if !emitted.told() {
            return Vec::new();
        }
        let earlier = [TokenStage::Week, TokenStage::Day, TokenStage::Expired]
            .into_iter()
            .filter(|s| *s <= stage);
        state.token.warned.extend(earlier);
        emitted.shown().into_iter().collect()
    }

    /// Reports how a payment ended. A success re-arms the balance alerts (it is a top-up)
    /// whether or not it notifies; nothing notifies while the wizard is in front, since it
    /// already shows the outcome.
    pub fn on_payment(
        &self,
        state: &mut AlertState,
        outcome: &PaymentOutcome,
        wizard_in_front: bool,
        now: DateTime<Utc>,
    ) -> Vec<Notification> {
        let kind = match outcome {
            PaymentOutcome::AutoTopUp { credits, notice } => {
                self.on_top_up(state);
                self.own_payment(state, *credits, now);
                return self.unlimited(notice, now);
            }
            PaymentOutcome::AutoTopUpNotice(notice) => return self.unlimited(notice, now),
            PaymentOutcome::Succeeded { credits } => {
                self.on_top_up(state);
                self.own_payment(state, *credits, now);
                AlertKind::PaymentSucceeded
            }
            PaymentOutcome::Failed { .. } => AlertKind::PaymentFailed,
        };
        if wizard_in_front {
            return Vec::new();
        }
        let build = || match outcome {
            PaymentOutcome::Succeeded { credits } => text::payment_succeeded(*credits),
            PaymentOutcome::Failed { reason } => text::payment_failed(reason),
            PaymentOutcome::AutoTopUp { notice, .. } | PaymentOutcome::AutoTopUpNotice(notice) => {
                notice.clone()
            }
        };
        self.emit(state, kind, now, build)
            .shown()
            .into_iter()
            .collect()
    }

    /// Holds low and critical alerts back until the returned time. A new snooze replaces the
    /// running one. `tz` is the local offset now, for "until tomorrow" (the next local
    /// midnight).
    pub fn snooze(
        &self,
        state: &mut AlertState,
        duration: SnoozeFor,
        now: DateTime<Utc>,
        tz: FixedOffset,
    ) -> DateTime<Utc> {
        let until = match duration {
            SnoozeFor::Hour => now + TimeDelta::hours(1),
            SnoozeFor::UntilTomorrow => next_midnight(now, tz),
        };
        state.snoozed_until = Some(until);
        until
    }

    /// Ends a snooze early.
    pub fn unsnooze(&self, state: &mut AlertState) {
        state.snoozed_until = None;
    }
}

fn next_midnight(now: DateTime<Utc>, tz: FixedOffset) -> DateTime<Utc> {
    now.with_timezone(&tz)
        .date_naive()
        .succ_opt()
        .and_then(|day| day.and_time(NaiveTime::MIN).and_local_timezone(tz).single())
        .map(|midnight| midnight.with_timezone(&Utc))
        // Only the last representable day has no successor; a day's snooze will do there.
        .unwrap_or(now + TimeDelta::days(1))
}
