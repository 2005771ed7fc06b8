//! The background settler: stops every worker at the exact instant the credits run out, even
//! when no request comes in to notice.
//!
//! It sleeps until the earliest predicted depletion or a tick, whichever is sooner, and wakes
//! early whenever a mutation may have changed the burn (every mutation goes through
//! `AppState::write`, which wakes it), so an idle sandbox wakes twice a minute, not once a
//! second: it runs inside the tray app too.

use std::time::Duration;

use tokio::sync::watch;

use crate::state::AppState;
use crate::time;

/// Longest sleep between two looks: a safety net for a jump of the wall clock, by which
/// depletions are predicted, against the monotonic one tokio sleeps by (which stands still
/// while the machine is suspended).
const TICK: Duration = Duration::from_secs(30);

/// Runs until `stop` turns true (or its sender is gone).
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    loop {
        let now = time::now();
        let (due, next) = state.read(|ledger| {
            let mut due = Vec::new();
            let mut next = None;
            for account in ledger.accounts.values() {
                match account.depletion_at(ledger.time_scale) {
                    Some(at) if at <= now => due.push(account.id().to_owned()),
                    Some(at) => next = Some(next.map_or(at, |n: time::Instant| n.min(at))),
                    None => {}
                }
            }
            (due, next)
        });
        let mut wait = next.map_or(TICK, |at| (at - now).to_std().unwrap_or_default().min(TICK));
        if !due.is_empty() {
            let settled = state
                .query(move |store| {
                    due.iter()
                        .try_for_each(|id| store.update_account(id, |_, _, _| Ok(())))
                })
                .await;
            match settled {
                Ok(()) => {
                    tracing::info!("credits ran out: every worker stopped");
                    continue;
                }
                // Already logged as an internal error; retry on the next tick, not in a loop.
                Err(_) => wait = TICK,
            }
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = state.burn_changed() => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}
