//! Credit alerts: after each successful refresh the figures go through lattica-core's alert
//! policy, whose state lives in the local history so nothing repeats across restarts. The
//! notifications it decides on go to the shell, which shows them if the user wants them.

use chrono::{Local, Offset, Utc};
use lattica_core::alerts::{
    AlertPolicy, AlertState, Arrival, Notification, PaidIn, PaymentOutcome, Reading, SnoozeFor,
};
use lattica_core::history::History;
use lattica_core::settings::Settings;
use lattica_core::view::{Snapshot, ViewInput};
use rust_decimal::Decimal;
use tokio::sync::mpsc;

/// The policy, its remembered state, and where its notifications go.
#[derive(Debug)]
pub struct Alerts {
    policy: AlertPolicy,
    state: AlertState,
    out: mpsc::UnboundedSender<Notification>,
    /// No reading since the app started: the policy treats the first one specially (a
    /// critical balance at start notifies at once; a low one is left to the tray icon).
    first: bool,
}

impl Alerts {
    /// Alerts with the state saved in `history` (fresh without one).
    pub fn new(history: Option<&History>, out: mpsc::UnboundedSender<Notification>) -> Self {
        let state = history
            .and_then(|h| {
                h.load_alert_state(Utc::now())
                    .inspect_err(|error| tracing::warn!(%error, "could not load the alert state"))
                    .ok()
            })
            .unwrap_or_default();
        Self {
            policy: AlertPolicy::default(),
            state,
            out,
            first: true,
        }
    }

    /// Starts over with the state saved in `history`: the app moved to another platform,
    /// whose account has alerts of its own. Notifications still go where they went.
    pub fn reopen(&mut self, history: Option<&History>) {
        *self = Self::new(history, self.out.clone());
    }

    /// Runs the policy on fresh figures and sends what it decides; returns credit that
    /// arrived since the previous figures, if any.
    pub fn on_snapshot(
        &mut self,
        snapshot: &Snapshot,
        settings: &Settings,
        observed_burn_per_hour: Option<Decimal>,
        history: Option<&History>,
    ) -> Option<Arrival> {
        let input = ViewInput::of_snapshot(snapshot, settings, observed_burn_per_hour);
        self.policy.set_wanted(settings.wanted());
        let reading = Reading {
            at: snapshot.fetched_at,
            balance: snapshot.balance,
            hours_left: input.estimate().and_then(|e| e.hours_left()),
            estimate_text: input.estimate_text(),
            first_after_start: std::mem::take(&mut self.first),
        };
        let newest_payment = snapshot.last_payment.as_ref().map(|p| PaidIn {
            at: p.at,
            credits: p.credits,
        });
        let (arrival, credits_added) = self.policy.on_credits(
            &mut self.state,
            snapshot.fetched_at,
            snapshot.balance,
            newest_payment,
        );
        let mut notifications: Vec<Notification> = credits_added.into_iter().collect();
        notifications.extend(self.policy.on_reading(
            &mut self.state,
            &reading,
            &settings.thresholds(),
        ));
        if let Some(expires_at) = snapshot.token_expires_at {
            notifications.extend(self.policy.on_token(
                &mut self.state,
                expires_at,
                snapshot.fetched_at,
            ));
        }
        self.save(history);
        for notification in notifications {
            tracing::info!(kind = ?notification.kind, "alert");
            let _ = self.out.send(notification);
        }
        arrival
    }

    /// Reports how a payment ended: a success re-arms the balance alerts; either outcome
    /// notifies unless the wizard, which shows it, is in front or the user switched payment
    /// alerts off.
    pub fn on_payment(
        &mut self,
        outcome: &PaymentOutcome,
        wizard_in_front: bool,
        settings: &Settings,
        history: Option<&History>,
    ) {
        self.policy.set_wanted(settings.wanted());
        let notifications =
            self.policy
                .on_payment(&mut self.state, outcome, wizard_in_front, Utc::now());
        self.save(history);
        for notification in notifications {
            tracing::info!(kind = ?notification.kind, "payment alert");
            let _ = self.out.send(notification);
        }
    }

    /// Holds back low and critical alerts for a while.
    pub fn snooze(&mut self, duration: SnoozeFor, history: Option<&History>) {
        let offset = Local::now().offset().fix();
        let until = self
            .policy
            .snooze(&mut self.state, duration, Utc::now(), offset);
        tracing::info!(%until, "alerts snoozed");
        self.save(history);
    }

    /// Starts over with a fresh state, as on a first start (the local history was deleted).
    pub fn forget(&mut self) {
        self.state = AlertState::default();
        self.first = true;
    }

    fn save(&self, history: Option<&History>) {
        if let Some(history) = history
            && let Err(error) = history.save_alert_state(&self.state)
        {
            tracing::warn!(%error, "could not save the alert state");
        }
    }
}
