//! The global rate limit, so that no sequence of events floods the desktop.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AlertConfig, AlertKind, AlertPolicy, AlertState, Notification};

/// One notification that went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Sent {
    pub(super) kind: AlertKind,
    pub(super) at: DateTime<Utc>,
}

/// What became of a notification the policy decided on.
#[derive(Debug)]
pub(super) enum Emitted {
    /// It goes out.
    Shown(Notification),
    /// The user switched its kind off: it counts as told, and nothing is shown.
    Off,
    /// The quiet time or the rate limit holds it back: it has not been told.
    HeldBack,
}

impl Emitted {
    /// Whether the policy may treat the alert as told (shown, or not wanted at all).
    pub(super) fn told(&self) -> bool {
        !matches!(self, Self::HeldBack)
    }

    pub(super) fn shown(self) -> Option<Notification> {
        match self {
            Self::Shown(notification) => Some(notification),
            Self::Off | Self::HeldBack => None,
        }
    }
}

impl AlertPolicy {
    /// A notification the rate limit never holds back (each auto top-up's outcome is told),
    /// unless the user switched its kind off or the quiet time is on.
    pub(super) fn unlimited(&self, notice: &Notification, now: DateTime<Utc>) -> Vec<Notification> {
        let wanted = self.wanted.choices.wants(notice.kind) && !self.wanted.quiet_at(now);
        wanted.then(|| notice.clone()).into_iter().collect()
    }

    /// Builds and records a notification of `kind` unless the user switched that kind off, or
    /// the quiet time or the rate limit holds it back.
    pub(super) fn emit(
        &self,
        state: &mut AlertState,
        kind: AlertKind,
        now: DateTime<Utc>,
        build: impl FnOnce() -> Notification,
    ) -> Emitted {
        if !self.wanted.choices.wants(kind) {
            tracing::debug!(?kind, "notification switched off in the settings");
            return Emitted::Off;
        }
        if self.wanted.quiet_at(now) {
            tracing::debug!(?kind, "notification held back: do not disturb");
            return Emitted::HeldBack;
        }
        forget_old(&mut state.sent, now, &self.config);
        if !allows(&state.sent, kind, now, &self.config) {
            tracing::debug!(?kind, "notification held back by the rate limit");
            return Emitted::HeldBack;
        }
        state.sent.push(Sent { kind, at: now });
        Emitted::Shown(build())
    }
}

/// Keeps only what can still hold a notification back. Entries dated after `now` go too: a
/// clock set back must not silence alerts until it catches up.
fn forget_old(sent: &mut Vec<Sent>, now: DateTime<Utc>, config: &AlertConfig) {
    let horizon = config.window.max(config.same_kind_gap);
    sent.retain(|s| s.at <= now && now - s.at < horizon);
}

fn allows(sent: &[Sent], kind: AlertKind, now: DateTime<Utc>, config: &AlertConfig) -> bool {
    let in_window = sent.iter().filter(|s| now - s.at < config.window).count();
    let same_kind_recently = sent
        .iter()
        .any(|s| s.kind == kind && now - s.at < config.same_kind_gap);
    in_window < config.max_per_window && !same_kind_recently
}
