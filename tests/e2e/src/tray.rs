//! The tray item as the desktop sees it: a StatusNotifierItem and its dbusmenu on the session
//! bus, read and clicked with `busctl` exactly as a tray host would.

use std::process::Command;

use serde_json::Value;

use crate::{Context, Result, bail, ensure};

/// One registered tray item: its bus name and object paths.
#[derive(Debug, Clone)]
pub struct TrayItem {
    pub service: String,
    pub object: String,
    pub menu: String,
}

/// A menu entry: its dbusmenu id, label and whether it can be clicked.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuEntry {
    pub id: i64,
    pub label: String,
    pub enabled: bool,
    pub visible: bool,
}

fn busctl(args: &[&str]) -> Result<String> {
    let out = Command::new("busctl").arg("--user").args(args).output()?;
    ensure!(
        out.status.success(),
        "busctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8(out.stdout)?)
}

fn busctl_json(args: &[&str]) -> Result<Value> {
    let mut full = vec!["--json=short"];
    full.extend_from_slice(args);
    Ok(serde_json::from_str(&busctl(&full)?)?)
}

/// The object path of the app's item, as the StatusNotifierItem spec names it.
const ITEM_PATH: &str = "/StatusNotifierItem";

impl TrayItem {
    /// The process id behind the item's D-Bus connection.
    pub fn pid(&self) -> Result<u32> {
        let out = busctl(&[
            "call",
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "GetConnectionUnixProcessID",
            "s",
            &self.service,
        ])?;
        // "u 1234"
        Ok(out
            .split_whitespace()
            .nth(1)
            .context("GetConnectionUnixProcessID's answer")?
            .parse()?)
    }

    /// The items currently registered with the StatusNotifierWatcher.
    pub fn registered() -> Result<Vec<TrayItem>> {
        let names = busctl_json(&[
            "get-property",
            "org.kde.StatusNotifierWatcher",
            "/StatusNotifierWatcher",
            "org.kde.StatusNotifierWatcher",
            "RegisteredStatusNotifierItems",
        ])?;
        let mut items = Vec::new();
        for entry in names["data"].as_array().into_iter().flatten() {
            let entry = entry.as_str().unwrap_or_default();
            // Entries are "SERVICE" or "SERVICE/OBJECT/PATH".
            let (service, object) = match entry.find('/') {
                Some(i) => (&entry[..i], Some(entry[i..].to_owned())),
                None => (entry, None),
            };
            let object = match object {
                // Another process's item (a libappindicator one, say): never the app's.
                Some(object) if object != ITEM_PATH => continue,
                Some(object) => object,
                None => match Self::find_object(service) {
                    Ok(object) => object,
                    Err(_) => continue, // an item that went away between the two calls
                },
            };
            let menu = busctl_json(&[
                "get-property",
                service,
                &object,
                "org.kde.StatusNotifierItem",
                "Menu",
            ])?["data"]
                .as_str()
                .context("Menu property")?
                .to_owned();
            items.push(TrayItem {
                service: service.to_owned(),
                object,
                menu,
            });
        }
        Ok(items)
    }

    /// The item's object when the watcher lists only its bus name: `/StatusNotifierItem`, the
    /// spec's path and the only one the app's item (lattica-sni) uses.
    fn find_object(service: &str) -> Result<String> {
        let tree = busctl(&["tree", service, "--list"])?;
        tree.lines()
            .map(str::trim)
            .find(|p| *p == ITEM_PATH)
            .map(str::to_owned)
            .context("no /StatusNotifierItem object")
    }

    fn property(&self, name: &str) -> Result<Value> {
        Ok(busctl_json(&[
            "get-property",
            &self.service,
            &self.object,
            "org.kde.StatusNotifierItem",
            name,
        ])?["data"]
            .clone())
    }

    /// The text next to the icon (`XAyatanaLabel`).
    pub fn label(&self) -> Result<String> {
        Ok(self
            .property("XAyatanaLabel")?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// The icon's theme name or file; empty when the icon travels as pixels (`IconPixmap`).
    pub fn icon_name(&self) -> Result<String> {
        Ok(self
            .property("IconName")?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// The item's title (the application's name).
    pub fn title(&self) -> Result<String> {
        Ok(self
            .property("Title")?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// The tooltip's heading and text (`ToolTip` is `(icon name, icon pixmaps, title, text)`).
    pub fn tooltip(&self) -> Result<(String, String)> {
        let tooltip = self.property("ToolTip")?;
        let text = |i: usize| tooltip[i].as_str().unwrap_or_default().to_owned();
        Ok((text(2), text(3)))
    }

    /// A primary click on the icon at screen point (`x`, `y`), as a tray host sends it.
    pub fn activate(&self, x: i32, y: i32) -> Result<()> {
        busctl(&[
            "call",
            &self.service,
            &self.object,
            "org.kde.StatusNotifierItem",
            "Activate",
            "ii",
            "--",
            &x.to_string(),
            &y.to_string(),
        ])?;
        Ok(())
    }

    pub fn status(&self) -> Result<String> {
        Ok(self
            .property("Status")?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// The menu's top-level entries, in order.
    pub fn menu(&self) -> Result<Vec<MenuEntry>> {
        let layout = busctl_json(&[
            "call",
            &self.service,
            &self.menu,
            "com.canonical.dbusmenu",
            "GetLayout",
            "iias",
            "0",
            "--",
            "-1",
            "0",
        ])?;
        // (u revision, (i id, a{sv} props, av children))
        let root = &layout["data"][1];
        let mut entries = Vec::new();
        for child in root[2].as_array().into_iter().flatten() {
            let node = &child["data"];
            let props = &node[1];
            let text = |key: &str| props[key]["data"].as_str().map(str::to_owned);
            let flag = |key: &str| props[key]["data"].as_bool();
            if text("type").as_deref() == Some("separator") {
                continue;
            }
            entries.push(MenuEntry {
                id: node[0].as_i64().context("menu id")?,
                label: text("label").unwrap_or_default().replace('_', ""),
                enabled: flag("enabled").unwrap_or(true),
                visible: flag("visible").unwrap_or(true),
            });
        }
        Ok(entries)
    }

    /// Clicks the first visible entry whose label starts with `label`, running the app's own
    /// menu handler exactly as a click in a tray host does.
    pub fn click(&self, label: &str) -> Result<()> {
        let menu = self.menu()?;
        let Some(entry) = menu
            .iter()
            .find(|e| e.visible && e.label.starts_with(label))
        else {
            bail!("no menu entry {label:?} in {menu:?}");
        };
        busctl(&[
            "call",
            &self.service,
            &self.menu,
            "com.canonical.dbusmenu",
            "Event",
            "isvu",
            &entry.id.to_string(),
            "clicked",
            "s",
            "",
            "0",
        ])?;
        Ok(())
    }
}

/// The tray states the app draws, named as their icon files in `icons/tray/`.
pub const TRAY_STATES: [&str; 7] = [
    "ok",
    "low",
    "critical",
    "empty",
    "stale",
    "signed-out",
    "error",
];

fn rgba(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>)> {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info()?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf)?;
    buf.truncate(info.buffer_size());
    Ok((info.width, info.height, buf))
}

impl TrayItem {
    /// Which of `icons/tray/*.png` the tray shows now, by comparing pixels: the largest of the
    /// item's `IconPixmap`s (ARGB32, network byte order) against each PNG. The app's icon
    /// always travels as pixels.
    pub fn icon_state(&self) -> Result<String> {
        let shown = self
            .largest_pixmap()?
            .context("the tray item has no IconPixmap")?;
        for state in TRAY_STATES {
            let path = crate::workspace_root().join(format!("icons/tray/{state}.png"));
            if rgba(&std::fs::read(path)?)? == shown {
                return Ok(state.to_owned());
            }
        }
        bail!("the tray icon matches none of icons/tray/*.png")
    }

    /// The largest `IconPixmap` as (width, height, RGBA).
    fn largest_pixmap(&self) -> Result<Option<(u32, u32, Vec<u8>)>> {
        let mut best: Option<(u32, u32, Vec<u8>)> = None;
        for pixmap in self
            .property("IconPixmap")?
            .as_array()
            .into_iter()
            .flatten()
        {
            let size = |i: usize| pixmap[i].as_u64().and_then(|n| u32::try_from(n).ok());
            let (Some(w), Some(h)) = (size(0), size(1)) else {
                bail!("a malformed IconPixmap: {pixmap}");
            };
            let argb: Vec<u8> = pixmap[2]
                .as_array()
                .context("IconPixmap bytes")?
                .iter()
                .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()).unwrap_or(0))
                .collect();
            let rgba = argb
                .chunks_exact(4)
                .flat_map(|p| [p[1], p[2], p[3], p[0]])
                .collect();
            if best.as_ref().is_none_or(|(bw, _, _)| w > *bw) {
                best = Some((w, h, rgba));
            }
        }
        Ok(best)
    }
}
