//! The view models the shell renders: the tray (icon state, label, tooltip, menu rows) and the
//! popover (serialized to the webview).
//!
//! The shell gathers a [`ViewInput`] (the latest data, how the last refresh went, the session,
//! the settings, the clock and the time zone) and asks it for [`TrayView`] and
//! [`PopoverView`]. Every text comes from [`crate::format`]; nothing here reads a clock.

mod demo;
mod notice;
mod popover;
mod settings_texts;
mod state;
mod texts;
mod tray;

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;

use crate::alerts::Arrival;
use crate::estimate::{self, Estimate, PriceTable, RunningWorker};
use crate::history::Sample;
#[cfg(doc)]
use crate::history::{CHART_DAYS, History};
use crate::level::Level;
use crate::settings::Settings;

pub use demo::{DEMO_LABEL, DemoChoice, LEAVE_DEMO, demo_offer};
pub use notice::{LocalFile, SetAsideFile};
pub use popover::{
    CHART_MAX_POINTS, ChartPoint, EstimateView, LastPaymentView, PopoverView, StaleBanner,
    TOKEN_WARNING_WINDOW,
};
pub use settings_texts::{NO_SAVED_CARDS, RemoveCardTexts, SettingsTexts};
pub use state::{TrayState, derive_state};
pub use texts::{account_line, add_credit, sign_in_reason, signed_in_account};
pub use tray::TrayView;

/// How long the popover mentions credit that arrived.
pub const CREDITS_ADDED_SHOWN_FOR: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// What the app last learnt about the account, as of `fetched_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub fetched_at: DateTime<Utc>,
    pub balance: Decimal,
    pub running: Vec<RunningWorker>,
    /// The platform's price list; `None` while it has not been fetched, could not be, or
    /// the platform has none (the published one).
    pub prices: Option<PriceTable>,
    pub last_payment: Option<LastPayment>,
    /// When the session token expires (`authExpDate`), if known.
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Whether credit can be bought in the app: false once the platform showed it has no
    /// payments API (the published platform), where "Add credit" opens the web console.
    pub payments_api: bool,
    /// The signed-in account's e-mail, as the platform's account info gives it, if known.
    pub email: Option<String>,
}

/// The latest payment that added credits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastPayment {
    pub at: DateTime<Utc>,
    pub credits: Decimal,
    pub amount_minor: i64,
    pub currency: String,
}

/// How the latest refresh went. The time of the last success is [`Snapshot::fetched_at`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// No refresh has finished yet.
    Connecting,
    /// The latest refresh succeeded.
    Connected,
    /// The latest refresh failed. `message` is shown to the user, so it must carry nothing
    /// secret; `offline` is true when the platform could not be reached at all.
    Failed { message: String, offline: bool },
}

/// Whether there is a session token to call the platform with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Session {
    SignedIn,
    SignedOut { reason: SignOutReason },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOutReason {
    /// The platform said the token expired.
    Expired,
    /// The platform said the token was revoked.
    Revoked,
    /// No token was ever stored.
    NoToken,
    /// The user signed out.
    SignedOut,
}

/// Everything the views are derived from.
#[derive(Debug, Clone, Copy)]
pub struct ViewInput<'a, Tz: TimeZone> {
    pub session: Session,
    pub connection: &'a Connection,
    pub snapshot: Option<&'a Snapshot>,
    /// Balance samples for the chart, normally [`History::chart`] with [`CHART_DAYS`] and
    /// [`CHART_MAX_POINTS`]; only the last [`CHART_DAYS`] are drawn, oldest first.
    pub history: &'a [Sample],
    /// The burn rate seen in the local history, used when prices cannot say.
    pub observed_burn_per_hour: Option<Decimal>,
    pub settings: &'a Settings,
    /// A refresh is in flight.
    pub refreshing: bool,
    /// The OS keychain could not be used: what is missing. It wins over every other state.
    pub keychain_problem: Option<&'a str>,
    /// The latest credit that arrived from anywhere ([`crate::alerts::AlertPolicy::on_credits`]).
    pub credits_added: Option<&'a Arrival>,
    /// The app refreshes fast while the user adds credit in the web console.
    pub watching_for_credits: bool,
    /// Local files found unusable at start and set aside, until the user dismisses the notice.
    pub set_aside: &'a [SetAsideFile],
    pub now: DateTime<Utc>,
    pub tz: &'a Tz,
}

/// The data on display, when signed in and there is any.
#[derive(Debug)]
struct Shown<'a> {
    snapshot: &'a Snapshot,
    estimate: Estimate,
    level: Level,
}

impl<'a> ViewInput<'a, chrono::Local> {
    /// Fresh figures alone, as of their fetch, in the local time zone: signed in, connected,
    /// nothing else on screen. What the alert runner, auto top-up and the command line read
    /// the estimate from.
    pub fn of_snapshot(
        snapshot: &'a Snapshot,
        settings: &'a Settings,
        observed_burn_per_hour: Option<Decimal>,
    ) -> Self {
        Self {
            session: Session::SignedIn,
            connection: &Connection::Connected,
            snapshot: Some(snapshot),
            history: &[],
            observed_burn_per_hour,
            settings,
            refreshing: false,
            keychain_problem: None,
            credits_added: None,
            watching_for_credits: false,
            set_aside: &[],
            now: snapshot.fetched_at,
            tz: &chrono::Local,
        }
    }
}

impl<'a, Tz: TimeZone> ViewInput<'a, Tz> {
    /// The data to show. Nothing when signed out: the next session may be another account.
    fn shown(&self) -> Option<Shown<'a>> {
        if self.session != Session::SignedIn {
            return None;
        }
        let snapshot = self.snapshot?;
        // Estimated as of the fetch, so `runs_out_at` stays right however old the data is.
        let list = self.settings.list_prices();
        let rates = estimate::Rates {
            platform: snapshot.prices.as_ref(),
            observed_per_hour: self.observed_burn_per_hour,
            list: Some(&list),
        };
        let estimate = estimate::estimate(
            snapshot.balance,
            &snapshot.running,
            rates,
            snapshot.fetched_at,
        );
        let level = self
            .settings
            .thresholds()
            .level(snapshot.balance, estimate.hours_left());
        Some(Shown {
            snapshot,
            estimate,
            level,
        })
    }

    /// Whether "Add credit" can pay in the app: not once the platform showed it has no
    /// payments API. Before the first figures, assumed so.
    pub fn payments_api(&self) -> bool {
        self.snapshot.is_none_or(|s| s.payments_api)
    }

    /// Credit that arrived within the last hour, or that the app is watching for.
    fn credits_added_text(&self) -> Option<String> {
        if self.session != Session::SignedIn {
            return None;
        }
        let recent = self
            .credits_added
            .filter(|arrival| self.now - arrival.at < CREDITS_ADDED_SHOWN_FOR);
        match recent {
            Some(arrival) => Some(format!(
                "Credits added {}: +{} (balance now {})",
                crate::format::ago(arrival.at, self.now),
                crate::format::credits(arrival.credits),
                crate::format::credits(arrival.balance)
            )),
            None if self.watching_for_credits => Some(
                "Waiting for the credit you add in the web console; the balance updates when \
                 it arrives."
                    .to_owned(),
            ),
            None => None,
        }
    }

    /// The tray's state; see [`derive_state`].
    pub fn tray_state(&self) -> TrayState {
        let data = self.shown().map(|s| (s.snapshot.fetched_at, s.level));
        derive_state(
            self.session,
            self.connection,
            data,
            self.settings.refresh_interval(),
            self.now,
        )
    }

    /// The level of the balance on display, if any.
    pub fn level(&self) -> Option<Level> {
        self.shown().map(|s| s.level)
    }

    /// The estimate for the balance on display, if any.
    pub fn estimate(&self) -> Option<Estimate> {
        self.shown().map(|s| s.estimate)
    }

    /// The estimated usage time as the popover words it (`about 5 h`), if there is data.
    pub fn estimate_text(&self) -> Option<String> {
        self.shown().map(|s| texts::estimate(&s.estimate, self.now))
    }
}

#[cfg(test)]
mod tests;
