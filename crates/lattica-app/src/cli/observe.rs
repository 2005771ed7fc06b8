//! One look at the account for `status`: the token in the keychain, a fetch, and when the
//! platform cannot be reached the last figures seen (by this process, else the local history).
//! `status --watch` keeps one [`Observer`] and looks again at every refresh.

use chrono::{DateTime, Local, Utc};
use lattica_client::ClientError;
use lattica_core::history::{BURN_WINDOW, History};
use lattica_core::settings::Settings;
use lattica_core::view::{Connection, Session, SignOutReason, Snapshot, ViewInput};
use rust_decimal::Decimal;

use crate::error::AppError;
use crate::fetch;
use crate::session::Sessions;

/// What one look found.
#[derive(Debug)]
pub(super) struct Observation {
    pub session: Session,
    pub connection: Connection,
    /// The figures to show: fresh, or the last ones seen when the look failed.
    pub snapshot: Option<Snapshot>,
    pub burn: Option<Decimal>,
    pub keychain_problem: Option<String>,
    /// What went wrong, for the one-shot `status` to report and exit with.
    pub error: Option<AppError>,
}

impl Observation {
    fn without_figures(session: Session, connection: Connection, error: AppError) -> Self {
        Self {
            session,
            connection,
            snapshot: None,
            burn: None,
            keychain_problem: None,
            error: Some(error),
        }
    }

    /// The views' input as of `now`, in the local time zone.
    pub fn input<'a>(&'a self, settings: &'a Settings, now: DateTime<Utc>) -> ViewInput<'a, Local> {
        ViewInput {
            session: self.session,
            connection: &self.connection,
            snapshot: self.snapshot.as_ref(),
            history: &[],
            observed_burn_per_hour: self.burn,
            settings,
            refreshing: false,
            keychain_problem: self.keychain_problem.as_deref(),
            credits_added: None,
            watching_for_credits: false,
            set_aside: &[],
            now,
            tz: &Local,
        }
    }
}

/// Looks at the account, remembering the last good figures between looks.
#[derive(Debug)]
pub(super) struct Observer {
    sessions: Sessions,
    history: Option<History>,
    last: Option<Snapshot>,
}

impl Observer {
    pub fn new(sessions: Sessions, history: Option<History>) -> Self {
        Self {
            sessions,
            history,
            last: None,
        }
    }

    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// Reads the token from the keychain (the user may have signed in or out since the last
    /// look) and the figures from the platform. Never fails: what went wrong is in the answer.
    pub async fn look(&mut self) -> Observation {
        let client = match self.sessions.restore().await {
            Ok(Some(client)) => client,
            Ok(None) => {
                self.last = None;
                let reason = SignOutReason::NoToken;
                return Observation::without_figures(
                    Session::SignedOut { reason },
                    Connection::Connecting,
                    AppError::NotSignedIn,
                );
            }
            Err(error) => {
                let mut seen =
                    Observation::without_figures(Session::SignedIn, Connection::Connecting, error);
                if let Some(AppError::Keychain(problem)) = &seen.error {
                    seen.keychain_problem = Some(problem.to_string());
                }
                return seen;
            }
        };
        match fetch::snapshot(&client).await {
            Ok(snapshot) => {
                self.last = Some(snapshot.clone());
                Observation {
                    session: Session::SignedIn,
                    connection: Connection::Connected,
                    burn: self.burn(snapshot.fetched_at),
                    snapshot: Some(snapshot),
                    keychain_problem: None,
                    error: None,
                }
            }
            Err(error @ ClientError::Unauthorized { .. }) => {
                self.last = None;
                let expired = matches!(&error, ClientError::Unauthorized { code: Some(code), .. }
                    if code == lattica_client::error::TOKEN_EXPIRED);
                let reason = if expired {
                    SignOutReason::Expired
                } else {
                    SignOutReason::Revoked
                };
                Observation::without_figures(
                    Session::SignedOut { reason },
                    Connection::Connecting,
                    AppError::from(error),
                )
            }
            Err(error @ ClientError::ClientTooOld { .. }) => {
                let error = AppError::from(error);
                let connection = Connection::Failed {
                    message: error.to_string(),
                    offline: false,
                };
                Observation::without_figures(Session::SignedIn, connection, error)
            }
            Err(error) => {
                let connection = crate::engine::failed_connection(&error);
                let snapshot = self.last.clone().or_else(|| self.recorded());
                let burn = snapshot.as_ref().and_then(|s| self.burn(s.fetched_at));
                Observation {
                    session: Session::SignedIn,
                    connection,
                    snapshot,
                    burn,
                    keychain_problem: None,
                    error: Some(AppError::from(error)),
                }
            }
        }
    }

    fn burn(&self, now: DateTime<Utc>) -> Option<Decimal> {
        self.history
            .as_ref()
            .and_then(|h| h.observed_burn_per_hour(now, BURN_WINDOW).ok())
            .flatten()
    }

    /// The last balance the tray app recorded, as figures to show marked stale.
    fn recorded(&self) -> Option<Snapshot> {
        let last = self.history.as_ref()?.latest().ok().flatten()?;
        Some(Snapshot {
            fetched_at: last.at,
            balance: last.credits,
            running: Vec::new(),
            prices: None,
            last_payment: None,
            token_expires_at: None,
            payments_api: true,
            email: None,
        })
    }
}
