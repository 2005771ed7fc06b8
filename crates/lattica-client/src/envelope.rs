//! The wire envelope: the request body (`client_info` next to the parameters) and the reading
//! of an answer (`{"result": …}` or `{"error": …, "error_code": …}`) into a result or a
//! [`ClientError`]. Pure functions, so every branch is unit-tested without a network.

use rust_decimal::Decimal;
use serde::Deserialize;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::config::ClientInfo;
use crate::error::{CLIENT_VERSION_INCOMPATIBLE, ClientError};

/// Longest server message kept in an error; the rest is cut, so a hostile or broken server
/// cannot fill the UI or the logs.
const MAX_MESSAGE_CHARS: usize = 300;

/// The parameters of one call, each already encoded as JSON text.
///
/// Encoding to text up front lets credits travel as exact JSON numbers (`Decimal`'s digits
/// verbatim), which a `serde_json::Value` could only carry through a float.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(&'static str, Box<RawValue>)>);

impl Params {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn with(
        mut self,
        key: &'static str,
        value: impl Serialize,
    ) -> Result<Self, ClientError> {
        let raw = serde_json::value::to_raw_value(&value)
            .map_err(|e| ClientError::Malformed(format!("cannot encode `{key}`: {e}")))?;
        self.0.push((key, raw));
        Ok(self)
    }

    /// Adds `value` when it is `Some`; the platform reads an absent key as "not given".
    pub(crate) fn with_opt<T: Serialize>(
        self,
        key: &'static str,
        value: Option<T>,
    ) -> Result<Self, ClientError> {
        match value {
            Some(value) => self.with(key, value),
            None => Ok(self),
        }
    }

    /// Adds a credits amount as a JSON number with exactly the decimal's digits.
    pub(crate) fn with_credits(
        mut self,
        key: &'static str,
        value: Decimal,
    ) -> Result<Self, ClientError> {
        // `Decimal`'s `Display` never uses an exponent, so its output is a valid JSON number.
        let raw = RawValue::from_string(value.to_string())
            .map_err(|e| ClientError::Malformed(format!("cannot encode `{key}`: {e}")))?;
        self.0.push((key, raw));
        Ok(self)
    }
}

/// A request body: the parameters plus `client_info`.
pub(crate) struct Body<'a> {
    pub(crate) params: &'a Params,
    pub(crate) client_info: &'a ClientInfo,
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.params.0.len() + 1))?;
        for (key, value) in &self.params.0 {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("client_info", self.client_info)?;
        map.end()
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    error_code: Option<Value>,
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    message: Option<Value>,
    #[serde(default)]
    detail: Option<Value>,
    #[serde(default)]
    min_version: Option<Value>,
}

/// Reads an answer: the `result` of a success, or the typed error.
///
/// `CLIENT_VERSION_INCOMPATIBLE` wins over everything, whatever the status, since a platform
/// may send it with a 2xx; then 401/403 mean the token; any other non-2xx is a server error.
pub(crate) fn decode(status: u16, body: &[u8]) -> Result<Box<RawValue>, ClientError> {
    let success = (200..300).contains(&status);
    // Derived readers would also take a JSON array as a struct; an envelope is an object.
    let is_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let parsed = if is_object {
        serde_json::from_slice::<Envelope<'_>>(body)
    } else {
        Err(serde::de::Error::custom("expected a JSON object"))
    };
    let envelope = match parsed {
        Ok(envelope) => envelope,
        Err(e) if success => {
            return Err(ClientError::Malformed(format!(
                "the answer is not a JSON envelope: {e}"
            )));
        }
        Err(_) => return Err(status_error(status, None, default_message(status))),
    };
    let code = envelope
        .error_code
        .as_ref()
        .or(envelope.code.as_ref())
        .and_then(Value::as_str)
        .map(clean);
    if code.as_deref() == Some(CLIENT_VERSION_INCOMPATIBLE) {
        return Err(ClientError::ClientTooOld {
            min_version: envelope
                .min_version
                .as_ref()
                .and_then(Value::as_str)
                .map(clean),
            message: message_of(&envelope).unwrap_or_else(|| "please update the app".to_owned()),
        });
    }
    if success {
        if let Some(result) = envelope.result {
            return Ok(result.to_owned());
        }
        if let Some(message) = message_of(&envelope) {
            return Err(ClientError::Server {
                status,
                code,
                message,
            });
        }
        return Err(ClientError::Malformed(
            "the answer has no `result`".to_owned(),
        ));
    }
    let message = message_of(&envelope).unwrap_or_else(|| default_message(status));
    Err(status_error(status, code, message))
}

fn status_error(status: u16, code: Option<String>, message: String) -> ClientError {
    if status == 401 || status == 403 {
        ClientError::Unauthorized {
            status,
            code,
            message,
        }
    } else {
        ClientError::Server {
            status,
            code,
            message,
        }
    }
}

fn default_message(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unexpected status");
    format!("HTTP {status} {reason}")
}

/// The human message: `error`, else `message`, else `detail` (strings, or objects carrying a
/// `message`; anything else is shown as compact JSON).
fn message_of(envelope: &Envelope<'_>) -> Option<String> {
    [&envelope.error, &envelope.message, &envelope.detail]
        .into_iter()
        .flatten()
        .find_map(|value| match value {
            Value::Null => None,
            Value::String(s) => Some(clean(s)),
            Value::Object(map) => match map.get("message") {
                Some(Value::String(s)) => Some(clean(s)),
                _ => Some(clean(&value.to_string())),
            },
            other => Some(clean(&other.to_string())),
        })
}

/// Control characters out, length bounded.
fn clean(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_MESSAGE_CHARS)
        .collect();
    if text.chars().nth(MAX_MESSAGE_CHARS).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
#[path = "envelope_tests.rs"]
mod tests;
