//! An auto top-up whose outcome is learned after the rule's own step ("Check again", a later
//! reading, a restart, the bank's page in the wizard) is told exactly as one known at once:
//! a success with the balance read back ("Auto top-up: +N credits"), its journal record kept
//! until then; a decline gives its reservation back and turns the rule off, saying why.

use lattica_core::alerts::PaymentOutcome;
use lattica_core::{autotopup, format};
use rust_decimal::Decimal;

use super::flow::{Origin, Stage};
use super::readback::{READ_BACK_DEADLINE, refreshed_balance};
use super::service::{Payments, Slot, Step};

impl Payments {
    /// Tells an auto top-up that went through, with the balance read back, then lets the
    /// service forget it (unless another payment took its place meanwhile). Once the app
    /// moved to another platform (`generation` is the one it was bought on), the balance now
    /// shown is not that platform's: it is told without one.
    pub(super) async fn tell_bought(&self, credits: Decimal, charged: &str, generation: u64) {
        let balance = if self.generation() == generation {
            refreshed_balance(self.engine(), READ_BACK_DEADLINE)
                .await
                .filter(|_| self.generation() == generation)
        } else {
            None
        };
        tracing::info!(?balance, "auto top-up bought");
        self.tell(PaymentOutcome::AutoTopUp {
            credits,
            notice: autotopup::bought_notice(credits, charged, balance),
        });
        let _ = self.run(Step::Release(Origin::AutoTopUp)).await;
    }

    /// The auto top-up in `slot` reached `stage` after the rule's step: told from a task of
    /// its own (the slot is locked here).
    pub(super) fn settled_later(&self, slot: &mut Slot, stage: &Stage) {
        let Some(attempt) = &slot.attempt else { return };
        let (credits, price) = (attempt.purchase().credits, attempt.purchase().price.amount);
        let this = self.clone();
        // Called with the slot locked: no move to another platform can be under way.
        let pin = self.pin();
        match stage {
            Stage::Succeeded => {
                let charged = attempt
                    .payment()
                    .map(|p| format::money(p.amount.amount, &p.amount.currency))
                    .unwrap_or_default();
                // Its record stays in the journal until it is told: a restart tells it.
                slot.untold = true;
                let generation = pin.generation;
                tokio::spawn(async move { this.tell_bought(credits, &charged, generation).await });
            }
            Stage::AwaitingMethod {
                declined: Some(decline),
            } => {
                let reason = decline.message.clone();
                tokio::spawn(async move {
                    let _ = this.run(Step::Release(Origin::AutoTopUp)).await;
                    let mut stored = pin.stored();
                    if let Some(ledger) = &mut stored.ledger {
                        ledger.refund(price);
                    }
                    this.turn_off(&pin, &mut stored, &reason);
                });
            }
            _ => {}
        }
    }

    /// Checks an auto top-up whose outcome is unknown again (at every reading): its key is
    /// sent again, or once too old, it is looked for; once known it is told.
    pub(super) async fn check_unknown_auto_top_up(&self) {
        let unknown = self.0.slot.lock().await.attempt.as_ref().is_some_and(|a| {
            a.origin() == Origin::AutoTopUp && matches!(a.stage(), Stage::Unknown { .. })
        });
        if unknown && let Err(error) = self.run(Step::CheckAgain).await {
            tracing::warn!(%error, "auto top-up: its outcome is still unknown");
        }
    }
}
