//! Follows the refresh loop's state and renders it through lattica-core's view models (which
//! own every text): the tray item, the popover's view (which the page pulls, see [`Views`]),
//! and the sign-in window when the platform ends the session.

use std::time::Duration;

use chrono::{DateTime, Local, Utc};
use lattica_app::engine::{EngineHandle, EngineState};
use lattica_app::session::Sessions;
use lattica_core::view::{PopoverView, Session, TrayView, ViewInput};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::watch;

use crate::actions;
use crate::tray::Tray;
use crate::windows::PopoverLife;

/// Texts such as "as of 5 min ago" and the stale state depend on the clock, so the views are
/// rendered again this often even when nothing else changed.
const RERENDER: Duration = Duration::from_secs(30);
/// While the popover is on screen its ages ("Updated 12 s ago") tick by the second.
const RERENDER_VISIBLE: Duration = Duration::from_secs(1);

/// The popover's view model: lattica-core's view, with what the page needs around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PopoverModel {
    #[serde(flatten)]
    pub view: PopoverView,
    pub signed_in: bool,
    /// A refresh is in flight: the refresh button spins.
    pub refreshing: bool,
}

/// What the tray and the popover show for one state of the refresh loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub tray: TrayView,
    pub popover: PopoverModel,
}

/// Renders `state` (with the keychain's `problem`, if any) at `now`.
pub fn present(state: &EngineState, problem: Option<&str>, now: DateTime<Utc>) -> Presented {
    let input = ViewInput {
        session: state.session,
        connection: &state.connection,
        snapshot: state.snapshot.as_ref(),
        history: &state.chart,
        observed_burn_per_hour: state.observed_burn_per_hour,
        settings: &state.settings,
        refreshing: state.refreshing,
        keychain_problem: problem,
        credits_added: state.credits_added.as_ref(),
        watching_for_credits: state.watching_for_credits,
        set_aside: &state.set_aside,
        now,
        tz: &Local,
    };
    let (mut tray, mut popover) = (input.tray(), input.popover());
    if state.demo {
        // Never mistaken for a real account: every view of the demo says what it is.
        tray = tray.in_demo();
        popover = popover.in_demo();
    }
    Presented {
        tray,
        popover: PopoverModel {
            view: popover,
            signed_in: state.session == Session::SignedIn,
            refreshing: state.refreshing,
        },
    }
}

/// The popover's view with its number: each view that differs from the last gets the next one.
#[derive(Debug, Clone, Serialize)]
pub struct NumberedView {
    pub version: u64,
    pub view: PopoverModel,
}

/// The popover's latest view, for the page to pull (`next_view`). Pulled, not pushed: an event
/// (and a page's listening to one) reaches the page as a script the shell evaluates in it, and
/// WebKitGTK builds each evaluation's result in the app's own process with a JavaScript engine
/// of its own, which then stays loaded for good (about 5.6 MiB, BENCHMARKS.md). A command's
/// answer needs none of that.
#[derive(Debug)]
pub struct Views(watch::Sender<NumberedView>);

impl Views {
    /// Starts at version 1 with `view`.
    pub fn new(view: PopoverModel) -> Self {
        Self(watch::Sender::new(NumberedView { version: 1, view }))
    }

    /// Makes `view` the latest, numbered anew if it differs from the current one.
    pub fn publish(&self, view: PopoverModel) {
        self.0.send_if_modified(|current| {
            if current.view == view {
                return false;
            }
            current.version += 1;
            current.view = view;
            true
        });
    }

    /// Numbers the current view anew, unchanged: the popover takes it as news and reads what
    /// it keeps beside the view (the quick top-up offer) again.
    pub fn renumber(&self) {
        self.0.send_modify(|current| current.version += 1);
    }

    /// The latest view once its number is above `after`: at once if it is already.
    pub async fn after(&self, after: u64) -> NumberedView {
        let mut latest = self.0.subscribe();
        // `self` holds the sender, so the channel cannot close while this waits.
        match latest.wait_for(|current| current.version > after).await {
            Ok(view) => view.clone(),
            Err(_) => self.0.borrow().clone(),
        }
    }
}

/// The views of the current state, rendered now.
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
        let mut shown = app.state::<PopoverLife>().watch_shown();
        // The first pass renders at once: the tray shows the state the loop starts in.
        let mut first = true;
        loop {
            let period = if *shown.borrow() {
                RERENDER_VISIBLE
            } else {
                RERENDER
            };
            if !std::mem::take(&mut first) {
                tokio::select! {
                    changed = changes.changed() => if changed.is_err() { break },
                    // Shown or hidden: the page gets current ages at once, then every second.
                    changed = shown.changed() => if changed.is_err() { break },
                    () = tokio::time::sleep(period) => {}
                }
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
    app.state::<Views>().publish(shown.popover);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use lattica_core::settings::Settings;
    use lattica_core::view::{SignOutReason, TrayState};

    use crate::tests::signed_in_with_balance;

    #[test]
    fn signed_in_shows_the_balance_everywhere() {
        let shown = present(&signed_in_with_balance(), None, Utc::now());
        assert!(shown.tray.signed_in);
        assert!(
            shown.tray.balance_row.contains("249.51"),
            "{}",
            shown.tray.balance_row
        );
        assert!(shown.tray.status_row.starts_with("Updated at"));
        assert_eq!(shown.popover.view.balance.as_deref(), Some("249.51"));
        assert_eq!(
            shown.popover.view.updated_ago.as_deref(),
            Some("Updated just now")
        );
    }

    #[test]
    fn signed_out_shows_no_figures() {
        let mut state = signed_in_with_balance();
        state.session = Session::SignedOut {
            reason: SignOutReason::Expired,
        };
        let shown = present(&state, None, Utc::now());
        assert_eq!(shown.tray.state, TrayState::SignedOut);
        assert!(!shown.popover.signed_in);
        assert_eq!(shown.popover.view.updated_ago, None);
        assert_eq!(shown.popover.view.balance, None);
    }

    #[test]
    fn the_demo_is_labelled_in_the_tray_and_the_popover() {
        let mut state = signed_in_with_balance();
        state.demo = true;
        let shown = present(&state, None, Utc::now());
        let label = lattica_core::view::DEMO_LABEL;
        assert!(shown.tray.tooltip.contains(label), "{}", shown.tray.tooltip);
        assert!(shown.tray.status_row.starts_with(label));
        assert_eq!(shown.popover.view.demo.as_deref(), Some(label));
        let real = present(&signed_in_with_balance(), None, Utc::now());
        assert_eq!(real.popover.view.demo, None);
        assert!(!real.tray.tooltip.contains(label));
    }

    #[test]
    fn a_missing_keychain_is_an_error_state() {
        let state = EngineState::new(Settings::default(), false);
        let shown = present(&state, Some("no keychain available"), Utc::now());
        assert_eq!(shown.tray.state, TrayState::Error);
        assert_eq!(
            shown.popover.view.error.as_deref(),
            Some("no keychain available")
        );
    }

    fn view(signed_in: bool) -> PopoverModel {
        let state = EngineState::new(Settings::default(), signed_in);
        present(&state, None, Utc::now()).popover
    }

    #[tokio::test]
    async fn a_newer_view_is_answered_at_once_and_the_same_one_is_not_renumbered() {
        let views = Views::new(view(true));
        assert_eq!(views.after(0).await.version, 1);
        views.publish(view(true));
        assert_eq!(
            views.after(0).await.version,
            1,
            "an equal view keeps its number"
        );
        views.publish(view(false));
        let latest = views.after(1).await;
        assert_eq!(latest.version, 2);
        assert!(!latest.view.signed_in);
    }

    #[tokio::test]
    async fn the_page_waits_until_a_different_view_is_published() {
        let views = std::sync::Arc::new(Views::new(view(true)));
        let waiting = tokio::spawn({
            let views = std::sync::Arc::clone(&views);
            async move { views.after(1).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "answered without a newer view");
        views.publish(view(false));
        let answer = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("answered once published")
            .expect("the waiting task");
        assert_eq!(answer.version, 2);
    }
}
