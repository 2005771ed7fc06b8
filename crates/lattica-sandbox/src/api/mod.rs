//! The platform API (`POST /api/…`): fault injection, the contract's checks in order, and
//! dispatch to one handler per endpoint.
//!
//! Axum's extractors are deliberately not used here: their rejections answer in plain text,
//! while the contract wants every failure, including a malformed body, in our JSON envelope.

pub mod envelope;
pub mod params;

mod account;
mod finance;
mod models;
pub mod payments;
pub mod workers;

use std::future::Future;
use std::pin::Pin;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::faults::{self, Action};
use crate::state::AppState;
use crate::time::{self, Instant};
use crate::tokens;
use envelope::{ApiError, ApiResult, ErrorCode};
use params::Params;

/// Largest body read; anything longer is refused as `INVALID_JSON`.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Who is calling, as established by the checks before a handler runs.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account the token opens.
    pub account_id: String,
    /// When the token used for this call expires.
    pub token_expires_at: Instant,
}

/// A boxed handler future (handlers are stored as plain function pointers).
pub type HandlerFuture = Pin<Box<dyn Future<Output = ApiResult> + Send>>;
/// An endpoint's handler.
pub type Handler = fn(AppState, Caller, Params) -> HandlerFuture;

macro_rules! handler {
    ($f:path) => {
        |state, caller, params| -> HandlerFuture { Box::pin($f(state, caller, params)) }
    };
}

/// The handler for `endpoint` (e.g. `api/finance/get_account_credits`), if it exists.
/// New endpoints are added here.
pub fn route(endpoint: &str) -> Option<Handler> {
    let handler: Handler = match endpoint {
        "api/finance/get_account_credits" => handler!(finance::get_account_credits),
        "api/finance/get_transaction_history" => handler!(finance::get_transaction_history),
        "api/finance/get_pricing" => handler!(finance::get_pricing),
        payments::CREATE_PAYMENT => handler!(payments::create_payment),
        payments::CONFIRM_PAYMENT => handler!(payments::confirm_payment),
        payments::GET_PAYMENT => handler!(payments::get_payment),
        payments::CANCEL_PAYMENT => handler!(payments::cancel_payment),
        payments::LIST_PAYMENT_METHODS => handler!(payments::list_payment_methods),
        payments::DELETE_PAYMENT_METHOD => handler!(payments::delete_payment_method),
        payments::ADD_CREDITS => handler!(payments::add_credits),
        "api/account/get_account_info" => handler!(account::get_account_info),
        "api/worker/get_active_workers" => handler!(workers::get_active_workers),
        "api/worker/list_worker_sessions" => handler!(workers::list_worker_sessions),
        "api/worker/poll_worker_status" => handler!(workers::poll_worker_status),
        "api/worker/start_worker" => handler!(workers::start_worker),
        "api/worker/stop_worker" => handler!(workers::stop_worker),
        "api/model/list_models" => handler!(models::list_models),
        _ => return None,
    };
    Some(handler)
}

/// Entry point for every path outside the control API.
pub async fn entry(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    let endpoint = path.trim_start_matches('/').to_owned();
    if !path.starts_with("/api/") {
        return handle(state, &endpoint, request).await;
    }
    let decision = {
        let mut faults = state.faults();
        (!faults.is_clear()).then(|| faults.decide(&endpoint, faults::roll))
    };
    let Some(decision) = decision else {
        return handle(state, &endpoint, request).await;
    };
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    match decision.action {
        None => handle(state, &endpoint, request).await,
        Some(Action::Error {
            status,
            retry_after,
        }) => {
            let mut error = ApiError::new(ErrorCode::ServiceUnavailable, "injected fault");
            error.status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            error.retry_after = retry_after;
            error.into_response()
        }
        Some(Action::Drop) => {
            drop(handle(state, &endpoint, request).await);
            dropped_connection()
        }
        Some(Action::Malformed) => malformed(handle(state, &endpoint, request).await).await,
    }
}

async fn handle(state: AppState, endpoint: &str, request: Request) -> Response {
    if request.method() != Method::POST {
        return ApiError::new(ErrorCode::MethodNotAllowed, "only POST is allowed").into_response();
    }
    let Some(handler) = route(endpoint) else {
        return ApiError::new(
            ErrorCode::UnknownEndpoint,
            format!("unknown endpoint: {endpoint}"),
        )
        .into_response();
    };
    let (parts, body) = request.into_parts();
    let prepared = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => prepare(&state, &parts.headers, &bytes),
        Err(_) => Err(ApiError::new(
            ErrorCode::InvalidJson,
            format!("the body could not be read or is larger than {MAX_BODY_BYTES} bytes"),
        )),
    };
    let outcome = match prepared {
        Ok((caller, params)) => handler(state, caller, params).await,
        Err(error) => Err(error),
    };
    envelope::respond(outcome)
}

/// The contract's checks after routing: body, `client_info`, version, token.
fn prepare(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Caller, Params), ApiError> {
    let params = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Params::new(map),
        Ok(_) => {
            return Err(ApiError::new(
                ErrorCode::InvalidJson,
                "the body must be a JSON object",
            ));
        }
        Err(error) => {
            return Err(ApiError::new(
                ErrorCode::InvalidJson,
                format!("the body is not JSON: {error}"),
            ));
        }
    };
    check_client_info(state, &params)?;
    let caller = authenticate(state, headers)?;
    Ok((caller, params))
}

fn check_client_info(state: &AppState, params: &Params) -> Result<(), ApiError> {
    let info = params
        .get("client_info")
        .ok_or_else(|| ApiError::missing("client_info"))?;
    let info = info
        .as_object()
        .ok_or_else(|| ApiError::invalid("client_info", "an object with module and version"))?;
    let field = |name: &str| -> Result<&str, ApiError> {
        let path = format!("client_info.{name}");
        match info.get(name) {
            None | Some(Value::Null) => Err(ApiError::missing(&path)),
            Some(Value::String(text)) => Ok(text),
            Some(_) => Err(ApiError::invalid(&path, "a string")),
        }
    };
    field("module")?;
    let version = semver::Version::parse(field("version")?.trim())
        .map_err(|_| ApiError::invalid("client_info.version", "a semantic version like 1.2.3"))?;
    if let Some(min) = state.min_client_version().filter(|min| version < *min) {
        return Err(ApiError::new(
            ErrorCode::ClientVersionIncompatible,
            format!("client version {version} is older than the minimum {min}; please update"),
        )
        .with("min_version", min.to_string()));
    }
    Ok(())
}

fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let unauthorized = || ApiError::new(ErrorCode::Unauthorized, "missing or unknown token");
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = tokens::bearer(header).ok_or_else(unauthorized)?;
    let hash = tokens::hash(token);
    let now = time::now();
    state.read(|ledger| {
        let record = ledger.tokens.get(&hash).ok_or_else(unauthorized)?;
        tokens::check(record, now)?;
        Ok(Caller {
            account_id: record.account_id.clone(),
            token_expires_at: record.expires_at,
        })
    })
}

/// A response whose body fails at once: hyper aborts the connection, and the client sees a
/// transport error instead of an answer.
fn dropped_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("injected connection drop"))
    });
    Response::new(Body::from_stream(failing))
}

/// The same answer cut in half: its status and headers, a body that is not JSON.
async fn malformed(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(cut))
}
