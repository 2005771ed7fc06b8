//! `com.canonical.dbusmenu` at `/MenuBar`: the menu hosts show on the item's other button.
//! One level of rows under the root (id 0): standard rows and separators.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;
use zbus::interface;
use zbus::object_server::SignalEmitter;
use zbus::zvariant::{StructureBuilder, Type, Value};

use crate::model::MenuItem;
use crate::{Change, Shared, TrayEvent};

pub(crate) struct Menu {
    pub(crate) shared: Arc<Mutex<Shared>>,
    pub(crate) events: UnboundedSender<TrayEvent>,
}

type Properties = HashMap<String, Value<'static>>;

/// A node of the layout: `(ia{sv}av)`, children boxed as variants.
#[derive(Debug, Serialize, Type)]
pub(crate) struct Layout {
    id: i32,
    properties: Properties,
    children: Vec<Value<'static>>,
}

/// The properties of `item`, those named in `names` when it is not empty. Defaults
/// (`enabled`, `visible` true; `type` standard) are left out, as the spec allows.
pub(crate) fn properties(item: &MenuItem, names: &[String]) -> Properties {
    let mut props = Properties::new();
    match item {
        MenuItem::Separator => {
            props.insert("type".into(), Value::from("separator".to_owned()));
        }
        MenuItem::Standard {
            label,
            enabled,
            visible,
            ..
        } => {
            // dbusmenu reads `_` as the mnemonic mark: a literal one is doubled.
            props.insert("label".into(), Value::from(label.replace('_', "__")));
            if !enabled {
                props.insert("enabled".into(), Value::from(false));
            }
            if !visible {
                props.insert("visible".into(), Value::from(false));
            }
        }
    }
    if !names.is_empty() {
        props.retain(|k, _| names.contains(k));
    }
    props
}

pub(crate) type UpdatedProperties = Vec<(i32, Properties)>;
pub(crate) type RemovedProperties = Vec<(i32, Vec<String>)>;

/// The `ItemsPropertiesUpdated` of rows numbered `ids` going from `old` to `new` (the same
/// rows in the same order): each changed row's properties, and the keys it sent before but
/// not now. A key left out means its default, so a row enabled again lists `enabled` as
/// removed: a host that patches only the keys it is sent would otherwise keep it greyed out.
pub(crate) fn changed_properties(ids: &[i32], old: &[MenuItem], new: &[MenuItem]) -> Change {
    let mut updated = Vec::new();
    let mut removed = Vec::new();
    for (id, (was, is)) in ids.iter().zip(old.iter().zip(new)) {
        if was == is {
            continue;
        }
        let (before, now) = (properties(was, &[]), properties(is, &[]));
        let mut gone: Vec<String> = before
            .into_keys()
            .filter(|key| !now.contains_key(key))
            .collect();
        gone.sort();
        if !gone.is_empty() {
            removed.push((*id, gone));
        }
        updated.push((*id, now));
    }
    Change::Items(updated, removed)
}

fn root_properties() -> Properties {
    HashMap::from([(
        "children-display".to_owned(),
        Value::from("submenu".to_owned()),
    )])
}

fn failed(message: &str) -> zbus::fdo::Error {
    zbus::fdo::Error::Failed(message.to_owned())
}

fn boxed(node: Layout) -> zbus::fdo::Result<Value<'static>> {
    let structure = StructureBuilder::new()
        .add_field(node.id)
        .add_field(node.properties)
        .add_field(node.children)
        .build()
        .map_err(|e| failed(&e.to_string()))?;
    Ok(Value::Structure(structure))
}

impl Menu {
    fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[interface(name = "com.canonical.dbusmenu")]
impl Menu {
    fn get_layout(
        &self,
        parent_id: i32,
        recursion_depth: i32,
        property_names: Vec<String>,
    ) -> zbus::fdo::Result<(u32, Layout)> {
        let mut shared = self.shared();
        let revision = shared.revision;
        let rows = shared.rows();
        if parent_id == 0 {
            let mut children = Vec::new();
            if recursion_depth != 0 {
                for (id, item) in rows {
                    children.push(boxed(Layout {
                        id,
                        properties: properties(&item, &property_names),
                        children: Vec::new(),
                    })?);
                }
            }
            let root = Layout {
                id: 0,
                properties: root_properties(),
                children,
            };
            return Ok((revision, root));
        }
        let (id, item) = rows
            .into_iter()
            .find(|(id, _)| *id == parent_id)
            .ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no menu item {parent_id}")))?;
        let node = Layout {
            id,
            properties: properties(&item, &property_names),
            children: Vec::new(),
        };
        Ok((revision, node))
    }

    fn get_group_properties(
        &self,
        ids: Vec<i32>,
        property_names: Vec<String>,
    ) -> Vec<(i32, Properties)> {
        let rows = self.shared().rows();
        rows.into_iter()
            .filter(|(id, _)| ids.is_empty() || ids.contains(id))
            .map(|(id, item)| (id, properties(&item, &property_names)))
            .collect()
    }

    fn get_property(&self, id: i32, name: String) -> zbus::fdo::Result<Value<'static>> {
        if id == 0 {
            return root_properties()
                .remove(&name)
                .ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no property {name}")));
        }
        let rows = self.shared().rows();
        let (_, item) = rows
            .into_iter()
            .find(|(row, _)| *row == id)
            .ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no menu item {id}")))?;
        properties(&item, &[])
            .remove(&name)
            .ok_or_else(|| zbus::fdo::Error::InvalidArgs(format!("no property {name}")))
    }

    fn event(
        &self,
        id: i32,
        event_id: &str,
        _data: Value<'_>,
        _timestamp: u32,
    ) -> zbus::fdo::Result<()> {
        if event_id != "clicked" {
            return Ok(());
        }
        let key = {
            let mut shared = self.shared();
            let clickable = shared.rows().into_iter().any(|(row, item)| {
                row == id
                    && matches!(
                        item,
                        MenuItem::Standard {
                            enabled: true,
                            visible: true,
                            ..
                        }
                    )
            });
            if !clickable {
                return Err(zbus::fdo::Error::InvalidArgs(format!(
                    "menu item {id} cannot be clicked"
                )));
            }
            shared.ids.key(id).map(str::to_owned)
        };
        if let Some(key) = key {
            // Gone only while the app quits.
            let _ = self.events.send(TrayEvent::Menu(key));
        }
        Ok(())
    }

    /// Runs each event; answers the ids that were not rows to click.
    fn event_group(&self, events: Vec<(i32, String, Value<'_>, u32)>) -> Vec<i32> {
        let mut errors = Vec::new();
        for (id, event_id, data, timestamp) in events {
            if self.event(id, &event_id, data, timestamp).is_err() {
                errors.push(id);
            }
        }
        errors
    }

    /// False: the rows are always current, nothing to fetch before showing.
    fn about_to_show(&self, _id: i32) -> bool {
        false
    }

    fn about_to_show_group(&self, _ids: Vec<i32>) -> (Vec<i32>, Vec<i32>) {
        (Vec::new(), Vec::new())
    }

    #[zbus(property)]
    fn version(&self) -> u32 {
        3
    }

    #[zbus(property)]
    fn text_direction(&self) -> &str {
        "ltr"
    }

    #[zbus(property)]
    fn status(&self) -> &str {
        "normal"
    }

    #[zbus(property)]
    fn icon_theme_path(&self) -> Vec<String> {
        Vec::new()
    }

    #[zbus(signal)]
    pub(crate) async fn layout_updated(
        emitter: &SignalEmitter<'_>,
        revision: u32,
        parent: i32,
    ) -> zbus::Result<()>;

    #[zbus(signal)]
    pub(crate) async fn items_properties_updated(
        emitter: &SignalEmitter<'_>,
        updated_props: Vec<(i32, Properties)>,
        removed_props: Vec<(i32, Vec<String>)>,
    ) -> zbus::Result<()>;
}
