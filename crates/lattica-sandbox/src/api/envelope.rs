//! The wire envelope: `{"result": …}` on success, `{"error", "error_code", …}` on failure.

use std::fmt::Display;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Every `error_code` the sandbox answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The method is not POST.
    MethodNotAllowed,
    /// No such endpoint.
    UnknownEndpoint,
    /// The body is not a JSON object.
    InvalidJson,
    /// A required parameter is absent.
    MissingParameter,
    /// A parameter has the wrong type or value.
    InvalidParameter,
    /// `client_info.version` is below the minimum.
    ClientVersionIncompatible,
    /// No or unknown bearer token.
    Unauthorized,
    /// The token expired.
    TokenExpired,
    /// The token was revoked.
    TokenRevoked,
    /// A referenced object does not exist.
    NotFound,
    /// Not enough credits to start a worker.
    InsufficientCredits,
    /// An idempotency key was reused with other parameters.
    IdempotencyKeyReused,
    /// The first request with this idempotency key is still running.
    IdempotencyKeyInFlight,
    /// The payment's state does not allow the operation (e.g. confirming a succeeded one).
    InvalidPaymentState,
    /// A fault injected through the control API.
    ServiceUnavailable,
    /// A bug or a failing disk.
    Internal,
    /// The request head or body did not arrive in time.
    RequestTimeout,
    /// The request head is larger than the listener takes.
    HeadersTooLarge,
    /// The request is not HTTP the listener can read (a bad request line or header).
    MalformedRequest,
    /// The request comes from somewhere the control API does not take orders from.
    Forbidden,
    /// The body is not declared as `application/json` where only JSON is taken.
    UnsupportedMediaType,
}

impl ErrorCode {
    const ALL: [Self; 21] = [
        Self::MethodNotAllowed,
        Self::UnknownEndpoint,
        Self::InvalidJson,
        Self::MissingParameter,
        Self::InvalidParameter,
        Self::ClientVersionIncompatible,
        Self::Unauthorized,
        Self::TokenExpired,
        Self::TokenRevoked,
        Self::NotFound,
        Self::InsufficientCredits,
        Self::IdempotencyKeyReused,
        Self::IdempotencyKeyInFlight,
        Self::InvalidPaymentState,
        Self::ServiceUnavailable,
        Self::Internal,
        Self::RequestTimeout,
        Self::HeadersTooLarge,
        Self::MalformedRequest,
        Self::Forbidden,
        Self::UnsupportedMediaType,
    ];

    /// Reads an `error_code` spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|code| code.as_str() == text)
    }

    /// The `error_code` spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::UnknownEndpoint => "UNKNOWN_ENDPOINT",
            Self::InvalidJson => "INVALID_JSON",
            Self::MissingParameter => "MISSING_PARAMETER",
            Self::InvalidParameter => "INVALID_PARAMETER",
            Self::ClientVersionIncompatible => "CLIENT_VERSION_INCOMPATIBLE",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::TokenExpired => "TOKEN_EXPIRED",
            Self::TokenRevoked => "TOKEN_REVOKED",
            Self::NotFound => "NOT_FOUND",
            Self::InsufficientCredits => "INSUFFICIENT_CREDITS",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::IdempotencyKeyInFlight => "IDEMPOTENCY_KEY_IN_FLIGHT",
            Self::InvalidPaymentState => "INVALID_PAYMENT_STATE",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::Internal => "INTERNAL",
            Self::RequestTimeout => "REQUEST_TIMEOUT",
            Self::HeadersTooLarge => "HEADERS_TOO_LARGE",
            Self::MalformedRequest => "MALFORMED_REQUEST",
            Self::Forbidden => "FORBIDDEN",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
        }
    }

    /// The HTTP status the contract pairs with the code.
    pub fn status(self) -> StatusCode {
        match self {
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnknownEndpoint | Self::NotFound => StatusCode::NOT_FOUND,
            Self::InvalidJson
            | Self::MissingParameter
            | Self::InvalidParameter
            | Self::ClientVersionIncompatible => StatusCode::BAD_REQUEST,
            Self::Unauthorized | Self::TokenExpired | Self::TokenRevoked => {
                StatusCode::UNAUTHORIZED
            }
            Self::InsufficientCredits => StatusCode::PAYMENT_REQUIRED,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::IdempotencyKeyInFlight | Self::InvalidPaymentState => StatusCode::CONFLICT,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::MalformedRequest => StatusCode::BAD_REQUEST,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }
}

/// A failure answer. Messages never contain tokens or card data.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The `error_code`.
    pub code: ErrorCode,
    /// The status sent (the code's own unless a fault chose another).
    pub status: StatusCode,
    /// The human `error` message.
    pub message: String,
    /// Extra top-level fields, e.g. `min_version`.
    pub extra: Map<String, Value>,
    /// `Retry-After` seconds, if any.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with the code's own status.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            status: code.status(),
            message: message.into(),
            extra: Map::new(),
            retry_after: None,
        }
    }

    /// `MISSING_PARAMETER` naming `name`.
    pub fn missing(name: &str) -> Self {
        Self::new(
            ErrorCode::MissingParameter,
            format!("missing parameter: {name}"),
        )
    }

    /// `INVALID_PARAMETER` naming `name` and saying what was expected.
    pub fn invalid(name: &str, expected: &str) -> Self {
        Self::new(
            ErrorCode::InvalidParameter,
            format!("invalid parameter {name}: expected {expected}"),
        )
    }

    /// `NOT_FOUND` for `what`.
    pub fn not_found(what: impl Display) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// `INTERNAL`; the cause is logged, the client only learns that something broke.
    pub fn internal(cause: impl Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(ErrorCode::Internal, "internal error")
    }

    /// Adds a top-level field next to `error` and `error_code`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        Self::internal(error)
    }
}

impl From<crate::error::SandboxError> for ApiError {
    fn from(error: crate::error::SandboxError) -> Self {
        Self::internal(error)
    }
}

impl ApiError {
    /// The body this error is answered with.
    pub fn body_text(&self) -> String {
        let mut body = self.extra.clone();
        body.insert("error".into(), Value::String(self.message.clone()));
        body.insert(
            "error_code".into(),
            Value::String(self.code.as_str().into()),
        );
        // Serializing a map of JSON values cannot fail.
        serde_json::to_string(&body).unwrap_or_default()
    }

    /// The error a stored answer (`status`, [`ApiError::body_text`]) stands for, so that a
    /// replay answers with the same status and body.
    pub fn from_stored(status: u16, body: &str) -> Option<Self> {
        let Ok(Value::Object(mut extra)) = serde_json::from_str::<Value>(body) else {
            return None;
        };
        let Some(Value::String(message)) = extra.remove("error") else {
            return None;
        };
        let Some(Value::String(code)) = extra.remove("error_code") else {
            return None;
        };
        Some(Self {
            code: ErrorCode::parse(&code)?,
            status: StatusCode::from_u16(status).ok()?,
            message,
            extra,
            retry_after: None,
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.status, self.body_text());
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// What a handler produces: the serialized `result` value, or the error.
pub type ApiResult = Result<Box<RawValue>, ApiError>;

/// Serializes `value` as a `result`.
pub fn ok(value: &impl Serialize) -> ApiResult {
    serde_json::value::to_raw_value(value).map_err(ApiError::internal)
}

/// The 200 answer carrying `result`.
pub fn success(result: &RawValue) -> Response {
    json_response(StatusCode::OK, format!(r#"{{"result":{}}}"#, result.get()))
}

/// The answer for a handler's outcome.
pub fn respond(outcome: ApiResult) -> Response {
    match outcome {
        Ok(result) => success(&result),
        Err(error) => error.into_response(),
    }
}

/// A JSON body with `status`.
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("NOPE"), None);
    }

    #[test]
    fn a_stored_error_replays_identically() {
        let error = ApiError::new(ErrorCode::InvalidPaymentState, "payment is final")
            .with("status", "succeeded");
        let text = error.body_text();
        let replayed = ApiError::from_stored(409, &text).unwrap();
        assert_eq!(replayed.body_text(), text);
        assert_eq!(replayed.status, StatusCode::CONFLICT);
        assert_eq!(replayed.code, ErrorCode::InvalidPaymentState);
        assert!(ApiError::from_stored(409, "{}").is_none());
        assert!(ApiError::from_stored(409, "[]").is_none());
    }
}
