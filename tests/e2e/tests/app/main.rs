//! The app end to end: the real binary in a headless desktop session against a real sandbox.
//! Linux only, like the harness (`lattica_e2e`): elsewhere this binary holds no test.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod account;
mod alerts;
mod auto_top_up;
mod choices;
mod cli;
mod demo;
mod payment_journal;
mod payments;
mod popover;
mod published;
mod settings;
mod shortcut;
mod shortcut_portal;
mod signin;
mod smoke;
mod soak;
mod soak_app;
mod support;
mod tray;
mod tray_click;
mod try_demo;
mod try_demo_shortcut;
mod watch;
mod wizard;

/// The small GlobalShortcuts portal lattica-portal's own tests run against (no desktop portal
/// with a GlobalShortcuts backend runs in this headless session); this suite uses only a part.
#[allow(dead_code)]
#[path = "../../../../crates/lattica-portal/tests/bus/portal.rs"]
mod fake_portal;
