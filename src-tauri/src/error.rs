//! The one mapping of the app's errors onto the IPC boundary: every command fails with an
//! [`IpcError`], serialized as `{kind, message}` (and `errors`, the fields of an invalid
//! settings form) so the UI can branch on `kind` and show `message`. Messages are written for
//! the user and never carry the session token.

use lattica_app::AppError;
use serde::ser::SerializeStruct;

/// A command's failure, as the webview receives it.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct IpcError(#[from] pub AppError);

impl IpcError {
    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self(AppError::internal(error))
    }
}

/// Every error a step of the app reports converts on the way out of a command with `?`.
macro_rules! from_app_errors {
    ($($error:ty),* $(,)?) => {
        $(impl From<$error> for IpcError {
            fn from(error: $error) -> Self {
                Self(AppError::from(error))
            }
        })*
    };
}

from_app_errors!(lattica_client::ClientError, lattica_app::payment::CardError);

impl serde::Serialize for IpcError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let errors = self.0.invalid_settings();
        let mut s = serializer.serialize_struct("IpcError", 2 + usize::from(errors.is_some()))?;
        s.serialize_field("kind", self.0.kind())?;
        s.serialize_field("message", &self.0.to_string())?;
        if let Some(errors) = errors {
            // `[{field, message}]`, so the settings window marks every field in error.
            s.serialize_field("errors", errors)?;
        }
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use lattica_client::TokenError;

    use super::*;

    #[test]
    fn serializes_as_kind_and_message() {
        let json = serde_json::to_value(IpcError(AppError::from(TokenError::Empty))).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "invalid_token",
                "message": "Paste the session token from your Lattica email."
            })
        );
        let form = lattica_core::settings::Settings::default().to_form();
        let invalid =
            lattica_core::settings::Settings::from_form(&lattica_core::settings::SettingsForm {
                refresh_interval_secs: "1".into(),
                ..form
            })
            .unwrap_err();
        let json = serde_json::to_value(IpcError(AppError::InvalidSettings(invalid))).unwrap();
        assert_eq!(json["kind"], "invalid_settings");
        assert_eq!(json["errors"][0]["field"], "refreshIntervalSecs");
    }
}
