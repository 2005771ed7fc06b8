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
    /// The platform could not be reached; nothing changed.
    #[error("Could not reach the Lattica platform: {0}")]
    Network(ClientError),
    /// The platform answered with an error.
    #[error("The Lattica platform answered with an error: {0}")]
    Server(ClientError),
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
    /// A payment step that cannot be taken now. Nothing was charged.
    #[error(transparent)]
    Payment(FlowError),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// The machine-readable kind the UI branches on.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::InvalidToken(_) => "invalid_token",
            Self::TokenRejected | Self::TokenRevoked => "token_rejected",
            Self::TokenExpired => "token_expired",
            Self::Keychain(_) => "keychain_unavailable",
            Self::NotSignedIn => "not_signed_in",
            Self::Network(_) => "network",
            Self::Server(_) => "server",
            Self::ClientTooOld(_) => "client_too_old",
            Self::InvalidSettings(_) => "invalid_settings",
            Self::Storage(_) => "storage",
            Self::InvalidAmount(_) => "invalid_amount",
            Self::InvalidCard(_) | Self::Payment(_) => "payment",
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
}
