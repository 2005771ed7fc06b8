//! What the tests share: a private bus, a watcher of the test's own, and a host's readers.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use lattica_sni::{MenuItem, Model, Pixmap, Status};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use zbus::zvariant::OwnedValue;
use zbus::{Connection, MatchRule, MessageStream, interface};

pub const SNI: &str = "org.kde.StatusNotifierItem";
pub const DBUSMENU: &str = "com.canonical.dbusmenu";
const PATIENCE: Duration = Duration::from_secs(10);

/// A private session bus, stopped when dropped.
pub struct Bus {
    daemon: tokio::process::Child,
    pub address: String,
}

impl Bus {
    pub async fn start() -> Self {
        let mut daemon = tokio::process::Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(std::process::Stdio::piped())
            // It says it cannot raise its fd limit when not root: not our concern.
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("dbus-daemon (package dbus-daemon) runs");
        let stdout = daemon.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).await.unwrap();
        Self {
            daemon,
            address: line.trim().to_owned(),
        }
    }

    pub async fn connect(&self) -> Connection {
        zbus::connection::Builder::address(self.address.as_str())
            .unwrap()
            .build()
            .await
            .unwrap()
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.start_kill();
    }
}

/// The test's watcher: reports each registration it receives.
pub struct Watcher(pub mpsc::UnboundedSender<String>);

#[interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(&self, service: String) {
        let _ = self.0.send(service);
    }
}

pub async fn start_watcher(bus: &Bus) -> (Connection, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let conn = zbus::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .serve_at("/StatusNotifierWatcher", Watcher(tx))
        .unwrap()
        .name("org.kde.StatusNotifierWatcher")
        .unwrap()
        .build()
        .await
        .unwrap();
    (conn, rx)
}

pub async fn next<T>(rx: &mut mpsc::UnboundedReceiver<T>) -> T {
    tokio::time::timeout(PATIENCE, rx.recv())
        .await
        .expect("in time")
        .expect("channel open")
}

pub fn model() -> Model {
    Model {
        id: "lattica".into(),
        title: "Lattica".into(),
        status: Status::Active,
        icon: vec![Pixmap::from_rgba(1, 1, &[10, 20, 30, 255]).unwrap()],
        label: "1.2k cr".into(),
        label_guide: "99.9k cr".into(),
        tooltip_title: "Lattica".into(),
        tooltip_body: "1,234.50 credits, about 5 h left <now>".into(),
        menu: vec![
            MenuItem::info("balance", "Balance: 1,234.50 credits"),
            MenuItem::Separator,
            MenuItem::action("open", "Open"),
            MenuItem::action("quit", "Quit"),
        ],
    }
}

pub async fn proxy<'a>(
    conn: &Connection,
    name: &'a str,
    path: &'a str,
    iface: &'a str,
) -> zbus::Proxy<'a> {
    zbus::proxy::Builder::new(conn)
        .destination(name)
        .unwrap()
        .path(path)
        .unwrap()
        .interface(iface)
        .unwrap()
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await
        .unwrap()
}

pub type Layout = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
pub type ToolTip = (String, Vec<(i32, i32, Vec<u8>)>, String, String);

/// The menu's rows as (id, properties), read with GetLayout.
pub async fn rows(menu: &zbus::Proxy<'_>) -> (u32, Vec<(i32, HashMap<String, OwnedValue>)>) {
    let (revision, root): (u32, Layout) = menu
        .call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))
        .await
        .unwrap();
    assert_eq!(root.0, 0);
    let rows = root
        .2
        .into_iter()
        .map(|child| {
            let (id, props, children): Layout = child.try_into().unwrap();
            assert!(children.is_empty());
            (id, props)
        })
        .collect();
    (revision, rows)
}

pub fn text(props: &HashMap<String, OwnedValue>, key: &str) -> Option<String> {
    props
        .get(key)
        .map(|v| String::try_from(v.try_clone().unwrap()).unwrap())
}

/// The unique name that owns the well-known `name`.
pub async fn owner_of(host: &Connection, name: &str) -> String {
    host.call_method(
        Some("org.freedesktop.DBus"),
        "/org/freedesktop/DBus",
        Some("org.freedesktop.DBus"),
        "GetNameOwner",
        &(name,),
    )
    .await
    .unwrap()
    .body()
    .deserialize::<String>()
    .unwrap()
}

/// The signals `sender` sends, in order.
pub async fn signals(host: &Connection, sender: &str) -> MessageStream {
    let rule = MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .sender(sender.to_owned())
        .unwrap()
        .build();
    MessageStream::for_match_rule(rule, host, None)
        .await
        .unwrap()
}

pub async fn next_signal(stream: &mut MessageStream) -> (String, zbus::Message) {
    let msg = tokio::time::timeout(PATIENCE, stream.next())
        .await
        .expect("a signal in time")
        .unwrap()
        .unwrap();
    let member = msg.header().member().unwrap().to_string();
    (member, msg)
}
