//! The payment service's one slot: the attempt in progress or just ended, with what is known
//! about it, and the two ways an attempt enters it.

use lattica_client::LatticaClient;

use super::flow::{Attempt, FlowError};
use super::view::ReadBack;
use crate::error::AppError;

#[derive(Debug, Default)]
pub(super) struct Slot {
    pub(super) attempt: Option<Attempt>,
    pub(super) read_back: ReadBack,
    /// Someone saw how the attempt ended (the wizard was open, or the popover asked).
    pub(super) shown: bool,
    /// The journal's attempt from before a restart is settled (or there was none).
    pub(super) recovered: bool,
    /// An auto top-up went through and is not told yet: its record stays in the journal (a
    /// restart tells it) until [`Step::Release`](super::Step::Release).
    pub(super) untold: bool,
}

impl Slot {
    /// No attempt any more; what was settled at start stays settled.
    pub(super) fn clear(&mut self) {
        *self = Self {
            recovered: self.recovered,
            ..Self::default()
        };
    }
}

pub(super) fn current(slot: &mut Slot) -> Result<&mut Attempt, AppError> {
    slot.attempt
        .as_mut()
        .ok_or(AppError::Payment(FlowError::NoAttempt))
}

/// Puts a new attempt in the slot, unless one is in flight. An open payment left behind is
/// canceled on the way (it was never confirmed, so nothing is charged either way).
pub(super) async fn replace(
    slot: &mut Slot,
    client: &LatticaClient,
    next: Attempt,
) -> Result<(), AppError> {
    if let Some(previous) = &mut slot.attempt {
        if previous.in_flight() {
            return Err(AppError::Payment(FlowError::AnotherInProgress));
        }
        if let Err(error) = previous.cancel(client).await {
            tracing::warn!(%error, "could not cancel an abandoned payment");
        }
    }
    *slot = Slot {
        attempt: Some(next),
        recovered: slot.recovered,
        ..Slot::default()
    };
    Ok(())
}
