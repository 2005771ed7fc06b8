//! Typed results of the published endpoints, and the tolerant readers they are built from.
//!
//! Readers accept what the platform and the official Python clients have been seen to send
//! (alternative key spellings, timestamps as strings or milliseconds, credits as numbers or
//! numeric strings), ignore unknown fields, and turn anything else into
//! [`ClientError::Malformed`] naming what was wrong. They never panic, whatever the input.

pub mod account;
pub mod catalog;
pub(crate) mod credits;
pub(crate) mod ids;
pub(crate) mod time;
pub mod worker;

use serde::de::DeserializeOwned;

use crate::error::ClientError;

pub use account::AccountInfo;
pub use catalog::Model;
pub use credits::parse_credits;
pub use time::parse_timestamp;
pub use worker::{Worker, WorkerSessionFilter, WorkerStatus};

/// Reads `T` from the JSON text of an endpoint's `result`, naming `what` in the error.
///
/// Goes straight from text (never through `serde_json::Value`) so that credits keep the
/// exact digits the server wrote.
pub(crate) fn read<T: DeserializeOwned>(raw: &str, what: &str) -> Result<T, ClientError> {
    serde_json::from_str(raw).map_err(|e| ClientError::Malformed(format!("{what}: {e}")))
}

/// The first byte of a JSON text that is not whitespace: tells an object from an array from a
/// scalar without parsing it twice.
pub(crate) fn first_token(raw: &str) -> Option<u8> {
    raw.bytes().find(|b| !b.is_ascii_whitespace())
}
