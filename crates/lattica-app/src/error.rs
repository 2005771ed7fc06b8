//! The app's one error type: every failure a step of the running app (a command, the command
//! line) can report, typed by domain. Messages are written for the user and never carry the
//! session token; the shell serializes them for the webviews once (`src-tauri/src/error.rs`).

use lattica_client::error::{TOKEN_EXPIRED, TOKEN_REVOKED};
use lattica_client::{ClientError, TokenError};
use lattica_core::settings::InvalidSettings;

use crate::payment::{AmountError, CardError, FlowError};
use crate::session::KeychainError;

/// Every failure a step can report.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Empty or malformed token: rejected before anything is sent.
    #[error("{}", token_problem(.0))]
    InvalidToken(TokenError),
    /// The platform refused the token: unknown, or not all of it was pasted.
    #[error("The platform did not accept this session token. Check that you pasted all of it.")]
    TokenRejected,
    #[error("This session token was revoked. Paste a current token.")]
    TokenRevoked,
    #[error("This session token has expired. Paste the new token from your latest Lattica email.")]
    TokenExpired,
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error("not signed in")]
    NotSignedIn,
    /// The platform could not be reached; nothing changed. The cause goes to the log, not
    /// to a window.
    #[error("Could not reach the Lattica platform. Check your connection and try again.")]
    Network(ClientError),
    /// The platform answered with an error: one plain sentence, no HTTP detail.
    #[error("{}", server_problem(.0))]
    Server(ClientError),
    /// The platform does not offer this (the published platform has no pricing or payments
    /// API).
    #[error("The Lattica platform does not offer this in the app yet.")]
    Unsupported(ClientError),
    /// The platform refuses this version; the minimum version when it said one.
    #[error("{}", too_old(.0.as_deref()))]
    ClientTooOld(Option<String>),
    /// The settings form failed validation; each error names its field.
    #[error("{0}")]
    InvalidSettings(InvalidSettings),
    /// The settings (or the login item) could not be saved.
    #[error("{0}")]
    Storage(String),
    /// An amount of credits that cannot be bought.
    #[error(transparent)]
    InvalidAmount(#[from] AmountError),
    /// A card handed over by a webview that is not a payment service token.
    #[error(transparent)]
    InvalidCard(#[from] CardError),
    /// The auto top-up form cannot make a rule: says which field and how to fix it.
    #[error("{0}")]
    AutoTopUp(String),
    /// A payment step that cannot be taken now. Nothing was charged.
    #[error(transparent)]
    Payment(FlowError),
    /// No desktop notification server answered (a test notification could not be shown).
    #[error(
        "No notification service answered on this desktop, so alerts show in the tray only. \
         Start your desktop's notifications (or a daemon such as dunst) and try again."
    )]
    NoNotificationServer,
    /// "Try the demo account" could not start the demo platform; the app stays where it was.
    #[error("The demo account could not start: {0}")]
    DemoUnavailable(String),
    /// A sign-in overtaken by a sign-out or a move into or out of the demo while its token
    /// was checked: the token is stored for the platform that accepted it, but not used now.
    #[error(
        "The app signed out or changed platform while this token was checked, so it is not in \
         use. Sign in again."
    )]
    SignInOvertaken,
    #[error("{0}")]
    Internal(String),
    /// The saved cards could not be read, and why (its kind is the cause's).
    #[error("The saved cards could not be read. {0}")]
    CardsUnreadable(Box<AppError>),
}

impl AppError {
    /// The machine-readable kind the UI branches on.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CardsUnreadable(cause) => cause.kind(),
            Self::InvalidToken(_) => "invalid_token",
            Self::TokenRejected | Self::TokenRevoked => "token_rejected",
            Self::TokenExpired => "token_expired",
            Self::Keychain(_) => "keychain_unavailable",
            Self::NotSignedIn => "not_signed_in",
            Self::SignInOvertaken => "sign_in_overtaken",
            Self::Network(_) => "network",
            Self::Server(_) => "server",
            Self::Unsupported(_) => "unsupported",
            Self::ClientTooOld(_) => "client_too_old",
            Self::InvalidSettings(_) => "invalid_settings",
            Self::Storage(_) => "storage",
            Self::InvalidAmount(_) => "invalid_amount",
            Self::AutoTopUp(_) => "auto_top_up",
            Self::InvalidCard(_) | Self::Payment(_) => "payment",
            Self::NoNotificationServer => "notifications_unavailable",
            Self::DemoUnavailable(_) => "demo_unavailable",
            Self::Internal(_) => "internal",
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self::Internal(error.to_string())
    }

    /// The field errors of a settings form that failed validation.
    pub fn invalid_settings(&self) -> Option<&InvalidSettings> {
        match self {
            Self::InvalidSettings(invalid) => Some(invalid),
            _ => None,
        }
    }
}

fn token_problem(error: &TokenError) -> String {
    match error {
        TokenError::Empty => "Paste the session token from your Lattica email.".to_owned(),
        TokenError::TooLong => {
            "That is far longer than a session token; paste only the token.".to_owned()
        }
        TokenError::Malformed { position } => format!(
            "That is not a session token: character {} is a space, a line break or not plain \
             ASCII.",
            position + 1
        ),
    }
}

/// A server's refusal as one sentence with a way forward. A 4xx carries the platform's own
/// words (already cleaned of control characters and cut short by the client); a 5xx, 429 or
/// an unreadable answer says to try again.
fn server_problem(error: &ClientError) -> String {
    match error {
        ClientError::Server {
            status, message, ..
        } if (400..500).contains(status) && *status != 429 && !message.trim().is_empty() => {
            let message = message.trim().trim_end_matches('.');
            format!("The Lattica platform refused this: {message}.")
        }
        ClientError::Malformed(_) => "The Lattica platform sent an answer this app cannot read. \
                                      Try again later, or update the app."
            .to_owned(),
        _ => "The Lattica platform is having trouble right now. Try again in a minute.".to_owned(),
    }
}

fn too_old(min_version: Option<&str>) -> String {
    match min_version {
        Some(v) => format!("This version of Lattica Tray is too old; update to {v} or later."),
        None => "This version of Lattica Tray is too old; please update it.".to_owned(),
    }
}

impl From<TokenError> for AppError {
    fn from(error: TokenError) -> Self {
        Self::InvalidToken(error)
    }
}

impl From<ClientError> for AppError {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::Unauthorized { code, .. } => match code.as_deref() {
                Some(TOKEN_EXPIRED) => Self::TokenExpired,
                Some(TOKEN_REVOKED) => Self::TokenRevoked,
                _ => Self::TokenRejected,
            },
            ClientError::ClientTooOld { min_version, .. } => Self::ClientTooOld(min_version),
            ClientError::Timeout | ClientError::Network(_) => Self::Network(error),
            ClientError::InvalidToken(token) => Self::InvalidToken(token),
            ClientError::InvalidConfig(message) => Self::Internal(message),
            ClientError::Server { .. } | ClientError::Malformed(_) => Self::Server(error),
            ClientError::Unsupported { .. } => Self::Unsupported(error),
        }
    }
}

impl From<FlowError> for AppError {
    fn from(error: FlowError) -> Self {
        match error {
            FlowError::Client(error) => Self::from(error),
            other => Self::Payment(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_errors_are_specific() {
        assert_eq!(AppError::from(TokenError::Empty).kind(), "invalid_token");
        let malformed = AppError::from(TokenError::Malformed { position: 3 });
        assert!(malformed.to_string().contains("character 4"), "{malformed}");
    }

    #[test]
    fn unauthorized_codes_map_to_kinds() {
        let unauthorized = |code: &str| ClientError::Unauthorized {
            status: 401,
            code: Some(code.into()),
            message: "x".into(),
        };
        assert_eq!(
            AppError::from(unauthorized("TOKEN_EXPIRED")).kind(),
            "token_expired"
        );
        assert_eq!(
            AppError::from(unauthorized("TOKEN_REVOKED")).kind(),
            "token_rejected"
        );
        assert_eq!(
            AppError::from(unauthorized("UNAUTHORIZED")).kind(),
            "token_rejected"
        );
        assert_eq!(AppError::from(ClientError::Timeout).kind(), "network");
    }

    #[test]
    fn no_window_sees_an_http_status_or_an_endpoint() {
        let errors = [
            ClientError::Server {
                status: 503,
                code: Some("SERVICE_UNAVAILABLE".into()),
                message: "upstream timed out".into(),
            },
            ClientError::Server {
                status: 404,
                code: None,
                message: String::new(),
            },
            ClientError::Unsupported {
                endpoint: "api/finance/get_pricing",
            },
            ClientError::Network("tcp connect error: Connection refused".into()),
            ClientError::Malformed("expected value at line 1".into()),
        ];
        for error in errors {
            let shown = AppError::from(error).to_string();
            for raw in ["HTTP", "404", "503", "api/", "tcp", "line 1", "SERVICE"] {
                assert!(!shown.contains(raw), "{shown:?} shows {raw:?}");
            }
            assert!(shown.ends_with('.'), "{shown:?} is one sentence");
        }
        let refused = AppError::from(ClientError::Server {
            status: 422,
            code: None,
            message: "credits must be at least 10".into(),
        });
        assert_eq!(
            refused.to_string(),
            "The Lattica platform refused this: credits must be at least 10."
        );
    }
}
