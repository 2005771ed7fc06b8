//! `GET /card-form?parent=<origin>` and `POST /v1/payment_methods`, which the form calls.
//!
//! The body of `POST /v1/payment_methods` holds a card number and a CVC: it is parsed, checked
//! by [`cards::validate`] and dropped. Only the brand, the last four digits, the expiry and the
//! test-card outcome are stored; nothing of it is logged.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{html, pages, same_origin};
use crate::payments::cards::{self, Field};
use crate::payments::ops;
use crate::payments::view::MethodView;
use crate::state::AppState;
use crate::time;

/// The query of the hosted pages: the origin of the app that embeds them.
#[derive(Debug, Deserialize)]
pub struct ParentQuery {
    /// e.g. `tauri://localhost`.
    pub parent: Option<String>,
}

/// The card form, for an allowed `parent` only.
pub async fn form(
    State(state): State<AppState>,
    query: Result<Query<ParentQuery>, QueryRejection>,
) -> Response {
    let parent = query.ok().and_then(|Query(q)| q.parent);
    match parent {
        Some(parent) if state.payments().allows(&parent) => {
            html(&state, StatusCode::OK, pages::card_form(&parent))
        }
        _ => refused(&state),
    }
}

/// A `parent` that is not an allowed origin.
#[derive(Debug)]
pub struct Disallowed;

/// The 400 page for a missing or disallowed `parent`.
pub fn refused(state: &AppState) -> Response {
    html(
        state,
        StatusCode::BAD_REQUEST,
        pages::problem(
            "This payment page cannot be shown here",
            "The page that opened it is not allowed to take payments.",
        ),
    )
}

/// Largest body accepted: a card form is a few hundred bytes.
const MAX_BODY_BYTES: usize = 16 * 1024;

fn field_error(status: StatusCode, message: &str, field: Option<Field>) -> Response {
    let body = json!({ "error": message, "field": field.map(Field::as_str) });
    (status, axum::Json(body)).into_response()
}

/// Checks the card and answers `{id, brand, last4, expMonth, expYear}`, or 400
/// `{error, field}` naming the first field to fix.
pub async fn create_method(State(state): State<AppState>, request: Request<Body>) -> Response {
    if !same_origin(&state, request.headers()) {
        return field_error(
            StatusCode::FORBIDDEN,
            "cards are only accepted from this payment service's own form",
            None,
        );
    }
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !is_json {
        return field_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the card as application/json",
            None,
        );
    }
    let Ok(bytes) = axum::body::to_bytes(request.into_body(), MAX_BODY_BYTES).await else {
        return field_error(StatusCode::BAD_REQUEST, "the body is too large", None);
    };
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&bytes) else {
        return field_error(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object",
            None,
        );
    };
    drop(bytes);
    let now = time::now();
    let checked = cards::validate(&body, ops::today(now));
    drop(body);
    let card = match checked {
        Ok(card) => card,
        Err(error) => {
            return field_error(StatusCode::BAD_REQUEST, &error.message, Some(error.field));
        }
    };
    let stored = state
        .write(move |store| ops::tokenise(store, &card, now))
        .await;
    match stored {
        Ok(method) => axum::Json(MethodView::from(&method)).into_response(),
        Err(_) => field_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the card could not be stored; try again",
            None,
        ),
    }
}
