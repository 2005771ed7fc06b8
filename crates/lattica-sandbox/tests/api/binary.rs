//! The built binary: one JSON line on stdout, a working token, a clean exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[tokio::test]
async fn the_binary_prints_its_line_serves_and_exits_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lattica-sandbox"))
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .args(["--time-scale", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout);
    let line = tokio::task::spawn_blocking(move || {
        reader.read_line(&mut line).unwrap();
        (line, reader)
    });
    let (line, mut reader) = tokio::time::timeout(Duration::from_secs(30), line)
        .await
        .expect("the start line within 30 s")
        .unwrap();
    let start: Value = serde_json::from_str(&line).unwrap();
    let url = start["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with('/'));
    assert!(
        start["payments_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert_ne!(start["payments_url"], start["url"]);
    assert!(start["data"].as_str().is_some());
    let token = start["token"].as_str().unwrap();

    let response = crate::helpers::client()
        .post(format!("{url}/api/finance/get_account_credits"))
        .bearer_auth(token)
        .json(&json!({"client_info": crate::helpers::client_info()}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body["result"].is_number(), "{body}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the sandbox did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status.code(), Some(0));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
}
