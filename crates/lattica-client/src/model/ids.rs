//! Identifiers: strings on the wire, but read tolerantly from integers too, since nothing in the
//! published protocol promises their type.

use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

struct IdVisitor;

impl Visitor<'_> for IdVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an identifier (string or integer)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// `#[serde(deserialize_with = "ids::required")]`
pub(crate) fn required<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(IdVisitor)
}

/// `#[serde(default, deserialize_with = "ids::optional")]`: `null` or absent is `None`.
pub(crate) fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct OptionalId;

    impl<'de> Visitor<'de> for OptionalId {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an identifier or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            required(d).map(Some)
        }
    }

    d.deserialize_option(OptionalId)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Doc {
        #[serde(deserialize_with = "super::required")]
        id: String,
        #[serde(default, deserialize_with = "super::optional")]
        other: Option<String>,
    }

    #[test]
    fn strings_and_integers() {
        let doc: Doc = serde_json::from_str(r#"{"id": "w_1", "other": 42}"#).unwrap();
        assert_eq!((doc.id.as_str(), doc.other.as_deref()), ("w_1", Some("42")));
        let doc: Doc = serde_json::from_str(r#"{"id": 7, "other": null}"#).unwrap();
        assert_eq!((doc.id.as_str(), doc.other), ("7", None));
        assert!(serde_json::from_str::<Doc>(r#"{"id": 1.5}"#).is_err());
        assert!(serde_json::from_str::<Doc>(r#"{"id": null}"#).is_err());
        let missing = serde_json::from_str::<Doc>(r#"{}"#)
            .unwrap_err()
            .to_string();
        assert!(missing.contains("`id`"), "{missing}");
    }
}
