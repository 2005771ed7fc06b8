//! The built binary: one JSON line on stdout, a working token, a clean exit on SIGTERM; the
//! flags that choose the endpoints it serves.

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
    assert_eq!(start["profile"], "full");
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

/// Starts the binary with `args` (and a fresh data directory); its start line, or `None`
/// when it exits without one, and the child.
async fn launch(args: &[&str]) -> (Option<Value>, std::process::Child, tempfile::TempDir) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lattica-sandbox"));
    command.args(args);
    launch_command(command).await
}

/// Starts `command` (the binary, perhaps through a shell) with a fresh `--data` directory.
async fn launch_command(
    mut command: Command,
) -> (Option<Value>, std::process::Child, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command
        .arg("--data")
        .arg(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        line
    });
    let line = tokio::time::timeout(Duration::from_secs(30), line)
        .await
        .expect("a start line or an exit within 30 s")
        .unwrap();
    let start = (!line.is_empty()).then(|| serde_json::from_str(&line).unwrap());
    (start, child, dir)
}

async fn post(url: &str, endpoint: &str, token: &str, params: Value) -> (u16, Value) {
    let mut body = params;
    body["client_info"] = crate::helpers::client_info();
    let response = crate::helpers::client()
        .post(format!("{url}/{endpoint}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn published_only_and_without_endpoint_choose_what_the_binary_serves() {
    let (start, mut child, _dir) = launch(&[
        "--published-only",
        "--without-endpoint",
        "api/worker/start_worker",
        "--control",
    ])
    .await;
    let start = start.expect("a start line");
    assert_eq!(start["profile"], "published");
    let url = start["url"].as_str().unwrap();
    let token = start["token"].as_str().unwrap();
    for hidden in ["api/finance/get_pricing", "api/worker/start_worker"] {
        let (status, body) = post(url, hidden, token, json!({"modelId": "m"})).await;
        assert_eq!(status, 404, "{hidden}: {body}");
        assert_eq!(body["error_code"], "UNKNOWN_ENDPOINT");
    }
    let (status, body) = post(url, "api/finance/get_account_credits", token, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        url,
        "api/account/retrieve_payment_transaction",
        token,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["payments"].as_array().unwrap().len(), 3);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn hiding_an_endpoint_that_does_not_exist_stops_the_binary() {
    let (start, mut child, _dir) = launch(&["--without-endpoint", "api/finance/get_pricnig"]).await;
    assert!(start.is_none(), "no start line: {start:?}");
    let status = child.wait().unwrap();
    assert!(!status.success(), "{status}");
}

#[tokio::test]
async fn idle_connections_do_not_lock_out_a_sandbox_short_of_file_descriptors() {
    // 64 file descriptors: far fewer than the idle connections below, or the default cap.
    let mut command = Command::new("sh");
    command
        .args(["-c", r#"ulimit -n 64 && exec "$0" "$@""#])
        .arg(env!("CARGO_BIN_EXE_lattica-sandbox"));
    let (start, mut child, _dir) = launch_command(command).await;
    let start = start.expect("a start line");
    let url = start["url"].as_str().unwrap();
    let token = start["token"].as_str().unwrap();
    let mut idle = Vec::new();
    for _ in 0..300 {
        let connect = tokio::net::TcpStream::connect(url.trim_start_matches("http://"));
        let connected = tokio::time::timeout(Duration::from_secs(5), connect)
            .await
            .expect("the sandbox keeps taking connections");
        idle.push(connected.unwrap());
    }
    let answered = tokio::time::timeout(
        Duration::from_secs(8),
        post(url, "api/finance/get_account_credits", token, json!({})),
    )
    .await
    .expect("answered before the 10 s head timeout could free anything");
    assert_eq!(answered.0, 200, "{}", answered.1);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Unix only: it makes the folder read-only with permission bits and runs the sandbox as
/// another user (`setpriv`); Windows has neither.
#[cfg(unix)]
#[test]
fn a_read_only_data_folder_is_named_as_such() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for path in [dir.path(), data.as_path()] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    // Root writes anywhere: the sandbox then runs as `nobody`, for whom the folder is read-only.
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0"));
    let mut command = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        c.arg(env!("CARGO_BIN_EXE_lattica-sandbox"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_lattica-sandbox"))
    };
    let out = command
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(!out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty(), "no start line");
    assert!(stderr.contains("is read-only"), "{stderr}");
    assert!(!stderr.contains("corrupt"), "{stderr}");
}
