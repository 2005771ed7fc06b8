//! The payment service's control actions (`/control/complete_3ds`, `/control/set_processor`),
//! for tests and demos; reached through [`crate::control`], with its loopback-only guard.

use serde_json::json;

use super::processor::ProcessorSettings;
use super::{ops, view};
use crate::api::envelope::{ApiResult, ok};
use crate::api::params::Params;
use crate::state::AppState;

/// The actions this module answers.
pub const ACTIONS: [&str; 2] = ["complete_3ds", "set_processor"];

/// Runs one of [`ACTIONS`].
pub async fn dispatch(state: &AppState, action: &str, params: Params) -> ApiResult {
    if action == "complete_3ds" {
        // What the hosted 3-D Secure page's buttons do, without a browser.
        let payment_id = params.str("paymentId")?.to_owned();
        let approve = params
            .opt_bool("approve")?
            .ok_or_else(|| crate::api::envelope::ApiError::missing("approve"))?;
        let payment = state
            .write(move |store| ops::authenticate(store, &payment_id, approve))
            .await?;
        return view::payment(&payment);
    }
    params.only(&["delayMs", "hold"])?;
    let settings = ProcessorSettings {
        delay_ms: params.opt_u64("delayMs")?.unwrap_or(0),
        hold: params.opt_bool("hold")?.unwrap_or(false),
    };
    state.payments().processor().set(settings);
    processor(state)
}

/// `{"processor": {delayMs, hold}, "paymentsInFlight": n}`.
pub fn processor(state: &AppState) -> ApiResult {
    let payments = state.payments();
    ok(&json!({
        "processor": payments.processor().settings(),
        "paymentsInFlight": payments.in_flight().len(),
    }))
}
