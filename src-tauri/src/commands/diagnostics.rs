//! Marks for measuring the app from outside (`scripts/bench-footprint.sh`): always on, one log
//! line each, nothing else.

use serde::Deserialize;

/// Where the time of one showing went, in milliseconds since the page's navigation started
/// (`performance.now()` on the page). All optional: a kept page shown again has no load.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PaintTiming {
    /// The page's `performance.timeOrigin`, Unix ms: when its navigation began.
    origin: Option<u64>,
    /// The HTML was received.
    html: Option<u64>,
    /// The popover's script started running (every module and stylesheet loaded).
    script: Option<u64>,
    /// The view model arrived from the shell.
    view: Option<u64>,
    /// Rendered and painted (two animation frames after the render).
    painted: Option<u64>,
}

/// The popover has painted real figures on screen (its page calls this two animation frames
/// after rendering them, once per time it is shown). The log line's timestamp is the mark; its
/// fields say where a first showing's time went.
#[tauri::command]
pub fn popover_painted(timing: Option<PaintTiming>) {
    let t = timing.unwrap_or_default();
    tracing::info!(
        origin = t.origin,
        html = t.html,
        script = t.script,
        view = t.view,
        painted = t.painted,
        "bench: popover painted"
    );
}
