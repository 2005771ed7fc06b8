//! The IPC commands, one module per domain. Each is thin: it parses, delegates and maps the
//! error to [`crate::error::IpcError`]. `build.rs` lists them and `capabilities/*.json` grant
//! each window only its own.

pub mod account;
pub mod autotopup;
pub mod diagnostics;
pub mod payment;
pub mod session;
pub mod settings;
