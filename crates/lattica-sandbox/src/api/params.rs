//! Typed access to a request's JSON parameters; every error names the parameter.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::envelope::ApiError;
use crate::credits;
use crate::time::{self, Instant};

/// The body's top-level object.
#[derive(Debug, Clone, Default)]
pub struct Params(Map<String, Value>);

impl Params {
    /// Wraps a parsed body.
    pub fn new(map: Map<String, Value>) -> Self {
        Self(map)
    }

    /// The raw value of `name`, treating `null` as absent.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// The first of `names` that is present (the official clients use a few spellings).
    fn first<'a>(&self, names: &[&'a str]) -> Option<(&'a str, &Value)> {
        names
            .iter()
            .find_map(|name| self.get(name).map(|v| (*name, v)))
    }

    /// A required string parameter.
    pub fn str(&self, name: &str) -> Result<&str, ApiError> {
        self.opt_str(name)?.ok_or_else(|| ApiError::missing(name))
    }

    /// A required string known under several spellings; errors name the first.
    pub fn str_any(&self, names: &[&str]) -> Result<&str, ApiError> {
        let canonical = names.first().copied().unwrap_or_default();
        match self.first(names) {
            None => Err(ApiError::missing(canonical)),
            Some((name, value)) => value
                .as_str()
                .ok_or_else(|| ApiError::invalid(name, "a string")),
        }
    }

    /// An optional string known under several spellings.
    pub fn opt_str_any(&self, names: &[&str]) -> Result<Option<&str>, ApiError> {
        self.first(names)
            .map(|(name, v)| {
                v.as_str()
                    .ok_or_else(|| ApiError::invalid(name, "a string"))
            })
            .transpose()
    }

    /// An optional string parameter.
    pub fn opt_str(&self, name: &str) -> Result<Option<&str>, ApiError> {
        self.get(name)
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| ApiError::invalid(name, "a string"))
            })
            .transpose()
    }

    /// An optional instant (ISO-8601 or Unix milliseconds) under any of `names`.
    pub fn opt_instant_any(&self, names: &[&str]) -> Result<Option<Instant>, ApiError> {
        self.first(names)
            .map(|(name, v)| {
                time::from_wire(v).ok_or_else(|| {
                    ApiError::invalid(name, "an ISO-8601 timestamp or Unix milliseconds")
                })
            })
            .transpose()
    }

    /// A required decimal (JSON number or numeric string, at most six fractional digits).
    pub fn decimal(&self, name: &str) -> Result<Decimal, ApiError> {
        self.opt_decimal(name)?
            .ok_or_else(|| ApiError::missing(name))
    }

    /// An optional decimal.
    pub fn opt_decimal(&self, name: &str) -> Result<Option<Decimal>, ApiError> {
        self.get(name)
            .map(|v| {
                credits::from_json(v)
                    .ok_or_else(|| ApiError::invalid(name, "a number with at most 6 decimals"))
            })
            .transpose()
    }

    /// An optional non-negative integer.
    pub fn opt_u64(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.as_u64()
                    .ok_or_else(|| ApiError::invalid(name, "a non-negative integer"))
            })
            .transpose()
    }

    /// An optional integer (possibly negative).
    pub fn opt_i64(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.as_i64()
                    .ok_or_else(|| ApiError::invalid(name, "an integer"))
            })
            .transpose()
    }

    /// An optional boolean.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        self.get(name)
            .map(|v| {
                v.as_bool()
                    .ok_or_else(|| ApiError::invalid(name, "a boolean"))
            })
            .transpose()
    }

    /// An optional list of strings.
    pub fn opt_str_list(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let invalid = || ApiError::invalid(name, "a list of strings");
        let items = value.as_array().ok_or_else(invalid)?;
        items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(invalid))
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// Refuses any key outside `known` (the control API catches typos this way).
    pub fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        match self.0.keys().find(|key| !known.contains(&key.as_str())) {
            Some(key) => Err(ApiError::new(
                super::envelope::ErrorCode::InvalidParameter,
                format!("unknown parameter: {key}"),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::envelope::ErrorCode;
    use serde_json::json;

    fn params(value: Value) -> Params {
        match value {
            Value::Object(map) => Params::new(map),
            _ => unreachable!(),
        }
    }

    #[test]
    fn errors_name_the_parameter() {
        let p = params(json!({"modelId": 5, "when": "soon", "nothing": null}));
        let e = p.str("modelId").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidParameter);
        assert!(e.message.contains("modelId"));
        let e = p.str("workerSessionId").unwrap_err();
        assert_eq!(e.code, ErrorCode::MissingParameter);
        assert!(e.message.contains("workerSessionId"));
        assert!(
            p.opt_instant_any(&["when"])
                .unwrap_err()
                .message
                .contains("when")
        );
        assert_eq!(p.opt_str("nothing").unwrap(), None);
    }

    #[test]
    fn alternative_spellings() {
        let p = params(json!({"sessionId": "w1", "startDate": 1_700_000_000_000_i64}));
        assert_eq!(p.str_any(&["workerSessionId", "sessionId"]).unwrap(), "w1");
        assert!(
            p.opt_instant_any(&["fromDate", "startDate"])
                .unwrap()
                .is_some()
        );
        let e = params(json!({}))
            .str_any(&["workerSessionId", "sessionId"])
            .unwrap_err();
        assert!(e.message.contains("workerSessionId"));
    }

    #[test]
    fn only_known_keys() {
        assert!(params(json!({"a": 1})).only(&["a", "b"]).is_ok());
        assert!(
            params(json!({"c": 1}))
                .only(&["a"])
                .unwrap_err()
                .message
                .contains('c')
        );
    }
}
