//! Saved payment methods and `add_credits`, and where card data must never end up.

use std::io::Read;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::helpers::spawn;
use crate::payments_helpers::{card_body, dec, key};

const ADD: &str = "api/finance/add_credits";

#[tokio::test]
async fn saved_methods_pay_in_one_call_until_deleted() {
    let t = spawn().await;
    t.freeze().await;
    let methods = || t.call("api/finance/list_payment_methods", json!({}));
    assert_eq!(methods().await.result(), json!({"paymentMethods": []}));

    let unsaved = t.card("5555555555554444").await;
    let payment = t.create_payment(json!(10)).await;
    t.confirm(&payment["id"], &unsaved, false, &key())
        .await
        .result();
    assert_eq!(
        methods().await.result()["paymentMethods"],
        json!([]),
        "not asked to save"
    );
    t.call(
        ADD,
        json!({"credits": 10, "paymentMethodId": unsaved, "idempotencyKey": key()}),
    )
    .await
    .assert_error(404, "NOT_FOUND");

    let declined = t.card("4000000000000002").await;
    let payment = t.create_payment(json!(10)).await;
    t.confirm(&payment["id"], &declined, true, &key())
        .await
        .result();
    assert_eq!(
        methods().await.result()["paymentMethods"],
        json!([]),
        "a decline saves nothing"
    );

    let method = t.card("4242424242424242").await;
    t.confirm(&payment["id"], &method, true, &key())
        .await
        .result();
    let saved = methods().await.result();
    assert_eq!(
        saved,
        json!({"paymentMethods": [{"id": method, "brand": "visa", "last4": "4242",
                                   "expMonth": 12, "expYear": 2040}]})
    );

    let before = t.credits().await;
    let purchase = key();
    let add = |credits| {
        t.call(
            ADD,
            json!({"credits": credits, "paymentMethodId": method, "idempotencyKey": purchase}),
        )
    };
    let added = add(100).await;
    let payment = added.body["result"].clone();
    assert_eq!(payment["status"], "succeeded");
    assert_eq!(
        payment["amount"],
        json!({"amount": 10000, "currency": "usd"})
    );
    assert_eq!(payment["paymentMethod"]["id"], method);
    assert_eq!(
        add(100).await.text,
        added.text,
        "a replay, not a second purchase"
    );
    add(50).await.assert_error(422, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(t.credits().await, before + dec("100"));
    assert_eq!(t.history().await[0]["id"], payment["id"]);
    t.call(
        ADD,
        json!({"credits": 5, "paymentMethodId": method, "idempotencyKey": key()}),
    )
    .await
    .assert_error(400, "INVALID_PARAMETER");

    let deleted = t
        .call(
            "api/finance/delete_payment_method",
            json!({"paymentMethodId": method}),
        )
        .await;
    assert_eq!(deleted.result(), json!({"deleted": true}));
    assert_eq!(methods().await.result()["paymentMethods"], json!([]));
    t.call(
        "api/finance/delete_payment_method",
        json!({"paymentMethodId": method}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    t.call(
        ADD,
        json!({"credits": 10, "paymentMethodId": method, "idempotencyKey": key()}),
    )
    .await
    .assert_error(404, "NOT_FOUND");
    let payment = t.create_payment(json!(10)).await;
    t.confirm(&payment["id"], &method, false, &key())
        .await
        .assert_error(404, "NOT_FOUND");
    assert_eq!(t.credits().await, before + dec("100"));
}

#[tokio::test]
async fn a_saved_card_asking_for_3ds_waits_for_it() {
    let t = spawn().await;
    t.freeze().await;
    let method = t.card("4000002760003184").await;
    let payment = t.create_payment(json!(10)).await;
    let pending = t
        .confirm(&payment["id"], &method, true, &key())
        .await
        .result();
    t.control(
        "complete_3ds",
        json!({"paymentId": pending["id"], "approve": true}),
    )
    .await
    .result();
    let before = t.credits().await;
    let added = t
        .call(
            ADD,
            json!({"credits": 20, "paymentMethodId": method, "idempotencyKey": key()}),
        )
        .await
        .result();
    assert_eq!(added["status"], "requires_action");
    assert!(
        added["nextAction"]["url"]
            .as_str()
            .unwrap()
            .ends_with(added["id"].as_str().unwrap())
    );
    assert_eq!(t.credits().await, before);
}

/// Every byte under `dir`.
fn all_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            bytes.extend(all_bytes(&path));
        } else {
            std::fs::File::open(&path)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Every cell of every table of the sandbox's database, as text.
fn all_cells(dir: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join("sandbox.sqlite3")).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut cells = Vec::new();
    for table in tables {
        let mut statement = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for index in 0..columns {
                cells.push(match row.get_ref(index).unwrap() {
                    rusqlite::types::ValueRef::Text(text) => {
                        String::from_utf8_lossy(text).into_owned()
                    }
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    other => format!("{other:?}"),
                });
            }
        }
    }
    cells
}

const NUMBERS: [&str; 3] = ["4242424242424242", "4242424242424241", "4000002760003184"];
const CVC: &str = "917";

/// Whether a JSON answer carries the CVC: a `cvc` field, or a value that is the CVC.
fn holds_cvc(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s == CVC,
        serde_json::Value::Number(n) => n.to_string() == CVC,
        serde_json::Value::Array(items) => items.iter().any(holds_cvc),
        serde_json::Value::Object(fields) => fields
            .iter()
            .any(|(key, v)| key.to_ascii_lowercase().contains("cvc") || holds_cvc(v)),
        _ => false,
    }
}

/// After paying with 4242… through the built binary (logging at `trace`), neither the
/// number nor the CVC is in the data directory or the logs. Numbers are looked for in every
/// byte; the CVC, three digits that random ids, timestamps and ports may contain by chance,
/// is looked for in every database cell and in the logs without their timestamps and URLs.
#[tokio::test]
async fn no_card_number_or_cvc_is_ever_written_or_logged() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lattica-sandbox"))
        .args(["--data"])
        .arg(dir.path())
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = Vec::new();
        let mut byte = [0_u8];
        while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        line
    })
    .await
    .unwrap();
    let start: serde_json::Value = serde_json::from_slice(&line).unwrap();
    let (url, payments_url, token) = (
        start["url"].as_str().unwrap().to_owned(),
        start["payments_url"].as_str().unwrap().to_owned(),
        start["token"].as_str().unwrap().to_owned(),
    );
    let client = crate::helpers::client();
    let call = |endpoint: &str, params: serde_json::Value| {
        let mut body = params;
        body["client_info"] = crate::helpers::client_info();
        client
            .post(format!("{url}/{endpoint}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let mut methods = Vec::new();
    for number in NUMBERS {
        let answer = client
            .post(format!("{payments_url}/v1/payment_methods"))
            .json(&card_body(number, CVC))
            .send()
            .await
            .unwrap();
        let text = answer.text().await.unwrap();
        // The CVC is looked for as a value, not in every byte: the random id may hold "917".
        assert!(
            !text.contains("42424242") && !holds_cvc(&serde_json::from_str(&text).unwrap()),
            "{text}"
        );
        if let Some(id) = serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"].as_str() {
            methods.push(id.to_owned());
        }
    }
    assert_eq!(methods.len(), 2, "the Luhn failure is refused");
    let payment: serde_json::Value = call(
        "api/finance/create_payment",
        json!({"credits": 10, "idempotencyKey": key()}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let paid: serde_json::Value = call(
        "api/finance/confirm_payment",
        json!({"paymentId": payment["result"]["id"], "paymentMethodId": methods[0],
               "savePaymentMethod": true, "idempotencyKey": key()}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(paid["result"]["status"], "succeeded", "{paid}");

    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let mut stderr = child.stderr.take().unwrap();
    let logs = tokio::task::spawn_blocking(move || {
        let mut logs = String::new();
        stderr.read_to_string(&mut logs).unwrap();
        logs
    })
    .await
    .unwrap();
    assert!(child.wait().unwrap().success());
    assert!(
        logs.contains("sandbox listening"),
        "the logs were captured: {logs}"
    );

    let data = all_bytes(dir.path());
    assert!(contains(&data, "4242"), "the last four digits are kept");
    for number in NUMBERS {
        assert!(!contains(&data, number), "{number} in the data directory");
        assert!(!logs.contains(number), "{number} in the logs");
    }
    assert!(
        !contains(&data, "cvc") && !contains(&data, "CVC"),
        "nothing named cvc is stored"
    );
    for cell in all_cells(dir.path()) {
        assert_ne!(cell, CVC, "a CVC in the database");
        assert!(
            !cell.contains(&format!("\"{CVC}\"")),
            "a CVC in a stored body: {cell}"
        );
    }
    let without_noise: String = logs
        .lines()
        .map(|line| line.split_once(' ').map_or(line, |(_, rest)| rest))
        .map(|line| line.replace(&url, "").replace(&payments_url, ""))
        .map(|line| {
            line.replace(url.trim_start_matches("http://"), "")
                .replace(payments_url.trim_start_matches("http://"), "")
        })
        .collect();
    assert!(
        !without_noise.contains(CVC),
        "a CVC in the logs: {without_noise}"
    );
}
