//! How a sandbox is started: listen addresses, data directory, burn speed, which endpoints it
//! serves, and switches.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

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
}

impl SandboxConfig {
    /// Both listeners on `127.0.0.1:0` (a free port each), time scale 1, no control API, the
    /// hosted payment pages open to the Tauri app's origins, every endpoint served.
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
        }
    }
}
