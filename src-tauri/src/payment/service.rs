//! The shell's side of payments: one attempt at a time, kept in Rust state and run in tasks of
//! their own, so closing the wizard in the middle of a payment changes nothing (reopening it
//! shows where the payment is, and no second charge can follow); every change is sent to the
//! webviews; a success is read back through the refresh loop; outcomes go to the alert policy.

use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};

use lattica_client::{LatticaClient, Pricing};
use lattica_core::alerts::PaymentOutcome;
use lattica_core::view::Session;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use super::amount::{Purchase, Quote};
use super::card::Card;
use super::flow::{Attempt, FlowError, Origin, Stage};
use super::readback::{READ_BACK_DEADLINE, refreshed_balance};
use super::view::{AttemptView, QuickOffer, ReadBack};
use crate::actions;
use crate::engine::{Command, EngineHandle};
use crate::error::AppError;
use crate::ipc::{WindowId, event};
use crate::session::Sessions;

/// Payments as managed state.
#[derive(Debug, Default)]
pub struct Payments {
    /// Locked for a whole step: a second click while a step runs waits for it, then finds
    /// the attempt where that step left it.
    slot: tokio::sync::Mutex<Slot>,
    /// What was last published, and caches, for reads that must not wait for a step.
    shared: Mutex<Shared>,
}

#[derive(Debug, Default)]
struct Slot {
    attempt: Option<Attempt>,
    read_back: ReadBack,
    /// Someone saw how the attempt ended (the wizard was open, or the popover asked).
    shown: bool,
}

#[derive(Debug, Default)]
pub(super) struct Shared {
    pub(super) view: Option<AttemptView>,
    /// The revision of the last view sent.
    revision: u64,
    pub(super) pricing: Option<Pricing>,
    pub(super) offer: Option<(tokio::time::Instant, Option<QuickOffer>)>,
}

impl Payments {
    pub(super) fn shared(&self) -> MutexGuard<'_, Shared> {
        // Plain assignments only: the data stays consistent under a panic.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A step the user asked for.
#[derive(Debug)]
pub enum Step {
    /// The wizard's amount is chosen: open a payment for it.
    Begin(Purchase),
    Pay {
        card: Card,
        save: bool,
    },
    /// The 3-D Secure page reported this payment as no longer waiting.
    Authenticated(String),
    CheckAgain,
    Cancel,
    /// The result was seen: forget the finished attempt.
    Done,
    /// The popover's one-click top-up.
    QuickTopUp {
        purchase: Purchase,
        card: Card,
    },
    /// The wizard window was closed.
    WizardClosed,
}

/// A signed-in client, from the stored token.
pub(super) async fn client<R: Runtime>(app: &AppHandle<R>) -> Result<LatticaClient, AppError> {
    if app.state::<EngineHandle>().state().session != Session::SignedIn {
        return Err(AppError::NotSignedIn);
    }
    app.state::<Sessions>()
        .restore()
        .await?
        .ok_or(AppError::NotSignedIn)
}

/// Runs `step` in a task of its own, which finishes even if the window that asked for it is
/// closed meanwhile; answers with the attempt as the step left it.
pub async fn run<R: Runtime>(
    app: &AppHandle<R>,
    step: Step,
) -> Result<Option<AttemptView>, AppError> {
    let app = app.clone();
    spawned(async move { apply(&app, step).await }).await
}

async fn spawned<T: Send + 'static>(
    task: impl Future<Output = Result<T, AppError>> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn(task)
        .await
        .map_err(AppError::internal)?
}

async fn apply<R: Runtime>(
    app: &AppHandle<R>,
    step: Step,
) -> Result<Option<AttemptView>, AppError> {
    tracing::info!(?step, "payment step");
    let payments = app.state::<Payments>();
    let mut slot = payments.slot.lock().await;
    let before = slot.attempt.as_ref().map(|a| a.stage().clone());
    let sends = matches!(step, Step::Pay { .. } | Step::QuickTopUp { .. });
    let result = take(app, &mut slot, step).await;
    if let Some(attempt) = &slot.attempt {
        let after = attempt.stage().clone();
        if sends || before.as_ref() != Some(&after) {
            ended(app, &mut slot, &after);
        }
    }
    let view = publish(app, &slot);
    result.map(|()| view)
}

async fn take<R: Runtime>(app: &AppHandle<R>, slot: &mut Slot, step: Step) -> Result<(), AppError> {
    let progress = |attempt: &Attempt| {
        emit(app, Some(view_of(app, attempt, &ReadBack::Pending)));
    };
    match step {
        Step::Begin(purchase) => {
            let client = client(app).await?;
            let reusable = slot.attempt.as_ref().is_some_and(|a| {
                a.origin() == Origin::Wizard
                    && matches!(a.stage(), Stage::AwaitingMethod { .. })
                    && a.purchase().credits == purchase.credits
            });
            if !reusable {
                replace(slot, &client, Attempt::new(Origin::Wizard, purchase)).await?;
            }
            let attempt = current(slot)?;
            Ok(attempt.open(&client).await?)
        }
        Step::Pay { card, save } => {
            let client = client(app).await?;
            Ok(current(slot)?
                .confirm(&client, card, save, &progress)
                .await?)
        }
        Step::Authenticated(payment_id) => {
            let client = client(app).await?;
            Ok(current(slot)?.authenticated(&client, &payment_id).await?)
        }
        Step::CheckAgain => {
            let client = client(app).await?;
            Ok(current(slot)?.check_again(&client, &progress).await?)
        }
        Step::Cancel => {
            if let Some(attempt) = &mut slot.attempt {
                attempt.cancel(&client(app).await?).await?;
            }
            if slot
                .attempt
                .as_ref()
                .is_some_and(|a| *a.stage() == Stage::Canceled)
            {
                *slot = Slot::default();
            }
            Ok(())
        }
        Step::Done => {
            if slot.attempt.as_ref().is_some_and(|a| !a.in_flight()) {
                *slot = Slot::default();
            }
            Ok(())
        }
        Step::QuickTopUp { purchase, card } => {
            let client = client(app).await?;
            replace(slot, &client, Attempt::new(Origin::QuickTopUp, purchase)).await?;
            let attempt = current(slot)?;
            attempt.confirm(&client, card, false, &progress).await?;
            if matches!(attempt.stage(), Stage::Authenticating { .. }) {
                // The popover cannot show the bank's page; the wizard can.
                actions::open(app, WindowId::Wizard);
            }
            Ok(())
        }
        Step::WizardClosed => {
            if app.get_webview_window(WindowId::Wizard.label()).is_some() {
                // Opened again while this waited for a step to end: it shows the attempt.
                return Ok(());
            }
            let abandoned = slot
                .attempt
                .as_ref()
                .is_some_and(|a| matches!(a.stage(), Stage::AwaitingMethod { .. }));
            if abandoned && let Ok(client) = client(app).await {
                // Nothing was charged; tell the platform the payment will not be confirmed.
                let _ = current(slot)?.cancel(&client).await;
            }
            let seen = slot.shown && slot.attempt.as_ref().is_some_and(Attempt::finished);
            if abandoned || seen {
                *slot = Slot::default();
            }
            Ok(())
        }
    }
}

fn current(slot: &mut Slot) -> Result<&mut Attempt, AppError> {
    slot.attempt
        .as_mut()
        .ok_or_else(|| AppError::Payment("Choose an amount first.".to_owned()))
}

/// Puts a new attempt in the slot, unless one is in flight. An open payment left behind is
/// canceled on the way (it was never confirmed, so nothing is charged either way).
async fn replace(slot: &mut Slot, client: &LatticaClient, next: Attempt) -> Result<(), AppError> {
    if let Some(previous) = &mut slot.attempt {
        if previous.in_flight() {
            return Err(AppError::Payment(
                "Another payment is in progress. Open the add-credit window to see it.".to_owned(),
            ));
        }
        if let Err(error) = previous.cancel(client).await {
            tracing::warn!(%error, "could not cancel an abandoned payment");
        }
    }
    *slot = Slot {
        attempt: Some(next),
        ..Slot::default()
    };
    Ok(())
}

/// Follows up a step whose outcome is new: alerts, the quick top-up offer, the read-back.
fn ended<R: Runtime>(app: &AppHandle<R>, slot: &mut Slot, stage: &Stage) {
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
    let wizard_open = app.get_webview_window(WindowId::Wizard.label()).is_some();
    slot.shown = wizard_open || attempt.origin() == Origin::QuickTopUp;
    app.state::<Payments>().shared().offer = None;
    app.state::<EngineHandle>().send(Command::PaymentEnded {
        outcome,
        wizard_in_front: wizard_in_front(app),
    });
    if *stage == Stage::Succeeded
        && let Some(id) = attempt.payment().map(|p| p.id.clone())
    {
        slot.read_back = ReadBack::Pending;
        let app = app.clone();
        tauri::async_runtime::spawn(async move { read_back(app, id).await });
    }
}

/// Reads the balance back after the success of payment `id` and shows it.
async fn read_back<R: Runtime>(app: AppHandle<R>, id: String) {
    let balance = refreshed_balance(&app.state::<EngineHandle>(), READ_BACK_DEADLINE).await;
    tracing::info!(?balance, "the balance after a payment, read back");
    let payments = app.state::<Payments>();
    let mut slot = payments.slot.lock().await;
    let same = slot
        .attempt
        .as_ref()
        .and_then(Attempt::payment)
        .is_some_and(|p| p.id == id);
    if same {
        slot.read_back = balance.map_or(ReadBack::Unavailable, ReadBack::Read);
        publish(&app, &slot);
    }
}

fn wizard_in_front<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window(WindowId::Wizard.label())
        .is_some_and(|w| {
            w.is_visible().unwrap_or(false)
                && w.is_focused().unwrap_or(false)
                && !w.is_minimized().unwrap_or(false)
        })
}

fn view_of<R: Runtime>(app: &AppHandle<R>, attempt: &Attempt, read_back: &ReadBack) -> AttemptView {
    let quote: Quote = super::context::quote_now(app, attempt.purchase());
    let payments = app.state::<Payments>();
    let origin = payments
        .shared()
        .pricing
        .as_ref()
        .and_then(|p| p.payments_url.clone());
    AttemptView::of(attempt, quote, read_back, origin.as_ref())
}

/// The attempt's view, remembered and sent to every window.
fn publish<R: Runtime>(app: &AppHandle<R>, slot: &Slot) -> Option<AttemptView> {
    let view = slot
        .attempt
        .as_ref()
        .map(|a| view_of(app, a, &slot.read_back));
    emit(app, view)
}

/// Numbers `view`, remembers it and sends it to every window; answers it as sent.
fn emit<R: Runtime>(app: &AppHandle<R>, mut view: Option<AttemptView>) -> Option<AttemptView> {
    {
        let payments = app.state::<Payments>();
        let mut shared = payments.shared();
        shared.revision += 1;
        if let Some(view) = &mut view {
            view.revision = shared.revision;
        }
        shared.view.clone_from(&view);
    }
    if let Err(error) = app.emit(event::PAYMENT_UPDATED, &view) {
        tracing::warn!(%error, "could not send the payment's progress to the windows");
    }
    view
}

/// The attempt to show when the wizard opens: the one in flight or just finished, unless its
/// end was already seen. A step in progress (a payment being confirmed) is not waited for:
/// the wizard shows it as last published and follows it from there.
pub fn for_wizard<R: Runtime>(app: &AppHandle<R>) -> Option<AttemptView> {
    let payments = app.state::<Payments>();
    let Ok(mut slot) = payments.slot.try_lock() else {
        return latest(app);
    };
    if slot.shown && slot.attempt.as_ref().is_some_and(Attempt::finished) {
        *slot = Slot::default();
    }
    let view = publish(app, &slot);
    if slot.attempt.as_ref().is_some_and(Attempt::finished) {
        slot.shown = true;
    }
    view
}

/// The last published attempt, without waiting for a step in progress.
pub fn latest<R: Runtime>(app: &AppHandle<R>) -> Option<AttemptView> {
    app.state::<Payments>().shared().view.clone()
}

/// Follows the wizard window: once it is gone, a payment not yet confirmed is canceled and a
/// seen outcome forgotten; a payment in progress goes on.
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    if window.label() == WindowId::Wizard.label() && matches!(event, tauri::WindowEvent::Destroyed)
    {
        wizard_closed(window.app_handle());
    }
}

fn wizard_closed<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = apply(&app, Step::WizardClosed).await {
            tracing::warn!(%error, "tidying up after the wizard closed");
        }
    });
}

impl From<FlowError> for AppError {
    fn from(error: FlowError) -> Self {
        match error {
            FlowError::Client(error) => Self::from(error),
            other => Self::Payment(other.to_string()),
        }
    }
}
