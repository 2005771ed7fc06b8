//! How a sandbox is started: listen addresses, data directory, burn speed and switches.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use rust_decimal::Decimal;

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
}

impl SandboxConfig {
    /// Both listeners on `127.0.0.1:0` (a free port each), time scale 1, no control API, the
    /// hosted payment pages open to the Tauri app's origins.
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
        }
    }
}
