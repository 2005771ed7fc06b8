//! Adding credit: the amount and its price, one attempt's payment flow with its idempotency
//! keys, and the shell around it (one attempt at a time in Rust state, surviving the wizard
//! window; the balance read back after a success; alerts).
//!
//! Card numbers and security codes never come here: the card is entered in the payment
//! service's own page, framed by the wizard, which hands over only an opaque `pm_…` token
//! with the brand, the last four digits and the expiry.

mod amount;
mod card;
mod context;
mod decline;
mod flow;
mod readback;
mod service;
mod view;

#[cfg(test)]
mod commands_tests;
#[cfg(test)]
mod flow_tests;
#[cfg(test)]
mod readback_tests;

pub use card::Card;
pub use context::{purchase, quick_offer, quick_top_up, quote, wizard};
pub use service::{Payments, Step, latest, on_window_event, run};
pub use view::{AttemptView, QuickOffer, WizardContext};

pub use amount::Quote;
