//! Sending a confirmation until it is answered, and settling one that never was: the part of
//! the flow where answers get lost (see the parent module on keys and unknown outcomes).

use std::future::Future;
use std::time::Duration;

use lattica_client::error::{IDEMPOTENCY_KEY_IN_FLIGHT, INVALID_PAYMENT_STATE, NOT_FOUND};
use lattica_client::{ClientError, LatticaClient, Payment, PaymentStatus};

use super::{Attempt, CLOCK_SLACK, Confirmation, FlowError, Progress, RESENDS, Stage};
use crate::payment::decline::Decline;

impl Attempt {
    /// Sends the current confirmation (again) with its key until it is answered.
    pub(super) async fn send(
        &mut self,
        client: &LatticaClient,
        progress: Progress<'_>,
    ) -> Result<(), FlowError> {
        let Some(confirmation) = self.confirmation.clone() else {
            return Err(FlowError::NotNow("Choose a card first."));
        };
        for send in 1..=RESENDS + 1 {
            if send > 1 {
                tokio::time::sleep(self.resend_delay * (send - 1)).await;
            }
            self.stage = Stage::Confirming { sends: send };
            progress(self);
            let (card, save, key) = (&confirmation.card.id, confirmation.save, &confirmation.key);
            let answer = match self.payment_id() {
                Some(id) => client.confirm_payment(&id, card, save, key).await,
                None => client.add_credits(self.purchase.credits, card, key).await,
            };
            match answer {
                Ok(payment) => {
                    self.adopt(payment);
                    return Ok(());
                }
                Err(error) if lost(&error) => {
                    tracing::warn!(%error, send, "no answer to a confirmation; same key again");
                }
                Err(error) => return self.refused(client, error).await,
            }
        }
        self.reconcile(client, &confirmation).await;
        Ok(())
    }

    /// The platform answered the confirmation with an error.
    async fn refused(
        &mut self,
        client: &LatticaClient,
        error: ClientError,
    ) -> Result<(), FlowError> {
        match error.code() {
            // The payment moved on without this send (the lost answer of an earlier one, or
            // another device): read where it is.
            Some(INVALID_PAYMENT_STATE) if self.payment.is_some() => {
                if let Err(read) = self.read_back(client).await {
                    self.stage = Stage::Unknown {
                        problem: read.to_string(),
                    };
                }
                Ok(())
            }
            // The card token is unknown (unused for a day, or deleted): nothing happened.
            Some(NOT_FOUND) => {
                self.stage = Stage::AwaitingMethod {
                    declined: Some(Decline::from_code("unavailable_card", None)),
                };
                Ok(())
            }
            // Refused before anything happened (token, parameters): nothing was charged.
            _ => {
                self.stage = Stage::AwaitingMethod { declined: None };
                Err(error.into())
            }
        }
    }

    /// Settles a confirmation whose sends all went unanswered, or leaves it unknown.
    pub(super) async fn reconcile(&mut self, client: &LatticaClient, confirmation: &Confirmation) {
        let unknown = || Stage::Unknown {
            problem: "The platform did not answer whether the payment went through.".to_owned(),
        };
        match self.payment_id() {
            Some(id) => match client.get_payment(&id).await {
                Ok(read) => {
                    let ours = match read.status {
                        PaymentStatus::Succeeded
                        | PaymentStatus::RequiresAction
                        | PaymentStatus::Canceled => true,
                        PaymentStatus::Failed => {
                            confirmation.status_before != Some(PaymentStatus::Failed)
                        }
                        PaymentStatus::RequiresPaymentMethod | PaymentStatus::Unknown(_) => false,
                    };
                    if ours {
                        self.adopt(read);
                    } else {
                        self.payment = Some(read);
                        self.stage = unknown();
                    }
                }
                Err(_) => self.stage = unknown(),
            },
            None => match self.find_in_history(client, confirmation).await {
                Ok(Some(payment)) => self.adopt(payment),
                Ok(None) | Err(_) => self.stage = unknown(),
            },
        }
        tracing::info!(stage = ?self.stage, "reconciled a confirmation without an answer");
    }

    /// A quick top-up's payment in the history: a success for the same credits and card since
    /// the attempt began. Only a success is taken (a failure there could be another one).
    pub(super) async fn find_in_history(
        &self,
        client: &LatticaClient,
        confirmation: &Confirmation,
    ) -> Result<Option<Payment>, ClientError> {
        let history = client.get_transaction_history().await?;
        let since = self.started_at - CLOCK_SLACK;
        let entry = history
            .iter()
            .filter(|r| r.is_success() && r.created_at >= since)
            .filter(|r| r.credits == Some(self.purchase.credits))
            .filter(|r| r.card_last4.is_none() || r.card_last4 == confirmation.card.last4)
            .max_by_key(|r| r.created_at);
        match entry {
            Some(entry) => client.get_payment(&entry.id).await.map(Some),
            None => Ok(None),
        }
    }
}

/// An error after which the request may or may not have been processed, or is still being
/// processed: only the same request with the same key can tell. An answer that cannot be read
/// (a body cut on the way) is one: it says nothing of what the platform did.
fn lost(error: &ClientError) -> bool {
    error.is_retryable()
        || matches!(error, ClientError::Malformed(_))
        || error.code() == Some(IDEMPOTENCY_KEY_IN_FLIGHT)
}

/// Sends a keyed request (or a read) until it is answered, up to [`RESENDS`] more times after
/// the client's own retries, always the same request, waiting `delay` longer before each.
pub(super) async fn resend<T, F, Fut>(delay: Duration, mut call: F) -> Result<T, FlowError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
{
    let mut sends = 1;
    loop {
        match call().await {
            Err(error) if sends <= RESENDS && lost(&error) => {
                tokio::time::sleep(delay * sends).await;
                sends += 1;
            }
            answer => return answer.map_err(FlowError::from),
        }
    }
}
