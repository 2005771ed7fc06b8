//! What the user asked to be told: each kind of alert on or off, and a quiet time ("do not
//! disturb until …") during which nothing is shown.
//!
//! A kind switched off is treated as told: the policy moves on as if the notification had gone
//! out (a low balance switched off stays spent until re-armed, so switching it back on does not
//! bring up an old crossing). A quiet time holds alerts back instead: balance and token alerts
//! stay armed and go out once it ends, if still true; one-off alerts (payments, credits added)
//! are dropped, as the popover shows them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::AlertKind;

/// One switch per kind of alert the user can tell apart. Every switch defaults to on, also when
/// a settings file from an older version lacks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AlertChoices {
    pub low: bool,
    pub critical: bool,
    pub empty: bool,
    /// The three token warnings: a week before, a day before, expired.
    pub token_expiry: bool,
    /// A payment made in the app, or by auto top-up, succeeded or failed (and auto top-up
    /// stopped or reached its cap).
    pub payments: bool,
    /// Credit arrived from elsewhere (the web console, another device).
    pub credits_added: bool,
}

impl Default for AlertChoices {
    fn default() -> Self {
        Self {
            low: true,
            critical: true,
            empty: true,
            token_expiry: true,
            payments: true,
            credits_added: true,
        }
    }
}

impl AlertChoices {
    /// Whether notifications of `kind` are wanted. A test notification always is: the user
    /// asked for it.
    pub fn wants(&self, kind: AlertKind) -> bool {
        match kind {
            AlertKind::BalanceLow => self.low,
            AlertKind::BalanceCritical => self.critical,
            AlertKind::BalanceEmpty => self.empty,
            AlertKind::TokenExpiresInWeek
            | AlertKind::TokenExpiresInDay
            | AlertKind::TokenExpired => self.token_expiry,
            AlertKind::PaymentSucceeded
            | AlertKind::PaymentFailed
            | AlertKind::AutoTopUp
            | AlertKind::AutoTopUpStopped
            | AlertKind::AutoTopUpCapped => self.payments,
            AlertKind::CreditsAdded => self.credits_added,
            AlertKind::Test => true,
        }
    }
}

/// The choices in force at one moment, as the policy applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Wanted {
    pub choices: AlertChoices,
    /// Nothing is shown before this time.
    pub quiet_until: Option<DateTime<Utc>>,
}

impl Wanted {
    /// Whether the quiet time holds notifications back at `now`.
    pub fn quiet_at(&self, now: DateTime<Utc>) -> bool {
        self.quiet_until.is_some_and(|until| now < until)
    }
}
