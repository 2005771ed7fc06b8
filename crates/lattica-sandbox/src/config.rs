//! How a sandbox is started: listen addresses, data directory, burn speed, which endpoints it
//! serves, and switches.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use rust_decimal::Decimal;

/// Which part of the platform API a sandbox serves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ApiProfile {
    /// Every endpoint, those Lattica publishes and those of this project's design (prices,
    /// payments).
    #[default]
    Full,
    /// Only what Lattica publishes, as the real platform does today: every other endpoint
    /// answers exactly as an unknown one.
    Published,
}

impl ApiProfile {
    /// `full` or `published`, as the start line and the control API's `state` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Published => "published",
        }
    }
}

/// How long each step of a request may take, and how many connections a listener holds
/// (each of the two listeners on its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// From the accept (or, on a kept-alive connection, the first byte of the next request) to
    /// the end of the request head. A connection that sent nothing by then is closed quietly;
    /// one in the middle of a head is answered `408 REQUEST_TIMEOUT` and closed.
    pub header_timeout: Duration,
    /// From the end of the head to the end of the body, however slowly it trickles in; past
    /// it the request is answered `408 REQUEST_TIMEOUT` and the connection closed.
    pub body_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request (and a client take to
    /// read an answer) before it is closed.
    pub idle_timeout: Duration,
    /// Connections held at once. At the limit, idle ones (nothing of a request received) are
    /// closed to make room, and a new connection waits for one to end.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    /// 10 s for a head, 30 s for a body, 60 s idle, 256 connections.
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 256,
        }
    }
}

/// Everything [`crate::start`] needs to know. Built with [`SandboxConfig::new`] and adjusted
/// field by field.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address of the platform API (and the control API when enabled).
    pub listen: SocketAddr,
    /// Address of the payment service, a separate origin so card data never meets the app.
    pub payments_listen: SocketAddr,
    /// Directory holding the SQLite database; created when missing.
    pub data_dir: PathBuf,
    /// Burn speed multiplier: with 60, one real second burns one minute of worker time.
    pub time_scale: Decimal,
    /// Serve the control API (`/control/*`, loopback peers only).
    pub control: bool,
    /// Oldest `client_info.version` accepted, if any.
    pub min_client_version: Option<semver::Version>,
    /// Browser origins (`scheme://host[:port]`) that may embed the payment service's hosted
    /// pages and receive their results.
    pub payments_allowed_origins: Vec<String>,
    /// Which endpoints are served.
    pub profile: ApiProfile,
    /// Endpoints answered as unknown on top of the profile (`api/finance/get_pricing`; a
    /// leading `/` or a missing `api/` is tolerated), to test a client's fallbacks. Each must
    /// be an endpoint the sandbox has, or [`crate::start`] refuses the configuration.
    pub hidden_endpoints: BTreeSet<String>,
    /// Timeouts and the connection cap of both listeners.
    pub limits: ConnectionLimits,
}

impl SandboxConfig {
    /// Both listeners on `127.0.0.1:0` (a free port each), time scale 1, no control API, the
    /// hosted payment pages open to the Tauri app's origins, every endpoint served, the default
    /// [`ConnectionLimits`].
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        let loopback_any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Self {
            listen: loopback_any_port,
            payments_listen: loopback_any_port,
            data_dir: data_dir.into(),
            time_scale: Decimal::ONE,
            control: false,
            min_client_version: None,
            payments_allowed_origins: crate::payments::DEFAULT_ALLOWED_ORIGINS
                .map(String::from)
                .to_vec(),
            profile: ApiProfile::Full,
            hidden_endpoints: BTreeSet::new(),
            limits: ConnectionLimits::default(),
        }
    }
}
