//! Adding credit: the amount and its price, one attempt's payment flow with its idempotency
//! keys, and the service around it (one attempt at a time, surviving the wizard window; the
//! balance read back after a success; alerts), and the journal that lets an attempt survive
//! a crash.
//!
//! Card numbers and security codes never come here: the card is entered in the payment
//! service's own page, framed by the wizard, which hands over only an opaque `pm_…` token
//! with the brand, the last four digits and the expiry; a saved card reaches a window only by
//! a handle of this run.

mod amount;
mod auto;
mod auto_form;
mod auto_later;
mod card;
mod cards;
mod context;
mod decline;
mod flow;
mod follow;
mod handles;
mod journal;
mod pin;
mod readback;
mod resume;
mod service;
mod slot;
mod step;
mod view;

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod journal_account_tests;
#[cfg(test)]
mod journal_tests;
#[cfg(test)]
mod journal_vault_tests;
#[cfg(test)]
mod readback_tests;

pub use amount::{AmountError, Purchase, Quote};
pub use auto::RETRIES as AUTO_TOP_UP_RETRIES;
pub use auto_form::{AutoTopUpForm, AutoTopUpView};
pub use card::{CardError, CardView, check as check_card};
pub use cards::{SavedCard, SavedCards};
pub use decline::Decline;
pub use flow::{FlowError, Origin, RESEND_DELAY};
pub use journal::{CardVault, Journal, KeychainCards, MemoryCards};
pub use service::{PaymentWindows, Payments, Step};
pub use view::{AttemptView, QuickOffer, WizardContext};
