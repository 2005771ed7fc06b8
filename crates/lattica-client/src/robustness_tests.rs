//! Property tests: no reader panics on hostile input, each answers `Ok` or `Malformed`, and
//! exact values survive the trip through JSON text.

use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, SecondsFormat};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::billing::{Money, Payment, Pricing, read_history};
use crate::envelope::decode;
use crate::error::ClientError;
use crate::model::catalog::ModelList;
use crate::model::credits::{Credits, parse_credits};
use crate::model::time::parse_timestamp;
use crate::model::worker::{ActiveWorkers, WorkerSessions};
use crate::model::{AccountInfo, Worker, read};
use crate::{ClientConfig, SessionToken, api::read_credits};

/// Keys the readers look for, so that random documents reach deep into them.
const KEYS: &[&str] = &[
    "result",
    "error",
    "error_code",
    "code",
    "min_version",
    "message",
    "detail",
    "accountId",
    "account_id",
    "createdAt",
    "credits",
    "authExpDate",
    "email",
    "workerSessionId",
    "sessionId",
    "session_id",
    "modelId",
    "status",
    "startedAt",
    "startDate",
    "started_at",
    "stoppedAt",
    "endDate",
    "workerSessions",
    "activeWorkers",
    "workers",
    "models",
    "numDevices",
    "payments",
    "id",
    "amount",
    "currency",
    "creditPrice",
    "instanceTypes",
    "instanceTypeId",
    "creditsPerHour",
    "limits",
    "minCredits",
    "maxCredits",
    "suggestedCredits",
    "paymentMethod",
    "paymentMethods",
    "nextAction",
    "type",
    "url",
    "deleted",
    "receiptNumber",
    "",
];

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        // Huge, tiny and long numbers: more digits than any integer or decimal type holds.
        "-?[1-9][0-9]{0,80}(\\.[0-9]{1,60})?([eE][+-]?[0-9]{1,6})?",
        Just("1e999999999".to_owned()),
        Just("-0.0".to_owned()),
    ]
}

fn string_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        Just("UP".to_owned()),
        Just("succeeded".to_owned()),
        Just("CLIENT_VERSION_INCOMPATIBLE".to_owned()),
        Just("2026-11-26T13:45:00.000Z".to_owned()),
        "[0-9]{1,40}(\\.[0-9]{0,40})?",
    ]
    .prop_map(|s| serde_json::Value::String(s).to_string())
}

/// Random JSON documents as text (so numbers keep every digit), biased toward known keys.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        number_text(),
        string_text(),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6)
                .prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|fields| {
                let body: Vec<String> = fields
                    .into_iter()
                    .map(|(key, value)| format!("\"{key}\":{value}"))
                    .collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

/// Runs every result reader on `raw`; each must return `Ok` or `Malformed`, and not panic.
fn every_reader(raw: &str) {
    fn check<T>(name: &str, raw: &str, outcome: Result<T, ClientError>) {
        if let Err(error) = outcome {
            assert!(
                matches!(error, ClientError::Malformed(_)),
                "{name} on {raw}: {error:?}"
            );
        }
    }
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        check("credits", raw, read_credits(raw));
        check("history", raw, read_history(raw));
        check("account", raw, read::<AccountInfo>(raw, "account"));
        check("worker", raw, read::<Worker>(raw, "worker"));
        check("sessions", raw, read::<WorkerSessions>(raw, "sessions"));
        check(
            "active",
            raw,
            read::<ActiveWorkers>(raw, "active")
                .and_then(|a| a.into_workers().map_err(ClientError::Malformed)),
        );
        check("models", raw, read::<ModelList>(raw, "models"));
        check("pricing", raw, read::<Pricing>(raw, "pricing"));
        check("payment", raw, read::<Payment>(raw, "payment"));
        check("money", raw, read::<Money>(raw, "money"));
    }));
    assert!(outcome.is_ok(), "a reader panicked on {raw}");
}

/// `decode` never panics and never invents a transport error.
fn decoder(status: u16, body: &[u8]) {
    let outcome = catch_unwind(|| decode(status, body));
    let Ok(outcome) = outcome else {
        panic!(
            "decode panicked on {status} {:?}",
            String::from_utf8_lossy(body)
        );
    };
    if let Err(error) = outcome {
        assert!(
            matches!(
                error,
                ClientError::Malformed(_)
                    | ClientError::Server { .. }
                    | ClientError::Unauthorized { .. }
                    | ClientError::ClientTooOld { .. }
            ),
            "{error:?}"
        );
        if (200..300).contains(&status) {
            assert!(!matches!(error, ClientError::Unauthorized { .. }));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_documents_never_panic(raw in json_text()) {
        every_reader(&raw);
        for status in [200, 401, 500] {
            decoder(status, raw.as_bytes());
            decoder(status, format!("{{\"result\":{raw}}}").as_bytes());
        }
    }

    #[test]
    fn random_text_never_panics(raw in any::<String>(), status in 0u16..1000) {
        every_reader(&raw);
        decoder(status, raw.as_bytes());
        let _ = parse_credits(&raw);
        let _ = parse_timestamp(&raw);
        let _ = SessionToken::parse(&raw);
        let _ = ClientConfig::new(&raw);
    }

    #[test]
    fn random_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..256), status in 0u16..1000) {
        decoder(status, &body);
    }

    #[test]
    fn decimals_survive_json_exactly(mantissa in any::<i64>(), scale in 0u32..=18) {
        let value = Decimal::new(mantissa, scale);
        let text = value.to_string();
        prop_assert_eq!(read_credits(&text).unwrap(), value);
        prop_assert_eq!(read_credits(&format!("\"{text}\"")).unwrap(), value);
        prop_assert_eq!(serde_json::from_str::<Credits>(&text).unwrap().0.to_string(), text);
    }

    #[test]
    fn timestamps_survive_both_forms(millis in -62_000_000_000_000i64..250_000_000_000_000) {
        let at = DateTime::from_timestamp_millis(millis).unwrap();
        let worker = |started: String| format!(
            r#"{{"workerSessionId": "w", "modelId": "m", "status": "UP", "startedAt": {started}}}"#
        );
        let from_millis: Worker = read(&worker(millis.to_string()), "w").unwrap();
        prop_assert_eq!(from_millis.started_at, Some(at));
        let iso = at.to_rfc3339_opts(SecondsFormat::Millis, true);
        let from_iso: Worker = read(&worker(format!("\"{iso}\"")), "w").unwrap();
        prop_assert_eq!(from_iso.started_at, Some(at));
    }
}

/// Every reader refuses `raw` as malformed (and none panics).
fn every_reader_refuses(raw: &str) {
    let refused = |name: &str, outcome: Result<(), ClientError>| {
        assert!(
            matches!(outcome, Err(ClientError::Malformed(_))),
            "{name} did not refuse {} bytes of nesting: {outcome:?}",
            raw.len()
        );
    };
    refused("credits", read_credits(raw).map(drop));
    refused("history", read_history(raw).map(drop));
    refused("account", read::<AccountInfo>(raw, "account").map(drop));
    refused("worker", read::<Worker>(raw, "worker").map(drop));
    refused(
        "sessions",
        read::<WorkerSessions>(raw, "sessions").map(drop),
    );
    refused("active", read::<ActiveWorkers>(raw, "active").map(drop));
    refused("models", read::<ModelList>(raw, "models").map(drop));
    refused("pricing", read::<Pricing>(raw, "pricing").map(drop));
    refused("payment", read::<Payment>(raw, "payment").map(drop));
    refused("money", read::<Money>(raw, "money").map(drop));
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    for depth in [200, 10_000, 200_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = format!("{}1{}", "{\"result\":".repeat(depth), "}".repeat(depth));
        every_reader_refuses(&arrays);
        every_reader_refuses(&objects);
        for body in [&arrays, &objects] {
            // The envelope may hand the result on unparsed; then its reader refuses it.
            match decode(200, body.as_bytes()) {
                Err(ClientError::Malformed(_)) => {}
                Ok(result) => every_reader_refuses(result.get()),
                Err(other) => panic!("a 200 with {depth} levels: {other:?}"),
            }
        }
        decoder(500, objects.as_bytes());
    }
}

#[test]
fn huge_numbers_are_malformed() {
    for raw in [
        "1e999999999",
        &"9".repeat(10_000),
        "-1e-999999999",
        "1E+99999999999999999999",
    ] {
        assert!(
            matches!(read_credits(raw), Err(ClientError::Malformed(_))),
            "{raw}"
        );
        every_reader(raw);
    }
}
