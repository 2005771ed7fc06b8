//! The Linux tray item: a StatusNotifierItem of our own (lattica-sni) on the session bus, so a
//! click reaches the app (`Activate`, with where it was), the label (`XAyatanaLabel`), title
//! and tooltip carry the figures, and the icon travels as pixels. It serves whether or not a
//! panel is there, and comes back when a panel (re)starts.

use std::sync::{Mutex, PoisonError};

use lattica_core::view::{TrayState, TrayView};
use lattica_sni::{MenuItem, Model, Pixmap, TrayEvent, TrayHandle};
use tauri::{AppHandle, PhysicalPosition, PhysicalSize, Runtime};

use super::{Row, rows};
use crate::actions;
use crate::icons::tray_icon;
use crate::windows::Anchor;

/// The item's `Id`: a stable name for the app.
const ITEM_ID: &str = "lattica-tray";
/// The widest label the item is expected to show, so panels can reserve its width.
const LABEL_GUIDE: &str = "999.9k cr";
/// How long quitting waits for the bus to take the item off the panel.
const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The app's tray item, managed as state.
pub struct Tray<R: Runtime> {
    item: Mutex<Option<TrayHandle>>,
    /// Each state's icon, decoded once.
    icons: Vec<(TrayState, Pixmap)>,
    _runtime: std::marker::PhantomData<fn() -> R>,
}

impl<R: Runtime> std::fmt::Debug for Tray<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tray")
    }
}

impl<R: Runtime> Tray<R> {
    /// Puts the item showing `model` on the session bus. Without a session bus the app runs
    /// without a tray item (and says so in the log): its windows still open from a second launch.
    pub fn create(app: &AppHandle<R>, model: TrayView) -> tauri::Result<Self> {
        let mut icons = Vec::new();
        for state in TrayState::ALL {
            let image = tray_icon(state)?;
            let pixmap = Pixmap::from_rgba(image.width(), image.height(), image.rgba())
                .map_err(|e| tauri::Error::InvalidIcon(std::io::Error::other(e)))?;
            icons.push((state, pixmap));
        }
        let tray = Self {
            item: Mutex::new(None),
            icons,
            _runtime: std::marker::PhantomData,
        };
        let (events, mut clicks) = tokio::sync::mpsc::unbounded_channel();
        let spawned =
            tauri::async_runtime::block_on(lattica_sni::Tray::spawn(tray.model(&model), events));
        match spawned {
            Ok(item) => *tray.item.lock().unwrap_or_else(PoisonError::into_inner) = Some(item),
            Err(error) => tracing::error!(%error, "no tray item"),
        }
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            while let Some(event) = clicks.recv().await {
                let on_loop = app.clone();
                // Windows are made and moved on the event loop.
                let _ = app.run_on_main_thread(move || on_event(&on_loop, event));
            }
        });
        Ok(tray)
    }

    /// Shows `model`; the item tells panels only what changed.
    pub fn show(&self, _app: &AppHandle<R>, model: &TrayView) -> tauri::Result<()> {
        let next = self.model(model);
        if let Some(item) = self
            .item
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            item.update(|shown| *shown = next);
        }
        Ok(())
    }

    /// Takes the item off the panel (on quit), so the panel does not keep a dead icon.
    pub fn remove(&self) {
        let item = self
            .item
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(item) = item {
            tauri::async_runtime::block_on(async {
                let _ = tokio::time::timeout(SHUTDOWN_WAIT, item.shutdown()).await;
            });
        }
    }

    fn model(&self, view: &TrayView) -> Model {
        let icon = self
            .icons
            .iter()
            .find(|(state, _)| *state == view.state)
            .map(|(_, pixmap)| pixmap.clone());
        Model {
            id: ITEM_ID.to_owned(),
            title: view.tooltip_title.clone(),
            status: lattica_sni::Status::Active,
            icon: icon.into_iter().collect(),
            label: view.label.clone(),
            label_guide: LABEL_GUIDE.to_owned(),
            tooltip_title: view.tooltip_title.clone(),
            tooltip_body: view.tooltip_body.clone(),
            menu: menu(view),
        }
    }
}

/// The menu's rows as the item's menu: figure rows greyed out, actions clickable.
fn menu(view: &TrayView) -> Vec<MenuItem> {
    rows(view)
        .into_iter()
        .map(|row| match row {
            Row::Item {
                id,
                text,
                enabled: true,
            } => MenuItem::action(id, text),
            Row::Item { id, text, .. } => MenuItem::info(id, text),
            Row::Separator => MenuItem::Separator,
        })
        .collect()
}

fn on_event<R: Runtime>(app: &AppHandle<R>, event: TrayEvent) {
    match event {
        TrayEvent::Activate { x, y } => actions::toggle_popover(app, anchor(x, y)),
        TrayEvent::SecondaryActivate { .. } => actions::toggle_popover(app, None),
        TrayEvent::Menu(id) => actions::on_menu(app, &id),
    }
}

/// Where the click was, as a zero-size anchor; hosts send (0, 0) when they do not say.
fn anchor(x: i32, y: i32) -> Option<Anchor> {
    ((x, y) != (0, 0)).then(|| Anchor {
        position: PhysicalPosition::new(x, y),
        size: PhysicalSize::new(0, 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::menu;

    #[test]
    fn figure_rows_are_greyed_out_and_actions_clickable() {
        let items = menu(&TrayView::starting());
        assert_eq!(items[0], MenuItem::info(menu::BALANCE, "Balance: loading…"));
        assert_eq!(items[4], MenuItem::Separator);
        assert_eq!(items[5], MenuItem::action(menu::OPEN, "Open"));
        assert_eq!(items.last(), Some(&MenuItem::action(menu::QUIT, "Quit")));
    }

    #[test]
    fn a_click_without_coordinates_has_no_anchor() {
        assert_eq!(anchor(0, 0), None);
        assert_eq!(
            anchor(640, 3).map(|a| (a.position, a.size)),
            Some((PhysicalPosition::new(640, 3), PhysicalSize::new(0, 0)))
        );
    }
}
