//! The settings form as the UI sends it, and the per-field checks that turn it into
//! [`Settings`].

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use url::{Host, Url};

use super::{MAX_REFRESH_INTERVAL, MIN_REFRESH_INTERVAL, Settings};
use crate::alerts::AlertChoices;
use crate::input::{NumberError, NumberStyle, parse_number};
use crate::level::{Threshold, Thresholds};

/// The settings window's fields, as typed. Numbers arrive as the text of their inputs so that
/// every mistake, including "not a number", becomes a field error here rather than a
/// deserialization failure at the IPC boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsForm {
    /// Whole seconds.
    pub refresh_interval_secs: String,
    pub low_threshold: String,
    pub low_unit: ThresholdUnit,
    pub critical_threshold: String,
    pub critical_unit: ThresholdUnit,
    pub notifications: bool,
    pub launch_at_login: bool,
    /// Empty for the platform's own backend.
    pub backend_url: String,
    /// Where "Add credit" goes on a platform without a payments API; empty for the default.
    #[serde(default)]
    pub console_url: String,
    /// Overrides of the assumed list prices, one `TYPE = credits per hour` a line; empty for
    /// the built-in table alone.
    #[serde(default)]
    pub list_prices: String,
    /// Which kinds of alert notify.
    #[serde(default)]
    pub alerts: AlertChoices,
    /// "Do not disturb until": an RFC 3339 time (the window converts the local time it shows),
    /// empty for none.
    #[serde(default)]
    pub quiet_until: String,
    /// The global shortcut that opens the popover (`Ctrl+Alt+L`); empty for none.
    #[serde(default)]
    pub shortcut: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThresholdUnit {
    Credits,
    Hours,
}

/// The form field a [`SettingsError`] is about, named as in [`SettingsForm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    RefreshIntervalSecs,
    LowThreshold,
    CriticalThreshold,
    BackendUrl,
    ConsoleUrl,
    ListPrices,
    QuietUntil,
    Shortcut,
}

/// One thing wrong with one field. Serializes as `{field, message}` for the settings window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    RefreshIntervalNotWhole,
    RefreshIntervalOutOfRange,
    ThresholdNotANumber(Field),
    /// A threshold that could be read as two numbers: the sentence that says how to write it.
    ThresholdAmbiguous(Field, String),
    ThresholdOutOfRange(Field, ThresholdUnit),
    CriticalNotBelowLow,
    BackendUrlMalformed,
    BackendUrlInsecure,
    BackendUrlHasCredentials,
    BackendUrlHasQuery,
    ConsoleUrlMalformed,
    ConsoleUrlInsecure,
    /// A list price line that is not `TYPE = rate` (1-based line number).
    ListPriceMalformed(usize),
    /// A list price of zero or less, or more than [`MAX_LIST_PRICE`].
    ListPriceOutOfRange(String),
    /// "Do not disturb until" is not a date and time.
    QuietUntilMalformed,
    /// The keyboard shortcut cannot be read, or the desktop refused it.
    Shortcut(crate::shortcut::ShortcutError),
}

/// The highest credits per hour a list price may say: past it the entry is a typo.
pub const MAX_LIST_PRICE: i64 = 100_000;
/// The longest instance type name accepted.
const MAX_INSTANCE_TYPE_LEN: usize = 64;

/// The largest threshold in each unit: beyond these an alert would fire on every balance.
const MAX_CREDITS_THRESHOLD: i64 = 1_000_000;
/// A year: estimates beyond it are shown as "more than a year" anyway.
const MAX_HOURS_THRESHOLD: i64 = 8_760;

impl SettingsError {
    pub fn field(&self) -> Field {
        match self {
            Self::RefreshIntervalNotWhole | Self::RefreshIntervalOutOfRange => {
                Field::RefreshIntervalSecs
            }
            Self::ThresholdNotANumber(field)
            | Self::ThresholdAmbiguous(field, _)
            | Self::ThresholdOutOfRange(field, _) => *field,
            Self::CriticalNotBelowLow => Field::CriticalThreshold,
            Self::BackendUrlMalformed
            | Self::BackendUrlInsecure
            | Self::BackendUrlHasCredentials
            | Self::BackendUrlHasQuery => Field::BackendUrl,
            Self::ConsoleUrlMalformed | Self::ConsoleUrlInsecure => Field::ConsoleUrl,
            Self::ListPriceMalformed(_) | Self::ListPriceOutOfRange(_) => Field::ListPrices,
            Self::QuietUntilMalformed => Field::QuietUntil,
            Self::Shortcut(_) => Field::Shortcut,
        }
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |field: &Field| match field {
            Field::LowThreshold => "Low threshold",
            _ => "Critical threshold",
        };
        match self {
            Self::RefreshIntervalNotWhole => {
                f.write_str("Refresh interval must be a whole number of seconds")
            }
            Self::RefreshIntervalOutOfRange => {
                f.write_str("Refresh interval must be between 15 s and 1 h")
            }
            Self::ThresholdNotANumber(field) => {
                write!(f, "{} must be a number, like 24 or 12.5", name(field))
            }
            Self::ThresholdAmbiguous(field, how) => write!(f, "{}: {how}", name(field)),
            Self::ThresholdOutOfRange(field, ThresholdUnit::Credits) => write!(
                f,
                "{} must be more than 0 and at most 1,000,000 credits",
                name(field)
            ),
            Self::ThresholdOutOfRange(field, ThresholdUnit::Hours) => write!(
                f,
                "{} must be more than 0 and at most 8,760 hours (a year)",
                name(field)
            ),
            Self::CriticalNotBelowLow => {
                f.write_str("Critical threshold must be below the low threshold")
            }
            Self::BackendUrlMalformed => {
                f.write_str("Backend URL is not a valid address, e.g. https://api.example.com")
            }
            Self::BackendUrlInsecure => {
                f.write_str("Backend URL must use https (plain http only for localhost)")
            }
            Self::BackendUrlHasCredentials => {
                f.write_str("Backend URL must not contain a user name or password")
            }
            Self::BackendUrlHasQuery => {
                f.write_str("Backend URL must not contain a query (?…) or fragment (#…)")
            }
            Self::ConsoleUrlMalformed => f.write_str(
                "Web console address is not valid, e.g. https://console.lattica.ai/finance",
            ),
            Self::ConsoleUrlInsecure => f.write_str(
                "Web console address must use https (plain http only for localhost), \
                 without a user name or password",
            ),
            Self::ListPriceMalformed(line) => write!(
                f,
                "List prices, line {line}: write one instance type and its credits per hour, \
                 e.g. G7E_2XLARGE = 4.8 (a point before the decimals)"
            ),
            Self::ListPriceOutOfRange(instance_type) => write!(
                f,
                "List price of {instance_type} must be more than 0 and at most 100,000 credits \
                 per hour"
            ),
            Self::QuietUntilMalformed => {
                f.write_str("Do not disturb until: choose a date and a time, or clear the field")
            }
            Self::Shortcut(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for SettingsError {}

impl Serialize for SettingsError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("SettingsError", 2)?;
        s.serialize_field("field", &self.field())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

/// Everything wrong with a settings form; never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct InvalidSettings(Vec<SettingsError>);

impl InvalidSettings {
    pub fn errors(&self) -> &[SettingsError] {
        &self.0
    }

    /// `Ok` when there is nothing to report.
    pub(super) fn ensure_none(errors: Vec<SettingsError>) -> Result<(), Self> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Self(errors))
        }
    }
}

impl From<Vec<SettingsError>> for InvalidSettings {
    fn from(errors: Vec<SettingsError>) -> Self {
        Self(errors)
    }
}

impl fmt::Display for InvalidSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidSettings {}

impl Settings {
    /// Validates what the settings window sent, reporting every field in error; numbers as
    /// the app writes them (a decimal point).
    pub fn from_form(form: &SettingsForm) -> Result<Self, InvalidSettings> {
        Self::from_form_in(form, NumberStyle::DecimalPoint)
    }

    /// [`Settings::from_form`] with numbers typed in a locale of `style` ([`crate::input`]).
    pub fn from_form_in(form: &SettingsForm, style: NumberStyle) -> Result<Self, InvalidSettings> {
        let shortcut =
            crate::shortcut::parse_optional(&form.shortcut).map_err(SettingsError::Shortcut);
        match (Self::from_form_fields(form, style), shortcut) {
            (Ok(settings), Ok(shortcut)) => Ok(settings.with_shortcut(shortcut)),
            (settings, shortcut) => {
                let mut errors = settings.err().map(|e| e.0).unwrap_or_default();
                errors.extend(shortcut.err());
                Err(InvalidSettings(errors))
            }
        }
    }

    /// Every field but the shortcut.
    fn from_form_fields(form: &SettingsForm, style: NumberStyle) -> Result<Self, InvalidSettings> {
        let refresh = parse_refresh_interval(&form.refresh_interval_secs);
        let low = parse_threshold(
            &form.low_threshold,
            form.low_unit,
            Field::LowThreshold,
            style,
        );
        let critical = parse_threshold(
            &form.critical_threshold,
            form.critical_unit,
            Field::CriticalThreshold,
            style,
        );
        let backend_url = parse_backend_url(&form.backend_url);
        let console_url = parse_console_url(&form.console_url);
        let list_prices = parse_list_prices(&form.list_prices);
        let quiet_until = parse_quiet_until(&form.quiet_until);
        match (
            refresh,
            low,
            critical,
            backend_url,
            console_url,
            list_prices,
        ) {
            (
                Ok(refresh),
                Ok(low),
                Ok(critical),
                Ok(backend_url),
                Ok(console_url),
                Ok(list_prices),
            ) => {
                let settings = Settings::new(
                    refresh,
                    Thresholds { low, critical },
                    form.notifications,
                    form.launch_at_login,
                    backend_url,
                )
                .and_then(|s| s.with_add_credit_fallbacks(console_url, list_prices));
                match (settings, quiet_until) {
                    (Ok(settings), Ok(quiet_until)) => {
                        Ok(settings.with_alert_choices(form.alerts, quiet_until))
                    }
                    (settings, quiet_until) => {
                        let mut errors = settings.err().map(|e| e.0).unwrap_or_default();
                        errors.extend(quiet_until.err());
                        Err(InvalidSettings(errors))
                    }
                }
            }
            (refresh, low, critical, backend_url, console_url, list_prices) => {
                let mut errors: Vec<SettingsError> =
                    [refresh.err(), low.err(), critical.err(), backend_url.err()]
                        .into_iter()
                        .flatten()
                        .collect();
                errors.extend(console_url.err());
                errors.extend(list_prices.err().into_iter().flatten());
                errors.extend(quiet_until.err());
                Err(InvalidSettings(errors))
            }
        }
    }

    /// The form showing these settings, to fill the settings window.
    pub fn to_form(&self) -> SettingsForm {
        let (low_threshold, low_unit) = threshold_text(self.thresholds.low);
        let (critical_threshold, critical_unit) = threshold_text(self.thresholds.critical);
        SettingsForm {
            refresh_interval_secs: self.refresh_interval.as_secs().to_string(),
            low_threshold,
            low_unit,
            critical_threshold,
            critical_unit,
            notifications: self.notifications,
            launch_at_login: self.launch_at_login,
            backend_url: self
                .backend_url
                .as_ref()
                .map(Url::to_string)
                .unwrap_or_default(),
            console_url: self
                .console_url
                .as_ref()
                .map(Url::to_string)
                .unwrap_or_default(),
            list_prices: list_prices_text(&self.list_prices),
            alerts: self.alerts,
            quiet_until: self
                .quiet_until
                .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true))
                .unwrap_or_default(),
            shortcut: self
                .shortcut
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        }
    }
}

/// An empty field means no quiet time.
fn parse_quiet_until(text: &str) -> Result<Option<DateTime<Utc>>, SettingsError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|at| Some(at.with_timezone(&Utc)))
        .map_err(|_| SettingsError::QuietUntilMalformed)
}

/// The overrides as the form shows them: `TYPE = rate`, a line each, in name order.
fn list_prices_text(prices: &BTreeMap<String, Decimal>) -> String {
    prices
        .iter()
        .map(|(instance_type, rate)| format!("{instance_type} = {}", rate.normalize()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An empty field means the documented default console.
pub(super) fn parse_console_url(text: &str) -> Result<Option<Url>, SettingsError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let url = Url::parse(text).map_err(|_| SettingsError::ConsoleUrlMalformed)?;
    check_console_url(&url)?;
    Ok(Some(url))
}

/// https anywhere, http only to this machine; no credentials (a query is fine: it is a page).
pub(super) fn check_console_url(url: &Url) -> Result<(), SettingsError> {
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(url) => {}
        "http" => return Err(SettingsError::ConsoleUrlInsecure),
        _ => return Err(SettingsError::ConsoleUrlMalformed),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SettingsError::ConsoleUrlInsecure);
    }
    Ok(())
}

/// `TYPE = rate` (or `TYPE: rate`) a line; blank lines are skipped, names are upper-cased.
/// A rate is written with a point: `4,8` could be read two ways and is refused.
pub(super) fn parse_list_prices(
    text: &str,
) -> Result<BTreeMap<String, Decimal>, Vec<SettingsError>> {
    let mut prices = BTreeMap::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = line.split_once(['=', ':']).and_then(|(name, rate)| {
            let name = name.trim().to_ascii_uppercase();
            let rate = rate.trim();
            let valid_name = !name.is_empty()
                && name.len() <= MAX_INSTANCE_TYPE_LEN
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            let digits = !rate.is_empty() && rate.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            (valid_name && digits)
                .then(|| rate.parse::<Decimal>().ok().map(|rate| (name, rate)))
                .flatten()
        });
        match parsed {
            None => errors.push(SettingsError::ListPriceMalformed(index + 1)),
            Some((name, rate)) => match check_list_price(&name, rate) {
                Ok(()) => {
                    prices.insert(name, rate);
                }
                Err(error) => errors.push(error),
            },
        }
    }
    if errors.is_empty() {
        Ok(prices)
    } else {
        Err(errors)
    }
}

pub(super) fn check_list_price(instance_type: &str, rate: Decimal) -> Result<(), SettingsError> {
    if rate > Decimal::ZERO && rate <= Decimal::from(MAX_LIST_PRICE) {
        Ok(())
    } else {
        Err(SettingsError::ListPriceOutOfRange(instance_type.to_owned()))
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn threshold_text(threshold: Threshold) -> (String, ThresholdUnit) {
    match threshold {
        Threshold::Credits(v) => (v.normalize().to_string(), ThresholdUnit::Credits),
        Threshold::Hours(v) => (v.normalize().to_string(), ThresholdUnit::Hours),
    }
}

fn parse_refresh_interval(text: &str) -> Result<Duration, SettingsError> {
    let seconds: u64 = text
        .trim()
        .parse()
        .map_err(|_| SettingsError::RefreshIntervalNotWhole)?;
    let interval = Duration::from_secs(seconds);
    check_refresh_interval(interval)?;
    Ok(interval)
}

fn parse_threshold(
    text: &str,
    unit: ThresholdUnit,
    field: Field,
    style: NumberStyle,
) -> Result<Threshold, SettingsError> {
    let value = parse_number(text, style).map_err(|error| match error {
        NumberError::Ambiguous { .. } => {
            SettingsError::ThresholdAmbiguous(field, error.to_string())
        }
        NumberError::Empty | NumberError::NotANumber(_) => {
            SettingsError::ThresholdNotANumber(field)
        }
    })?;
    let threshold = match unit {
        ThresholdUnit::Credits => Threshold::Credits(value),
        ThresholdUnit::Hours => Threshold::Hours(value),
    };
    check_threshold(threshold, field)?;
    Ok(threshold)
}

/// An empty field means the platform's own backend.
pub(super) fn parse_backend_url(text: &str) -> Result<Option<Url>, SettingsError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let url = Url::parse(text).map_err(|_| SettingsError::BackendUrlMalformed)?;
    check_backend_url(&url)?;
    Ok(Some(url))
}

pub(super) fn check_refresh_interval(interval: Duration) -> Result<(), SettingsError> {
    if (MIN_REFRESH_INTERVAL..=MAX_REFRESH_INTERVAL).contains(&interval) {
        Ok(())
    } else {
        Err(SettingsError::RefreshIntervalOutOfRange)
    }
}

fn check_threshold(threshold: Threshold, field: Field) -> Result<(), SettingsError> {
    let (value, max, unit) = match threshold {
        Threshold::Credits(v) => (v, MAX_CREDITS_THRESHOLD, ThresholdUnit::Credits),
        Threshold::Hours(v) => (v, MAX_HOURS_THRESHOLD, ThresholdUnit::Hours),
    };
    if value > Decimal::ZERO && value <= Decimal::from(max) {
        Ok(())
    } else {
        Err(SettingsError::ThresholdOutOfRange(field, unit))
    }
}

pub(super) fn check_thresholds(thresholds: &Thresholds) -> Vec<SettingsError> {
    let mut errors: Vec<_> = [
        check_threshold(thresholds.low, Field::LowThreshold),
        check_threshold(thresholds.critical, Field::CriticalThreshold),
    ]
    .into_iter()
    .filter_map(Result::err)
    .collect();
    // Thresholds in different units cannot be compared: either may fire first.
    let inverted = match (thresholds.low, thresholds.critical) {
        (Threshold::Credits(low), Threshold::Credits(critical))
        | (Threshold::Hours(low), Threshold::Hours(critical)) => critical >= low,
        _ => false,
    };
    if errors.is_empty() && inverted {
        errors.push(SettingsError::CriticalNotBelowLow);
    }
    errors
}

/// https anywhere; plain http only to this machine, where nothing can listen in (the local
/// sandbox). No credentials, query or fragment: request paths are appended to this base.
pub(super) fn check_backend_url(url: &Url) -> Result<(), SettingsError> {
    let loopback = is_loopback(url);
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(SettingsError::BackendUrlInsecure),
        _ => return Err(SettingsError::BackendUrlMalformed),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SettingsError::BackendUrlHasCredentials);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(SettingsError::BackendUrlHasQuery);
    }
    Ok(())
}
