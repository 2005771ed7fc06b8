//! Marks for measuring the app from outside (`scripts/bench-footprint.sh`): always on, one log
//! line each, nothing else.

/// The popover has painted real figures on screen (its page calls this two animation frames
/// after rendering them, once per time it is shown). The log line's timestamp is the mark.
#[tauri::command]
pub fn popover_painted() {
    tracing::info!("bench: popover painted");
}
