//! The app end to end: the real binary in a headless desktop session against a real sandbox.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod alerts;
mod cli;
mod demo;
mod payments;
mod popover;
mod published;
mod settings;
mod signin;
mod smoke;
mod soak;
mod soak_app;
mod support;
mod tray;
