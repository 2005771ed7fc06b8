//! The Linux tray item without GTK: an `org.kde.StatusNotifierItem` with a
//! `com.canonical.dbusmenu` menu over zbus. Hosts call `Activate` (a click, with where it was),
//! read the label (`XAyatanaLabel`), tooltip, title and icon pixels, and show the menu.
//! The item registers with the `org.kde.StatusNotifierWatcher` when there is one, again each
//! time the watcher's name gets a new owner (a panel restart), and serves regardless.

mod item;
mod menu;
mod model;
mod register;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;
use zbus::Connection;
use zbus::object_server::SignalEmitter;

pub use model::{MenuItem, Model, Pixmap, PixmapError, Status};

use item::Item;
use menu::Menu;
use model::MenuIds;

/// Where the item lives on its connection.
pub const ITEM_PATH: &str = "/StatusNotifierItem";
/// Where its menu lives (the item's `Menu` property).
pub const MENU_PATH: &str = "/MenuBar";
/// The watcher's well-known name, object path and interface.
pub const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// What the user did with the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayEvent {
    /// The primary click; `(0, 0)` when the host gives no position.
    Activate { x: i32, y: i32 },
    /// The middle click.
    SecondaryActivate { x: i32, y: i32 },
    /// A menu row was clicked: the id the caller gave it.
    Menu(String),
}

/// Starting the item failed: no session bus, or the name could not be had.
#[derive(Debug, thiserror::Error)]
#[error("cannot put the tray item on the session bus: {0}")]
pub struct Error(#[from] zbus::Error);

/// The state both interfaces read.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) model: Model,
    pub(crate) ids: MenuIds,
    /// The menu layout's revision, bumped on every menu change.
    pub(crate) revision: u32,
}

impl Shared {
    /// The menu's rows with their dbusmenu numbers.
    pub(crate) fn rows(&mut self) -> Vec<(i32, MenuItem)> {
        let numbers = self.ids.numbers(&self.model.menu);
        numbers.into_iter().zip(self.model.menu.clone()).collect()
    }
}

/// A signal to send, in the order the changes were made.
#[derive(Debug)]
enum Change {
    Title,
    Icon,
    ToolTip,
    Status(Status),
    Label(String, String),
    /// `ItemsPropertiesUpdated`: the rows' new properties, and the keys each row no longer
    /// sends because they went back to their default.
    Items(menu::UpdatedProperties, menu::RemovedProperties),
    Layout(u32),
}

/// Starts tray items.
#[derive(Debug)]
pub struct Tray;

/// Numbers this process's items, for their well-known names.
static SERIAL: AtomicU32 = AtomicU32::new(0);

impl Tray {
    /// Puts an item showing `model` on the session bus; user actions arrive on `events`.
    pub async fn spawn(
        model: Model,
        events: UnboundedSender<TrayEvent>,
    ) -> Result<TrayHandle, Error> {
        Self::spawn_with(zbus::connection::Builder::session()?, model, events).await
    }

    /// As [`Tray::spawn`], on the bus at `address` (tests run a private bus).
    pub async fn spawn_on(
        address: &str,
        model: Model,
        events: UnboundedSender<TrayEvent>,
    ) -> Result<TrayHandle, Error> {
        Self::spawn_with(zbus::connection::Builder::address(address)?, model, events).await
    }

    async fn spawn_with(
        builder: zbus::connection::Builder<'_>,
        model: Model,
        events: UnboundedSender<TrayEvent>,
    ) -> Result<TrayHandle, Error> {
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed) + 1;
        let name = format!("org.kde.StatusNotifierItem-{}-{serial}", std::process::id());
        let shared = Arc::new(Mutex::new(Shared {
            model,
            ids: MenuIds::default(),
            revision: 1,
        }));
        let connection = builder
            .serve_at(
                ITEM_PATH,
                Item {
                    shared: shared.clone(),
                    events: events.clone(),
                },
            )?
            .serve_at(
                MENU_PATH,
                Menu {
                    shared: shared.clone(),
                    events,
                },
            )?
            .name(name.clone())?
            .build()
            .await?;
        let (changes, pending) = mpsc::unbounded_channel();
        let emitter = tokio::spawn(emit(connection.clone(), pending));
        let registrar = tokio::spawn(register::keep_registered(connection.clone(), name.clone()));
        Ok(TrayHandle {
            connection,
            name,
            shared,
            changes,
            tasks: [emitter, registrar],
        })
    }
}

/// The running item. Dropping it leaves the item up until the process ends; call
/// [`TrayHandle::shutdown`] to take it off the panel.
#[derive(Debug)]
pub struct TrayHandle {
    connection: Connection,
    name: String,
    shared: Arc<Mutex<Shared>>,
    changes: UnboundedSender<Change>,
    tasks: [JoinHandle<()>; 2],
}

impl TrayHandle {
    /// The item's well-known bus name (`org.kde.StatusNotifierItem-<pid>-<n>`).
    pub fn bus_name(&self) -> &str {
        &self.name
    }

    /// Changes what the item shows and tells hosts only what changed. Does not wait for the
    /// bus: callable from any thread, including a UI loop.
    pub fn update(&self, change: impl FnOnce(&mut Model)) {
        let mut shared = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        let old = shared.model.clone();
        change(&mut shared.model);
        let mut signals = Vec::new();
        let new = &shared.model;
        if old.title != new.title {
            signals.push(Change::Title);
        }
        if old.icon != new.icon {
            signals.push(Change::Icon);
        }
        if (&old.tooltip_title, &old.tooltip_body) != (&new.tooltip_title, &new.tooltip_body) {
            signals.push(Change::ToolTip);
        }
        if old.status != new.status {
            signals.push(Change::Status(new.status));
        }
        if (&old.label, &old.label_guide) != (&new.label, &new.label_guide) {
            signals.push(Change::Label(new.label.clone(), new.label_guide.clone()));
        }
        if old.menu != new.menu {
            let new_menu = new.menu.clone();
            let before = shared.ids.numbers(&old.menu);
            let after = shared.ids.numbers(&new_menu);
            if before == after {
                // Same rows in the same order: only their properties, for hosts that patch an
                // open menu. The layout (its revision) is the same.
                signals.push(menu::changed_properties(&after, &old.menu, &new_menu));
            } else {
                shared.revision = shared.revision.wrapping_add(1);
                signals.push(Change::Layout(shared.revision));
            }
        }
        drop(shared);
        for signal in signals {
            // The emitter is gone only after shutdown.
            let _ = self.changes.send(signal);
        }
    }

    /// Takes the item off the bus: releasing its name is what tells the watcher it is gone.
    pub async fn shutdown(self) {
        for task in &self.tasks {
            task.abort();
        }
        if let Err(error) = self.connection.release_name(self.name.as_str()).await {
            tracing::debug!(%error, "releasing the tray item's name");
        }
    }
}

/// Sends the signals for each change, in order, until the handle is gone.
async fn emit(connection: Connection, mut pending: UnboundedReceiver<Change>) {
    let (Ok(item), Ok(menu)) = (
        SignalEmitter::new(&connection, ITEM_PATH),
        SignalEmitter::new(&connection, MENU_PATH),
    ) else {
        return;
    };
    while let Some(change) = pending.recv().await {
        let sent = match change {
            Change::Title => Item::new_title(&item).await,
            Change::Icon => Item::new_icon(&item).await,
            Change::ToolTip => Item::new_tool_tip(&item).await,
            Change::Status(status) => Item::new_status(&item, status.as_str()).await,
            Change::Label(label, guide) => Item::x_ayatana_new_label(&item, &label, &guide).await,
            Change::Items(updated, removed) => {
                Menu::items_properties_updated(&menu, updated, removed).await
            }
            Change::Layout(revision) => Menu::layout_updated(&menu, revision, 0).await,
        };
        if let Err(error) = sent {
            tracing::debug!(%error, "a tray signal was not sent");
        }
    }
}
