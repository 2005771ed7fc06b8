//! An attempt and its journal record: what is written before each request, and the attempt
//! rebuilt from a record after a restart, then settled with the platform before anything new
//! may be paid.

use std::time::Duration;

use lattica_client::{IdempotencyKey, LatticaClient, PaymentStatus};

use super::send::resend;
use super::{Attempt, Confirmation, FlowError, Progress, Stage};
use crate::payment::amount::Purchase;
use crate::payment::journal::{self, CardData, Entry, Journal, State};

/// Why a restored attempt's outcome is open, until the platform says.
const INTERRUPTED: &str = "The app stopped before this payment's outcome was known; it is \
                           being checked with the platform.";
/// Why an attempt past [`super::KEY_LIFETIME`] with no payment id stays open.
const TOO_OLD: &str = "This payment was started more than a day ago, so it is not sent again \
                       (it could be charged twice), and your transaction history shows no charge \
                       for it. Check again later, or cancel to stop waiting for it.";

impl Attempt {
    /// The attempt as the journal records it: no card token, no card number.
    pub fn entry(&self) -> Entry {
        Entry {
            origin: self.origin,
            credits: self.purchase.credits,
            price: self.purchase.price.amount,
            currency: self.purchase.price.currency.clone(),
            started_at: self.started_at,
            create_key: self.create_key.as_uuid(),
            payment_id: self.payment_id(),
            confirmation: self.confirmation.as_ref().map(|c| journal::Confirmation {
                key: c.key.as_uuid(),
                card: CardData::from(&c.card),
                save: c.save,
                status_before: c.status_before.as_ref().map(|s| s.as_str().to_owned()),
            }),
            cancel_key: self.cancel_key.map(|k| k.as_uuid()),
            account: self.account.clone(),
            state: match &self.stage {
                Stage::AwaitingMethod { declined: None } => State::Open,
                Stage::AwaitingMethod { declined: Some(_) } => State::Declined,
                Stage::Confirming { .. } => State::Confirming,
                Stage::Unknown { .. } => State::Unknown,
                Stage::Authenticating { .. } => State::Authenticating,
                Stage::Succeeded => State::Succeeded,
                Stage::Canceled => State::Canceled,
            },
        }
    }

    /// Writes the attempt to the journal before a request that depends on it; `token` is the
    /// card token the request sends. An attempt that cannot be recorded sends nothing.
    pub(super) fn record(&self, token: Option<&str>) -> Result<(), FlowError> {
        match &self.journal {
            Some(journal) => journal
                .record(&self.entry(), token)
                .map_err(|error| FlowError::NotRecorded(error.to_string())),
            None => Ok(()),
        }
    }

    /// Writes what an answer taught; a failure is logged (the next record repeats it, and a
    /// restart reads the payment back anyway). Once nothing is in flight (a decline, a
    /// refusal, an end), the card token leaves the keychain: nothing will send it again.
    pub(super) fn note(&self) {
        if let Err(error) = self.record(None) {
            tracing::warn!(%error, "could not record the payment's new state");
        }
        if !self.in_flight()
            && let Some(journal) = &self.journal
        {
            journal.forget_card();
        }
    }

    /// The attempt `entry` records, with its card's `token` if the keychain still has it. An
    /// attempt whose confirmation was on its way is [`Stage::Unknown`] until
    /// [`Attempt::recover`] settles it.
    pub fn restore(
        entry: Entry,
        token: Option<String>,
        journal: Journal,
        resend_delay: Duration,
    ) -> Self {
        let price = entry.price();
        let stage = match entry.state {
            State::Open | State::Declined => Stage::AwaitingMethod { declined: None },
            State::Confirming | State::Unknown | State::Authenticating => Stage::Unknown {
                problem: INTERRUPTED.to_owned(),
            },
            State::Succeeded => Stage::Succeeded,
            State::Canceled => Stage::Canceled,
        };
        let confirmation = entry.confirmation.map(|c| Confirmation {
            key: IdempotencyKey::from_uuid(c.key),
            card: c.card.with_token(token.unwrap_or_default()),
            save: c.save,
            status_before: c.status_before.as_deref().map(PaymentStatus::from),
        });
        let mut attempt = Self::new(
            entry.origin,
            Purchase {
                credits: entry.credits,
                price,
            },
        )
        .with_resend_delay(resend_delay)
        .with_journal(journal);
        attempt.started_at = entry.started_at;
        attempt.create_key = IdempotencyKey::from_uuid(entry.create_key);
        attempt.cancel_key = entry.cancel_key.map(IdempotencyKey::from_uuid);
        attempt.confirmation = confirmation;
        attempt.stage = stage;
        attempt.restored = true;
        attempt.payment_hint = entry.payment_id;
        attempt.account = entry.account;
        attempt
    }

    /// Settles a restored attempt with the platform:
    /// - a confirmation on its way is sent again with its key and its card (from the
    ///   keychain): the platform answers a repeat with the first outcome, or runs it once if
    ///   it never got it; without the card, or past [`super::KEY_LIFETIME`] (the key may be
    ///   forgotten), the payment is read, and one still waiting for a card is canceled, so
    ///   that nothing can be charged later without the user knowing;
    /// - a payment never confirmed (or declined) is canceled: nothing was charged;
    /// - a success or a cancellation is known already.
    pub async fn recover(
        &mut self,
        client: &LatticaClient,
        progress: Progress<'_>,
    ) -> Result<(), FlowError> {
        let settled = match &self.stage {
            // A repeat of the same request: the platform answers with the first outcome, or
            // runs it once if it never got it.
            Stage::Unknown { .. } if self.has_card() && !self.keys_may_be_gone() => {
                self.send(client, progress).await
            }
            Stage::Unknown { .. } => self.settle_without_card(client).await,
            Stage::AwaitingMethod { .. } => self.cancel(client).await,
            _ => Ok(()),
        };
        if !matches!(self.stage, Stage::Unknown { .. }) {
            self.restored = false;
        }
        self.note();
        settled
    }

    fn has_card(&self) -> bool {
        self.confirmation
            .as_ref()
            .is_some_and(|c| !c.card.id.is_empty())
    }

    /// Settles an unanswered confirmation by reading only, never sending it again.
    pub(super) async fn settle_without_card(
        &mut self,
        client: &LatticaClient,
    ) -> Result<(), FlowError> {
        let Some(confirmation) = self.confirmation.clone() else {
            return self.cancel(client).await;
        };
        let Some(id) = self.payment_id() else {
            // A quick top-up has no payment id until answered: its success is in the history.
            if !self.keys_may_be_gone() {
                self.reconcile(client, &confirmation).await;
                return Ok(());
            }
            match self.find_in_history(client, &confirmation).await {
                Ok(Some(payment)) => self.adopt(payment),
                Ok(None) => {
                    self.stage = Stage::Unknown {
                        problem: TOO_OLD.to_owned(),
                    }
                }
                // Still open, with the problem it had: checked again later.
                Err(error) => return Err(error.into()),
            }
            return Ok(());
        };
        let payment = resend(self.resend_delay, || client.get_payment(&id)).await?;
        let waiting = match payment.status {
            PaymentStatus::RequiresPaymentMethod => true,
            PaymentStatus::Failed => confirmation.status_before == Some(PaymentStatus::Failed),
            _ => false,
        };
        if waiting {
            // The confirmation never got through, or died with the app: close the payment so
            // nothing can come of it. A success meanwhile makes the platform refuse, and the
            // cancellation reads it back.
            self.stage = Stage::AwaitingMethod { declined: None };
            self.cancel(client).await
        } else {
            self.adopt(payment);
            Ok(())
        }
    }
}
