//! The steps a payment attempt takes at the user's (or the auto top-up rule's) asking, each
//! run by the payment service in a task of its own.

use lattica_client::PaymentMethod;

use super::amount::Purchase;
use super::flow::Origin;

/// A step the user asked for.
#[derive(Debug)]
pub enum Step {
    /// The wizard's amount is chosen: open a payment for it.
    Begin(Purchase),
    Pay {
        card: PaymentMethod,
        save: bool,
    },
    /// The 3-D Secure page reported this payment as no longer waiting.
    Authenticated(String),
    CheckAgain,
    Cancel,
    /// The result was seen: forget the finished attempt.
    Done,
    /// The attempt of this origin was told or given up (auto top-up): one never confirmed is
    /// canceled and it is forgotten; an attempt of another origin is left alone.
    Release(Origin),
    /// The popover's one-click top-up.
    QuickTopUp {
        purchase: Purchase,
        card: PaymentMethod,
    },
    /// The auto top-up rule's purchase, under the key its crossing derives.
    AutoTopUp {
        purchase: Purchase,
        card: PaymentMethod,
        key: lattica_client::IdempotencyKey,
        /// The platform generation it was decided on (see `Payments::pinned`): refused once
        /// the app moved to another platform.
        generation: u64,
    },
    /// The wizard window was closed.
    WizardClosed,
}
