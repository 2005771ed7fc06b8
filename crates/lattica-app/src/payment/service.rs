//! The payment service: one attempt at a time, run in tasks of their own, so closing the wizard
//! in the middle of a payment changes nothing (reopening it shows where the payment is, and no
//! second charge can follow); every decision recorded in the [`Journal`] before it is sent, and
//! an attempt the app was stopped in settled at the next start before anything new is paid
//! ([`Payments::resume`]); every change is sent to the windows through [`PaymentWindows`]; a
//! success is read back through the refresh loop; outcomes go to the alert policy.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use lattica_client::{LatticaClient, Pricing};
use lattica_core::view::Session;

use super::amount::Purchase;
use super::auto::account_of;
use super::card::CardView;
use super::flow::{Attempt, FlowError, Origin, Stage};
use super::handles::CardHandles;
use super::journal::Journal;
pub(super) use super::slot::Slot;
use super::slot::{current, replace};
pub use super::step::Step;
use super::view::{AttemptView, QuickOffer, ReadBack};
use crate::engine::EngineHandle;
use crate::error::AppError;
use crate::session::Sessions;

/// What the payment service needs of the windows: the shell implements it.
pub trait PaymentWindows: Send + Sync + 'static {
    /// Sends the attempt's latest view (or `None`: no attempt) to every window.
    fn publish(&self, view: Option<&AttemptView>);
    /// The add-credit wizard exists (shown or not).
    fn wizard_open(&self) -> bool;
    /// The wizard is visible, focused and not minimized: it shows outcomes itself.
    fn wizard_in_front(&self) -> bool;
    /// Opens (or raises) the wizard.
    fn open_wizard(&self);
    /// The saved cards changed (one was removed): `cards` are those that remain.
    fn cards_changed(&self, cards: &[CardView]) {
        let _ = cards;
    }
}

/// The payment service; clones share one service.
#[derive(Clone)]
pub struct Payments(pub(super) Arc<Inner>);

pub(super) struct Inner {
    /// Locked for a whole step: a second click while a step runs waits for it, then finds
    /// the attempt where that step left it.
    pub(super) slot: tokio::sync::Mutex<Slot>,
    /// What was last published, and caches, for reads that must not wait for a step.
    shared: Mutex<Shared>,
    pub(super) engine: EngineHandle,
    sessions: Sessions,
    pub(super) windows: Arc<dyn PaymentWindows>,
    /// Each attempt's wait before sending an unanswered request again.
    pub(super) resend_delay: Duration,
    /// The platform's journal; replaced when the app moves to another platform (the demo).
    pub(super) journal: Mutex<Option<Journal>>,
    /// Bumped with each replacement of the journal (under its lock): work that began on one
    /// platform (an auto top-up) sees that the app moved on.
    pub(super) generation: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Payments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Payments")
            .field("view", &self.shared().view)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
pub(super) struct Shared {
    pub(super) view: Option<AttemptView>,
    /// The revision of the last view sent.
    revision: u64,
    pub(super) pricing: Option<Pricing>,
    pub(super) offer: Option<(tokio::time::Instant, Option<QuickOffer>)>,
    /// Bumped by every removal of a saved card: an offer read before one is not kept.
    pub(super) cards_epoch: u64,
    /// The windows' handles of the saved cards.
    pub(super) cards: CardHandles,
}

impl Payments {
    /// The service for the session of `sessions`, following the figures of `engine`.
    /// `resend_delay` is each attempt's wait before sending an unanswered request again
    /// ([`super::RESEND_DELAY`] in the app); `journal` records every attempt (`None` only
    /// where the local database cannot be opened).
    pub fn new(
        engine: EngineHandle,
        sessions: Sessions,
        windows: Arc<dyn PaymentWindows>,
        resend_delay: Duration,
        journal: Option<Journal>,
    ) -> Self {
        Self(Arc::new(Inner {
            slot: tokio::sync::Mutex::default(),
            shared: Mutex::default(),
            engine,
            sessions,
            windows,
            resend_delay,
            journal: Mutex::new(journal),
            generation: std::sync::atomic::AtomicU64::new(0),
        }))
    }

    /// The journal of the platform the app is on (`None` where its database cannot be opened).
    pub(super) fn journal(&self) -> Option<Journal> {
        // Replaced whole: the data stays consistent under a panic.
        self.0
            .journal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn shared(&self) -> MutexGuard<'_, Shared> {
        // Plain assignments only: the data stays consistent under a panic.
        self.0.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn engine(&self) -> &EngineHandle {
        &self.0.engine
    }

    pub(super) fn windows(&self) -> &dyn PaymentWindows {
        self.0.windows.as_ref()
    }

    /// The session's client, while signed in.
    pub(super) fn client(&self) -> Result<LatticaClient, AppError> {
        if self.0.engine.state().session != Session::SignedIn {
            return Err(AppError::NotSignedIn);
        }
        self.0.sessions.client().ok_or(AppError::NotSignedIn)
    }

    /// Runs `step` in a task of its own, which finishes even if the window that asked for it
    /// is closed meanwhile; answers with the attempt as the step left it. Call it on the
    /// async runtime.
    pub async fn run(&self, step: Step) -> Result<Option<AttemptView>, AppError> {
        let this = self.clone();
        tokio::spawn(async move { this.apply(step).await })
            .await
            .map_err(AppError::internal)?
    }

    /// The wizard window is gone: a payment not yet confirmed is canceled and a seen outcome
    /// forgotten; a payment in progress goes on.
    pub async fn wizard_closed(&self) {
        if let Err(error) = self.apply(Step::WizardClosed).await {
            tracing::warn!(%error, "tidying up after the wizard closed");
        }
    }

    async fn apply(&self, step: Step) -> Result<Option<AttemptView>, AppError> {
        tracing::info!(?step, "payment step");
        let mut slot = self.0.slot.lock().await;
        if let Step::AutoTopUp { generation, .. } = &step
            && *generation != self.generation()
        {
            // Decided on a platform the app has left: never bought with another's session.
            return Err(AppError::Internal(
                "the app moved to another platform since the auto top-up was decided".to_owned(),
            ));
        }
        // Never a step with another account's session than the attempt's own.
        self.set_aside_for_its_account(&mut slot)?;
        // Nothing new before the attempt of the last run is settled.
        self.recover(&mut slot).await?;
        let before = slot.attempt.as_ref().map(|a| a.stage().clone());
        let sends = matches!(
            step,
            Step::Pay { .. } | Step::QuickTopUp { .. } | Step::AutoTopUp { .. }
        );
        // The rule's own purchase is told by the rule; an outcome learned later, here.
        let by_rule = matches!(step, Step::AutoTopUp { .. });
        let result = self.take(&mut slot, step).await;
        if let Some(attempt) = &slot.attempt {
            let after = attempt.stage().clone();
            if sends || before.as_ref() != Some(&after) {
                self.ended(&mut slot, &after, by_rule);
            }
        }
        self.forget_if_over(&slot);
        let view = self.publish(&slot);
        result.map(|()| view)
    }

    /// A new attempt, recorded in the journal; without one (the local database could not be
    /// opened) nothing is paid, since its outcome could be lost.
    fn attempt(&self, origin: Origin, purchase: Purchase) -> Result<Attempt, AppError> {
        let journal = self.journal().ok_or_else(|| {
            AppError::Payment(FlowError::NotRecorded(
                "the local database could not be opened".to_owned(),
            ))
        })?;
        Ok(Attempt::new(origin, purchase)
            .with_account(account_of(&self.0.engine.state()))
            .with_resend_delay(self.0.resend_delay)
            .with_journal(journal))
    }

    /// Clears the journal once no attempt is open any more: its outcome has been sent to the
    /// alert policy and the windows (an auto top-up's once it is told).
    pub(super) fn forget_if_over(&self, slot: &Slot) {
        if slot.recovered
            && !slot.untold
            && slot.attempt.as_ref().is_none_or(Attempt::finished)
            && let Some(journal) = self.journal()
        {
            journal.finish();
        }
    }

    async fn take(&self, slot: &mut Slot, step: Step) -> Result<(), AppError> {
        let progress = |attempt: &Attempt| {
            self.emit(Some(self.view_of(attempt, &ReadBack::Pending)));
        };
        match step {
            Step::Begin(purchase) => {
                let client = self.client()?;
                let reusable = slot.attempt.as_ref().is_some_and(|a| {
                    a.origin() == Origin::Wizard
                        && matches!(a.stage(), Stage::AwaitingMethod { .. })
                        && a.purchase().credits == purchase.credits
                });
                if !reusable {
                    replace(slot, &client, self.attempt(Origin::Wizard, purchase)?).await?;
                }
                Ok(current(slot)?.open(&client).await?)
            }
            Step::Pay { card, save } => {
                let client = self.client()?;
                Ok(current(slot)?
                    .confirm(&client, card, save, &progress)
                    .await?)
            }
            Step::Authenticated(payment_id) => {
                let client = self.client()?;
                Ok(current(slot)?.authenticated(&client, &payment_id).await?)
            }
            Step::CheckAgain => {
                let client = self.client()?;
                Ok(current(slot)?.check_again(&client, &progress).await?)
            }
            Step::Cancel => {
                if let Some(attempt) = &mut slot.attempt {
                    attempt.cancel(&self.client()?).await?;
                }
                if slot
                    .attempt
                    .as_ref()
                    .is_some_and(|a| *a.stage() == Stage::Canceled)
                {
                    slot.clear();
                }
                Ok(())
            }
            Step::Done => {
                // An auto top-up not told yet is let go by its own task.
                if !slot.untold && slot.attempt.as_ref().is_some_and(|a| !a.in_flight()) {
                    slot.clear();
                }
                Ok(())
            }
            Step::Release(origin) => {
                let Some(attempt) = slot
                    .attempt
                    .as_mut()
                    .filter(|a| a.origin() == origin && !a.in_flight())
                else {
                    return Ok(());
                };
                if !attempt.finished() {
                    attempt.cancel(&self.client()?).await?;
                }
                slot.clear();
                Ok(())
            }
            Step::QuickTopUp { purchase, card } => {
                let client = self.client()?;
                replace(slot, &client, self.attempt(Origin::QuickTopUp, purchase)?).await?;
                let attempt = current(slot)?;
                attempt.confirm(&client, card, false, &progress).await?;
                if matches!(attempt.stage(), Stage::Authenticating { .. }) {
                    // The popover cannot show the bank's page; the wizard can.
                    self.0.windows.open_wizard();
                }
                Ok(())
            }
            Step::AutoTopUp {
                purchase,
                card,
                key,
                ..
            } => {
                let client = self.client()?;
                let busy = slot.attempt.as_ref().is_some_and(|a| {
                    a.in_flight() || (a.origin() != Origin::AutoTopUp && !a.finished())
                });
                if busy {
                    // Never in the way of a payment the user is making (its own declined
                    // attempt gives way to its retry).
                    return Err(AppError::Payment(FlowError::AnotherInProgress));
                }
                replace(slot, &client, self.attempt(Origin::AutoTopUp, purchase)?).await?;
                let attempt = current(slot)?;
                let sent = attempt
                    .confirm_with_key(&client, card, false, key, &progress)
                    .await;
                let stage = current(slot)?.stage().clone();
                slot.untold = stage == Stage::Succeeded;
                if matches!(stage, Stage::Authenticating { .. }) {
                    // The bank's page is in the wizard (the auto top-up tells why it opened).
                    self.0.windows.open_wizard();
                }
                Ok(sent?)
            }
            Step::WizardClosed => {
                if self.0.windows.wizard_open() {
                    // Opened again while this waited for a step to end: it shows the attempt.
                    return Ok(());
                }
                let abandoned = slot
                    .attempt
                    .as_ref()
                    .is_some_and(|a| matches!(a.stage(), Stage::AwaitingMethod { .. }));
                if abandoned && let Ok(client) = self.client() {
                    // Nothing was charged; tell the platform the payment will not be confirmed.
                    let _ = current(slot)?.cancel(&client).await;
                }
                let seen = slot.shown
                    && !slot.untold
                    && slot.attempt.as_ref().is_some_and(Attempt::finished);
                if abandoned || seen {
                    slot.clear();
                }
                Ok(())
            }
        }
    }

    pub(super) fn view_of(&self, attempt: &Attempt, read_back: &ReadBack) -> AttemptView {
        let quote = self.quote_now(attempt.purchase());
        let origin = self
            .shared()
            .pricing
            .as_ref()
            .and_then(|p| p.payments_url.clone());
        let card = attempt.card().map(|card| self.card_view(card));
        AttemptView::of(attempt, card, quote, read_back, origin.as_ref())
    }

    /// The attempt's view, remembered and sent to every window.
    pub(super) fn publish(&self, slot: &Slot) -> Option<AttemptView> {
        let view = slot
            .attempt
            .as_ref()
            .map(|a| self.view_of(a, &slot.read_back));
        self.emit(view)
    }

    /// Numbers `view`, remembers it and sends it to every window; answers it as sent.
    pub(super) fn emit(&self, mut view: Option<AttemptView>) -> Option<AttemptView> {
        {
            let mut shared = self.shared();
            shared.revision += 1;
            if let Some(view) = &mut view {
                view.revision = shared.revision;
            }
            shared.view.clone_from(&view);
        }
        self.0.windows.publish(view.as_ref());
        view
    }

    /// The attempt to show when the wizard opens: the one in flight or just finished, unless
    /// its end was already seen. A step in progress (a payment being confirmed) is not waited
    /// for: the wizard shows it as last published and follows it from there.
    pub(super) fn for_wizard(&self) -> Option<AttemptView> {
        let Ok(mut slot) = self.0.slot.try_lock() else {
            return self.shared().view.clone();
        };
        if self.set_aside_for_its_account(&mut slot).is_err() {
            // Whose session this is is not known yet: nothing of another account is shown.
            return None;
        }
        if slot.shown && !slot.untold && slot.attempt.as_ref().is_some_and(Attempt::finished) {
            slot.clear();
        }
        let view = self.publish(&slot);
        if slot.attempt.as_ref().is_some_and(Attempt::finished) {
            slot.shown = true;
        }
        view
    }
}
