//! Which endpoints the platform offers, learnt from its answers.
//!
//! The published platform serves fewer endpoints than the sandbox (no pricing, no payments;
//! `docs/platform-api.md`). An endpoint that answers "unknown endpoint" is remembered as
//! absent for [`ClientConfig::absence_recheck`](crate::ClientConfig::absence_recheck): calls
//! to it fail at once with [`ClientError::Unsupported`] without a request, and the absence
//! is logged once, not on every refresh. A new client (a sign-in) starts knowing nothing.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{ClientError, UNKNOWN_ENDPOINT};

/// What a platform is known to lack, with when each absence was learnt.
#[derive(Debug)]
pub(crate) struct Capabilities {
    recheck_after: Duration,
    absent: Mutex<HashMap<&'static str, Instant>>,
}

impl Capabilities {
    pub(crate) fn new(recheck_after: Duration) -> Self {
        Self {
            recheck_after,
            absent: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `endpoint` answered "unknown endpoint" less than the recheck time ago.
    pub(crate) fn is_absent(&self, endpoint: &str) -> bool {
        let absent = self.absent.lock().unwrap_or_else(PoisonError::into_inner);
        absent
            .get(endpoint)
            .is_some_and(|since| since.elapsed() < self.recheck_after)
    }

    /// Turns an "unknown endpoint" answer into [`ClientError::Unsupported`] and remembers it;
    /// logs only when the absence is news. Any other outcome passes through, and a success
    /// forgets an earlier absence (the platform gained the endpoint).
    pub(crate) fn learn<T>(
        &self,
        endpoint: &'static str,
        outcome: Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        let mut absent = self.absent.lock().unwrap_or_else(PoisonError::into_inner);
        match outcome {
            Err(error) if is_unknown_endpoint(&error) => {
                let known = absent
                    .insert(endpoint, Instant::now())
                    .is_some_and(|since| since.elapsed() < self.recheck_after);
                if !known {
                    tracing::info!(
                        endpoint,
                        recheck_secs = self.recheck_after.as_secs(),
                        "the platform does not offer this endpoint; going on without it"
                    );
                }
                Err(ClientError::Unsupported { endpoint })
            }
            Ok(value) => {
                absent.remove(endpoint);
                Ok(value)
            }
            Err(other) => Err(other),
        }
    }
}

/// The platform's answer for an endpoint it does not serve: HTTP 404 with `error_code`
/// `UNKNOWN_ENDPOINT` (the sandbox) or an error text starting "Unknown endpoint" (the
/// published platform sends no code).
pub(crate) fn is_unknown_endpoint(error: &ClientError) -> bool {
    match error {
        ClientError::Server {
            status: 404,
            code,
            message,
        } => {
            code.as_deref() == Some(UNKNOWN_ENDPOINT)
                || message
                    .trim_start()
                    .get(..16)
                    .is_some_and(|start| start.eq_ignore_ascii_case("unknown endpoint"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn not_found(code: Option<&str>, message: &str) -> ClientError {
        ClientError::Server {
            status: 404,
            code: code.map(str::to_owned),
            message: message.to_owned(),
        }
    }

    #[test]
    fn unknown_endpoint_answers_are_told_from_other_404s() {
        assert!(is_unknown_endpoint(&not_found(
            Some(UNKNOWN_ENDPOINT),
            "unknown endpoint: api/finance/get_pricing"
        )));
        assert!(is_unknown_endpoint(&not_found(
            None,
            "Unknown endpoint api/finance/get_pricing"
        )));
        assert!(!is_unknown_endpoint(&not_found(
            Some("NOT_FOUND"),
            "no payment pay_123"
        )));
        assert!(!is_unknown_endpoint(&not_found(None, "Unknown")));
        let gone = ClientError::Server {
            status: 410,
            code: None,
            message: "unknown endpoint".into(),
        };
        assert!(!is_unknown_endpoint(&gone));
    }

    #[test]
    fn an_absence_is_remembered_until_the_recheck_and_a_success_forgets_it() {
        let caps = Capabilities::new(Duration::from_secs(3600));
        let unknown = || Err::<(), _>(not_found(None, "Unknown endpoint"));
        assert!(!caps.is_absent("api/x"));
        assert_eq!(
            caps.learn("api/x", unknown()),
            Err(ClientError::Unsupported { endpoint: "api/x" })
        );
        assert!(caps.is_absent("api/x"));
        assert!(!caps.is_absent("api/y"));
        let other = Err::<(), _>(ClientError::Timeout);
        assert_eq!(caps.learn("api/y", other), Err(ClientError::Timeout));
        assert!(!caps.is_absent("api/y"));
        assert_eq!(caps.learn("api/x", Ok(7)), Ok(7));
        assert!(!caps.is_absent("api/x"));

        let expired = Capabilities::new(Duration::ZERO);
        let _ = expired.learn("api/x", unknown());
        assert!(!expired.is_absent("api/x"), "rechecked after the delay");
    }
}
