//! One attempt to buy credits, as a state machine over the platform's payment endpoints. It
//! knows nothing of windows: the shell runs each step in a task of its own, so a step finishes
//! even if the wizard is closed, and shows every stage the attempt reports.
//!
//! # Idempotency keys
//! Every request that moves money carries a key, and a key stands for one decision of the user:
//! creating the payment for an amount (one key per amount), each confirmation ("Pay" pressed
//! with a card, or a quick top-up), each cancellation. A request whose answer was lost (a
//! timeout, a dropped connection, the platform still busy with the first send) is sent again
//! with the *same* key: the platform answers a repeat with the first answer and does nothing
//! more, so a repeat can never charge twice.
//!
//! # Unknown outcomes
//! A new confirmation, and so a new key, is possible only once the previous one's outcome is
//! known: declined, or refused before anything happened. When sends of the same key (the
//! client's own retries, then [`RESENDS`] more) get no answer, the attempt reconciles: it reads
//! the payment, where a success or a 3-D Secure request can only come from this confirmation,
//! and a failure only if the payment had not failed before; a quick top-up, which has no
//! payment id until answered, looks for its success in the transaction history. Anything else
//! leaves the attempt [`Stage::Unknown`], from which only the same request again
//! ([`Attempt::check_again`]) or a cancellation (refused by the platform if the payment did
//! succeed, which then shows as the success it is) can follow.
//!
//! The platform keeps a key for 24 hours at least, no longer: an attempt older than
//! [`KEY_LIFETIME`] is never sent again (a forgotten key would charge anew). It is settled by
//! reading only: its payment, or for a quick top-up the transaction history.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use lattica_client::error::INVALID_PAYMENT_STATE;
use lattica_client::{
    ClientError, IdempotencyKey, LatticaClient, Payment, PaymentMethod, PaymentStatus,
};
use serde::{Deserialize, Serialize};

use super::amount::Purchase;
use super::decline::Decline;
use super::journal::Journal;

mod record;
mod send;

use send::resend;

/// Sends of a request beyond the client's own retries before its outcome counts as unknown.
pub const RESENDS: u32 = 2;
/// The wait before the first extra send; the next ones wait longer
/// ([`Attempt::with_resend_delay`] changes it).
pub const RESEND_DELAY: Duration = Duration::from_secs(1);
/// A history entry this much older than the attempt may still be its payment (clock skew).
const CLOCK_SLACK: TimeDelta = TimeDelta::minutes(2);
/// How long after its start an attempt's keys are sent again: under the platform's 24 hours,
/// with room for clock skew and a slow send.
pub const KEY_LIFETIME: TimeDelta = TimeDelta::hours(23);

/// Where the attempt was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// The add-credit wizard: the payment is created once the amount is chosen.
    Wizard,
    /// The popover's one-click top-up with a saved card (`add_credits`).
    QuickTopUp,
    /// The auto top-up rule, with its saved card (`add_credits`).
    AutoTopUp,
}

/// Where an attempt stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Nothing is charged; a card is wanted. After a decline, `declined` says why.
    AwaitingMethod {
        declined: Option<Decline>,
    },
    /// A confirmation is on its way; `sends` counts the sends of its key.
    Confirming {
        sends: u32,
    },
    /// A confirmation got no answer, even on reading back: nothing new may be tried.
    Unknown {
        problem: String,
    },
    /// The bank wants the user to confirm on the payment service's page at `url`.
    Authenticating {
        url: String,
    },
    Succeeded,
    Canceled,
}

/// One confirmation: its key and what it sends.
#[derive(Debug, Clone)]
struct Confirmation {
    key: IdempotencyKey,
    card: PaymentMethod,
    save: bool,
    /// The payment's status when the confirmation was decided, to tell its failure from an
    /// earlier one.
    status_before: Option<PaymentStatus>,
}

/// Why a step could not be taken. Nothing was charged by a step that fails.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("The payment is being confirmed; wait for its outcome.")]
    Busy,
    #[error(
        "It is not known yet whether the last payment went through. Check again before trying \
         anything else."
    )]
    OutcomeUnknown,
    #[error("{0}")]
    NotNow(&'static str),
    #[error("Another payment is in progress. Open the add-credit window to see it.")]
    AnotherInProgress,
    #[error("Choose an amount first.")]
    NoAttempt,
    #[error(
        "The payment could not be recorded on this computer, so nothing was sent ({0}). Check \
         that the disk has room and try again."
    )]
    NotRecorded(String),
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// Called with the attempt whenever its stage changes in the middle of a step.
pub type Progress<'a> = &'a (dyn Fn(&Attempt) + Send + Sync);

/// One purchase, from the chosen amount to its outcome.
#[derive(Debug)]
pub struct Attempt {
    origin: Origin,
    purchase: Purchase,
    started_at: DateTime<Utc>,
    create_key: IdempotencyKey,
    payment: Option<Payment>,
    confirmation: Option<Confirmation>,
    stage: Stage,
    resend_delay: Duration,
    /// Where every decision is recorded before it is sent (none in some unit tests).
    journal: Option<Journal>,
    /// The key of the latest cancellation.
    cancel_key: Option<IdempotencyKey>,
    /// Rebuilt from the journal after a restart.
    restored: bool,
    /// The payment id a restored attempt recorded, until the payment is read again.
    payment_hint: Option<String>,
    /// The account (its e-mail) the attempt is paid for, when known.
    account: Option<String>,
}

impl Attempt {
    pub fn new(origin: Origin, purchase: Purchase) -> Self {
        Self {
            origin,
            purchase,
            started_at: Utc::now(),
            create_key: IdempotencyKey::new(),
            payment: None,
            confirmation: None,
            stage: Stage::AwaitingMethod { declined: None },
            resend_delay: RESEND_DELAY,
            journal: None,
            cancel_key: None,
            restored: false,
            payment_hint: None,
            account: None,
        }
    }

    /// Records every decision in `journal` before sending it.
    #[must_use]
    pub fn with_journal(mut self, journal: Journal) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Records `account` (the signed-in account's e-mail) with the attempt: only a session of
    /// that account settles it after a restart.
    #[must_use]
    pub fn with_account(mut self, account: Option<String>) -> Self {
        self.account = account;
        self
    }

    /// Waits `delay` (instead of [`RESEND_DELAY`]) before the first extra send of an
    /// unanswered request.
    #[must_use]
    pub fn with_resend_delay(mut self, delay: Duration) -> Self {
        self.resend_delay = delay;
        self
    }

    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The account (its e-mail) the attempt is paid for, when known.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    pub fn purchase(&self) -> &Purchase {
        &self.purchase
    }

    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// The payment as last read from the platform.
    pub fn payment(&self) -> Option<&Payment> {
        self.payment.as_ref()
    }

    /// The card of the latest confirmation.
    pub fn card(&self) -> Option<&PaymentMethod> {
        self.confirmation.as_ref().map(|c| &c.card)
    }

    /// Whether the latest confirmation asked to save its card.
    pub fn saves_card(&self) -> bool {
        self.confirmation.as_ref().is_some_and(|c| c.save)
    }

    fn payment_id(&self) -> Option<String> {
        self.payment
            .as_ref()
            .map(|p| p.id.clone())
            .or_else(|| self.payment_hint.clone())
    }

    /// Something was sent whose outcome is still open: no other attempt may start.
    pub fn in_flight(&self) -> bool {
        matches!(
            self.stage,
            Stage::Confirming { .. } | Stage::Unknown { .. } | Stage::Authenticating { .. }
        )
    }

    /// Started longer ago than [`KEY_LIFETIME`]: the platform may have forgotten its keys, so
    /// nothing of it is sent again.
    pub fn keys_may_be_gone(&self) -> bool {
        Utc::now() - self.started_at > KEY_LIFETIME
    }

    pub fn finished(&self) -> bool {
        matches!(self.stage, Stage::Succeeded | Stage::Canceled)
    }

    /// Creates the payment (the wizard does once the amount is chosen), so that the review
    /// shows the platform's own amount and a cancellation has something to cancel.
    pub async fn open(&mut self, client: &LatticaClient) -> Result<(), FlowError> {
        if self.payment.is_none() {
            self.record(None)?;
            let (credits, key) = (self.purchase.credits, self.create_key);
            let payment =
                resend(self.resend_delay, || client.create_payment(credits, &key)).await?;
            self.payment = Some(payment);
            self.note();
        }
        Ok(())
    }

    /// Pays with `card` under a new key; `save` keeps the card for later payments.
    pub async fn confirm(
        &mut self,
        client: &LatticaClient,
        card: PaymentMethod,
        save: bool,
        progress: Progress<'_>,
    ) -> Result<(), FlowError> {
        self.confirm_with_key(client, card, save, IdempotencyKey::new(), progress)
            .await
    }

    /// [`Attempt::confirm`] under `key`, which stands for this decision only (auto top-up
    /// derives it from the crossing that decided it).
    pub async fn confirm_with_key(
        &mut self,
        client: &LatticaClient,
        card: PaymentMethod,
        save: bool,
        key: IdempotencyKey,
        progress: Progress<'_>,
    ) -> Result<(), FlowError> {
        match &self.stage {
            Stage::AwaitingMethod { .. } => {}
            Stage::Confirming { .. } => return Err(FlowError::Busy),
            Stage::Unknown { .. } => return Err(FlowError::OutcomeUnknown),
            Stage::Authenticating { .. } => {
                return Err(FlowError::NotNow(
                    "The payment waits for your bank's confirmation.",
                ));
            }
            Stage::Succeeded | Stage::Canceled => {
                return Err(FlowError::NotNow("This payment is over; start a new one."));
            }
        }
        if self.origin == Origin::Wizard {
            self.open(client).await?;
        }
        // The previous confirmation's outcome is known (see the stage check): a new decision
        // takes a new key.
        let previous = std::mem::replace(&mut self.stage, Stage::Confirming { sends: 0 });
        let token = card.id.clone();
        self.confirmation = Some(Confirmation {
            key,
            card,
            save,
            status_before: self.payment.as_ref().map(|p| p.status.clone()),
        });
        if let Err(error) = self.record(Some(&token)) {
            // Nothing was sent: the attempt stays where it was.
            self.stage = previous;
            self.confirmation = None;
            return Err(error);
        }
        let sent = self.send(client, progress).await;
        self.note();
        sent
    }

    /// Learns an open outcome: sends an unanswered confirmation again with its key, or reads
    /// a payment waiting for 3-D Secure. Anything else is known already.
    pub async fn check_again(
        &mut self,
        client: &LatticaClient,
        progress: Progress<'_>,
    ) -> Result<(), FlowError> {
        if self.restored {
            return self.recover(client, progress).await;
        }
        let checked = match self.stage {
            // Too old to send again: read where it stands instead.
            Stage::Unknown { .. } if self.keys_may_be_gone() => {
                self.settle_without_card(client).await
            }
            Stage::Unknown { .. } => self.send(client, progress).await,
            Stage::Authenticating { .. } => self.read_back(client).await,
            _ => Ok(()),
        };
        self.note();
        checked
    }

    /// The 3-D Secure page reported that `payment_id` no longer waits: read how it ended.
    pub async fn authenticated(
        &mut self,
        client: &LatticaClient,
        payment_id: &str,
    ) -> Result<(), FlowError> {
        let ours = self.payment_id().as_deref() == Some(payment_id);
        if ours && matches!(self.stage, Stage::Authenticating { .. }) {
            self.read_back(client).await?;
            self.note();
        }
        Ok(())
    }

    /// Cancels the payment unless it is being confirmed. Nothing is charged by a payment that
    /// was never confirmed; one that did succeed cannot be canceled and shows as succeeded.
    pub async fn cancel(&mut self, client: &LatticaClient) -> Result<(), FlowError> {
        match self.stage {
            Stage::Confirming { .. } => return Err(FlowError::Busy),
            Stage::Succeeded | Stage::Canceled => return Ok(()),
            _ => {}
        }
        let Some(id) = self.payment_id() else {
            if matches!(self.stage, Stage::Unknown { .. }) && !self.keys_may_be_gone() {
                // A quick top-up whose answer was lost: there is no payment id to cancel.
                return Err(FlowError::OutcomeUnknown);
            }
            // Nothing was sent, or (past the keys' lifetime) nothing will be sent again and
            // the history showed no charge: the attempt is let go.
            self.stage = Stage::Canceled;
            return Ok(());
        };
        let key = IdempotencyKey::new();
        self.cancel_key = Some(key);
        self.record(None)?;
        let canceled = match resend(self.resend_delay, || client.cancel_payment(&id, &key)).await {
            Ok(payment) => {
                self.adopt(payment);
                Ok(())
            }
            Err(FlowError::Client(error)) if error.code() == Some(INVALID_PAYMENT_STATE) => {
                self.read_back(client).await
            }
            Err(error) => Err(error),
        };
        self.note();
        canceled
    }

    async fn read_back(&mut self, client: &LatticaClient) -> Result<(), FlowError> {
        if let Some(id) = self.payment_id() {
            let payment = resend(self.resend_delay, || client.get_payment(&id)).await?;
            self.adopt(payment);
        }
        Ok(())
    }

    /// Takes the platform's word for where the payment stands.
    fn adopt(&mut self, payment: Payment) {
        self.stage = match &payment.status {
            PaymentStatus::Succeeded => Stage::Succeeded,
            PaymentStatus::Failed => Stage::AwaitingMethod {
                declined: Some(Decline::of(&payment)),
            },
            PaymentStatus::RequiresAction => {
                match payment.next_action.as_ref().and_then(|a| a.url.clone()) {
                    Some(url) => Stage::Authenticating { url },
                    None => Stage::Unknown {
                        problem: "The payment waits for a confirmation the platform did not \
                                  describe."
                            .to_owned(),
                    },
                }
            }
            PaymentStatus::RequiresPaymentMethod => Stage::AwaitingMethod { declined: None },
            PaymentStatus::Canceled => Stage::Canceled,
            PaymentStatus::Unknown(status) => Stage::Unknown {
                problem: format!("The platform reports the payment as “{status}”."),
            },
        };
        self.payment = Some(payment);
    }
}
