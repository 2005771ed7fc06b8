//! The sandbox's payment service: card checks ([`cards`]) and what each test card does
//! ([`outcome`]), the payment state machine ([`machine`]), idempotent execution of
//! money-moving requests ([`idempotency`]), the operations themselves ([`ops`]), the simulated
//! card processor ([`processor`]) and the wire shapes ([`view`]).
//!
//! Card data only ever reaches the payment origin ([`crate::hosted`]), which turns it into an
//! opaque `pm_…` token; the platform API only sees tokens, brands and last four digits.

pub mod cards;
pub mod control;
pub mod idempotency;
pub mod machine;
pub mod ops;
pub mod outcome;
pub mod processor;
pub mod view;

use idempotency::InFlight;
use processor::Processor;

/// The browser origins the app may embed the hosted pages from when nothing else is
/// configured: Tauri's own origins on macOS/Linux and on Windows.
pub const DEFAULT_ALLOWED_ORIGINS: [&str; 2] = ["tauri://localhost", "http://tauri.localhost"];

/// What the payment service shares between the platform API and the payment origin.
#[derive(Debug)]
pub struct PaymentService {
    url: String,
    allowed_origins: Vec<String>,
    in_flight: InFlight,
    processor: Processor,
}

impl PaymentService {
    /// A service reachable at `url` (no trailing slash) whose pages may be framed by, and post
    /// their results to, `allowed_origins` only.
    pub fn new(url: String, allowed_origins: Vec<String>) -> Self {
        Self {
            url,
            allowed_origins,
            in_flight: InFlight::default(),
            processor: Processor::default(),
        }
    }

    /// Base URL of the payment origin.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where the 3-D Secure page of `payment_id` is served.
    pub fn three_ds_url(&self, payment_id: &str) -> String {
        format!("{}/3ds/{payment_id}", self.url)
    }

    /// The origins allowed to embed the hosted pages.
    pub fn allowed_origins(&self) -> &[String] {
        &self.allowed_origins
    }

    /// Whether `origin` is exactly one of the allowed ones.
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|allowed| allowed == origin)
    }

    /// Money-moving requests being processed right now.
    pub fn in_flight(&self) -> &InFlight {
        &self.in_flight
    }

    /// The simulated card processor.
    pub fn processor(&self) -> &Processor {
        &self.processor
    }
}

/// Checks an allow-list entry: `scheme://host[:port]`, nothing else (no path, no wildcard, no
/// character that could break out of a CSP header or an HTML attribute).
pub fn check_origin(origin: &str) -> Result<(), String> {
    let (scheme, rest) = origin
        .split_once("://")
        .ok_or_else(|| format!("{origin:?} is not an origin like scheme://host[:port]"))?;
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let host_ok = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    if scheme_ok && host_ok {
        Ok(())
    } else {
        Err(format!(
            "{origin:?} is not an origin like scheme://host[:port]"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        for good in DEFAULT_ALLOWED_ORIGINS.into_iter().chain([
            "http://127.0.0.1:1420",
            "https://app.example",
            "http://[::1]:80",
        ]) {
            assert!(check_origin(good).is_ok(), "{good}");
        }
        for bad in [
            "*",
            "tauri://",
            "localhost",
            "http://a.example/path",
            "http://a.example; script-src *",
            "http://a\"b",
            "1http://a",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn allows_exact_origins_only() {
        let service = PaymentService::new(
            "http://127.0.0.1:9".into(),
            vec!["tauri://localhost".into()],
        );
        assert!(service.allows("tauri://localhost"));
        assert!(!service.allows("tauri://localhost/"));
        assert!(!service.allows("TAURI://localhost"));
        assert_eq!(
            service.three_ds_url("pay_1"),
            "http://127.0.0.1:9/3ds/pay_1"
        );
    }
}
