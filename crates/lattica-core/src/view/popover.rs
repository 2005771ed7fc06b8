//! The popover's view model, serialized (camelCase) for the webview.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde::Serialize;

use super::{Session, SetAsideFile, Shown, TrayState, ViewInput, texts};
use crate::format;
use crate::history::{CHART_DAYS, Sample};
use crate::level::Level;

/// Warn about the session token expiring this long before it does.
pub const TOKEN_WARNING_WINDOW: TimeDelta = TimeDelta::days(7);
/// How many points the chart needs at most: it is a few hundred pixels wide. The shell asks
/// the history for this many ([`crate::history::History::chart`] thins them out).
pub const CHART_MAX_POINTS: usize = 300;

/// Everything the popover shows. Fields that do not apply are `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PopoverView {
    pub state: TrayState,
    pub level: Option<Level>,
    /// Signed in, no data and no failure yet: the first refresh is under way.
    pub loading: bool,
    /// The balance in credits: `1,234.50`.
    pub balance: Option<String>,
    pub estimate: Option<EstimateView>,
    pub last_payment: Option<LastPaymentView>,
    /// The last 7 days of balance, oldest first.
    pub chart: Vec<ChartPoint>,
    /// `Updated 12 s ago`.
    pub updated_ago: Option<String>,
    pub stale: Option<StaleBanner>,
    pub token_warning: Option<String>,
    pub signed_out: Option<String>,
    /// No data could be loaded: why.
    pub error: Option<String>,
    /// The "Add credit" button: `Add credit…`, or where the platform takes no payments here,
    /// `Add credit in the web console`.
    pub add_credit: String,
    /// Credit that arrived lately: `Credits added 2 min ago: +50 (balance now 150.00)`; or,
    /// while the app watches the web console for it, what it is waiting for.
    pub credits_added: Option<String>,
    /// Local files set aside at start: what was kept and where the old file went, a sentence
    /// pair each, shown until dismissed.
    pub notices: Vec<String>,
    /// The demo's label ([`super::DEMO_LABEL`]) while the app runs on the demo account.
    pub demo: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EstimateView {
    /// `about 3 h 10 min`, `unknown`, `none left`.
    pub text: String,
    /// Why this is an approximation (or why there is no estimate).
    pub note: String,
    /// `1 worker running`, or what one worker would do when none runs.
    pub workers: String,
    /// `Runs out around Tue 14:20`, while workers run.
    pub runs_out: Option<String>,
    /// The rate it rests on: `at list prices`, `at your observed usage`, `at platform prices`.
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LastPaymentView {
    /// `3 days ago`.
    pub relative: String,
    /// `Nov 3, 2026`.
    pub absolute: String,
    /// `$100.00`.
    pub amount: String,
    /// `100.00`.
    pub credits: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartPoint {
    /// Unix milliseconds.
    pub t: i64,
    /// The exact balance as a decimal string, never a float on the Rust side.
    pub credits: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaleBanner {
    /// The banner: `Cannot reach the platform. Figures from 5 min ago.`
    pub text: String,
    /// `Data from 5 min ago`.
    pub age_text: String,
    pub reason: String,
}

impl<Tz: TimeZone> ViewInput<'_, Tz> {
    pub fn popover(&self) -> PopoverView {
        let mut view = self.popover_parts();
        if let Some(problem) = self.keychain_problem {
            view.error = Some(problem.to_owned());
        }
        view
    }

    fn popover_parts(&self) -> PopoverView {
        let state = self.tray_state();
        let mut view = PopoverView {
            state,
            level: None,
            loading: false,
            balance: None,
            estimate: None,
            last_payment: None,
            chart: Vec::new(),
            updated_ago: None,
            stale: None,
            token_warning: None,
            signed_out: None,
            error: None,
            add_credit: texts::add_credit(self.payments_api()).to_owned(),
            credits_added: self.credits_added_text(),
            notices: self.set_aside.iter().map(SetAsideFile::text).collect(),
            demo: None,
        };
        if let Session::SignedOut { reason } = self.session {
            view.signed_out = Some(texts::signed_out(reason));
            return view;
        }
        let Some(shown) = self.shown() else {
            view.error = texts::failure(self.connection);
            view.loading = view.error.is_none();
            return view;
        };
        self.fill(&mut view, &shown);
        view
    }

    fn fill(&self, view: &mut PopoverView, shown: &Shown<'_>) {
        let snapshot = shown.snapshot;
        view.level = Some(shown.level);
        view.balance = Some(format::credits(snapshot.balance));
        view.estimate = Some(EstimateView {
            text: texts::estimate(&shown.estimate, self.now),
            note: texts::estimate_note(&shown.estimate),
            workers: texts::workers(&shown.estimate),
            runs_out: texts::runs_out(&shown.estimate, self.now, self.tz),
            basis: texts::basis(&shown.estimate).map(str::to_owned),
        });
        view.last_payment = snapshot
            .last_payment
            .as_ref()
            .map(|payment| LastPaymentView {
                relative: format::ago(payment.at, self.now),
                absolute: format::date(payment.at, self.tz),
                amount: format::money(payment.amount_minor, &payment.currency),
                credits: format::credits(payment.credits),
            });
        view.chart = chart(self.history, self.now);
        let age = format::ago(snapshot.fetched_at, self.now);
        view.updated_ago = Some(format!("Updated {age}"));
        if view.state == TrayState::Stale {
            let reason = texts::failure(self.connection)
                .unwrap_or_else(|| "Waiting for the next refresh.".to_owned());
            let when = if age == "just now" {
                "Figures from a moment ago.".to_owned()
            } else {
                format!("Figures from {age}.")
            };
            view.stale = Some(StaleBanner {
                text: format!(
                    "{}. {when}",
                    reason.trim_end_matches(|c: char| c == '.' || c.is_whitespace())
                ),
                age_text: format!("Data from {age}"),
                reason,
            });
        }
        view.token_warning = snapshot
            .token_expires_at
            .and_then(|expires_at| self.token_warning(expires_at));
    }

    fn token_warning(&self, expires_at: DateTime<Utc>) -> Option<String> {
        if expires_at - self.now > TOKEN_WARNING_WINDOW {
            return None;
        }
        let date = format::date(expires_at, self.tz);
        Some(if expires_at <= self.now {
            format!(
                "Your session token expired on {date}. \
                 Sign in with the new token from your Lattica email."
            )
        } else {
            format!(
                "Your session token expires {} ({date}). \
                 Sign in with a new token from your Lattica email before then.",
                format::in_time(expires_at, self.now)
            )
        })
    }
}

/// The samples of the last [`CHART_DAYS`], oldest first. Thinning them is the history's job;
/// this only makes sure the chart never reaches outside its window or runs backwards.
fn chart(history: &[Sample], now: DateTime<Utc>) -> Vec<ChartPoint> {
    let start = now - TimeDelta::days(i64::from(CHART_DAYS));
    let mut samples: Vec<&Sample> = history
        .iter()
        .filter(|s| s.at >= start && s.at <= now)
        .collect();
    samples.sort_by_key(|s| s.at);
    samples
        .into_iter()
        .map(|s| ChartPoint {
            t: s.at.timestamp_millis(),
            credits: s.credits.normalize().to_string(),
        })
        .collect()
}
