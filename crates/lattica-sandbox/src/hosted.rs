//! The payment service's own origin (the second listener, `payments_url`).
//!
//! It is a separate origin so that card data entered in its hosted form never touches the
//! app. Until the hosted card form lands it answers every request with a 404 envelope.

use axum::Router;
use axum::response::{IntoResponse, Response};

use crate::api::envelope::{ApiError, ErrorCode};
use crate::state::AppState;

/// The payment service's router.
pub fn router(state: AppState) -> Router {
    crate::server::guard(Router::new().fallback(not_found)).with_state(state)
}

async fn not_found() -> Response {
    ApiError::new(ErrorCode::UnknownEndpoint, "unknown endpoint").into_response()
}
