//! The listeners against misbehaving connections: oversized heads, slow heads and bodies,
//! idle connections, more connections than the sandbox takes.

use std::time::{Duration, Instant};

use lattica_sandbox::ConnectionLimits;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestSandbox, client_info, spawn, spawn_with};

/// Longest any read here may wait: far beyond every timeout the tests configure, so a hung
/// server fails the test instead of hanging it.
const BOUND: Duration = Duration::from_secs(15);

/// A raw connection to `url` (`http://host:port`).
async fn connect(url: &str) -> TcpStream {
    TcpStream::connect(url.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// One answer read off a raw connection.
#[derive(Debug)]
struct Raw {
    status: u16,
    head: String,
    body: Value,
}

/// Reads what the server sends until it closes the connection (within [`BOUND`]).
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    tokio::time::timeout(BOUND, stream.read_to_end(&mut bytes))
        .await
        .expect("the server closes the connection")
        .unwrap();
    bytes
}

/// Parses one answer, asserting its body is the JSON envelope.
fn parse(bytes: &[u8]) -> Raw {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("an HTTP answer: {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {head:?}"));
    let lower = head.to_ascii_lowercase();
    assert!(
        lower.contains("content-type: application/json"),
        "a JSON answer: {head}"
    );
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON ({e}): {body:?}"));
    Raw {
        status,
        head: lower,
        body,
    }
}

#[tokio::test]
async fn oversized_and_malformed_heads_are_answered_in_the_envelope() {
    let t = spawn().await;
    let many: String = (0..101).map(|i| format!("x-header-{i}: {i}\r\n")).collect();
    let long = format!("x-long: {}\r\n", "a".repeat(80 * 1024));
    for extra in [many, long] {
        let mut stream = connect(&t.sandbox.url()).await;
        let request = format!(
            "POST /api/finance/get_account_credits HTTP/1.1\r\nhost: 127.0.0.1\r\n{extra}\
             content-length: 2\r\n\r\n{{}}"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let answer = parse(&read_to_close(&mut stream).await);
        assert_eq!(answer.status, 431, "{answer:?}");
        assert_eq!(answer.body["error_code"], "HEADERS_TOO_LARGE");
        assert!(answer.body["error"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(answer.head.contains("connection: close"), "{}", answer.head);
    }
    let mut stream = connect(&t.sandbox.url()).await;
    stream
        .write_all(b"POST /api/x HTTP/1.1\r\nbad header line\r\n\r\n")
        .await
        .unwrap();
    let answer = parse(&read_to_close(&mut stream).await);
    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(answer.body["error_code"], "MALFORMED_REQUEST");
    // The payment origin too.
    let mut stream = connect(&t.sandbox.payments_url()).await;
    let many: String = (0..101).map(|i| format!("x-header-{i}: {i}\r\n")).collect();
    let request = format!("GET /card-form HTTP/1.1\r\nhost: 127.0.0.1\r\n{many}\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let answer = parse(&read_to_close(&mut stream).await);
    assert_eq!(answer.status, 431);
    assert_eq!(answer.body["error_code"], "HEADERS_TOO_LARGE");
}

/// A sandbox with short timeouts: 1 s for a head and for a body, `idle` for a kept-alive
/// connection.
async fn spawn_quick(idle: Duration) -> TestSandbox {
    spawn_with(|config| {
        config.control = true;
        config.limits = ConnectionLimits {
            header_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            idle_timeout: idle,
            ..ConnectionLimits::default()
        };
    })
    .await
}

/// Asserts `elapsed` is about `expected`: not before it (less a little), and well within
/// [`BOUND`].
fn assert_about(elapsed: Duration, expected: Duration) {
    assert!(
        elapsed + Duration::from_millis(200) >= expected && elapsed < expected * 5,
        "{elapsed:?}, expected about {expected:?}"
    );
}

/// A request for the balance, whole.
fn credits_request(t: &TestSandbox) -> String {
    let body = serde_json::json!({ "client_info": client_info() }).to_string();
    format!(
        "POST /api/finance/get_account_credits HTTP/1.1\r\nhost: 127.0.0.1\r\n\
         authorization: Bearer {}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        t.sandbox.demo_token(),
        body.len()
    )
}

/// Reads one answer (its head, then as many bytes as its `content-length` says).
async fn read_answer(stream: &mut TcpStream) -> Raw {
    let mut bytes = Vec::new();
    let read = async {
        loop {
            let mut chunk = [0_u8; 4096];
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "closed before a whole answer: {bytes:?}");
            bytes.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length: usize = head
                    .split("\r\n")
                    .find_map(|line| line.strip_prefix("content-length: "))
                    .and_then(|n| n.trim().parse().ok())
                    .unwrap_or_else(|| panic!("a content-length: {head}"));
                if body.len() >= length {
                    return;
                }
            }
        }
    };
    tokio::time::timeout(BOUND, read)
        .await
        .expect("an answer in time");
    parse(&bytes)
}

#[tokio::test]
async fn a_half_sent_head_is_answered_408_at_the_header_timeout() {
    let t = spawn_quick(Duration::from_secs(30)).await;
    for url in [t.sandbox.url(), t.sandbox.payments_url()] {
        let mut stream = connect(&url).await;
        let began = Instant::now();
        stream
            .write_all(b"POST /api/finance/get_account_credits HTTP/1.1\r\nhost: 127.0.0.1\r\n")
            .await
            .unwrap();
        let answer = parse(&read_to_close(&mut stream).await);
        assert_about(began.elapsed(), Duration::from_secs(1));
        assert_eq!(answer.status, 408, "{answer:?}");
        assert_eq!(answer.body["error_code"], "REQUEST_TIMEOUT");
        assert!(answer.head.contains("connection: close"));
    }
}

#[tokio::test]
async fn a_head_trickled_a_byte_at_a_time_is_cut_at_the_header_timeout() {
    let t = spawn_quick(Duration::from_secs(30)).await;
    let (mut reader, mut writer) = connect(&t.sandbox.url()).await.into_split();
    let began = Instant::now();
    // A slow client: a byte of an endless header every 50 ms, until the server stops it.
    let trickle = tokio::spawn(async move {
        writer
            .write_all(b"POST /x HTTP/1.1\r\nx-slow: ")
            .await
            .unwrap();
        let mut every = tokio::time::interval(Duration::from_millis(50));
        while writer.write_all(b"a").await.is_ok() {
            every.tick().await;
        }
    });
    let mut bytes = Vec::new();
    tokio::time::timeout(BOUND, reader.read_to_end(&mut bytes))
        .await
        .expect("the server closes the connection")
        .unwrap();
    assert_about(began.elapsed(), Duration::from_secs(1));
    assert_eq!(parse(&bytes).status, 408);
    trickle.abort();
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_quietly_at_the_header_timeout() {
    let t = spawn_quick(Duration::from_secs(30)).await;
    let mut stream = connect(&t.sandbox.url()).await;
    let began = Instant::now();
    assert!(read_to_close(&mut stream).await.is_empty(), "no answer");
    assert_about(began.elapsed(), Duration::from_secs(1));
}

#[tokio::test]
async fn a_kept_alive_connection_waits_the_idle_timeout_for_its_next_request() {
    let t = spawn_quick(Duration::from_secs(3)).await;
    let mut stream = connect(&t.sandbox.url()).await;
    for _ in 0..2 {
        stream
            .write_all(credits_request(&t).as_bytes())
            .await
            .unwrap();
        let answer = read_answer(&mut stream).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(answer.body["result"].is_number());
    }
    let answered = Instant::now();
    assert!(read_to_close(&mut stream).await.is_empty());
    assert_about(answered.elapsed(), Duration::from_secs(3));
}

#[tokio::test]
async fn a_slow_body_is_cut_at_the_body_timeout() {
    let t = spawn_quick(Duration::from_secs(30)).await;
    let (mut reader, mut writer) = connect(&t.sandbox.url()).await.into_split();
    let head = format!(
        "POST /api/finance/get_account_credits HTTP/1.1\r\nhost: 127.0.0.1\r\n\
         authorization: Bearer {}\r\ncontent-type: application/json\r\n\
         content-length: 1000\r\n\r\n",
        t.sandbox.demo_token()
    );
    writer.write_all(head.as_bytes()).await.unwrap();
    let began = Instant::now();
    // A byte of the body every 50 ms: it keeps arriving, too slowly to end in time.
    let trickle = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(50));
        while writer.write_all(b" ").await.is_ok() {
            every.tick().await;
        }
    });
    let mut bytes = Vec::new();
    tokio::time::timeout(BOUND, reader.read_to_end(&mut bytes))
        .await
        .expect("the server closes the connection")
        .unwrap();
    assert_about(began.elapsed(), Duration::from_secs(1));
    let answer = parse(&bytes);
    assert_eq!(answer.status, 408, "{answer:?}");
    assert_eq!(answer.body["error_code"], "REQUEST_TIMEOUT");
    assert!(answer.head.contains("connection: close"));
    trickle.abort();
}

#[tokio::test]
async fn idle_connections_make_room_for_a_request_at_the_connection_cap() {
    let t = spawn_with(|config| {
        config.control = true;
        config.limits.max_connections = 4;
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(connect(&t.sandbox.url()).await);
    }
    let began = Instant::now();
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        t.call("api/finance/get_account_credits", serde_json::json!({})),
    )
    .await
    .expect("answered long before any timeout (10 s for a head)");
    assert!(answer.result().is_number());
    assert!(began.elapsed() < Duration::from_secs(5));
    assert!(
        read_to_close(&mut idle[0]).await.is_empty(),
        "the oldest idle connection was closed to make room"
    );
}
