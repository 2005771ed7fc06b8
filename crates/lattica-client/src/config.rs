//! Where the platform is, who we say we are, and how long and how often we try.

use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;
use url::{Host, Url};

use crate::error::ClientError;

/// The production platform.
pub const DEFAULT_BASE_URL: &str = "https://api.lattica.ai";
/// Environment variable the official Python clients read for the base URL; we honour it too.
pub const BASE_URL_ENV: &str = "LATTICA_BE_URL";
/// `client_info.module` unless configured otherwise.
pub const DEFAULT_MODULE: &str = "lattica-tray";
/// `client_info.version`: the platform refuses clients below its minimum version.
/// How long an absent endpoint stays known as absent: the platform gains endpoints with
/// releases, not from one minute to the next.
pub const DEFAULT_ABSENCE_RECHECK: Duration = Duration::from_secs(60 * 60);
pub const CLIENT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// `client_info` as sent in every request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientInfo {
    pub module: String,
    pub version: String,
}

/// How reads (and keyed money-moving calls) are retried.
///
/// Delays grow exponentially from `base_delay`, capped at `max_delay`, with full jitter; a
/// `Retry-After` from the server replaces the computed delay. No attempt starts, and no
/// attempt runs, past `budget` measured from the start of the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included; 1 disables retries.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Wall-clock bound for the whole call, all attempts and waits included.
    pub budget: Duration,
}

impl RetryPolicy {
    /// One attempt, bounded only by the request timeout.
    pub const fn none() -> Self {
        Self {
            max_attempts: 1,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            budget: Duration::MAX,
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
            budget: Duration::from_secs(45),
        }
    }
}

/// Everything the client needs besides the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    base_url: Url,
    client_info: ClientInfo,
    connect_timeout: Duration,
    request_timeout: Duration,
    retry: RetryPolicy,
    absence_recheck: Duration,
}

impl ClientConfig {
    /// A configuration for the platform at `base_url`.
    ///
    /// Only `https` is accepted, except plain `http` to a loopback host (127.0.0.0/8, `::1`,
    /// `localhost`), which is how the local sandbox is reached. A trailing slash is added so
    /// that endpoint paths append to any path prefix.
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        Ok(Self {
            base_url: normalise_base_url(base_url)?,
            client_info: ClientInfo {
                module: DEFAULT_MODULE.to_owned(),
                version: CLIENT_VERSION.to_owned(),
            },
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            absence_recheck: DEFAULT_ABSENCE_RECHECK,
        })
    }

    /// The base URL from `LATTICA_BE_URL` when it is set and not blank, else the production
    /// platform.
    pub fn from_env() -> Result<Self, ClientError> {
        Self::from_env_value(std::env::var(BASE_URL_ENV).ok().as_deref())
    }

    fn from_env_value(value: Option<&str>) -> Result<Self, ClientError> {
        match value {
            Some(url) if !url.trim().is_empty() => Self::new(url),
            _ => Self::new(DEFAULT_BASE_URL),
        }
    }

    /// Sets `client_info.module` (the version is always this crate's).
    #[must_use]
    pub fn with_module(mut self, module: impl Into<String>) -> Self {
        self.client_info.module = module.into();
        self
    }

    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Bound for one attempt, from sending the request to the end of the body.
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long an endpoint that answered "unknown endpoint" is taken as absent before it is
    /// asked again (default [`DEFAULT_ABSENCE_RECHECK`]).
    #[must_use]
    pub fn with_absence_recheck(mut self, after: Duration) -> Self {
        self.absence_recheck = after;
        self
    }

    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Always ends with `/`.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    pub fn client_info(&self) -> &ClientInfo {
        &self.client_info
    }

    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    pub fn absence_recheck(&self) -> Duration {
        self.absence_recheck
    }

    /// Whether the platform is on this machine (the sandbox), where proxies must not apply.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(&self.base_url)
    }
}

fn invalid(message: impl Into<String>) -> ClientError {
    ClientError::InvalidConfig(message.into())
}

fn normalise_base_url(raw: &str) -> Result<Url, ClientError> {
    let mut url =
        Url::parse(raw.trim()).map_err(|e| invalid(format!("the base URL is not a URL: {e}")))?;
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(invalid("the base URL has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials in a URL end up in logs and error messages; the token is the only secret.
        return Err(invalid("the base URL must not contain credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("the base URL must not have a query or a fragment"));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&url) => {}
        "http" => {
            return Err(invalid(
                "plain http is only allowed to this machine (127.0.0.1, ::1, localhost)",
            ));
        }
        other => return Err(invalid(format!("unsupported URL scheme `{other}`"))),
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

pub(crate) fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_of(raw: &str) -> String {
        ClientConfig::new(raw).unwrap().base_url().to_string()
    }

    #[test]
    fn normalises_the_trailing_slash() {
        assert_eq!(url_of("https://api.lattica.ai"), "https://api.lattica.ai/");
        assert_eq!(url_of("https://api.lattica.ai/"), "https://api.lattica.ai/");
        assert_eq!(url_of(" https://x.example/v2 "), "https://x.example/v2/");
        assert_eq!(url_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080/");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:1",
            "http://127.8.9.10",
            "http://[::1]:9000",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            let config = ClientConfig::new(ok).unwrap();
            assert!(config.is_loopback(), "{ok}");
        }
        for refused in [
            "http://api.lattica.ai",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.evil.example",
            "http://128.0.0.1",
        ] {
            assert!(
                matches!(
                    ClientConfig::new(refused),
                    Err(ClientError::InvalidConfig(_))
                ),
                "{refused}"
            );
        }
        assert!(!ClientConfig::new(DEFAULT_BASE_URL).unwrap().is_loopback());
    }

    #[test]
    fn refuses_odd_urls() {
        for refused in [
            "",
            "api.lattica.ai",
            "ftp://api.lattica.ai",
            "https://user:pw@api.lattica.ai",
            "https://api.lattica.ai/?x=1",
            "https://api.lattica.ai/#frag",
            "mailto:a@b.c",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(
                    ClientConfig::new(refused),
                    Err(ClientError::InvalidConfig(_))
                ),
                "{refused}"
            );
        }
    }

    #[test]
    fn environment_override() {
        let url = |v| {
            ClientConfig::from_env_value(v)
                .unwrap()
                .base_url()
                .to_string()
        };
        assert_eq!(url(None), "https://api.lattica.ai/");
        assert_eq!(url(Some("  ")), "https://api.lattica.ai/");
        assert_eq!(url(Some("http://127.0.0.1:7000")), "http://127.0.0.1:7000/");
        assert!(ClientConfig::from_env_value(Some("http://evil.example")).is_err());
    }

    #[test]
    fn defaults_match_the_official_clients() {
        let config = ClientConfig::new(DEFAULT_BASE_URL).unwrap();
        assert_eq!(config.connect_timeout(), Duration::from_secs(10));
        assert_eq!(config.request_timeout(), Duration::from_secs(30));
        assert_eq!(config.client_info().module, "lattica-tray");
        assert_eq!(config.client_info().version, env!("CARGO_PKG_VERSION"));
        let config = config
            .with_module("tests")
            .with_request_timeout(Duration::from_secs(2))
            .with_connect_timeout(Duration::from_secs(1))
            .with_retry_policy(RetryPolicy::none());
        assert_eq!(config.client_info().module, "tests");
        assert_eq!(config.request_timeout(), Duration::from_secs(2));
        assert_eq!(config.connect_timeout(), Duration::from_secs(1));
        assert_eq!(config.retry_policy().max_attempts, 1);
    }
}
