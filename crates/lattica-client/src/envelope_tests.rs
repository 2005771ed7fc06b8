//! Tests of the envelope: every branch of `decode`, and the request body's shape.

use super::*;

fn err(status: u16, body: &str) -> ClientError {
    decode(status, body.as_bytes()).unwrap_err()
}

#[test]
fn success_returns_the_raw_result() {
    let raw = decode(200, br#"{"result": 249.517333, "extra": 1}"#).unwrap();
    assert_eq!(raw.get(), "249.517333");
    let raw = decode(201, br#"{"result": {"a": [1, 2]}}"#).unwrap();
    assert_eq!(raw.get(), r#"{"a": [1, 2]}"#);
}

#[test]
fn success_without_result() {
    assert!(matches!(err(200, "{}"), ClientError::Malformed(_)));
    assert!(matches!(
        err(200, r#"{"result": null}"#),
        ClientError::Malformed(_)
    ));
    assert!(matches!(err(200, "not json"), ClientError::Malformed(_)));
    assert!(matches!(
        err(200, r#"{"result": 1"#),
        ClientError::Malformed(_)
    ));
    assert!(matches!(err(200, "[1]"), ClientError::Malformed(_)));
    assert!(matches!(err(200, ""), ClientError::Malformed(_)));
    assert_eq!(
        err(200, r#"{"error": "quota", "error_code": "Q"}"#),
        ClientError::Server {
            status: 200,
            code: Some("Q".into()),
            message: "quota".into()
        }
    );
}

#[test]
fn client_too_old_in_any_status() {
    for status in [200, 400, 426] {
        assert_eq!(
            err(
                status,
                r#"{"error": "update", "error_code": "CLIENT_VERSION_INCOMPATIBLE", "min_version": "2.0.0"}"#
            ),
            ClientError::ClientTooOld {
                min_version: Some("2.0.0".into()),
                message: "update".into()
            }
        );
    }
    assert!(matches!(
        err(
            400,
            r#"{"error_code": "CLIENT_VERSION_INCOMPATIBLE", "min_version": 2}"#
        ),
        ClientError::ClientTooOld {
            min_version: None,
            ..
        }
    ));
}

#[test]
fn unauthorized_keeps_the_code() {
    assert_eq!(
        err(
            401,
            r#"{"error": "token expired", "error_code": "TOKEN_EXPIRED"}"#
        ),
        ClientError::Unauthorized {
            status: 401,
            code: Some("TOKEN_EXPIRED".into()),
            message: "token expired".into()
        }
    );
    assert!(matches!(
        err(403, "<html>forbidden</html>"),
        ClientError::Unauthorized {
            status: 403,
            code: None,
            ..
        }
    ));
}

#[test]
fn server_errors_take_the_first_message() {
    assert_eq!(
        err(
            404,
            r#"{"message": "no such payment", "error_code": "NOT_FOUND"}"#
        ),
        ClientError::Server {
            status: 404,
            code: Some("NOT_FOUND".into()),
            message: "no such payment".into()
        }
    );
    assert_eq!(
        err(422, r#"{"detail": [{"loc": ["body"], "msg": "bad"}]}"#).to_string(),
        r#"the platform answered HTTP 422: [{"loc":["body"],"msg":"bad"}]"#
    );
    assert_eq!(
        err(500, r#"{"error": {"message": "boom"}, "code": "X"}"#),
        ClientError::Server {
            status: 500,
            code: Some("X".into()),
            message: "boom".into()
        }
    );
    assert_eq!(
        err(502, "<html>bad gateway</html>"),
        ClientError::Server {
            status: 502,
            code: None,
            message: "HTTP 502 Bad Gateway".into()
        }
    );
    assert_eq!(
        err(503, r#"{"error": null, "message": "later"}"#),
        ClientError::Server {
            status: 503,
            code: None,
            message: "later".into()
        }
    );
}

#[test]
fn messages_are_bounded_and_printable() {
    let long = "x".repeat(10_000);
    let ClientError::Server { message, .. } = err(500, &format!(r#"{{"error": "{long}"}}"#)) else {
        panic!("expected a server error");
    };
    assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS + 1);
    let ClientError::Server { message, .. } = err(500, r#"{"error": "a\u0000b\nc"}"#) else {
        panic!("expected a server error");
    };
    assert_eq!(message, "a b c");
}

#[test]
fn body_carries_params_and_client_info() {
    let params = Params::new()
        .with("modelId", "m1")
        .unwrap()
        .with_credits("credits", Decimal::from_str_exact("249.517333").unwrap())
        .unwrap()
        .with_opt("fromDate", None::<String>)
        .unwrap()
        .with_opt("save", Some(true))
        .unwrap();
    let info = ClientInfo {
        module: "lattica-tray".into(),
        version: "0.1.0".into(),
    };
    let text = serde_json::to_string(&Body {
        params: &params,
        client_info: &info,
    })
    .unwrap();
    assert_eq!(
        text,
        r#"{"modelId":"m1","credits":249.517333,"save":true,"client_info":{"module":"lattica-tray","version":"0.1.0"}}"#
    );
}
