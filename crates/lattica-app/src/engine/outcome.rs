//! What the engine does with a refresh's outcome: the figures kept or marked stale, the
//! backoff, the session ended on a refused token, the history recorded, the state published.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lattica_client::ClientError;
use lattica_core::history::{BURN_WINDOW, CHART_DAYS, History, Sample};
use lattica_core::view::{CHART_MAX_POINTS, Connection, Session, SignOutReason, Snapshot};
use rand::Rng;
use rust_decimal::Decimal;
use tokio::time::Instant;

use super::{Engine, FIRST_BACKOFF, MAX_BACKOFF, PRUNE_EVERY, Refresh};

impl Engine {
    pub(super) fn finish(&mut self, result: Result<Snapshot, ClientError>) {
        self.state.refreshing = false;
        match result {
            Ok(snapshot) => {
                self.failures = 0;
                self.halted = false;
                self.record(&snapshot);
                let arrival = self.alerts.as_mut().and_then(|alerts| {
                    alerts.on_snapshot(
                        &snapshot,
                        &self.state.settings,
                        self.state.observed_burn_per_hour,
                        self.history.as_ref(),
                    )
                });
                if let Some(arrival) = arrival {
                    tracing::info!(credits = %arrival.credits, "credit arrived");
                    self.state.credits_added = Some(arrival);
                    self.watch_until = None;
                }
                self.state.watching_for_credits = self.watching();
                let mut snapshot = snapshot;
                if snapshot.email.is_none() {
                    // The account info failed this time; the account is still the same.
                    snapshot.email = self.state.snapshot.as_ref().and_then(|s| s.email.clone());
                }
                self.state.snapshot = Some(snapshot);
                self.state.connection = Connection::Connected;
                self.next_due = if std::mem::take(&mut self.again) {
                    Instant::now()
                } else {
                    Instant::now() + self.interval()
                };
            }
            Err(ClientError::Unauthorized { code, .. }) => {
                let reason = match code.as_deref() {
                    Some(lattica_client::error::TOKEN_EXPIRED) => SignOutReason::Expired,
                    _ => SignOutReason::Revoked,
                };
                // The shell sees `sessions_ended` move, removes the token from the keychain
                // and asks for a new one.
                tracing::warn!(
                    ?reason,
                    "the platform refused the session token; signing out"
                );
                self.end_session(reason);
                self.state.sessions_ended += 1;
            }
            Err(error @ ClientError::ClientTooOld { .. }) => {
                tracing::error!(%error, "the platform refuses this client version");
                self.halted = true;
                self.state.connection = Connection::Failed {
                    message: crate::error::AppError::from(error).to_string(),
                    offline: false,
                };
            }
            Err(error) => {
                self.failures = self.failures.saturating_add(1);
                let delay = jittered(backoff(self.failures));
                tracing::warn!(%error, failures = self.failures, retry_in = ?delay, "refresh failed");
                self.state.connection = failed_connection(&error);
                self.next_due = Instant::now() + delay;
            }
        }
        self.publish();
    }

    pub(super) fn end_session(&mut self, reason: SignOutReason) {
        self.client = None;
        self.failures = 0;
        self.halted = false;
        self.state.refreshing = false;
        self.state.session = Session::SignedOut { reason };
        self.state.snapshot = None;
        self.state.connection = Connection::Connecting;
        self.state.credits_added = None;
        self.state.watching_for_credits = false;
        self.watch_until = None;
        self.again = false;
    }

    /// Deletes the signed-out account's samples and alert state, on disk and in memory.
    pub(super) fn forget_history(&mut self) {
        if let Some(history) = &self.history
            && let Err(error) = history.forget_account()
        {
            tracing::error!(%error, "could not delete the local history");
        }
        if let Some(alerts) = &mut self.alerts {
            alerts.forget();
        }
        self.state.chart.clear();
        self.state.observed_burn_per_hour = None;
    }

    /// Adds the snapshot to the local history, applies the retention at start and hourly,
    /// and re-reads the chart and the burn rate.
    pub(super) fn record(&mut self, snapshot: &Snapshot) {
        let Some(history) = &mut self.history else {
            return;
        };
        if self
            .last_pruned
            .is_none_or(|at| at.elapsed() >= PRUNE_EVERY)
        {
            self.last_pruned = Some(Instant::now());
            match history.prune(snapshot.fetched_at) {
                Ok(report) => tracing::debug!(?report, "local history pruned"),
                Err(error) => tracing::warn!(%error, "could not prune the local history"),
            }
        }
        let sample = Sample {
            at: snapshot.fetched_at,
            credits: snapshot.balance,
            running_workers: u32::try_from(snapshot.running.len()).unwrap_or(u32::MAX),
        };
        if let Err(error) = history.record(&sample) {
            tracing::warn!(%error, "could not record the balance in the local history");
        }
        self.state.chart = chart(history, snapshot.fetched_at);
        self.state.observed_burn_per_hour = burn(history, snapshot.fetched_at);
    }

    pub(super) fn publish(&self) {
        self.publish.send_replace(Arc::new(self.state.clone()));
    }
}

/// Resolves with the refresh in flight, or never if there is none.
pub(super) async fn wait(inflight: &mut Option<Refresh>) -> Result<Snapshot, ClientError> {
    match inflight {
        Some(refresh) => refresh.await,
        None => std::future::pending().await,
    }
}

/// Full jitter: anywhere in `[ceiling / 10, ceiling]`, so that installations that failed
/// together (an outage) do not retry together. The floor keeps a retry from coming at once.
pub fn jittered(ceiling: Duration) -> Duration {
    let floor = ceiling / 10;
    let spread = u64::try_from((ceiling - floor).as_millis()).unwrap_or(u64::MAX);
    floor + Duration::from_millis(rand::thread_rng().gen_range(0..=spread))
}

/// The ceiling of the delay before retry number `failures` (1-based): 15 s, 30 s, 1 min …
/// up to 10 min; [`jittered`] picks the delay under it.
pub fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_BACKOFF
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF)
}

/// How a failed refresh is shown (the views say it): unreachable, or the platform's status
/// in a few words, never its raw answer.
pub(crate) fn failed_connection(error: &ClientError) -> Connection {
    let offline = matches!(error, ClientError::Timeout | ClientError::Network(_));
    Connection::Failed {
        message: if offline {
            "cannot reach the platform".to_owned()
        } else {
            short_server_message(error)
        },
        offline,
    }
}

pub(super) fn short_server_message(error: &ClientError) -> String {
    match error.status() {
        Some(status) => format!("platform error (HTTP {status})"),
        None => "unreadable answer from the platform".to_owned(),
    }
}

pub(super) fn chart(history: &History, now: chrono::DateTime<Utc>) -> Vec<Sample> {
    history
        .chart(now, CHART_DAYS, CHART_MAX_POINTS)
        .inspect_err(|error| tracing::warn!(%error, "could not read the local history"))
        .unwrap_or_default()
}

pub(super) fn burn(history: &History, now: chrono::DateTime<Utc>) -> Option<Decimal> {
    history
        .observed_burn_per_hour(now, BURN_WINDOW)
        .inspect_err(|error| tracing::warn!(%error, "could not read the burn rate"))
        .ok()
        .flatten()
}
