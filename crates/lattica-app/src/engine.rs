//! The refresh loop. It owns the platform client, the last good figures and the local
//! history, and publishes an [`EngineState`] after every change; the shell renders that state
//! into the tray and the popover. Nothing here knows about Tauri, so the loop is tested
//! against the real sandbox without a window.
//!
//! Refreshes happen at start, on the configured interval, when the popover opens (at most
//! once per [`POPOVER_THROTTLE`]) and on demand. A failed refresh keeps the last good figures
//! (the views mark them stale) and retries with an exponential backoff; a refused token ends
//! the session; a refused client version stops the schedule until the user asks again.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lattica_client::{ClientError, LatticaClient};
use lattica_core::alerts::{Arrival, Notification, PaymentOutcome, SnoozeFor};
use lattica_core::history::{History, Sample};
use lattica_core::settings::Settings;
use lattica_core::view::{Connection, Session, SetAsideFile, SignOutReason, Snapshot};
use rust_decimal::Decimal;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::alerting::Alerts;
use crate::fetch;

/// Opening the popover refreshes only if the last attempt is older than this.
pub const POPOVER_THROTTLE: Duration = Duration::from_secs(10);
/// The first retry after a failure; each further failure doubles it, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(15);
pub const MAX_BACKOFF: Duration = Duration::from_secs(10 * 60);
/// After "Add credit" sent the user to the web console, refreshes come this often…
pub const WATCH_INTERVAL: Duration = Duration::from_secs(5);
/// …for this long, or until the credit arrives.
pub const WATCH_FOR: Duration = Duration::from_secs(15 * 60);
/// How often the local history's retention runs (also once at the first refresh).
const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

/// What the loop is asked to do.
#[derive(Debug)]
pub enum Command {
    /// "Refresh now" from the menu or the popover.
    RefreshNow,
    /// The popover was opened: refresh unless the figures are very fresh.
    PopoverOpened,
    /// A token was validated and stored; start over with it.
    SignedIn(LatticaClient),
    /// The session ended (the user signed out, or the token is gone); with `forget_history`
    /// (the user asked at sign-out) the account's local history goes too: its balance samples
    /// and alert state, nothing else the database keeps.
    SignedOut {
        reason: SignOutReason,
        forget_history: bool,
    },
    SettingsChanged(Box<Settings>),
    /// "Snooze" on an alert.
    Snooze(SnoozeFor),
    /// A payment ended; the alert policy decides whether to notify.
    PaymentEnded {
        outcome: PaymentOutcome,
        wizard_in_front: bool,
    },
    /// The user read the notice about local files set aside at start.
    DismissNotices,
    /// Credit is being added outside the app (the web console): refresh every
    /// [`WATCH_INTERVAL`] for [`WATCH_FOR`] or until it arrives.
    WatchForCredits,
    /// The app moved to another platform (into or out of the demo): its session, its local
    /// history and its settings replace the current ones.
    SwitchPlatform(Box<PlatformSwitch>),
}

/// Everything the views are derived from, as of the last change.
#[derive(Debug, Clone)]
pub struct EngineState {
    pub session: Session,
    pub connection: Connection,
    /// The last good figures; kept through failures, dropped on sign-out.
    pub snapshot: Option<Snapshot>,
    /// The 7-day chart, oldest first.
    pub chart: Vec<Sample>,
    pub observed_burn_per_hour: Option<Decimal>,
    pub settings: Settings,
    /// A refresh is in flight.
    pub refreshing: bool,
    /// Bumped each time the platform ends a running session (token expired or revoked), so
    /// the shell asks for a new token once per occurrence.
    pub sessions_ended: u64,
    /// The latest credit that arrived while the app watched, from anywhere.
    pub credits_added: Option<Arrival>,
    /// Refreshing fast while credit is added in the web console.
    pub watching_for_credits: bool,
    /// Local files set aside at start, told in the popover until dismissed.
    pub set_aside: Vec<SetAsideFile>,
    /// The app runs on the demo account: every view says so.
    pub demo: bool,
}

impl EngineState {
    pub fn new(settings: Settings, signed_in: bool) -> Self {
        Self {
            session: if signed_in {
                Session::SignedIn
            } else {
                Session::SignedOut {
                    reason: SignOutReason::NoToken,
                }
            },
            connection: Connection::Connecting,
            snapshot: None,
            chart: Vec::new(),
            observed_burn_per_hour: None,
            settings,
            refreshing: false,
            sessions_ended: 0,
            credits_added: None,
            watching_for_credits: false,
            set_aside: Vec::new(),
            demo: false,
        }
    }
}

/// The shell's side of the loop: send commands, read or watch the state.
#[derive(Debug, Clone)]
pub struct EngineHandle {
    commands: mpsc::UnboundedSender<Command>,
    state: watch::Receiver<Arc<EngineState>>,
}

impl EngineHandle {
    /// Sends a command; after the loop ended (the app is quitting) there is nobody to tell.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// The latest state.
    pub fn state(&self) -> Arc<EngineState> {
        Arc::clone(&self.state.borrow())
    }

    pub fn subscribe(&self) -> watch::Receiver<Arc<EngineState>> {
        self.state.clone()
    }
}

type Refresh = Pin<Box<dyn Future<Output = Result<Snapshot, ClientError>> + Send>>;

/// The loop itself; run it with [`Engine::run`] on the async runtime.
pub struct Engine {
    commands: mpsc::UnboundedReceiver<Command>,
    publish: watch::Sender<Arc<EngineState>>,
    state: EngineState,
    client: Option<LatticaClient>,
    history: Option<History>,
    alerts: Option<Alerts>,
    /// Replaces the settings' interval (tests; see `LATTICA_TRAY_REFRESH_SECS`).
    interval_override: Option<Duration>,
    failures: u32,
    /// A refused client version stops the schedule: retrying cannot help.
    halted: bool,
    last_attempt: Option<Instant>,
    next_due: Instant,
    /// When the history was last thinned and trimmed to its retention.
    last_pruned: Option<Instant>,
    /// The end of a [`Command::WatchForCredits`].
    watch_until: Option<Instant>,
    /// "Refresh now" came during a refresh: start another as soon as it ends.
    again: bool,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("session", &self.state.session)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// A loop starting from `state`, signed in with `client` if there is one.
    pub fn new(
        mut state: EngineState,
        client: Option<LatticaClient>,
        history: Option<History>,
        interval_override: Option<Duration>,
    ) -> (Self, EngineHandle) {
        let (commands_tx, commands) = mpsc::unbounded_channel();
        let mut engine = Self {
            commands,
            publish: watch::Sender::new(Arc::new(state.clone())),
            state: EngineState::new(Settings::default(), false),
            client,
            history,
            alerts: None,
            interval_override,
            failures: 0,
            halted: false,
            last_attempt: None,
            next_due: Instant::now(),
            last_pruned: None,
            watch_until: None,
            again: false,
        };
        // The chart paints before the first fetch returns.
        if let Some(history) = &engine.history {
            let now = Utc::now();
            state.chart = chart(history, now);
            state.observed_burn_per_hour = burn(history, now);
        }
        engine.state = state;
        engine.publish.send_replace(Arc::new(engine.state.clone()));
        let handle = EngineHandle {
            commands: commands_tx,
            state: engine.publish.subscribe(),
        };
        (engine, handle)
    }

    /// Runs the alert policy after every successful refresh, sending its notifications to
    /// `out`.
    #[must_use]
    pub fn with_alerts(mut self, out: mpsc::UnboundedSender<Notification>) -> Self {
        self.alerts = Some(Alerts::new(self.history.as_ref(), out));
        self
    }

    fn interval(&self) -> Duration {
        let interval = self
            .interval_override
            .unwrap_or_else(|| self.state.settings.refresh_interval());
        if self.watching() {
            interval.min(WATCH_INTERVAL)
        } else {
            interval
        }
    }

    fn watching(&self) -> bool {
        self.watch_until.is_some_and(|until| Instant::now() < until)
    }

    /// Runs until every [`EngineHandle`] is dropped.
    pub async fn run(mut self) {
        let mut inflight: Option<Refresh> = self.start();
        loop {
            let scheduled = inflight.is_none() && self.client.is_some() && !self.halted;
            tokio::select! {
                result = wait(&mut inflight) => {
                    inflight = None;
                    self.finish(result);
                }
                () = tokio::time::sleep_until(self.next_due), if scheduled => {
                    inflight = self.start();
                }
                command = self.commands.recv() => {
                    let Some(command) = command else { break };
                    self.handle(command, &mut inflight);
                }
            }
        }
        tracing::debug!("refresh loop stopped");
    }

    fn handle(&mut self, command: Command, inflight: &mut Option<Refresh>) {
        tracing::debug!(?command, "refresh loop command");
        match command {
            Command::RefreshNow => {
                if inflight.is_none() {
                    *inflight = self.start();
                } else {
                    // The refresh in flight may have read the balance before the user asked:
                    // another one follows it.
                    self.again = true;
                }
            }
            Command::PopoverOpened => {
                let fresh = self
                    .last_attempt
                    .is_some_and(|at| at.elapsed() < POPOVER_THROTTLE);
                if inflight.is_none() && !fresh {
                    *inflight = self.start();
                }
            }
            Command::SignedIn(client) => {
                self.client = Some(client);
                self.failures = 0;
                self.halted = false;
                self.state.session = Session::SignedIn;
                self.state.snapshot = None;
                self.state.connection = Connection::Connecting;
                // Dropping a refresh in flight cancels it: its figures belong to the old token.
                *inflight = self.start();
            }
            Command::SignedOut {
                reason,
                forget_history,
            } => {
                *inflight = None;
                self.end_session(reason);
                if forget_history {
                    self.forget_history();
                }
                self.publish();
            }
            Command::Snooze(duration) => {
                if let Some(alerts) = &mut self.alerts {
                    alerts.snooze(duration, self.history.as_ref());
                }
            }
            Command::PaymentEnded {
                outcome,
                wizard_in_front,
            } => {
                if let Some(alerts) = &mut self.alerts {
                    alerts.on_payment(
                        &outcome,
                        wizard_in_front,
                        &self.state.settings,
                        self.history.as_ref(),
                    );
                }
            }
            Command::DismissNotices => {
                if !self.state.set_aside.is_empty() {
                    self.state.set_aside.clear();
                    self.publish();
                }
            }
            Command::WatchForCredits => {
                tracing::info!(
                    every = ?WATCH_INTERVAL,
                    for_ = ?WATCH_FOR,
                    "watching for credit added outside the app"
                );
                self.watch_until = Some(Instant::now() + WATCH_FOR);
                self.state.watching_for_credits = true;
                if self.failures == 0 {
                    self.next_due = self.next_due.min(Instant::now() + WATCH_INTERVAL);
                }
                self.publish();
            }
            Command::SwitchPlatform(switch) => {
                // Dropping a refresh in flight cancels it: its figures are the old platform's.
                *inflight = None;
                self.switch_platform(*switch);
                *inflight = self.start();
                self.publish();
            }
            Command::SettingsChanged(settings) => {
                self.state.settings = *settings;
                if self.failures == 0 {
                    let since = self.last_attempt.unwrap_or_else(Instant::now);
                    self.next_due = since + self.interval();
                }
                self.publish();
            }
        }
    }

    /// Starts a refresh if there is a client; publishes the "refreshing" state.
    fn start(&mut self) -> Option<Refresh> {
        let client = self.client.clone()?;
        self.last_attempt = Some(Instant::now());
        self.state.refreshing = true;
        self.publish();
        Some(Box::pin(async move { fetch::snapshot(&client).await }))
    }
}

mod outcome;
mod switch;
pub(crate) use outcome::failed_connection;
pub use outcome::{backoff, jittered};
use outcome::{burn, chart, wait};
pub use switch::PlatformSwitch;

#[cfg(test)]
mod loop_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_are_spread_under_the_backoff() {
        let ceiling = backoff(3);
        let delays: Vec<Duration> = (0..200).map(|_| jittered(ceiling)).collect();
        assert!(delays.iter().all(|d| *d >= ceiling / 10 && *d <= ceiling));
        let early = delays.iter().filter(|d| **d < ceiling / 2).count();
        assert!(
            (20..=180).contains(&early),
            "{early} of 200 in the first half"
        );
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        assert_eq!(backoff(1), Duration::from_secs(15));
        assert_eq!(backoff(2), Duration::from_secs(30));
        assert_eq!(backoff(3), Duration::from_secs(60));
        assert_eq!(backoff(6), Duration::from_secs(480));
        assert_eq!(backoff(7), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }
}
