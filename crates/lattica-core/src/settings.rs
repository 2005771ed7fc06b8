//! The user's settings: a validated value, the raw form the UI edits, and the file they live in.
//!
//! A [`Settings`] value is always valid: it is only built through validation, whether from the
//! settings window ([`SettingsForm`]) or from disk (serde goes through the same checks).

mod form;
mod store;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::alerts::{AlertChoices, Wanted};
use crate::estimate::{PriceTable, list_prices};
use crate::level::Thresholds;
use crate::shortcut::Shortcut;

pub use form::{Field, InvalidSettings, SettingsError, SettingsForm, ThresholdUnit};
pub use store::{LoadOutcome, SettingsStore, Source, StoreError};

/// The shortest refresh interval: faster polling tells nothing new and loads the platform.
pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(15);
/// The longest refresh interval: past an hour the balance shown is too old to act on.
pub const MAX_REFRESH_INTERVAL: Duration = Duration::from_secs(60 * 60);
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
/// Where "Add credit" opens on a platform without a payments API: the web console's finance
/// page (credit is added there on the published platform). Changeable in the settings.
pub const DEFAULT_CONSOLE_URL: &str = "https://console.lattica.ai/finance";

/// Validated settings. Build them with [`Settings::new`], [`Settings::from_form`] or serde.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Stored", into = "Stored")]
pub struct Settings {
    refresh_interval: Duration,
    thresholds: Thresholds,
    notifications: bool,
    launch_at_login: bool,
    backend_url: Option<Url>,
    console_url: Option<Url>,
    /// Overrides of [`list_prices`], credits per hour by instance type.
    list_prices: BTreeMap<String, Decimal>,
    /// Which kinds of alert notify.
    alerts: AlertChoices,
    /// "Do not disturb until": no notification before then.
    quiet_until: Option<DateTime<Utc>>,
    /// The global shortcut that opens the popover; none by default.
    shortcut: Option<Shortcut>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            thresholds: Thresholds::default(),
            notifications: true,
            launch_at_login: false,
            backend_url: None,
            console_url: None,
            list_prices: BTreeMap::new(),
            alerts: AlertChoices::default(),
            quiet_until: None,
            shortcut: None,
        }
    }
}

impl Settings {
    /// Checks every field and reports every problem found, not only the first.
    pub fn new(
        refresh_interval: Duration,
        thresholds: Thresholds,
        notifications: bool,
        launch_at_login: bool,
        backend_url: Option<Url>,
    ) -> Result<Self, InvalidSettings> {
        let mut errors = Vec::new();
        if let Err(e) = form::check_refresh_interval(refresh_interval) {
            errors.push(e);
        }
        errors.extend(form::check_thresholds(&thresholds));
        if let Some(Err(e)) = backend_url.as_ref().map(form::check_backend_url) {
            errors.push(e);
        }
        InvalidSettings::ensure_none(errors)?;
        Ok(Self {
            refresh_interval,
            thresholds,
            notifications,
            launch_at_login,
            backend_url,
            console_url: None,
            list_prices: BTreeMap::new(),
            alerts: AlertChoices::default(),
            quiet_until: None,
            shortcut: None,
        })
    }

    /// The global shortcut that opens the popover, if the user set one.
    pub fn shortcut(&self) -> Option<&Shortcut> {
        self.shortcut.as_ref()
    }

    /// The same settings with this shortcut (`None`: off); always valid.
    pub fn with_shortcut(self, shortcut: Option<Shortcut>) -> Self {
        Self { shortcut, ..self }
    }

    /// The same settings with the user's alert choices and quiet time; always valid (a quiet
    /// time in the past is simply over).
    pub fn with_alert_choices(
        self,
        alerts: AlertChoices,
        quiet_until: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            alerts,
            quiet_until,
            ..self
        }
    }

    /// Which kinds of alert notify.
    pub fn alert_choices(&self) -> AlertChoices {
        self.alerts
    }

    /// The end of "do not disturb", if one was set (it may be over).
    pub fn quiet_until(&self) -> Option<DateTime<Utc>> {
        self.quiet_until
    }

    /// The choices as the alert policy applies them.
    pub fn wanted(&self) -> Wanted {
        Wanted {
            choices: self.alerts,
            quiet_until: self.quiet_until,
        }
    }

    /// The same settings with what serves a platform without pricing or payments: the web
    /// console "Add credit" opens (`None`: [`DEFAULT_CONSOLE_URL`]) and overrides of the
    /// assumed list prices.
    pub fn with_add_credit_fallbacks(
        self,
        console_url: Option<Url>,
        list_prices: BTreeMap<String, Decimal>,
    ) -> Result<Self, InvalidSettings> {
        let mut errors: Vec<_> = console_url
            .as_ref()
            .map(form::check_console_url)
            .and_then(Result::err)
            .into_iter()
            .collect();
        errors.extend(
            list_prices
                .iter()
                .filter_map(|(name, rate)| form::check_list_price(name, *rate).err()),
        );
        InvalidSettings::ensure_none(errors)?;
        Ok(Self {
            console_url,
            list_prices,
            ..self
        })
    }

    /// The web console page where credit is added when the platform takes no payments here.
    pub fn console_url(&self) -> Url {
        self.console_url.clone().unwrap_or_else(default_console_url)
    }

    /// The assumed list prices: the built-in table with the user's overrides on top.
    pub fn list_prices(&self) -> Cow<'static, PriceTable> {
        let built_in = list_prices();
        if self.list_prices.is_empty() {
            return Cow::Borrowed(built_in);
        }
        let mut table = built_in.clone();
        table.credits_per_hour.extend(
            self.list_prices
                .iter()
                .map(|(name, rate)| (name.clone(), *rate)),
        );
        Cow::Owned(table)
    }

    /// How often the balance is refreshed; within 15 s ..= 1 h.
    pub fn refresh_interval(&self) -> Duration {
        self.refresh_interval
    }

    /// The low and critical thresholds; critical is below low when their units match.
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Whether alerts are shown as desktop notifications.
    pub fn notifications(&self) -> bool {
        self.notifications
    }

    /// Whether the app starts when the user logs in.
    pub fn launch_at_login(&self) -> bool {
        self.launch_at_login
    }

    /// A backend other than the platform's own; https, or http on a loopback host.
    pub fn backend_url(&self) -> Option<&Url> {
        self.backend_url.as_ref()
    }

    /// The same settings with notifications switched; always valid.
    pub fn with_notifications(self, notifications: bool) -> Self {
        Self {
            notifications,
            ..self
        }
    }

    /// The same settings with launch at login switched; always valid.
    pub fn with_launch_at_login(self, launch_at_login: bool) -> Self {
        Self {
            launch_at_login,
            ..self
        }
    }
}

/// The on-disk shape. Every field has a default so a file written by an older version, which
/// lacks a newer field, still loads; unknown fields from a newer version are ignored.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Stored {
    refresh_interval_secs: u64,
    thresholds: Thresholds,
    notifications: bool,
    launch_at_login: bool,
    backend_url: Option<String>,
    console_url: Option<String>,
    list_prices: BTreeMap<String, Decimal>,
    alerts: AlertChoices,
    quiet_until: Option<DateTime<Utc>>,
    /// Canonical text (`Ctrl+Alt+L`); absent or null when off.
    shortcut: Option<String>,
}

impl Default for Stored {
    fn default() -> Self {
        Settings::default().into()
    }
}

impl From<Settings> for Stored {
    fn from(s: Settings) -> Self {
        Self {
            refresh_interval_secs: s.refresh_interval.as_secs(),
            thresholds: s.thresholds,
            notifications: s.notifications,
            launch_at_login: s.launch_at_login,
            backend_url: s.backend_url.map(String::from),
            console_url: s.console_url.map(String::from),
            list_prices: s.list_prices,
            alerts: s.alerts,
            quiet_until: s.quiet_until,
            shortcut: s.shortcut.map(|shortcut| shortcut.to_string()),
        }
    }
}

impl TryFrom<Stored> for Settings {
    type Error = InvalidSettings;

    fn try_from(s: Stored) -> Result<Self, Self::Error> {
        let backend_url = form::parse_backend_url(s.backend_url.as_deref().unwrap_or(""))
            .map_err(|e| InvalidSettings::from(vec![e]))?;
        let console_url = form::parse_console_url(s.console_url.as_deref().unwrap_or(""))
            .map_err(|e| InvalidSettings::from(vec![e]))?;
        let shortcut = crate::shortcut::parse_optional(s.shortcut.as_deref().unwrap_or(""))
            .map_err(|e| InvalidSettings::from(vec![SettingsError::Shortcut(e)]))?;
        Settings::new(
            Duration::from_secs(s.refresh_interval_secs),
            s.thresholds,
            s.notifications,
            s.launch_at_login,
            backend_url,
        )?
        .with_add_credit_fallbacks(console_url, s.list_prices)
        .map(|settings| {
            settings
                .with_alert_choices(s.alerts, s.quiet_until)
                .with_shortcut(shortcut)
        })
    }
}

fn default_console_url() -> Url {
    // A constant checked by `the_default_console_url_parses`.
    #[allow(clippy::expect_used)]
    Url::parse(DEFAULT_CONSOLE_URL).expect("DEFAULT_CONSOLE_URL is a valid URL")
}

#[cfg(test)]
mod tests;
