//! What the policy remembers between steps and across restarts.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::rate::Sent;
use crate::level::Level;

/// The policy's memory. The shell persists it after every step (see
/// `History::save_alert_state`); its fields are private so only the policy changes them.
///
/// Every field has a default, so a state saved by an older version still loads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertState {
    /// Balance levels already notified (or, for low at launch, shown in the tray): these do
    /// not notify again until re-armed.
    pub(super) spent: BTreeSet<Level>,
    /// Consecutive readings at or below each confirmable level.
    pub(super) streak: Streak,
    /// The previous reading's balance, to spot a top-up.
    pub(super) last_balance: Option<Decimal>,
    pub(super) snoozed_until: Option<DateTime<Utc>>,
    pub(super) token: TokenAlerts,
    /// Recent notifications, for the rate limit.
    pub(super) sent: Vec<Sent>,
    /// What "credits added" compares with.
    pub(super) credits: CreditsSeen,
}

/// The payments seen and this app's own recent payment, for "credits added".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct CreditsSeen {
    /// A reading was looked at: from then on a first payment in the history is new.
    pub(super) tracked: bool,
    pub(super) newest_payment_at: Option<DateTime<Utc>>,
    /// When this app's last successful payment ended, and the credits paid (summed).
    pub(super) own_payment: Option<(DateTime<Utc>, Decimal)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct Streak {
    pub(super) low: u32,
    pub(super) critical: u32,
}

impl Streak {
    /// Counts a reading at `level`.
    pub(super) fn count(&mut self, level: Level) {
        let bump = |n: u32, below: bool| if below { n.saturating_add(1) } else { 0 };
        self.low = bump(self.low, level >= Level::Low);
        self.critical = bump(self.critical, level >= Level::Critical);
    }
}

/// Token expiry warnings already given, for one expiry date.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub(super) struct TokenAlerts {
    pub(super) expires_at: Option<DateTime<Utc>>,
    pub(super) warned: BTreeSet<TokenStage>,
}

/// Ordered: a later stage implies the earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum TokenStage {
    Week,
    Day,
    Expired,
}

impl AlertState {
    /// The end of the snooze, while one is running at `now`.
    pub fn snoozed_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.snoozed_until.filter(|until| *until > now)
    }

    /// Whether a notification for `level` was already given (and not re-armed since).
    pub fn is_notified(&self, level: Level) -> bool {
        self.spent.contains(&level)
    }
}
