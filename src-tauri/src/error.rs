//! The one error type that crosses the IPC boundary, serialized as `{kind, message}` so the UI
//! can branch on `kind` and show `message`. Messages are written for the user and never carry
//! the session token.

use lattica_client::{ClientError, TokenError};
use lattica_core::settings::InvalidSettings;
use serde::ser::SerializeStruct;

use crate::keychain::KeychainError;

/// Every failure a command can report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// Empty or malformed token: rejected before anything is sent.
    #[error("{0}")]
    InvalidToken(String),
    /// The platform refused the token (unknown or revoked).
    #[error("{0}")]
    TokenRejected(String),
    #[error("{0}")]
    TokenExpired(String),
    #[error("{0}")]
    KeychainUnavailable(String),
    #[error("not signed in")]
    NotSignedIn,
    /// The platform could not be reached; nothing changed.
    #[error("{0}")]
    Network(String),
    /// The platform answered with an error.
    #[error("{0}")]
    Server(String),
    #[error("{0}")]
    ClientTooOld(String),
    /// The settings form failed validation; each error names its field.
    #[error("{0}")]
    InvalidSettings(InvalidSettings),
    /// The settings could not be saved.
    #[error("{0}")]
    Storage(String),
    /// An amount of credits that cannot be bought (the message says why).
    #[error("{0}")]
    InvalidAmount(String),
    /// A payment step that cannot be taken now (another payment in progress, an outcome not
    /// known yet…). Nothing was charged.
    #[error("{0}")]
    Payment(String),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// The machine-readable kind the UI branches on.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::InvalidToken(_) => "invalid_token",
            Self::TokenRejected(_) => "token_rejected",
            Self::TokenExpired(_) => "token_expired",
            Self::KeychainUnavailable(_) => "keychain_unavailable",
            Self::NotSignedIn => "not_signed_in",
            Self::Network(_) => "network",
            Self::Server(_) => "server",
            Self::ClientTooOld(_) => "client_too_old",
            Self::InvalidSettings(_) => "invalid_settings",
            Self::Storage(_) => "storage",
            Self::InvalidAmount(_) => "invalid_amount",
            Self::Payment(_) => "payment",
            Self::Internal(_) => "internal",
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self::Internal(error.to_string())
    }
}

impl serde::Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let errors = match self {
            Self::InvalidSettings(invalid) => Some(invalid),
            _ => None,
        };
        let mut s = serializer.serialize_struct("AppError", 2 + usize::from(errors.is_some()))?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        if let Some(errors) = errors {
            // `[{field, message}]`, so the settings window marks every field in error.
            s.serialize_field("errors", errors)?;
        }
        s.end()
    }
}

impl From<TokenError> for AppError {
    fn from(error: TokenError) -> Self {
        Self::InvalidToken(match error {
            TokenError::Empty => "Paste the session token from your Lattica email.".to_owned(),
            TokenError::TooLong => {
                "That is far longer than a session token; paste only the token.".to_owned()
            }
            TokenError::Malformed { position } => format!(
                "That is not a session token: character {} is a space, a line break or \
                 not plain ASCII.",
                position + 1
            ),
        })
    }
}

impl From<KeychainError> for AppError {
    fn from(error: KeychainError) -> Self {
        Self::KeychainUnavailable(error.to_string())
    }
}

impl From<ClientError> for AppError {
    fn from(error: ClientError) -> Self {
        match &error {
            ClientError::Unauthorized { code, .. } => match code.as_deref() {
                Some(lattica_client::error::TOKEN_EXPIRED) => Self::TokenExpired(
                    "This session token has expired. Paste the new token from your latest \
                     Lattica email."
                        .to_owned(),
                ),
                Some(lattica_client::error::TOKEN_REVOKED) => Self::TokenRejected(
                    "This session token was revoked. Paste a current token.".to_owned(),
                ),
                _ => Self::TokenRejected(
                    "The platform did not accept this session token. Check that you pasted \
                     all of it."
                        .to_owned(),
                ),
            },
            ClientError::ClientTooOld { min_version, .. } => {
                Self::ClientTooOld(match min_version {
                    Some(v) => {
                        format!("This version of Lattica Tray is too old; update to {v} or later.")
                    }
                    None => "This version of Lattica Tray is too old; please update it.".to_owned(),
                })
            }
            ClientError::Timeout | ClientError::Network(_) => {
                Self::Network(format!("Could not reach the Lattica platform: {error}"))
            }
            ClientError::InvalidToken(token) => Self::from(token.clone()),
            ClientError::InvalidConfig(message) => Self::Internal(message.clone()),
            ClientError::Server { .. } | ClientError::Malformed(_) => Self::Server(format!(
                "The Lattica platform answered with an error: {error}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_kind_and_message() {
        let json = serde_json::to_value(AppError::InvalidToken("paste it".into())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "invalid_token", "message": "paste it"})
        );
        let form = lattica_core::settings::Settings::default().to_form();
        let invalid =
            lattica_core::settings::Settings::from_form(&lattica_core::settings::SettingsForm {
                refresh_interval_secs: "1".into(),
                ..form
            })
            .unwrap_err();
        let json = serde_json::to_value(AppError::InvalidSettings(invalid)).unwrap();
        assert_eq!(json["kind"], "invalid_settings");
        assert_eq!(json["errors"][0]["field"], "refreshIntervalSecs");
    }

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
