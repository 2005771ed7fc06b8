//! The control API (`POST /control/{action}`): lets tests and demos move the sandbox's
//! clock, balance, tokens and faults. Served only with `--control`, and only to loopback
//! peers (anyone else gets the same 404 as for a path that does not exist), that name this
//! listener in `Host`, send no foreign `Origin` (403), and declare a JSON body (415).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};

use crate::api::envelope::{self, ApiError, ApiResult, ErrorCode, ok};
use crate::api::params::Params;
use crate::domain::{TokenRecord, Worker};
use crate::faults::{Faults, TrafficView};
use crate::payments::processor::ProcessorSettings;
use crate::state::{AppState, Store};
use crate::time::{self, Instant};
use crate::{LocalAddr, api, credits, payments, tokens};

/// Largest balance `set_balance` accepts (and largest grant `record_payment` makes), far
/// beyond any purchase, far below overflow.
pub const MAX_BALANCE: i64 = 1_000_000_000;

/// Entry point for `/control/*`.
pub async fn entry(State(state): State<AppState>, request: Request) -> Response {
    if !state.control_enabled() || !from_loopback(&request) {
        return ApiError::new(ErrorCode::UnknownEndpoint, "unknown endpoint").into_response();
    }
    if let Err(error) = from_this_listener(&request) {
        return error.into_response();
    }
    if request.method() != Method::POST {
        return ApiError::new(ErrorCode::MethodNotAllowed, "only POST is allowed").into_response();
    }
    if !is_json(request.headers()) {
        return ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send control actions as application/json",
        )
        .into_response();
    }
    let action = request
        .uri()
        .path()
        .trim_start_matches("/control/")
        .to_owned();
    let params = match axum::body::to_bytes(request.into_body(), api::MAX_BODY_BYTES).await {
        Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Ok(Params::default()),
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Params::new(map)),
            _ => Err(ApiError::new(
                ErrorCode::InvalidJson,
                "the body must be a JSON object",
            )),
        },
        Err(_) => Err(ApiError::new(
            ErrorCode::InvalidJson,
            "the body could not be read",
        )),
    };
    let outcome = match params {
        Ok(params) => dispatch(&state, &action, params).await,
        Err(error) => Err(error),
    };
    envelope::respond(outcome)
}

/// Whether the peer is on this machine. A router served without connect info has no peer
/// address at all, and is refused.
fn from_loopback(request: &Request) -> bool {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| peer.ip().to_canonical().is_loopback())
}

/// Whether the request was meant for this listener by something on this machine: its `Host`
/// names the listener as `127.0.0.1`, `localhost` or `[::1]` with its port (not another name
/// that resolves here, as a DNS-rebinding page would send), and an `Origin`, if any, is the
/// listener's own. A browser page elsewhere can thus neither reach nor drive the control API.
fn from_this_listener(request: &Request) -> Result<(), ApiError> {
    let forbidden = |why: &str| ApiError::new(ErrorCode::Forbidden, why.to_owned());
    let port = request
        .extensions()
        .get::<LocalAddr>()
        .map(|LocalAddr(local)| local.port())
        .ok_or_else(|| forbidden("the control API is served by the sandbox's own listener"))?;
    let headers = request.headers();
    headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| names_listener(host, port))
        .ok_or_else(|| {
            forbidden("the Host header must name this listener on a loopback address")
        })?;
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let own = origin
        .to_str()
        .ok()
        .and_then(|origin| origin.strip_prefix("http://"))
        .is_some_and(|authority| names_listener(authority, port));
    if own {
        Ok(())
    } else {
        Err(forbidden("requests from other origins are refused"))
    }
}

/// Whether `authority` (`host[:port]`) is a loopback name of the listener on `port`.
fn names_listener(authority: &str, port: u16) -> bool {
    let (host, given_port) = match authority.rsplit_once(':') {
        Some((host, given)) if !given.contains(']') => (host, given.parse::<u16>().ok()),
        _ => (authority, Some(80)),
    };
    let loopback = ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host.eq_ignore_ascii_case(name));
    loopback && given_port == Some(port)
}

/// Whether the body is declared as JSON (`application/json`, any parameters).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

async fn dispatch(state: &AppState, action: &str, params: Params) -> ApiResult {
    match action {
        "state" => ok(&snapshot(state)?),
        "set_balance" => {
            let credits = params.decimal("credits")?;
            if credits < Decimal::ZERO || credits > Decimal::from(MAX_BALANCE) {
                return Err(ApiError::invalid(
                    "credits",
                    "a balance from 0 to 1000000000",
                ));
            }
            on_demo(state, move |store, id| {
                store.update_account(id, |account, _, _| {
                    account.balance = credits;
                    Ok(())
                })
            })
            .await?;
            ok(&snapshot(state)?)
        }
        "start_worker" => {
            let model_id = params.str("modelId")?.to_owned();
            let worker = on_demo(state, move |store, id| {
                store.update_account(id, |account, _, now| {
                    api::workers::start(account, &model_id, now)
                })
            })
            .await?;
            ok(&worker)
        }
        "stop_worker" => stop_workers(state, &params).await,
        "expire_token" => change_token(state, &params, |t, now| t.expires_at = now).await,
        "revoke_token" => change_token(state, &params, |t, now| t.revoked_at = Some(now)).await,
        "set_token_expiry" => {
            let expires_at = match (
                params.opt_instant_any(&["expiresAt"])?,
                params.opt_i64("inSeconds")?,
            ) {
                (Some(at), _) => at,
                (None, Some(seconds)) => Duration::try_seconds(seconds)
                    .and_then(|d| time::now().checked_add_signed(d))
                    .ok_or_else(|| {
                        ApiError::invalid("inSeconds", "a reasonable number of seconds")
                    })?,
                (None, None) => return Err(ApiError::missing("expiresAt")),
            };
            change_token(state, &Params::default(), move |t, _| {
                t.expires_at = expires_at
            })
            .await
        }
        "issue_token" => issue_token(state, &params).await,
        "set_time_scale" => {
            let scale = params.decimal("timeScale")?;
            if scale < Decimal::ZERO {
                return Err(ApiError::invalid("timeScale", "a number ≥ 0"));
            }
            state
                .write(move |store| store.set_time_scale(scale))
                .await?;
            ok(&snapshot(state)?)
        }
        "set_faults" => {
            let faults = Faults::from_params(&params)?;
            *state.faults() = faults.clone();
            ok(&json!({ "faults": faults }))
        }
        "clear_faults" => {
            *state.faults() = Faults::default();
            ok(&json!({ "faults": Faults::default() }))
        }
        "set_min_client_version" => {
            let version = params
                .opt_str("version")?
                .map(|v| semver::Version::parse(v.trim()))
                .transpose()
                .map_err(|_| ApiError::invalid("version", "a semantic version like 1.2.3"))?;
            let shown = version.as_ref().map(ToString::to_string);
            state.set_min_client_version(version);
            ok(&json!({ "minClientVersion": shown }))
        }
        _ if payments::control::ACTIONS.contains(&action) => {
            payments::control::dispatch(state, action, params).await
        }
        _ => Err(ApiError::new(
            ErrorCode::UnknownEndpoint,
            format!("unknown control action: {action}"),
        )),
    }
}

/// Runs `f` on the blocking pool with the demo account's id.
async fn on_demo<R: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Store, &str) -> Result<R, ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    state
        .write(move |store| {
            let id = store.ledger.demo_account_id.clone();
            f(store, &id)
        })
        .await
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenView {
    token_id: String,
    #[serde(serialize_with = "time::serialize")]
    expires_at: Instant,
    revoked: bool,
}

impl From<&TokenRecord> for TokenView {
    fn from(t: &TokenRecord) -> Self {
        Self {
            token_id: t.token_id.clone(),
            expires_at: t.expires_at,
            revoked: t.revoked_at.is_some(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Snapshot {
    #[serde(serialize_with = "credits::serialize")]
    credits: Decimal,
    workers: Vec<Worker>,
    #[serde(serialize_with = "credits::serialize")]
    time_scale: Decimal,
    faults: Faults,
    traffic: TrafficView,
    tokens: Vec<TokenView>,
    min_client_version: Option<String>,
    processor: ProcessorSettings,
    payments_in_flight: usize,
    profile: &'static str,
    hidden_endpoints: Vec<String>,
}

fn snapshot(state: &AppState) -> Result<Snapshot, ApiError> {
    let now = time::now();
    let faults = state.faults().clone();
    let traffic = state.traffic().view();
    let min_client_version = state.min_client_version().map(|v| v.to_string());
    let processor = state.payments().processor().settings();
    let payments_in_flight = state.payments().in_flight().len();
    state.read(|ledger| {
        let account = ledger.demo_account()?.view_at(ledger.time_scale, now);
        let mut tokens: Vec<&TokenRecord> = ledger
            .tokens
            .values()
            .filter(|t| t.account_id == account.id())
            .collect();
        tokens.sort_by_key(|t| t.created_at);
        Ok(Snapshot {
            credits: account.balance,
            workers: account.workers,
            time_scale: ledger.time_scale,
            faults,
            traffic,
            tokens: tokens.into_iter().map(TokenView::from).collect(),
            min_client_version,
            processor,
            payments_in_flight,
            profile: state.profile().as_str(),
            hidden_endpoints: state.hidden_endpoints().iter().cloned().collect(),
        })
    })
}

async fn stop_workers(state: &AppState, params: &Params) -> ApiResult {
    let session_id = params.opt_str("workerSessionId")?.map(str::to_owned);
    let all = params.opt_bool("all")?.unwrap_or(false);
    if session_id.is_none() && !all {
        return Err(ApiError::missing("workerSessionId"));
    }
    let stopped = on_demo(state, move |store, id| {
        store.update_account(id, |account, _, now| {
            let mut stopped = Vec::new();
            for worker in &mut account.workers {
                let chosen = session_id
                    .as_ref()
                    .map_or(all, |id| &worker.worker_session_id == id);
                if chosen && worker.is_up() {
                    worker.stop(now);
                    stopped.push(worker.clone());
                }
            }
            let known = session_id
                .as_ref()
                .is_none_or(|id| account.workers.iter().any(|w| &w.worker_session_id == id));
            if known {
                Ok(stopped)
            } else {
                Err(ApiError::not_found("worker session"))
            }
        })
    })
    .await?;
    ok(&json!({ "stopped": stopped }))
}

/// Applies `change` to the token named by `{token}` (default: the demo token).
async fn change_token(
    state: &AppState,
    params: &Params,
    change: impl FnOnce(&mut TokenRecord, Instant) + Send + 'static,
) -> ApiResult {
    let hash = params.opt_str("token")?.map(tokens::hash);
    let view = state
        .write(move |store| {
            let hash = hash.unwrap_or_else(|| tokens::hash(store.ledger.demo_token.expose()));
            let mut record = store
                .ledger
                .tokens
                .get(&hash)
                .cloned()
                .ok_or_else(|| ApiError::not_found("token"))?;
            change(&mut record, time::now());
            let view = TokenView::from(&record);
            store.put_token(record, false)?;
            Ok(view)
        })
        .await?;
    ok(&view)
}

async fn issue_token(state: &AppState, params: &Params) -> ApiResult {
    let days = params.opt_u64("validDays")?.unwrap_or(30);
    let days = i64::try_from(days)
        .ok()
        .filter(|d| (1..=3650).contains(d))
        .ok_or_else(|| ApiError::invalid("validDays", "a number of days from 1 to 3650"))?;
    let token = tokens::generate();
    let issued = token.clone();
    let expires_at = on_demo(state, move |store, id| {
        let record = tokens::record(&issued, id, time::now(), Duration::days(days));
        let expires_at = record.expires_at;
        store.replace_demo_token(issued, record)?;
        Ok(expires_at)
    })
    .await?;
    ok(&json!({ "token": token.expose(), "expiresAt": time::to_wire(expires_at) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_from(peer: Option<&str>) -> Request {
        let mut request = Request::new(axum::body::Body::empty());
        if let Some(peer) = peer {
            request
                .extensions_mut()
                .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        }
        request
    }

    #[test]
    fn hosts_and_origins_must_name_the_listener() {
        for good in [
            "127.0.0.1:5000",
            "localhost:5000",
            "LOCALHOST:5000",
            "[::1]:5000",
        ] {
            assert!(names_listener(good, 5000), "{good}");
        }
        for bad in [
            "127.0.0.1:5001",
            "127.0.0.1",
            "[::1]",
            "evil.example:5000",
            "localhost.evil.example:5000",
            "127.0.0.2:5000",
            "localhost:5000:5000",
            "",
        ] {
            assert!(!names_listener(bad, 5000), "{bad}");
        }
        assert!(names_listener("localhost", 80) && names_listener("[::1]", 80));
    }

    #[test]
    fn only_json_bodies_are_taken() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            is_json(&headers)
        };
        assert!(with("application/json") && with("Application/JSON; charset=utf-8"));
        assert!(!with("text/plain") && !with("application/json-seq") && !with(""));
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn only_loopback_peers_may_control() {
        assert!(from_loopback(&request_from(Some("127.0.0.1:5000"))));
        assert!(from_loopback(&request_from(Some("127.8.9.10:5000"))));
        assert!(from_loopback(&request_from(Some("[::1]:5000"))));
        assert!(from_loopback(&request_from(Some(
            "[::ffff:127.0.0.1]:5000"
        ))));
        assert!(!from_loopback(&request_from(Some("192.168.1.20:5000"))));
        assert!(!from_loopback(&request_from(Some(
            "[::ffff:10.0.0.1]:5000"
        ))));
        assert!(!from_loopback(&request_from(None)));
    }

    #[tokio::test]
    async fn a_remote_peer_gets_the_unknown_endpoint_404() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = crate::SandboxConfig::new(dir.path());
        config.control = true;
        let state = AppState::open(&config, "http://127.0.0.1:9".into()).unwrap();
        let mut request = request_from(Some("192.168.1.20:5000"));
        *request.method_mut() = Method::POST;
        *request.uri_mut() = "/control/state".parse().unwrap();
        let response = entry(State(state), request).await;
        assert_eq!(response.status(), axum::http::StatusCode::NOT_FOUND);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error_code"], "UNKNOWN_ENDPOINT");
    }
}
