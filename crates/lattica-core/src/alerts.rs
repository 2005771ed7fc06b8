//! The alert policy: which desktop notifications to show, decided from balance readings,
//! the session token's expiry and payment outcomes. Pure and deterministic: every input
//! (including the time) comes from the caller, and everything to remember lives in an
//! [`AlertState`] the shell persists after every step.
//!
//! # Balance rules
//! - Levels come from [`Thresholds::level`](crate::level::Thresholds::level). Low and critical notify only once
//!   [`AlertConfig::confirmations`] consecutive readings (two by default) sit at or below them,
//!   so one noisy sample never alerts; empty notifies at once.
//! - One notification per downward crossing: a reading notifies only its deepest confirmed
//!   level, and that level and the shallower ones are then spent (an ok → critical drop says
//!   "critical", not "low" and "critical").
//! - A spent level re-arms when a reading is clear of its threshold by
//!   [`AlertConfig::rearm_margin`] (10%: a credits threshold of 50 re-arms above 55, an hours
//!   threshold of 24 above 26.4 h of estimated usage), or on a top-up: [`AlertPolicy::on_top_up`],
//!   a successful payment, or a reading more than the margin above the previous one (usage only
//!   lowers a balance). A reading with no estimate neither crosses nor clears an hours
//!   threshold, so stopping and restarting workers does not repeat an alert. A top-up also
//!   restarts the confirmation count. Empty re-arms as soon as the balance is above zero.
//! - First reading after launch: critical or empty notifies at once if not already notified
//!   (the persisted state says so); low is left to the tray icon and counts as notified.
//! - A snooze holds back low and critical (they stay armed and notify once it ends, if still
//!   true); empty always notifies: it means the workers have stopped.
//!
//! # Other alerts
//! - Session token: once when 7 days or less remain, once at 1 day, once when expired; each
//!   once per expiry date, so a new token with another expiry re-arms all three.
//! - Payments notify only when the add-credit wizard is not in front.
//! - Credits added anywhere else (the web console, another device) notify once per arrival:
//!   a new payment in the history or a rise of the balance ([`AlertPolicy::on_credits`]).
//!
//! # The user's choices
//! Each kind can be switched off, and a quiet time holds everything back ([`AlertChoices`]).
//!
//! # Rate limit
//! At most [`AlertConfig::max_per_window`] notifications per [`AlertConfig::window`] and never
//! the same kind twice within [`AlertConfig::same_kind_gap`]. A balance or token alert held
//! back stays armed and goes out on a later step; a payment alert held back is dropped (it is
//! a one-off, and the wizard shows the outcome).

mod balance;
mod choices;
mod credits;
mod events;
mod rate;
mod state;
mod text;

#[cfg(test)]
mod choices_tests;
#[cfg(test)]
mod event_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use choices::{AlertChoices, Wanted};
pub use credits::{Arrival, OWN_PAYMENT_MEMORY, PaidIn};
pub use state::AlertState;

/// Tunables of the policy; [`Default`] is the documented behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertConfig {
    /// Hysteresis, as a fraction of a threshold (0.10 = 10%).
    pub rearm_margin: Decimal,
    /// Consecutive readings needed before low or critical notifies (at least 1).
    pub confirmations: u32,
    /// Most notifications in any [`window`](Self::window).
    pub max_per_window: usize,
    /// The sliding window of the rate limit.
    pub window: TimeDelta,
    /// Shortest time between two notifications of the same kind.
    pub same_kind_gap: TimeDelta,
}

impl Default for AlertConfig {
    fn default() -> Self {
        Self {
            rearm_margin: Decimal::new(10, 2),
            confirmations: 2,
            max_per_window: 5,
            window: TimeDelta::minutes(10),
            same_kind_gap: TimeDelta::minutes(1),
        }
    }
}

/// The policy: configuration and the user's choices; all memory is in the [`AlertState`]
/// passed to each call.
#[derive(Debug, Clone, Default)]
pub struct AlertPolicy {
    config: AlertConfig,
    wanted: Wanted,
}

impl AlertPolicy {
    pub fn new(config: AlertConfig) -> Self {
        Self {
            config,
            wanted: Wanted::default(),
        }
    }

    pub fn config(&self) -> &AlertConfig {
        &self.config
    }

    /// Applies the user's choices from now on (see [`AlertChoices`]).
    pub fn set_wanted(&mut self, wanted: Wanted) {
        self.wanted = wanted;
    }
}

/// The notification "Send a test notification" shows; it goes around the policy (the user
/// asked for it, whatever the choices and the quiet time say).
pub fn test_notification() -> Notification {
    text::test()
}

/// One balance reading, as the shell hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub at: DateTime<Utc>,
    pub balance: Decimal,
    /// Estimated usage time left, when there is a usage rate to estimate from.
    pub hours_left: Option<Decimal>,
    /// The estimate as the UI words it (e.g. "about 3 h at current usage"), appended to the
    /// body of low and critical alerts.
    pub estimate_text: Option<String>,
    /// The first reading since the app started.
    pub first_after_start: bool,
}

/// How a payment ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    Succeeded {
        credits: Decimal,
    },
    /// `reason` is the platform's message (e.g. "Your card was declined."), never card data.
    Failed {
        reason: String,
    },
    /// An auto top-up went through: a top-up like any other, told by its own notification
    /// (every auto top-up is told: the rate limit does not hold it back).
    AutoTopUp {
        credits: Decimal,
        notice: Notification,
    },
    /// Auto top-up turned itself off or bought nothing (a cap): told once, by the caller.
    AutoTopUpNotice(Notification),
}

/// How long [`AlertPolicy::snooze`] holds balance alerts back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SnoozeFor {
    Hour,
    /// Until the next local midnight.
    UntilTomorrow,
}

/// What a notification is about; also the unit of the same-kind rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertKind {
    BalanceLow,
    BalanceCritical,
    BalanceEmpty,
    TokenExpiresInWeek,
    TokenExpiresInDay,
    TokenExpired,
    PaymentSucceeded,
    PaymentFailed,
    /// Credit arrived from elsewhere (the web console, another device).
    CreditsAdded,
    /// "Send a test notification" in the settings.
    Test,
    AutoTopUp,
    AutoTopUpStopped,
    AutoTopUpCapped,
}

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub kind: AlertKind,
    pub title: String,
    pub body: String,
    pub actions: Vec<Action>,
    pub urgency: Urgency,
}

/// A button on a notification; the shell maps `id` to what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: ActionId,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionId {
    /// Open the add-credit wizard.
    AddCredit,
    /// [`AlertPolicy::snooze`] with [`SnoozeFor::Hour`].
    SnoozeHour,
    /// [`AlertPolicy::snooze`] with [`SnoozeFor::UntilTomorrow`].
    SnoozeUntilTomorrow,
    /// Open the place where a new session token is pasted.
    UpdateToken,
}

impl ActionId {
    /// The identifier handed to the OS notification service.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AddCredit => "add-credit",
            Self::SnoozeHour => "snooze-hour",
            Self::SnoozeUntilTomorrow => "snooze-until-tomorrow",
            Self::UpdateToken => "update-token",
        }
    }

    /// The inverse of [`ActionId::as_str`].
    pub fn parse(id: &str) -> Option<Self> {
        [
            Self::AddCredit,
            Self::SnoozeHour,
            Self::SnoozeUntilTomorrow,
            Self::UpdateToken,
        ]
        .into_iter()
        .find(|action| action.as_str() == id)
    }
}

/// How insistently the OS should show a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    Low,
    Normal,
    Critical,
}
