//! Lattica Tray's logic with no window attached: estimates, account levels, alert policy,
//! local history, settings and the view models the shell renders. Nothing here depends on
//! Tauri, so all of it is tested as plain Rust.

pub mod alerts;
pub mod autotopup;
pub mod estimate;
pub mod format;
pub mod history;
pub mod input;
pub mod level;
pub mod settings;
pub mod shortcut;
pub mod view;
