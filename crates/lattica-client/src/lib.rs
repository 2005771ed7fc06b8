//! Typed async client for the Lattica platform's wire protocol (`docs/platform-api.md`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), lattica_client::ClientError> {
//! use lattica_client::{ClientConfig, LatticaClient, SessionToken};
//!
//! let token = SessionToken::parse("  pasted-token  ")?;
//! let client = LatticaClient::new(ClientConfig::from_env()?, token)?;
//! let credits = client.get_account_credits().await?;
//! let running = client.running_workers().await?;
//! # let _ = (credits, running);
//! # Ok(())
//! # }
//! ```
//!
//! The published endpoints are methods of [`LatticaClient`]; the project's own (pricing,
//! payments) come from [`billing`], which is the one module to replace for a real backend.

mod api;
pub mod billing;
mod capabilities;
pub mod config;
mod envelope;
pub mod error;
pub mod model;
pub mod token;
mod transport;

#[cfg(test)]
mod robustness_tests;

pub use api::LatticaClient;
pub use billing::{
    CreditLimits, IdempotencyKey, InstanceType, Money, NextAction, Payment, PaymentMethod,
    PaymentRecord, PaymentStatus, Pricing,
};
pub use config::{ClientConfig, ClientInfo, RetryPolicy};
pub use error::ClientError;
pub use model::{AccountInfo, Model, Worker, WorkerSessionFilter, WorkerStatus};
pub use token::{SessionToken, TokenError};
