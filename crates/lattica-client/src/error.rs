//! The one error type of the client. Callers branch on its variants: the tray shows "renew
//! your token" for [`ClientError::Unauthorized`], "update the app" for
//! [`ClientError::ClientTooOld`], and "offline, retrying" for the retryable rest.
//!
//! No variant ever carries the session token: messages that come from the server are scrubbed
//! of it before they are stored (see [`ClientError::scrubbed`]).

use crate::token::TokenError;

/// `error_code` the platform sends when the client must be updated.
pub const CLIENT_VERSION_INCOMPATIBLE: &str = "CLIENT_VERSION_INCOMPATIBLE";
/// `error_code` for a token past its expiry date.
pub const TOKEN_EXPIRED: &str = "TOKEN_EXPIRED";
/// `error_code` for a token the account owner revoked.
pub const TOKEN_REVOKED: &str = "TOKEN_REVOKED";
/// `error_code` (payments, sandbox design): the same idempotency key is still being handled.
pub const IDEMPOTENCY_KEY_IN_FLIGHT: &str = "IDEMPOTENCY_KEY_IN_FLIGHT";
/// `error_code` (payments, sandbox design): the payment is not in a state for this request.
pub const INVALID_PAYMENT_STATE: &str = "INVALID_PAYMENT_STATE";
/// `error_code` for an object (a payment, a saved card) the platform does not know.
pub const NOT_FOUND: &str = "NOT_FOUND";
/// `error_code` (sandbox) of an endpoint the platform does not serve; the published platform
/// says "Unknown endpoint" in the message instead.
pub const UNKNOWN_ENDPOINT: &str = "UNKNOWN_ENDPOINT";

/// Everything that can go wrong talking to the platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// HTTP 401/403: the token is unknown, expired or revoked; `code` tells which
    /// (`UNAUTHORIZED`, [`TOKEN_EXPIRED`], [`TOKEN_REVOKED`]).
    #[error("the platform refused the session token (HTTP {status}): {message}")]
    Unauthorized {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// The platform no longer accepts this client version; the user must update the app.
    #[error("this version of the app is no longer supported by the platform: {message}")]
    ClientTooOld {
        min_version: Option<String>,
        message: String,
    },
    /// Any other non-success answer (or a success status whose body is an error).
    #[error("the platform answered HTTP {status}: {message}")]
    Server {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// The platform did not answer within the request timeout or the retry budget.
    #[error("the platform did not answer in time")]
    Timeout,
    /// The connection failed or broke (DNS, refused, reset, TLS).
    #[error("network error: {0}")]
    Network(String),
    /// The platform answered something this client cannot read.
    #[error("unexpected answer from the platform: {0}")]
    Malformed(String),
    /// The client was configured with something unusable (bad base URL, insecure scheme).
    #[error("invalid client configuration: {0}")]
    InvalidConfig(String),
    /// The platform does not serve `endpoint` (it answered "unknown endpoint", now or within
    /// the last hour): the feature behind it is absent there, not broken.
    #[error("the platform does not offer `{endpoint}`")]
    Unsupported { endpoint: &'static str },
    /// The session token itself is unusable; no request was sent.
    #[error(transparent)]
    InvalidToken(#[from] TokenError),
}

impl ClientError {
    /// Whether trying the same request again later may succeed: network failures, timeouts,
    /// HTTP 429 and 5xx. Everything else needs a change on the caller's side first.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout | Self::Network(_) => true,
            Self::Server { status, .. } => *status == 429 || (500..=599).contains(status),
            Self::Unauthorized { .. }
            | Self::ClientTooOld { .. }
            | Self::Malformed(_)
            | Self::InvalidConfig(_)
            | Self::Unsupported { .. }
            | Self::InvalidToken(_) => false,
        }
    }

    /// The platform's machine-readable `error_code`, when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Unauthorized { code, .. } | Self::Server { code, .. } => code.as_deref(),
            Self::ClientTooOld { .. } => Some(CLIENT_VERSION_INCOMPATIBLE),
            _ => None,
        }
    }

    /// The HTTP status of the answer, for the variants that come from one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized { status, .. } | Self::Server { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when the platform lacks the endpoint called ([`ClientError::Unsupported`]).
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Self::Unsupported { .. })
    }

    /// True when the token has expired and the user must paste a new one.
    pub fn is_token_expired(&self) -> bool {
        matches!(self, Self::Unauthorized { code: Some(c), .. } if c == TOKEN_EXPIRED)
    }

    /// Returns the error with every occurrence of `secret` in its text replaced by `***`.
    ///
    /// A server may echo what it was sent ("unknown token tok_…"), and a reader error may quote
    /// a value; this is the last line of defence before an error leaves the crate.
    pub(crate) fn scrubbed(self, secret: &str) -> Self {
        let clean = |s: String| {
            if !secret.is_empty() && s.contains(secret) {
                s.replace(secret, "***")
            } else {
                s
            }
        };
        match self {
            Self::Unauthorized {
                status,
                code,
                message,
            } => Self::Unauthorized {
                status,
                code: code.map(clean),
                message: clean(message),
            },
            Self::ClientTooOld {
                min_version,
                message,
            } => Self::ClientTooOld {
                min_version: min_version.map(clean),
                message: clean(message),
            },
            Self::Server {
                status,
                code,
                message,
            } => Self::Server {
                status,
                code: code.map(clean),
                message: clean(message),
            },
            Self::Network(m) => Self::Network(clean(m)),
            Self::Malformed(m) => Self::Malformed(clean(m)),
            Self::InvalidConfig(m) => Self::InvalidConfig(clean(m)),
            other @ (Self::Timeout | Self::InvalidToken(_) | Self::Unsupported { .. }) => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(status: u16) -> ClientError {
        ClientError::Server {
            status,
            code: None,
            message: "x".into(),
        }
    }

    #[test]
    fn retryable_kinds() {
        assert!(ClientError::Timeout.is_retryable());
        assert!(ClientError::Network("reset".into()).is_retryable());
        assert!(server(429).is_retryable());
        assert!(server(500).is_retryable());
        assert!(server(503).is_retryable());
        assert!(!server(400).is_retryable());
        assert!(!server(404).is_retryable());
        assert!(!server(409).is_retryable());
        assert!(!ClientError::Malformed("x".into()).is_retryable());
        let unauthorized = ClientError::Unauthorized {
            status: 401,
            code: Some(TOKEN_EXPIRED.into()),
            message: "expired".into(),
        };
        assert!(!unauthorized.is_retryable());
        assert!(unauthorized.is_token_expired());
        assert_eq!(unauthorized.code(), Some(TOKEN_EXPIRED));
        assert_eq!(unauthorized.status(), Some(401));
    }

    #[test]
    fn scrub_removes_the_secret_everywhere() {
        let errors = [
            ClientError::Unauthorized {
                status: 401,
                code: Some("tok_SECRET_123".into()),
                message: "unknown token tok_SECRET_123".into(),
            },
            ClientError::ClientTooOld {
                min_version: None,
                message: "tok_SECRET_123".into(),
            },
            ClientError::Server {
                status: 500,
                code: None,
                message: "a tok_SECRET_123 b tok_SECRET_123".into(),
            },
            ClientError::Network("tok_SECRET_123".into()),
            ClientError::Malformed("invalid type: string \"tok_SECRET_123\"".into()),
        ];
        for err in errors {
            let err = err.scrubbed("tok_SECRET_123");
            let printed = format!("{err:?} {err}");
            assert!(!printed.contains("SECRET"), "{printed}");
            assert!(printed.contains("***"), "{printed}");
        }
    }
}
