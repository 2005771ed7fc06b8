//! Follows the refresh loop's state and renders it: the tray item, the popover (through an
//! event, if it is open), and the sign-in window when the platform ends the session.

use std::time::Duration;

use chrono::Utc;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::actions;
use crate::engine::{EngineHandle, EngineState};
use crate::ipc::{WindowId, event};
use crate::present::{Presented, present};
use crate::session::Sessions;
use crate::tray::Tray;

/// Texts such as "as of 5 min ago" and the stale state depend on the clock, so the views are
/// rendered again this often even when nothing else changed.
const RERENDER: Duration = Duration::from_secs(30);

/// The views of the current state, as `get_view` and the event carry them.
pub fn current<R: Runtime>(app: &AppHandle<R>) -> Presented {
    let state = app.state::<EngineHandle>().state();
    let problem = app.state::<Sessions>().problem();
    present(&state, problem.as_deref(), Utc::now())
}

/// Starts following the loop; ends when the loop does.
pub fn spawn<R: Runtime>(app: AppHandle<R>) {
    let mut changes = app.state::<EngineHandle>().subscribe();
    tauri::async_runtime::spawn(async move {
        let mut sessions_ended = changes.borrow().sessions_ended;
        let mut tick = tokio::time::interval(RERENDER);
        loop {
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { break },
                _ = tick.tick() => {}
            }
            let state = std::sync::Arc::clone(&changes.borrow_and_update());
            render(&app, &state);
            if state.sessions_ended != sessions_ended {
                sessions_ended = state.sessions_ended;
                actions::session_ended(&app);
            }
        }
    });
}

fn render<R: Runtime>(app: &AppHandle<R>, state: &EngineState) {
    let problem = app.state::<Sessions>().problem();
    let shown = present(state, problem.as_deref(), Utc::now());
    if let Some(tray) = app.try_state::<Tray<R>>()
        && let Err(error) = tray.show(app, &shown.tray)
    {
        tracing::warn!(%error, "could not update the tray");
    }
    if app.get_webview_window(WindowId::Popover.label()).is_some()
        && let Err(error) = app.emit_to(
            WindowId::Popover.label(),
            event::VIEW_UPDATED,
            &shown.popover,
        )
    {
        tracing::warn!(%error, "could not send the view to the popover");
    }
}
