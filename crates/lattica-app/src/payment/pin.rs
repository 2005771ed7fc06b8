//! What an auto top-up is tied to: the platform the app was on when the rule decided to buy.

use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use super::auto::{STORE, Stored};
use super::journal::Journal;
use super::service::Payments;

/// What an auto top-up is tied to from its decision to its end: the journal of the platform
/// it was decided on (its rule and ledger live there) and that platform's generation. A move
/// into or out of the demo meanwhile stops it, and its reservation goes back to that journal.
#[derive(Clone)]
pub(super) struct Pin {
    journal: Option<Journal>,
    pub(super) generation: u64,
}

impl Pin {
    pub(super) fn stored(&self) -> Stored {
        self.journal
            .as_ref()
            .and_then(|j| j.load_value(STORE))
            .unwrap_or_default()
    }

    pub(super) fn save(&self, stored: &Stored) -> bool {
        match &self.journal {
            Some(journal) => journal
                .save_value(STORE, stored)
                .inspect_err(|error| tracing::error!(%error, "could not save auto top-up"))
                .is_ok(),
            None => false,
        }
    }
}

impl Payments {
    /// The platform the app is on now (its journal and generation, read together under the
    /// journal's lock), to tie an auto top-up to.
    pub(super) fn pin(&self) -> Pin {
        let journal = self
            .0
            .journal
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Pin {
            journal: journal.clone(),
            generation: self.generation(),
        }
    }

    /// How many times the app moved to another platform's journal.
    pub(super) fn generation(&self) -> u64 {
        self.0.generation.load(Ordering::SeqCst)
    }

    /// Whether the app left the platform `pin` was taken on.
    pub(super) fn moved(&self, pin: &Pin) -> bool {
        self.generation() != pin.generation
    }
}
