//! Integration tests: the sandbox started with `start()` on a temporary data directory and
//! exercised over real HTTP, plus the built binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod binary;
mod checks;
mod connections;
mod control;
mod endpoints;
mod faults;
mod fuzz;
mod helpers;
mod payments;
mod payments_cards;
mod payments_helpers;
mod payments_hosted;
mod payments_idempotency;
mod payments_saved;
mod persistence;
mod profiles;
mod record_payment;
mod workers;
