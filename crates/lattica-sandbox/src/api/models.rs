//! `api/model/*`: the account's models.

use serde::Serialize;

use super::Caller;
use super::envelope::{ApiResult, ok};
use super::params::Params;
use crate::domain::Model;
use crate::state::AppState;

#[derive(Debug, Serialize)]
struct Models {
    models: Vec<Model>,
}

/// Every model, or those with the given `visibility` (compared without regard to case).
pub async fn list_models(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let visibility = params.opt_str("visibility")?;
    let models = state.read(|ledger| {
        ledger.account(&caller.account_id).map(|a| {
            a.models
                .iter()
                .filter(|m| visibility.is_none_or(|v| m.visibility.eq_ignore_ascii_case(v)))
                .cloned()
                .collect()
        })
    })?;
    ok(&Models { models })
}
