//! The platform's objects as the sandbox keeps them in memory and serves them.

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::time::Instant;

/// Who an account belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Platform id of the account.
    pub account_id: String,
    /// When the account was opened.
    #[serde(serialize_with = "crate::time::serialize")]
    pub created_at: Instant,
    /// Login e-mail.
    pub email: String,
    /// Company name.
    pub company_name: String,
    /// Contact person.
    pub contact_name: String,
    /// Contact phone number.
    pub phone_number: String,
}

/// Whether a worker is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WorkerStatus {
    /// Running and burning credits.
    #[serde(rename = "UP")]
    Up,
    /// Stopped for good.
    #[serde(rename = "STOPPED")]
    Stopped,
}

impl WorkerStatus {
    /// The stored and wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Up => "UP",
            Self::Stopped => "STOPPED",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "UP" => Some(Self::Up),
            "STOPPED" => Some(Self::Stopped),
            _ => None,
        }
    }
}

/// One worker session: a model running on an instance for a while.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Worker {
    /// Platform id of the session.
    pub worker_session_id: String,
    /// The model it runs.
    pub model_id: String,
    /// The instance type it burns credits for (a sandbox extra on the wire).
    pub instance_type_id: String,
    /// `UP` or `STOPPED`.
    pub status: WorkerStatus,
    /// When it started.
    #[serde(serialize_with = "crate::time::serialize")]
    pub started_at: Instant,
    /// When it stopped, `null` while up.
    #[serde(serialize_with = "crate::time::serialize_opt")]
    pub stopped_at: Option<Instant>,
}

impl Worker {
    /// Whether it is still burning credits.
    pub fn is_up(&self) -> bool {
        self.status == WorkerStatus::Up
    }

    /// Stops it at `at` (no-op when already stopped).
    pub fn stop(&mut self, at: Instant) {
        if self.is_up() {
            self.status = WorkerStatus::Stopped;
            self.stopped_at = Some(at);
        }
    }
}

/// A deployed model workers can be started for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    /// Platform id.
    pub model_id: String,
    /// Human name.
    pub model_name: String,
    /// Deployment status, e.g. `READY`.
    pub status: String,
    /// The instance type its workers run on.
    pub instance_type_id: String,
    /// GPUs per worker.
    pub num_devices: u32,
    /// `private` or `public`.
    pub visibility: String,
}

/// An account with everything the hot path reads: balance, models, workers.
///
/// The balance is settled lazily: `balance` was exact at `settled_at`, and the workers that are
/// up have burned continuously since (see [`crate::ledger`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Who it is.
    pub profile: Profile,
    /// Credits at `settled_at`.
    pub balance: Decimal,
    /// When `balance` was last settled.
    pub settled_at: Instant,
    /// Its models, in creation order.
    pub models: Vec<Model>,
    /// Its worker sessions, in start order (never removed, so indexes are stable).
    pub workers: Vec<Worker>,
}

impl Account {
    /// Platform id.
    pub fn id(&self) -> &str {
        &self.profile.account_id
    }

    /// The model called `model_id`.
    pub fn model(&self, model_id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.model_id == model_id)
    }
}

/// A token as stored: only its SHA-256 is known, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// Public id (safe to show, e.g. in the control API's `state`).
    pub token_id: String,
    /// Hex SHA-256 of the token.
    pub hash: String,
    /// The account it opens.
    pub account_id: String,
    /// When it was issued.
    pub created_at: Instant,
    /// When it stops working.
    pub expires_at: Instant,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Instant>,
}

/// A bearer token in clear. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token.
    pub fn new(token: String) -> Self {
        Self(token)
    }

    /// The token itself, for the few places that must hand it out.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}
