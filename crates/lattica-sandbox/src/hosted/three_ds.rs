//! The hosted 3-D Secure step: `GET /3ds/{paymentId}` shows the challenge, its buttons post to
//! `/3ds/{paymentId}/approve` or `/deny`, which answer with a redirect back to the page
//! (post/redirect/get, so reloading never submits twice). Once the payment no longer waits,
//! the page tells the embedding app `{type: "3ds-complete", paymentId, status}`.
//!
//! `?parent=<origin>` is optional: given, it must be allowed and is the only target of the
//! message; absent, the message is aimed at each allowed origin in turn, and the browser
//! delivers it only to the one the real parent has.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::card::{Disallowed, ParentQuery, refused};
use super::{html, pages, same_origin};
use crate::api::envelope::ErrorCode;
use crate::db::payments::{self, PaymentStatus};
use crate::payments::ops;
use crate::state::AppState;

/// The allowed parent named in the query (`Ok(None)` when absent).
fn parent(
    state: &AppState,
    query: Result<Query<ParentQuery>, QueryRejection>,
) -> Result<Option<String>, Disallowed> {
    match query.ok().and_then(|Query(q)| q.parent) {
        None => Ok(None),
        Some(parent) if state.payments().allows(&parent) => Ok(Some(parent)),
        Some(_) => Err(Disallowed),
    }
}

fn unknown_payment(state: &AppState) -> Response {
    html(
        state,
        StatusCode::NOT_FOUND,
        pages::problem(
            "Payment not found",
            "There is no payment to confirm at this address.",
        ),
    )
}

/// The challenge, or how the payment ended.
pub async fn page(
    State(state): State<AppState>,
    Path(payment_id): Path<String>,
    query: Result<Query<ParentQuery>, QueryRejection>,
) -> Response {
    let parent = match parent(&state, query) {
        Ok(parent) => parent,
        Err(Disallowed) => return refused(&state),
    };
    let found = state
        .query(move |store| Ok(payments::find(store.conn(), &payment_id)?))
        .await;
    let payment = match found {
        Ok(Some(payment)) => payment,
        Ok(None) => return unknown_payment(&state),
        Err(_) => return problem_page(&state),
    };
    if payment.status == PaymentStatus::RequiresAction {
        let query = parent.as_deref().map_or_else(String::new, |p| {
            format!("?parent={}", pages::encode_query(p))
        });
        return html(&state, StatusCode::OK, pages::challenge(&payment, &query));
    }
    let targets = parent.map_or_else(|| state.payments().allowed_origins().to_vec(), |p| vec![p]);
    html(&state, StatusCode::OK, pages::finished(&payment, &targets))
}

fn problem_page(state: &AppState) -> Response {
    html(
        state,
        StatusCode::INTERNAL_SERVER_ERROR,
        pages::problem("Something went wrong", "Try again in a moment."),
    )
}

/// Approves or denies, then sends the browser back to the page.
pub async fn decide(
    State(state): State<AppState>,
    Path((payment_id, decision)): Path<(String, String)>,
    headers: HeaderMap,
    query: Result<Query<ParentQuery>, QueryRejection>,
) -> Response {
    let approve = match decision.as_str() {
        "approve" => true,
        "deny" => false,
        _ => return unknown_payment(&state),
    };
    if !same_origin(&state, &headers) {
        return html(
            &state,
            StatusCode::FORBIDDEN,
            pages::problem(
                "Not allowed",
                "Payments can only be confirmed from this page.",
            ),
        );
    }
    let parent = match parent(&state, query) {
        Ok(parent) => parent,
        Err(Disallowed) => return refused(&state),
    };
    let id = payment_id.clone();
    let outcome = state
        .write(move |store| ops::authenticate(store, &id, approve))
        .await;
    match outcome {
        // A second click (or another tab) finds the payment already decided: the page shows
        // how it ended either way.
        Ok(_) => {}
        Err(error) if error.code == ErrorCode::InvalidPaymentState => {}
        Err(error) if error.code == ErrorCode::NotFound => return unknown_payment(&state),
        Err(_) => return problem_page(&state),
    }
    let mut location = format!("/3ds/{}", pages::encode_query(&payment_id));
    if let Some(parent) = parent {
        location.push_str("?parent=");
        location.push_str(&pages::encode_query(&parent));
    }
    let mut response = StatusCode::SEE_OTHER.into_response();
    // Only percent-encoded ASCII goes into the location, so it is a valid header value.
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
