//! `api/account/*`: the account's profile.

use rust_decimal::Decimal;
use serde::Serialize;

use super::Caller;
use super::envelope::{ApiResult, ok};
use super::params::Params;
use crate::state::AppState;
use crate::time::{self, Instant};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountInfo {
    account_id: String,
    #[serde(serialize_with = "time::serialize")]
    created_at: Instant,
    email: String,
    company_name: String,
    contact_name: String,
    phone_number: String,
    #[serde(serialize_with = "crate::credits::serialize")]
    credits: Decimal,
    #[serde(serialize_with = "time::serialize")]
    auth_exp_date: Instant,
}

/// Profile, balance, and the expiry of the token used for this call.
pub async fn get_account_info(state: AppState, caller: Caller, _: Params) -> ApiResult {
    let now = time::now();
    let info = state.read(|ledger| {
        ledger.account(&caller.account_id).map(|a| {
            let p = &a.profile;
            AccountInfo {
                account_id: p.account_id.clone(),
                created_at: p.created_at,
                email: p.email.clone(),
                company_name: p.company_name.clone(),
                contact_name: p.contact_name.clone(),
                phone_number: p.phone_number.clone(),
                credits: a.balance_at(ledger.time_scale, now),
                auth_exp_date: caller.token_expires_at,
            }
        })
    })?;
    ok(&info)
}
