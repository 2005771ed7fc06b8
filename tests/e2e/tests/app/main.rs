//! The app end to end: the real binary in a headless desktop session against a real sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod alerts;
mod auto_top_up;
mod cli;
mod demo;
mod payment_journal;
mod payments;
mod popover;
mod published;
mod settings;
mod signin;
mod smoke;
mod support;
mod tray;
