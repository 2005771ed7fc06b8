//! Which platform the app talks to, and under which keychain entry its token lives.
//!
//! `--sandbox` wins (the embedded sandbox); otherwise `LATTICA_BE_URL`, as the official
//! clients read it; otherwise the backend URL from the settings; otherwise production.

use std::time::Duration;

use lattica_client::config::{BASE_URL_ENV, DEFAULT_BASE_URL};
use lattica_client::{ClientConfig, ClientError, RetryPolicy};
use lattica_core::settings::Settings;

/// The keychain account of the embedded sandbox's token (the demo account's). Its URL changes
/// every run (the port is picked by the OS), so it is filed under a fixed name instead.
pub const SANDBOX_ACCOUNT: &str = "sandbox";

/// The platform the app talks to.
#[derive(Debug, Clone)]
pub struct Backend {
    config: ClientConfig,
    sandbox: bool,
}

impl Backend {
    /// The embedded sandbox listening at `url`.
    pub fn sandbox(url: &str) -> Result<Self, ClientError> {
        Ok(Self {
            config: tune(ClientConfig::new(url)?),
            sandbox: true,
        })
    }

    /// The platform named by the environment, else by `settings`, else production.
    pub fn from_env_and_settings(settings: &Settings) -> Result<Self, ClientError> {
        let from_env = std::env::var(BASE_URL_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty());
        let url = match (&from_env, settings.backend_url()) {
            (Some(env), _) => env.as_str(),
            (None, Some(url)) => url.as_str(),
            (None, None) => DEFAULT_BASE_URL,
        };
        Ok(Self {
            config: tune(ClientConfig::new(url)?),
            sandbox: false,
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn is_sandbox(&self) -> bool {
        self.sandbox
    }

    /// The base URL, for display.
    pub fn url(&self) -> &str {
        self.config.base_url().as_str()
    }

    /// The keychain account the token for this platform is stored under: tokens of different
    /// platforms never overwrite each other.
    pub fn keychain_account(&self) -> String {
        if self.sandbox {
            SANDBOX_ACCOUNT.to_owned()
        } else {
            self.url().trim_end_matches('/').to_owned()
        }
    }
}

/// Retries inside one refresh stay short: the refresh loop has its own, longer backoff, and a
/// refresh that hangs for the client's full budget would leave the popover spinning.
fn tune(config: ClientConfig) -> ClientConfig {
    config.with_retry_policy(RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(2),
        budget: Duration::from_secs(20),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_tokens_have_their_own_entry() {
        let sandbox = Backend::sandbox("http://127.0.0.1:4321").unwrap();
        assert!(sandbox.is_sandbox());
        assert_eq!(sandbox.keychain_account(), "sandbox");
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        assert!(Backend::sandbox("http://example.com").is_err());
    }
}
