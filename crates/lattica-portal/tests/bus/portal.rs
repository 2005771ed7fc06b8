//! A private session bus, and a small GlobalShortcuts portal of the test's own serving the
//! objects the portal specification describes: the portal at `/org/freedesktop/portal/desktop`
//! (version 1), a Request object per call at the handle the caller's `handle_token` predicts,
//! answered with its `Response` signal, and a Session object with `Close`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;
use zbus::message::Header;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};
use zbus::{Connection, interface};

pub const PATIENCE: Duration = Duration::from_secs(10);
const DESKTOP: &str = "org.freedesktop.portal.Desktop";
const DESKTOP_PATH: &str = "/org/freedesktop/portal/desktop";

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
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.start_kill();
    }
}

/// What the portal was asked, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    CreateSession {
        session: String,
    },
    Bind {
        /// The caller's unique name, where the portal sends `Activated`.
        sender: String,
        session: String,
        /// (id, description, preferred trigger) for each shortcut.
        shortcuts: Vec<(String, String, Option<String>)>,
    },
    CloseSession(String),
}

/// How the fake portal answers `BindShortcuts`.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// Response 0, the shortcut bound with this trigger description.
    Bind(&'static str),
    /// Response 0 with no shortcut bound.
    BindNothing,
    /// The given response code (1: the user cancelled, 2: another failure).
    Code(u32),
    /// CreateSession answers with a session handle other than the one the caller predicted
    /// (a portal breaking the specification).
    WrongSession,
}

struct GlobalShortcuts {
    calls: mpsc::UnboundedSender<Call>,
    answer: Arc<Mutex<Answer>>,
}

/// `/org/freedesktop/portal/desktop/{kind}/{sender without ':', '.' as '_'}/{token}`.
fn handle(kind: &str, sender: &str, options: &HashMap<String, OwnedValue>, key: &str) -> String {
    let token = options
        .get(key)
        .map(|v| String::try_from(v.try_clone().unwrap()).unwrap())
        .expect("the caller names its handle token");
    let sender = sender.trim_start_matches(':').replace('.', "_");
    format!("{DESKTOP_PATH}/{kind}/{sender}/{token}")
}

fn sender(header: &Header<'_>) -> String {
    header.sender().unwrap().to_string()
}

/// Serves a Request at `path` and sends its `Response` to `sender`.
async fn respond(
    conn: &Connection,
    sender: &str,
    path: &str,
    code: u32,
    results: HashMap<&str, Value<'_>>,
) -> zbus::fdo::Result<OwnedObjectPath> {
    conn.object_server().at(path, Request).await?;
    conn.emit_signal(
        Some(sender),
        path,
        "org.freedesktop.portal.Request",
        "Response",
        &(code, results),
    )
    .await?;
    Ok(OwnedObjectPath::try_from(path.to_owned()).unwrap())
}

#[interface(name = "org.freedesktop.portal.GlobalShortcuts")]
impl GlobalShortcuts {
    #[zbus(property, name = "version")]
    fn version(&self) -> u32 {
        1
    }

    async fn create_session(
        &self,
        options: HashMap<String, OwnedValue>,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        let sender = sender(&header);
        let request = handle("request", &sender, &options, "handle_token");
        let session = handle("session", &sender, &options, "session_handle_token");
        let calls = self.calls.clone();
        conn.object_server()
            .at(
                session.as_str(),
                PortalSession {
                    calls: calls.clone(),
                },
            )
            .await?;
        let _ = calls.send(Call::CreateSession {
            session: session.clone(),
        });
        let told = match *self.answer.lock().unwrap() {
            Answer::WrongSession => format!("{DESKTOP_PATH}/session/someone/else"),
            _ => session.clone(),
        };
        let results = HashMap::from([("session_handle", Value::from(told.as_str()))]);
        respond(conn, &sender, &request, 0, results).await
    }

    async fn bind_shortcuts(
        &self,
        session_handle: OwnedObjectPath,
        shortcuts: Vec<(String, HashMap<String, OwnedValue>)>,
        _parent_window: String,
        options: HashMap<String, OwnedValue>,
        #[zbus(header)] header: Header<'_>,
        #[zbus(connection)] conn: &Connection,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        let sender = sender(&header);
        let request = handle("request", &sender, &options, "handle_token");
        let text = |info: &HashMap<String, OwnedValue>, key: &str| {
            info.get(key)
                .map(|v| String::try_from(v.try_clone().unwrap()).unwrap())
        };
        let asked: Vec<_> = shortcuts
            .iter()
            .map(|(id, info)| {
                let description = text(info, "description").unwrap_or_default();
                (id.clone(), description, text(info, "preferred_trigger"))
            })
            .collect();
        let _ = self.calls.send(Call::Bind {
            sender: sender.clone(),
            session: session_handle.to_string(),
            shortcuts: asked.clone(),
        });
        let answer = *self.answer.lock().unwrap();
        let (code, bound) = match answer {
            Answer::Bind(_) => (0, asked.iter().take(1).cloned().collect()),
            Answer::BindNothing => (0, Vec::new()),
            Answer::Code(code) => (code, Vec::new()),
            Answer::WrongSession => (2, Vec::new()),
        };
        let trigger = match answer {
            Answer::Bind(trigger) => trigger,
            _ => "",
        };
        let bound: Vec<(String, HashMap<String, Value<'_>>)> = bound
            .into_iter()
            .map(|(id, description, _)| {
                let info = HashMap::from([
                    ("description".to_owned(), Value::from(description)),
                    ("trigger_description".to_owned(), Value::from(trigger)),
                ]);
                (id, info)
            })
            .collect();
        let mut results = HashMap::new();
        if code == 0 {
            results.insert("shortcuts", Value::from(bound));
        }
        respond(conn, &sender, &request, code, results).await
    }
}

struct Request;

#[interface(name = "org.freedesktop.portal.Request")]
impl Request {
    fn close(&self) {}
}

struct PortalSession {
    calls: mpsc::UnboundedSender<Call>,
}

#[interface(name = "org.freedesktop.portal.Session")]
impl PortalSession {
    #[zbus(property, name = "version")]
    fn version(&self) -> u32 {
        1
    }

    async fn close(
        &self,
        #[zbus(header)] header: Header<'_>,
        #[zbus(object_server)] server: &zbus::ObjectServer,
    ) {
        let path = header.path().unwrap().to_string();
        let _ = self.calls.send(Call::CloseSession(path.clone()));
        let _ = server.remove::<Self, _>(path.as_str()).await;
    }
}

/// The fake portal on the bus at `address`, answering binds with `answer` (changed through
/// the returned handle); its calls arrive on the receiver. (The end-to-end shortcut suite
/// serves it on the desktop session's bus too.)
pub async fn start_portal(
    address: &str,
    answer: Answer,
) -> (
    Connection,
    mpsc::UnboundedReceiver<Call>,
    Arc<Mutex<Answer>>,
) {
    let (calls, rx) = mpsc::unbounded_channel();
    let answer = Arc::new(Mutex::new(answer));
    let handle = answer.clone();
    let conn = zbus::connection::Builder::address(address)
        .unwrap()
        .serve_at(DESKTOP_PATH, GlobalShortcuts { calls, answer })
        .unwrap()
        .name(DESKTOP)
        .unwrap()
        .build()
        .await
        .unwrap();
    (conn, rx, handle)
}

/// A portal that serves the name but not GlobalShortcuts (an older portal, or a backend
/// without it): only a Settings-like interface of its own.
pub async fn start_portal_without_shortcuts(bus: &Bus) -> Connection {
    struct Settings;
    #[interface(name = "org.freedesktop.portal.Settings")]
    impl Settings {
        #[zbus(property, name = "version")]
        fn version(&self) -> u32 {
            2
        }
    }
    zbus::connection::Builder::address(bus.address.as_str())
        .unwrap()
        .serve_at(DESKTOP_PATH, Settings)
        .unwrap()
        .name(DESKTOP)
        .unwrap()
        .build()
        .await
        .unwrap()
}

/// The portal presses `id` for `session`, sending `Activated` to `sender` as portals do.
pub async fn activate(portal: &Connection, sender: &str, session: &str, id: &str, at: u64) {
    let session = OwnedObjectPath::try_from(session.to_owned()).unwrap();
    portal
        .emit_signal(
            Some(sender),
            DESKTOP_PATH,
            "org.freedesktop.portal.GlobalShortcuts",
            "Activated",
            &(session, id, at, HashMap::<&str, Value<'_>>::new()),
        )
        .await
        .unwrap();
}

pub async fn next<T>(rx: &mut mpsc::UnboundedReceiver<T>) -> T {
    tokio::time::timeout(PATIENCE, rx.recv())
        .await
        .expect("in time")
        .expect("channel open")
}
