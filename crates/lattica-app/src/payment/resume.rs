//! Settling, at start, the attempt the app was stopped in: rebuilt from the journal, sent
//! again with its keys or read back, and its outcome shown (in the wizard if it is open, else
//! as a notification) before anything new may be paid.

use lattica_core::alerts::PaymentOutcome;
use lattica_core::view::Session;
use lattica_core::{autotopup, format};

use super::flow::{Attempt, Origin, Stage};
use super::service::{Payments, Slot};
use super::view::ReadBack;
use crate::engine::Command;
use crate::error::AppError;

impl Payments {
    /// Settles the attempt of the last run once signed in, before anything new can be paid,
    /// and shows its outcome (in the wizard if it is open, else as a notification). The app
    /// calls it at start; every step also does it first.
    pub async fn resume(&self) {
        let mut changes = self.0.engine.subscribe();
        if changes
            .wait_for(|s| s.session == Session::SignedIn)
            .await
            .is_err()
        {
            return;
        }
        let mut slot = self.0.slot.lock().await;
        if let Err(error) = self.recover(&mut slot).await {
            tracing::info!(%error, "the payment of the last run waits for a session");
        }
        self.forget_if_over(&slot);
        self.publish(&slot);
    }

    /// Settles the last run's attempt, if that is still to do; an error (signed out) means
    /// nothing new may be paid yet.
    pub(super) async fn recover(&self, slot: &mut Slot) -> Result<(), AppError> {
        if slot.recovered {
            return Ok(());
        }
        let Some(journal) = &self.0.journal else {
            slot.recovered = true;
            return Ok(());
        };
        if journal.previous().is_none() {
            slot.recovered = true;
            return Ok(());
        }
        // Signed out: settled once a session is back.
        let client = self.client()?;
        let Some(entry) = journal.take_previous() else {
            slot.recovered = true;
            return Ok(());
        };
        slot.recovered = true;
        let unsettled = entry.unsettled();
        let token = journal.card_token();
        let mut attempt = Attempt::restore(entry, token, journal.clone(), self.0.resend_delay);
        tracing::info!(stage = ?attempt.stage(), "settling the payment of the last run");
        let progress = |attempt: &Attempt| {
            self.emit(Some(self.view_of(attempt, &ReadBack::Pending)));
        };
        if let Err(error) = attempt.recover(&client, &progress).await {
            tracing::warn!(%error, "could not settle the payment of the last run yet");
        }
        tracing::info!(stage = ?attempt.stage(), "the payment of the last run");
        if !unsettled && !matches!(attempt.stage(), Stage::Succeeded) {
            // Nothing was on its way (a payment never confirmed, or one whose end was shown):
            // closed without a word.
            return Ok(());
        }
        let stage = attempt.stage().clone();
        let (origin, credits) = (attempt.origin(), attempt.purchase().credits);
        let charged = attempt
            .payment()
            .map(|p| format::money(p.amount.amount, &p.amount.currency))
            .unwrap_or_default();
        slot.attempt = Some(attempt);
        match stage {
            Stage::Canceled => {
                slot.shown = self.0.windows.wizard_open();
                self.0.engine.send(Command::PaymentEnded {
                    outcome: PaymentOutcome::Failed {
                        reason: "The app stopped while the payment was being confirmed; it \
                                 did not go through and nothing was charged."
                            .to_owned(),
                    },
                    wizard_in_front: self.0.windows.wizard_in_front(),
                });
            }
            // Still unknown: it stays in the slot, where it blocks any new payment and the
            // wizard offers to check again.
            Stage::Unknown { .. } => {}
            // The bank's page is in the wizard.
            Stage::Authenticating { .. } => self.0.windows.open_wizard(),
            Stage::Succeeded if origin == Origin::AutoTopUp => {
                self.ended(slot, &Stage::Succeeded);
                self.0.engine.send(Command::PaymentEnded {
                    outcome: PaymentOutcome::AutoTopUp {
                        credits,
                        notice: autotopup::bought_notice(credits, &charged, None),
                    },
                    wizard_in_front: false,
                });
            }
            other => self.ended(slot, &other),
        }
        Ok(())
    }
}
