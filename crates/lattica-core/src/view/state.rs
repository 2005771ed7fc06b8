//! The tray's state: one of seven, each with its own icon.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::{Connection, Session};
use crate::level::Level;

/// What the tray icon shows, from the balance level and the health of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TrayState {
    Ok,
    Low,
    Critical,
    Empty,
    /// The data on display is old or the latest refresh failed; also used before the first
    /// data arrives (nothing current to show yet).
    Stale,
    SignedOut,
    /// No data at all and the latest refresh failed.
    Error,
}

/// Data older than this many refresh intervals is stale even when no refresh failed (the
/// machine slept, or refreshes stopped); fewer would flag every slow refresh.
pub const STALE_AFTER_INTERVALS: u32 = 3;

impl TrayState {
    /// Every state, once each.
    pub const ALL: [TrayState; 7] = [
        TrayState::Ok,
        TrayState::Low,
        TrayState::Critical,
        TrayState::Empty,
        TrayState::Stale,
        TrayState::SignedOut,
        TrayState::Error,
    ];

    pub fn from_level(level: Level) -> Self {
        match level {
            Level::Ok => TrayState::Ok,
            Level::Low => TrayState::Low,
            Level::Critical => TrayState::Critical,
            Level::Empty => TrayState::Empty,
        }
    }
}

/// Derives the tray state; the first rule that applies wins:
/// 1. signed out → `SignedOut`;
/// 2. no data: the latest refresh failed → `Error`, else (still loading) → `Stale`;
/// 3. the latest refresh failed, or the data (fetched at `data.0`) is older than
///    [`STALE_AFTER_INTERVALS`] refresh intervals → `Stale`;
/// 4. otherwise the balance level `data.1`.
pub fn derive_state(
    session: Session,
    connection: &Connection,
    data: Option<(DateTime<Utc>, Level)>,
    refresh_interval: Duration,
    now: DateTime<Utc>,
) -> TrayState {
    if let Session::SignedOut { .. } = session {
        return TrayState::SignedOut;
    }
    let failed = matches!(connection, Connection::Failed { .. });
    let Some((fetched_at, level)) = data else {
        return if failed {
            TrayState::Error
        } else {
            TrayState::Stale
        };
    };
    // An interval too large for `TimeDelta` cannot make anything stale.
    let too_old = refresh_interval
        .checked_mul(STALE_AFTER_INTERVALS)
        .and_then(|limit| TimeDelta::from_std(limit).ok())
        .is_some_and(|limit| now - fetched_at > limit);
    if failed || too_old {
        TrayState::Stale
    } else {
        TrayState::from_level(level)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::view::SignOutReason;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
    }

    fn failed() -> Connection {
        Connection::Failed {
            message: "HTTP 503".into(),
            offline: false,
        }
    }

    #[test]
    fn state_table() {
        use Connection::{Connected, Connecting};
        use TrayState as S;
        let signed_in = Session::SignedIn;
        let signed_out = Session::SignedOut {
            reason: SignOutReason::Expired,
        };
        let fresh = Some((now() - TimeDelta::seconds(180), Level::Low));
        let old = Some((now() - TimeDelta::seconds(181), Level::Low));
        let interval = Duration::from_secs(60);
        let cases = [
            (signed_out, Connected, fresh, S::SignedOut),
            (signed_out, Connecting, None, S::SignedOut),
            (signed_out, failed(), None, S::SignedOut),
            (signed_in, failed(), None, S::Error),
            (signed_in, Connecting, None, S::Stale),
            (signed_in, Connected, None, S::Stale),
            (signed_in, failed(), fresh, S::Stale),
            (signed_in, Connected, old, S::Stale),
            (signed_in, Connecting, old, S::Stale),
            (signed_in, Connected, fresh, S::Low),
            // A refresh in flight does not make fresh data stale.
            (signed_in, Connecting, fresh, S::Low),
            (signed_in, Connected, Some((now(), Level::Empty)), S::Empty),
        ];
        for (i, (session, connection, data, expected)) in cases.into_iter().enumerate() {
            let got = derive_state(session, &connection, data, interval, now());
            assert_eq!(
                got, expected,
                "case {i}: {session:?} {connection:?} {data:?}"
            );
        }
    }

    #[test]
    fn every_level_maps_to_its_state() {
        for (level, state) in [
            (Level::Ok, TrayState::Ok),
            (Level::Low, TrayState::Low),
            (Level::Critical, TrayState::Critical),
            (Level::Empty, TrayState::Empty),
        ] {
            let data = Some((now(), level));
            let got = derive_state(
                Session::SignedIn,
                &Connection::Connected,
                data,
                Duration::from_secs(60),
                now(),
            );
            assert_eq!(got, state);
        }
    }

    #[test]
    fn staleness_scales_with_the_interval() {
        let data = Some((now() - TimeDelta::minutes(10), Level::Ok));
        let state = |secs| {
            derive_state(
                Session::SignedIn,
                &Connection::Connected,
                data,
                Duration::from_secs(secs),
                now(),
            )
        };
        assert_eq!(state(60), TrayState::Stale);
        assert_eq!(state(200), TrayState::Ok);
        assert_eq!(state(u64::MAX / 4), TrayState::Ok);
        assert_eq!(state(u64::MAX), TrayState::Ok);
    }

    #[test]
    fn states_serialize_in_camel_case() {
        assert_eq!(
            serde_json::to_value(TrayState::SignedOut).unwrap(),
            "signedOut"
        );
    }
}
