//! Settling, at start, the attempt the app was stopped in: rebuilt from the journal, sent
//! again with its keys or read back, and its outcome shown (in the wizard if it is open, else
//! as a notification) before anything new may be paid; the same when the app moves to another
//! platform's journal (into or out of the demo).

use lattica_core::alerts::PaymentOutcome;
use lattica_core::view::Session;

use super::auto::account_of;
use super::flow::{Attempt, FlowError, Stage};
use super::journal::Journal;
use super::service::{Payments, Slot};
use super::view::ReadBack;
use crate::engine::Command;
use crate::error::AppError;

impl Payments {
    /// The app moved to another platform (into or out of the demo): its journal replaces the
    /// current one. Waits for a step in progress to end; the attempt it leaves stays recorded
    /// in the old platform's journal, settled when the app is back there. The new journal's
    /// attempt from an earlier run is settled before anything is paid, as at start.
    pub async fn switch_journal(&self, journal: Option<Journal>) {
        let mut slot = self.0.slot.lock().await;
        *slot = Slot::default();
        {
            let mut current = self
                .0
                .journal
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *current = journal;
            self.0
                .generation
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        {
            let mut shared = self.shared();
            shared.pricing = None;
            shared.offer = None;
        }
        self.publish(&slot);
    }

    /// Settles the attempt of the last run once signed in, before anything new can be paid,
    /// and shows its outcome (in the wizard if it is open, else as a notification). The app
    /// calls it at start; every step also does it first.
    pub async fn resume(&self) {
        let mut changes = self.0.engine.subscribe();
        // The first figures come with the account info: whose session this is decides what is
        // settled (a record tied to an account waits for it, one set aside is taken back).
        let needs_account = self
            .journal()
            .as_ref()
            .and_then(Journal::previous)
            .is_some_and(|e| e.account.is_some());
        if changes
            .wait_for(|s| {
                s.session == Session::SignedIn
                    && s.snapshot.is_some()
                    && (!needs_account || account_of(s).is_some())
            })
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

    /// Sets the attempt in the slot aside for its account ([`Journal::park`]) when another
    /// account is signed in now (its own signed out and another signed in, in this run), as
    /// [`Self::recover`] does at start: it is neither sent again nor read with this session,
    /// and is settled, by reading, once its own account is back. An error (the account
    /// signed in now is not known yet) means no step may use this session for it yet.
    pub(super) fn set_aside_for_its_account(&self, slot: &mut Slot) -> Result<(), AppError> {
        let state = self.0.engine.state();
        let Some(owner) = slot
            .attempt
            .as_ref()
            .filter(|a| !a.finished())
            .and_then(|a| a.account().map(str::to_owned))
        else {
            // Nothing open: a payment set aside for the account signed in now is settled
            // before anything new (it signed out and in again, in this run).
            if let (Some(journal), Some(account)) = (self.journal(), account_of(&state))
                && journal.parked(&account).is_some()
            {
                slot.recovered = false;
            }
            return Ok(());
        };
        let Some(account) = account_of(&state) else {
            return match state.session {
                Session::SignedIn => Err(AppError::NotSignedIn),
                // Signed out: no session to use, nothing to decide yet.
                _ => Ok(()),
            };
        };
        if account == owner {
            return Ok(());
        }
        if let (Some(journal), Some(attempt)) = (self.journal(), &slot.attempt) {
            journal
                .park(&attempt.entry(), &owner)
                .map_err(|error| AppError::Payment(FlowError::NotRecorded(error.to_string())))?;
        }
        tracing::info!(
            "the unfinished payment was made by an account that signed out: it is kept, \
             unsent, until that account signs in again"
        );
        slot.clear();
        // Its account's return (or a payment this one left aside) is looked for again.
        slot.recovered = false;
        Ok(())
    }

    /// Settles the last run's attempt, if that is still to do; an error (signed out, or the
    /// account not known yet) means nothing new may be paid yet. An attempt paid for another
    /// account is set aside for it ([`Journal::park`]), neither sent again nor read with this
    /// session, and does not hold up this account's payments; one set aside for this account
    /// is settled now, by reading only.
    pub(super) async fn recover(&self, slot: &mut Slot) -> Result<(), AppError> {
        if slot.recovered {
            return Ok(());
        }
        let Some(journal) = self.journal() else {
            slot.recovered = true;
            return Ok(());
        };
        let account = account_of(&self.0.engine.state());
        if let Some(owner) = journal.previous().and_then(|e| e.account) {
            if self.0.engine.state().session != Session::SignedIn {
                return Err(AppError::NotSignedIn);
            }
            let Some(account) = &account else {
                // Whose session this is will be known with the account info.
                return Err(AppError::NotSignedIn);
            };
            if *account != owner
                && let Some(entry) = journal.previous()
            {
                journal.park(&entry, &owner).map_err(|error| {
                    AppError::Payment(FlowError::NotRecorded(error.to_string()))
                })?;
                tracing::info!(
                    "the unfinished payment of the last run was made by another account: it is \
                     kept, unsent, until that account signs in; this one may pay meanwhile"
                );
            }
        }
        let mut parked = false;
        if journal.previous().is_none()
            && let Some(account) = &account
            && journal.unpark(account).is_some()
        {
            tracing::info!(
                "settling a payment this account left unfinished before another account signed in"
            );
            parked = true;
        }
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
        // A token in the vault is never one of a payment set aside (see [`Journal::park`]).
        let token = if parked { None } else { journal.card_token() };
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
            // An auto top-up is told as the rule tells its purchases, balance and all.
            other => self.ended(slot, &other, false),
        }
        Ok(())
    }
}
