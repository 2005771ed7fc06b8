//! Moving the refresh loop to another platform (into the demo account and back out): the
//! client, the local history, the alert state and the settings are all the new platform's,
//! and nothing of the old one's figures survives into the new one's views.

use lattica_client::LatticaClient;
use lattica_core::history::History;
use lattica_core::settings::Settings;
use lattica_core::view::{Connection, Session, SignOutReason};
use tokio::time::Instant;

use super::{Engine, burn, chart};

/// What the loop needs of the platform it moves to.
#[derive(Debug)]
pub struct PlatformSwitch {
    /// The session there (`None`: signed out, the sign-in window asks for a token).
    pub client: Option<LatticaClient>,
    /// Its own local history (the demo's figures never enter a real account's file).
    pub history: Option<History>,
    /// The settings in effect there.
    pub settings: Settings,
    /// Whether it is the demo: every view labels it so.
    pub demo: bool,
}

impl Engine {
    /// Replaces everything that belongs to the current platform; the caller starts a refresh
    /// and publishes.
    pub(super) fn switch_platform(&mut self, switch: PlatformSwitch) {
        let PlatformSwitch {
            client,
            history,
            settings,
            demo,
        } = switch;
        let signed_in = client.is_some();
        self.end_session(SignOutReason::NoToken);
        self.client = client;
        self.history = history;
        if let Some(alerts) = &mut self.alerts {
            alerts.reopen(self.history.as_ref());
        }
        self.last_attempt = None;
        self.last_pruned = None;
        self.next_due = Instant::now();
        let now = chrono::Utc::now();
        self.state.chart = self
            .history
            .as_ref()
            .map(|h| chart(h, now))
            .unwrap_or_default();
        self.state.observed_burn_per_hour = self.history.as_ref().and_then(|h| burn(h, now));
        self.state.settings = settings;
        self.state.demo = demo;
        self.state.connection = Connection::Connecting;
        if signed_in {
            self.state.session = Session::SignedIn;
        }
        tracing::info!(
            demo,
            signed_in,
            "the refresh loop moved to another platform"
        );
    }
}

#[cfg(test)]
#[path = "switch_tests.rs"]
mod tests;
