//! Wall-clock instants at millisecond precision and their wire spellings.
//!
//! Everything the sandbox stores or compares is truncated to whole milliseconds, the precision
//! of the wire format, so a value read back from SQLite or from a response equals the one the
//! ledger computed with.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// An instant, always a whole number of milliseconds.
pub type Instant = DateTime<Utc>;

/// Now, truncated to the millisecond.
pub fn now() -> Instant {
    from_millis(Utc::now().timestamp_millis()).unwrap_or_default()
}

/// The instant `ms` milliseconds after the Unix epoch, if representable.
pub fn from_millis(ms: i64) -> Option<Instant> {
    DateTime::from_timestamp_millis(ms)
}

/// `2026-11-26T13:45:00.000Z`.
pub fn to_wire(at: Instant) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Reads an ISO-8601 string or Unix milliseconds, the two spellings readers accept.
pub fn from_wire(value: &serde_json::Value) -> Option<Instant> {
    match value {
        serde_json::Value::String(text) => DateTime::parse_from_rfc3339(text)
            .ok()
            .and_then(|at| from_millis(at.timestamp_millis())),
        serde_json::Value::Number(number) => number.as_i64().and_then(from_millis),
        _ => None,
    }
}

/// `serialize_with` for an instant.
pub fn serialize<S: Serializer>(at: &Instant, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&to_wire(*at))
}

/// `serialize_with` for an optional instant (`null` when absent).
pub fn serialize_opt<S: Serializer>(
    at: &Option<Instant>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serialize(at, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_round_trip_keeps_milliseconds() {
        let at = from_millis(1_795_000_123_456).unwrap();
        let text = to_wire(at);
        assert!(text.ends_with(".456Z"), "{text}");
        assert_eq!(from_wire(&json!(text)), Some(at));
        assert_eq!(from_wire(&json!(1_795_000_123_456_i64)), Some(at));
    }

    #[test]
    fn rejects_other_spellings() {
        assert_eq!(from_wire(&json!("yesterday")), None);
        assert_eq!(from_wire(&json!(true)), None);
        assert_eq!(from_wire(&json!(1.5)), None);
    }

    #[test]
    fn now_is_whole_milliseconds() {
        assert_eq!(now().timestamp_subsec_nanos() % 1_000_000, 0);
    }
}
