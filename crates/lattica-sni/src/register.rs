//! Keeping the item registered with the StatusNotifierWatcher: at start, and again whenever
//! the watcher's name gets a new owner (a panel that restarts forgets every item).

use std::time::Duration;

use futures::StreamExt;
use zbus::Connection;
use zbus::fdo::DBusProxy;

use crate::WATCHER;

/// A watcher may own its name a moment before it answers on it (status-notifier-watcher
/// does): each attempt after an owner change is retried this many times, waiting twice as
/// long each time from [`FIRST_RETRY`] (about 6 s in all).
const RETRIES: u32 = 7;
const FIRST_RETRY: Duration = Duration::from_millis(50);
/// How long one attempt waits for an answer: a watcher that owns its name before it serves
/// its object may leave the call unanswered.
const ATTEMPT: Duration = Duration::from_secs(1);

/// Registers `name` now and after every change of the watcher's owner, until aborted.
pub(crate) async fn keep_registered(connection: Connection, name: String) {
    // Subscribed before the first attempt, so a watcher that appears in between is not missed.
    let owners = match DBusProxy::new(&connection).await {
        Ok(dbus) => dbus
            .receive_name_owner_changed_with_args(&[(0, WATCHER)])
            .await
            .map(|stream| (dbus, stream)),
        Err(error) => Err(error),
    };
    let mut told_absent = false;
    register_soon(&connection, &name, &mut told_absent).await;
    let (_dbus, mut owners) = match owners {
        Ok(owners) => owners,
        Err(error) => {
            tracing::warn!(%error, "cannot follow the StatusNotifierWatcher; the tray item registers only once");
            return;
        }
    };
    while let Some(signal) = owners.next().await {
        let has_owner = signal.args().is_ok_and(|args| args.new_owner().is_some());
        if has_owner {
            register_soon(&connection, &name, &mut told_absent).await;
        }
    }
}

/// Registers, retrying while a watcher is there but does not answer yet; without a watcher
/// at all it stops at once: its arrival (a new owner) starts the next attempt.
async fn register_soon(connection: &Connection, name: &str, told_absent: &mut bool) {
    let mut wait = FIRST_RETRY;
    for _ in 0..RETRIES {
        match register(connection, name, told_absent).await {
            Attempt::Registered | Attempt::NoWatcher => return,
            Attempt::Failed => {}
        }
        tokio::time::sleep(wait).await;
        wait = wait.saturating_mul(2);
    }
}

enum Attempt {
    Registered,
    NoWatcher,
    Failed,
}

async fn register(connection: &Connection, name: &str, told_absent: &mut bool) -> Attempt {
    let body = (name,);
    let call = connection.call_method(
        Some(WATCHER),
        "/StatusNotifierWatcher",
        Some(WATCHER),
        "RegisterStatusNotifierItem",
        &body,
    );
    let error = match tokio::time::timeout(ATTEMPT, call).await {
        Ok(Ok(_)) => {
            tracing::info!(name, "tray item registered with the StatusNotifierWatcher");
            return Attempt::Registered;
        }
        Ok(Err(error)) => error,
        Err(_) => {
            tracing::debug!("the StatusNotifierWatcher did not answer in time");
            return Attempt::Failed;
        }
    };
    if !*told_absent {
        *told_absent = true;
        tracing::info!(
            %error,
            "no StatusNotifierWatcher answers: the tray item waits for a panel to start one"
        );
    } else {
        tracing::debug!(%error, "registering the tray item");
    }
    let absent = matches!(
        zbus::fdo::Error::from(error),
        zbus::fdo::Error::ServiceUnknown(_) | zbus::fdo::Error::NameHasNoOwner(_)
    );
    if absent {
        Attempt::NoWatcher
    } else {
        Attempt::Failed
    }
}
