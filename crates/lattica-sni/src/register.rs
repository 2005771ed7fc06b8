//! Keeping the item registered with the StatusNotifierWatcher: at start, and again whenever
//! the watcher's name gets a new owner (a panel that restarts forgets every item).

use futures::StreamExt;
use zbus::Connection;
use zbus::fdo::DBusProxy;

use crate::WATCHER;

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
    register(&connection, &name, &mut told_absent).await;
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
            register(&connection, &name, &mut told_absent).await;
        }
    }
}

async fn register(connection: &Connection, name: &str, told_absent: &mut bool) {
    let answer = connection
        .call_method(
            Some(WATCHER),
            "/StatusNotifierWatcher",
            Some(WATCHER),
            "RegisterStatusNotifierItem",
            &(name,),
        )
        .await;
    match answer {
        Ok(_) => tracing::info!(name, "tray item registered with the StatusNotifierWatcher"),
        Err(error) if !*told_absent => {
            *told_absent = true;
            tracing::info!(
                %error,
                "no StatusNotifierWatcher answers: the tray item waits for a panel to start one"
            );
        }
        Err(error) => tracing::debug!(%error, "registering the tray item"),
    }
}
