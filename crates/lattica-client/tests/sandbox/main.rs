//! Integration tests of `lattica-client` against a real sandbox over real HTTP: one binary,
//! one fresh sandbox (and data directory) per test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod billing;
mod endpoints;
mod errors;
mod harness;
mod published;
mod retries;
mod secrets;
