//! A local implementation of the Lattica platform: the same wire protocol as the real one
//! (see `docs/platform-api.md`), real HTTP, real persistence in SQLite, continuous credit burn
//! with exact decimals, and a loopback-only control API for tests.
//!
//! It is a library first: the tray app embeds it with [`start`], tests spawn it the same way,
//! and the `lattica-sandbox` binary is a thin shell around it.

pub mod api;
pub mod control;
pub mod credits;
pub mod db;
pub mod domain;
pub mod faults;
pub mod hosted;
pub mod ledger;
pub mod payments;
pub mod pricing;
pub mod seed;
pub mod settler;
pub mod state;
pub mod time;
pub mod tokens;

mod config;
mod connections;
mod error;
mod server;

use axum::Router;

pub use config::{ApiProfile, ConnectionLimits, SandboxConfig};
pub use connections::LocalAddr;
pub use error::SandboxError;
pub use server::{RunningSandbox, start};
pub use state::AppState;

/// The platform API router: `/api/*` and, when enabled, `/control/*`. The control API takes
/// requests only with the peer's `ConnectInfo<SocketAddr>` and the listener's [`LocalAddr`]
/// in their extensions, which the sandbox's own listener ([`start`]) puts there.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/control/{*action}", axum::routing::any(control::entry))
        .fallback(api::entry);
    server::guard(routes).with_state(state)
}
