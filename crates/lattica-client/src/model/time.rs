//! Timestamps as the platform writes them: ISO-8601 strings, or Unix milliseconds.

use std::fmt;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Parses an ISO-8601 / RFC 3339 timestamp (`2026-11-26T13:45:00.000Z`, any offset), a
/// timestamp without an offset (taken as UTC, as Python's `isoformat()` writes them), or a
/// string of Unix milliseconds.
pub fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(naive.and_utc());
        }
    }
    if !text.is_empty()
        && text.len() <= 20
        && text.bytes().all(|b| b.is_ascii_digit())
        && let Ok(millis) = text.parse::<i64>()
    {
        return from_millis(millis);
    }
    Err("expected an ISO-8601 timestamp or Unix milliseconds".to_owned())
}

fn from_millis(millis: i64) -> Result<DateTime<Utc>, String> {
    DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| format!("{millis} ms is out of the range of dates"))
}

/// A timestamp as it appears in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timestamp(pub(crate) DateTime<Utc>);

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an ISO-8601 timestamp or integer Unix milliseconds")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
        parse_timestamp(v).map(Timestamp).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
        from_millis(v).map(Timestamp).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
        let millis = i64::try_from(v).map_err(|_| E::custom("timestamp out of range"))?;
        self.visit_i64(millis)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TimestampVisitor)
    }
}

/// `#[serde(deserialize_with = "time::required")]`
pub(crate) fn required<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    Timestamp::deserialize(d).map(|t| t.0)
}

/// `#[serde(default, deserialize_with = "time::optional")]`: `null` or absent is `None`.
pub(crate) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    Option::<Timestamp>::deserialize(d).map(|t| t.map(|t| t.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn read(json: &str) -> Result<DateTime<Utc>, serde_json::Error> {
        serde_json::from_str::<Timestamp>(json).map(|t| t.0)
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn reads_iso_strings() {
        let expected = at(2026, 11, 26, 13, 45, 0);
        assert_eq!(read(r#""2026-11-26T13:45:00.000Z""#).unwrap(), expected);
        assert_eq!(read(r#""2026-11-26T13:45:00Z""#).unwrap(), expected);
        assert_eq!(read(r#""2026-11-26T15:45:00+02:00""#).unwrap(), expected);
        assert_eq!(read(r#""2026-11-26T13:45:00""#).unwrap(), expected);
        assert_eq!(read(r#""2026-11-26 13:45:00.000""#).unwrap(), expected);
    }

    #[test]
    fn reads_unix_milliseconds() {
        let expected = at(2026, 11, 26, 13, 45, 0);
        let millis = expected.timestamp_millis();
        assert_eq!(read(&millis.to_string()).unwrap(), expected);
        assert_eq!(read(&format!("\"{millis}\"")).unwrap(), expected);
        assert_eq!(read("0").unwrap(), DateTime::UNIX_EPOCH);
        assert_eq!(read("-1000").unwrap(), at(1969, 12, 31, 23, 59, 59));
    }

    #[test]
    fn refuses_the_rest() {
        for bad in [
            "1.5",
            "1e3",
            "18446744073709551615",
            "9223372036854775807",
            r#""""#,
            r#""yesterday""#,
            r#""2026-13-01T00:00:00Z""#,
            "null",
            "true",
            "{}",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
