//! Following up an attempt whose outcome is new: the alert policy told, the popover's quick
//! top-up offer dropped, and the balance read back from the platform after a success.

use lattica_core::alerts::PaymentOutcome;

use super::flow::{Attempt, Origin, Stage};
use super::readback::{READ_BACK_DEADLINE, refreshed_balance};
use super::service::{Payments, Slot};
use super::view::ReadBack;
use crate::engine::Command;

impl Payments {
    /// Follows up a step whose outcome is new: alerts, the quick top-up offer, the read-back.
    /// `by_rule`: the auto top-up rule's own purchase, which the rule tells itself; an auto
    /// top-up's outcome learned later ("Check again", a later reading, a restart, the bank's
    /// page) is told here the same way.
    pub(super) fn ended(&self, slot: &mut Slot, stage: &Stage, by_rule: bool) {
        let Some(attempt) = &slot.attempt else { return };
        let outcome = match stage {
            Stage::Succeeded => PaymentOutcome::Succeeded {
                credits: attempt.purchase().credits,
            },
            Stage::AwaitingMethod {
                declined: Some(decline),
            } => PaymentOutcome::Failed {
                reason: decline.message.clone(),
            },
            _ => return,
        };
        let (origin, paid) = (attempt.origin(), attempt.payment().map(|p| p.id.clone()));
        slot.shown = self.0.windows.wizard_open() || origin != Origin::Wizard;
        self.shared().offer = None;
        if origin != Origin::AutoTopUp {
            self.0.engine.send(Command::PaymentEnded {
                outcome,
                wizard_in_front: self.0.windows.wizard_in_front(),
            });
        } else if !by_rule {
            self.settled_later(slot, stage);
        }
        if *stage == Stage::Succeeded
            && let Some(id) = paid
        {
            slot.read_back = ReadBack::Pending;
            let this = self.clone();
            tokio::spawn(async move { this.read_back(id).await });
        }
    }

    /// Reads the balance back after the success of payment `id` and shows it.
    async fn read_back(&self, id: String) {
        let balance = refreshed_balance(&self.0.engine, READ_BACK_DEADLINE).await;
        tracing::info!(?balance, "the balance after a payment, read back");
        let slot = self.0.slot.lock().await;
        let same = slot
            .attempt
            .as_ref()
            .and_then(Attempt::payment)
            .is_some_and(|p| p.id == id);
        if same {
            let mut slot = slot;
            slot.read_back = balance.map_or(ReadBack::Unavailable, ReadBack::Read);
            self.publish(&slot);
        }
    }
}
