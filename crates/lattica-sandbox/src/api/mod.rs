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

/// One endpoint the sandbox serves.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// e.g. `api/finance/get_account_credits`.
    pub endpoint: &'static str,
    /// Whether Lattica publishes it (`docs/platform-api.md` names the source of each); the
    /// published profile serves only these.
    pub published: bool,
    handler: Handler,
}

/// Published by Lattica (the official clients call it).
const PUBLISHED: bool = true;
/// Of this project's design; not on the real platform.
const OURS: bool = false;

macro_rules! route {
    ($endpoint:expr, $published:expr, $f:path) => {
        Route {
            endpoint: $endpoint,
            published: $published,
            handler: |state, caller, params| -> HandlerFuture {
                Box::pin($f(state, caller, params))
            },
        }
    };
}

/// Every endpoint, and the one list of which of them Lattica publishes. New endpoints are
/// added here.
pub static ROUTES: &[Route] = &[
    route!(
        "api/finance/get_account_credits",
        PUBLISHED,
        finance::get_account_credits
    ),
    route!(
        "api/finance/get_transaction_history",
        PUBLISHED,
        finance::get_transaction_history
    ),
    // The history's older name, still called by an older official client.
    route!(
        "api/account/retrieve_payment_transaction",
        PUBLISHED,
        finance::get_transaction_history
    ),
    route!("api/finance/get_pricing", OURS, finance::get_pricing),
    route!(payments::CREATE_PAYMENT, OURS, payments::create_payment),
    route!(payments::CONFIRM_PAYMENT, OURS, payments::confirm_payment),
    route!(payments::GET_PAYMENT, OURS, payments::get_payment),
    route!(payments::CANCEL_PAYMENT, OURS, payments::cancel_payment),
    route!(
        payments::LIST_PAYMENT_METHODS,
        OURS,
        payments::list_payment_methods
    ),
    route!(
        payments::DELETE_PAYMENT_METHOD,
        OURS,
        payments::delete_payment_method
    ),
    route!(payments::ADD_CREDITS, OURS, payments::add_credits),
    route!(
        "api/account/get_account_info",
        PUBLISHED,
        account::get_account_info
    ),
    route!(
        "api/worker/get_active_workers",
        PUBLISHED,
        workers::get_active_workers
    ),
    route!(
        "api/worker/list_worker_sessions",
        PUBLISHED,
        workers::list_worker_sessions
    ),
    route!(
        "api/worker/poll_worker_status",
        PUBLISHED,
        workers::poll_worker_status
    ),
    route!("api/worker/start_worker", PUBLISHED, workers::start_worker),
    route!("api/worker/stop_worker", PUBLISHED, workers::stop_worker),
    route!("api/model/list_models", PUBLISHED, models::list_models),
];

/// The route of `endpoint` (e.g. `api/finance/get_account_credits`), whatever the profile.
pub fn route(endpoint: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|route| route.endpoint == endpoint)
}

/// `finance/get_pricing`, `/api/finance/get_pricing` → `api/finance/get_pricing`.
pub fn canonical_endpoint(endpoint: &str) -> String {
    let trimmed = endpoint.trim_start_matches('/');
    if trimmed.starts_with("api/") {
        trimmed.to_owned()
    } else {
        format!("api/{trimmed}")
    }
}

/// Entry point for every path outside the control API.
pub async fn entry(State(state): State<AppState>, request: Request) -> Response {
    // Normalized once: the fault check below and the routing see the same endpoint, however
    // many slashes lead the path.
    let endpoint = request.uri().path().trim_start_matches('/').to_owned();
    if !endpoint.starts_with("api/") {
        return handle(state, &endpoint, request).await;
    }
    let decision = {
        let mut faults = state.faults();
        (!faults.is_clear()).then(|| faults.decide(&endpoint, faults::roll))
    };
    state.traffic().count(decision.as_ref());
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
    // An endpoint this sandbox does not serve (its profile or a hidden one) is answered by
    // this very line, exactly as one that does not exist.
    let Some(route) = route(endpoint).filter(|route| state.serves(route)) else {
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
        Ok((caller, params)) => (route.handler)(state, caller, params).await,
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
