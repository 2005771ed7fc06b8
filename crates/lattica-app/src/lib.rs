//! Lattica Tray's running app without a window: the refresh engine and the state it
//! publishes, the fetch of one snapshot, the alert runner, the session (the token in the OS
//! keychain and the one signed-in client), the payment flow and its service, and the command
//! line. Nothing here depends on Tauri: the tray shell (`src-tauri`) renders what this crate
//! publishes, and the `lattica-tray` command line runs it without GTK.

pub mod alerting;
pub mod backend;
pub mod cli;
pub mod demo;
pub mod engine;
pub mod error;
pub mod fetch;
pub mod locale;
pub mod logging;
pub mod manual;
pub mod paths;
pub mod payment;
pub mod platform;
pub mod prefs;
pub mod reset;
pub mod session;

pub use error::AppError;
