//! The payment service's own origin (the second listener, `payments_url`): the hosted card
//! form, the endpoint that turns card details into a `pm_…` token, and the 3-D Secure page.
//!
//! It is a separate origin so that card data entered in its pages never touches the app.
//! Every page is self-contained (its script and style come from this origin, nothing
//! external), carries a strict CSP whose `frame-ancestors` are the allowed app origins, and
//! sends its result to the embedding app only with `postMessage` aimed at an allowed origin.
//! Requests that change something accept a browser `Origin` only when it is this origin.

mod card;
mod pages;
mod three_ds;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use crate::api::envelope::{ApiError, ErrorCode};
use crate::state::AppState;

/// The payment service's router.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/card-form", only(get(card::form)))
        .route("/v1/payment_methods", only(post(card::create_method)))
        .route("/3ds/{payment_id}", only(get(three_ds::page)))
        .route("/3ds/{payment_id}/{decision}", only(post(three_ds::decide)))
        .route("/assets/{name}", only(get(asset)))
        .fallback(not_found);
    crate::server::guard(routes).with_state(state)
}

/// A route that answers other methods with a JSON 405 instead of an empty one.
fn only(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(|| async {
        ApiError::new(ErrorCode::MethodNotAllowed, "method not allowed").into_response()
    })
}

async fn not_found() -> Response {
    ApiError::new(ErrorCode::UnknownEndpoint, "unknown endpoint").into_response()
}

/// Files the pages load from this origin (the CSP allows nothing else).
const ASSETS: [(&str, &str, &str); 3] = [
    (
        "hosted.css",
        "text/css; charset=utf-8",
        include_str!("assets/hosted.css"),
    ),
    (
        "card-form.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/card-form.js"),
    ),
    (
        "three-ds.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/three-ds.js"),
    ),
];

async fn asset(Path(name): Path<String>) -> Response {
    let Some((_, content_type, body)) = ASSETS.iter().find(|(file, _, _)| *file == name) else {
        return not_found().await;
    };
    let mut response = (*body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The policy of every page: only this origin's script and style, only this origin to talk to
/// and post forms to, and only the allowed app origins may frame it.
pub fn content_security_policy(allowed: &[String]) -> String {
    let ancestors = if allowed.is_empty() {
        "'none'".to_owned()
    } else {
        allowed.join(" ")
    };
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
         form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
    )
}

/// An HTML page with the security headers.
fn html(state: &AppState, status: StatusCode, page: String) -> Response {
    let mut response = (status, page).into_response();
    let csp = content_security_policy(state.payments().allowed_origins());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Allowed origins are checked at start to be plain `scheme://host[:port]`, so the
    // policy is always a valid header value; the fallback only keeps this total.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&csp).unwrap_or_else(|_| {
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'")
        }),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        // Not `no-referrer`: under it a browser sends `Origin: null` with the pages' own
        // POSTs, which `same_origin` must refuse. `same-origin` still tells other sites nothing.
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Whether a request that changes something comes from this origin's own pages: a browser
/// always sends `Origin` with such requests, and it must be this origin; a request without
/// one is not from a browser page (tests, tools) and cannot be a cross-site forgery.
fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    headers
        .get(header::ORIGIN)
        .is_none_or(|origin| origin.as_bytes() == state.payments().url().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_allowed_ancestors_only() {
        let csp =
            content_security_policy(&["tauri://localhost".into(), "http://tauri.localhost".into()]);
        assert!(csp.contains("frame-ancestors tauri://localhost http://tauri.localhost"));
        assert!(csp.contains("default-src 'none'"));
        assert!(!csp.contains('*'));
        assert!(content_security_policy(&[]).ends_with("frame-ancestors 'none'"));
    }
}
