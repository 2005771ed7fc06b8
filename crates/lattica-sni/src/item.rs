//! `org.kde.StatusNotifierItem` at `/StatusNotifierItem`: what a tray host reads and calls.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::mpsc::UnboundedSender;
use zbus::interface;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedObjectPath;

use crate::model::escape_markup;
use crate::{MENU_PATH, Shared, TrayEvent};

pub(crate) struct Item {
    pub(crate) shared: Arc<Mutex<Shared>>,
    pub(crate) events: UnboundedSender<TrayEvent>,
}

type Pixmaps = Vec<(i32, i32, Vec<u8>)>;

impl Item {
    fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn send(&self, event: TrayEvent) {
        // The receiver is gone only while the app quits: nobody is left to tell.
        let _ = self.events.send(event);
    }
}

#[interface(name = "org.kde.StatusNotifierItem")]
impl Item {
    #[zbus(property)]
    fn category(&self) -> &str {
        "ApplicationStatus"
    }

    #[zbus(property)]
    fn id(&self) -> String {
        self.shared().model.id.clone()
    }

    #[zbus(property)]
    fn title(&self) -> String {
        self.shared().model.title.clone()
    }

    #[zbus(property)]
    fn status(&self) -> &str {
        self.shared().model.status.as_str()
    }

    /// Empty: the icon travels as pixels ([`Self::icon_pixmap`]), so no theme or file is needed.
    #[zbus(property)]
    fn icon_name(&self) -> &str {
        ""
    }

    #[zbus(property)]
    fn icon_pixmap(&self) -> Pixmaps {
        self.shared().model.icon.iter().map(|p| p.wire()).collect()
    }

    #[zbus(property)]
    fn tool_tip(&self) -> (String, Pixmaps, String, String) {
        let shared = self.shared();
        (
            String::new(),
            Vec::new(),
            shared.model.tooltip_title.clone(),
            escape_markup(&shared.model.tooltip_body),
        )
    }

    /// False: a click is an action of its own (`Activate`), the menu is on the other button.
    #[zbus(property)]
    fn item_is_menu(&self) -> bool {
        false
    }

    #[zbus(property)]
    fn menu(&self) -> OwnedObjectPath {
        OwnedObjectPath::from(zbus::zvariant::ObjectPath::from_static_str_unchecked(
            MENU_PATH,
        ))
    }

    #[zbus(property, name = "XAyatanaLabel")]
    fn x_ayatana_label(&self) -> String {
        self.shared().model.label.clone()
    }

    #[zbus(property, name = "XAyatanaLabelGuide")]
    fn x_ayatana_label_guide(&self) -> String {
        self.shared().model.label_guide.clone()
    }

    fn activate(&self, x: i32, y: i32) {
        self.send(TrayEvent::Activate { x, y });
    }

    fn secondary_activate(&self, x: i32, y: i32) {
        self.send(TrayEvent::SecondaryActivate { x, y });
    }

    /// Nothing to do: hosts show the dbusmenu at `Menu` themselves.
    fn context_menu(&self, _x: i32, _y: i32) {}

    /// Nothing to scroll through.
    fn scroll(&self, _delta: i32, _orientation: &str) {}

    #[zbus(signal)]
    pub(crate) async fn new_title(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    pub(crate) async fn new_icon(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    pub(crate) async fn new_tool_tip(emitter: &SignalEmitter<'_>) -> zbus::Result<()>;

    #[zbus(signal)]
    pub(crate) async fn new_status(emitter: &SignalEmitter<'_>, status: &str) -> zbus::Result<()>;

    #[zbus(signal, name = "XAyatanaNewLabel")]
    pub(crate) async fn x_ayatana_new_label(
        emitter: &SignalEmitter<'_>,
        label: &str,
        guide: &str,
    ) -> zbus::Result<()>;
}
