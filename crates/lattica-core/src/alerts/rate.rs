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

impl AlertPolicy {
    /// Builds and records a notification of `kind` unless the rate limit holds it back.
    pub(super) fn emit(
        &self,
        state: &mut AlertState,
        kind: AlertKind,
        now: DateTime<Utc>,
        build: impl FnOnce() -> Notification,
    ) -> Option<Notification> {
        forget_old(&mut state.sent, now, &self.config);
        if !allows(&state.sent, kind, now, &self.config) {
            tracing::debug!(?kind, "notification held back by the rate limit");
            return None;
        }
        state.sent.push(Sent { kind, at: now });
        Some(build())
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
