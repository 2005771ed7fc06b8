//! The balance after a payment, read back from the platform through the refresh loop: the
//! app never adds the credits to the old balance itself, it shows what the platform says.

use std::time::Duration;

use chrono::Utc;
use rust_decimal::Decimal;
use tokio::time::{Instant, timeout};

use crate::engine::{Command, EngineHandle};

/// How long to keep asking for a refresh before giving up (the popover catches up later).
pub const READ_BACK_DEADLINE: Duration = Duration::from_secs(20);
/// How long one refresh may take before another is asked for.
const PER_REFRESH: Duration = Duration::from_secs(5);

/// Refreshes and returns the balance of a refresh that started after this call began, so
/// its figures were read after anything that happened before (a payment that succeeded).
/// `None` if no such refresh succeeds by the deadline, or the loop has no session.
pub async fn refreshed_balance(engine: &EngineHandle, deadline: Duration) -> Option<Decimal> {
    let until = Instant::now() + deadline;
    let mut changes = engine.subscribe();
    // A refresh already running may have read the balance before the payment: let it end.
    // The loop publishes `refreshing` before it sends anything, so once it reads false,
    // every refresh that ends later was started later.
    let idle = timeout(
        until.saturating_duration_since(Instant::now()),
        changes.wait_for(|s| !s.refreshing),
    )
    .await
    .is_ok_and(|waited| waited.is_ok());
    if !idle {
        return None;
    }
    let since = Utc::now();
    while Instant::now() < until {
        engine.send(Command::RefreshNow);
        let wait = PER_REFRESH.min(until.saturating_duration_since(Instant::now()));
        let fresh = timeout(
            wait,
            changes.wait_for(|s| s.snapshot.as_ref().is_some_and(|s| s.fetched_at > since)),
        )
        .await;
        match fresh {
            Ok(Ok(state)) => return state.snapshot.as_ref().map(|s| s.balance),
            // The loop ended (the app is quitting).
            Ok(Err(_)) => return None,
            // That refresh failed or is slow: ask again (a running one is not doubled).
            Err(_) => {}
        }
    }
    None
}
