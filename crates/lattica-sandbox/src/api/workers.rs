//! `api/worker/*`: starting, stopping and watching worker sessions.
//!
//! Reads work on a copy of the account settled to now, so a worker whose credits ran out a
//! moment ago shows `STOPPED` even before the settler has written that down.

use rust_decimal::Decimal;
use serde::Serialize;

use super::Caller;
use super::envelope::{ApiError, ApiResult, ErrorCode, ok};
use super::params::Params;
use crate::domain::{Account, Worker, WorkerStatus};
use crate::state::AppState;
use crate::time;

const SESSION_ID: [&str; 2] = ["workerSessionId", "sessionId"];

/// The account settled to now (a copy; nothing is written).
fn view(state: &AppState, caller: &Caller) -> Result<Account, ApiError> {
    let now = time::now();
    state.read(|ledger| {
        ledger
            .account(&caller.account_id)
            .map(|a| a.view_at(ledger.time_scale, now))
    })
}

fn require_model(account: &Account, model_id: &str) -> Result<(), ApiError> {
    match account.model(model_id) {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found(format_args!("model {model_id}"))),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelWorkers {
    model_id: String,
    workers: Vec<Worker>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ActiveWorkers {
    active_workers: Vec<ModelWorkers>,
}

/// The running workers of `modelId`.
pub async fn get_active_workers(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let model_id = params.str("modelId")?;
    let account = view(&state, &caller)?;
    require_model(&account, model_id)?;
    let workers = account
        .workers
        .into_iter()
        .filter(|w| w.is_up() && w.model_id == model_id)
        .collect();
    ok(&ActiveWorkers {
        active_workers: vec![ModelWorkers {
            model_id: model_id.to_owned(),
            workers,
        }],
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkerSessions {
    worker_sessions: Vec<Worker>,
}

/// Worker sessions, newest first; optionally of one model and overlapping `[fromDate, toDate]`.
pub async fn list_worker_sessions(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let model_id = params.opt_str("modelId")?;
    let from = params.opt_instant_any(&["fromDate", "startDate"])?;
    let to = params.opt_instant_any(&["toDate", "endDate"])?;
    if from.zip(to).is_some_and(|(from, to)| from > to) {
        return Err(ApiError::invalid("fromDate", "an instant before toDate"));
    }
    let account = view(&state, &caller)?;
    if let Some(model_id) = model_id {
        require_model(&account, model_id)?;
    }
    let mut sessions: Vec<Worker> = account
        .workers
        .into_iter()
        .filter(|w| model_id.is_none_or(|m| w.model_id == m))
        .filter(|w| to.is_none_or(|to| w.started_at <= to))
        .filter(|w| from.is_none_or(|from| w.stopped_at.is_none_or(|stopped| stopped >= from)))
        .collect();
    sessions.reverse();
    ok(&WorkerSessions {
        worker_sessions: sessions,
    })
}

/// One worker of one model.
pub async fn poll_worker_status(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let model_id = params.str("modelId")?;
    let session_id = params.str_any(&SESSION_ID)?;
    let account = view(&state, &caller)?;
    require_model(&account, model_id)?;
    let worker = account
        .workers
        .into_iter()
        .find(|w| w.worker_session_id == session_id && w.model_id == model_id)
        .ok_or_else(|| ApiError::not_found(format_args!("worker session {session_id}")))?;
    ok(&worker)
}

/// Starts a worker for `modelId`; refused with 402 when the balance is zero.
pub async fn start_worker(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let model_id = params.str("modelId")?.to_owned();
    let worker = state
        .write(move |store| {
            store.update_account(&caller.account_id, |account, _, now| {
                start(account, &model_id, now)
            })
        })
        .await?;
    ok(&worker)
}

/// Starts a worker on a settled account (shared with the control API).
pub fn start(
    account: &mut Account,
    model_id: &str,
    now: time::Instant,
) -> Result<Worker, ApiError> {
    let model = account
        .model(model_id)
        .ok_or_else(|| ApiError::not_found(format_args!("model {model_id}")))?;
    if account.balance <= Decimal::ZERO {
        return Err(ApiError::new(
            ErrorCode::InsufficientCredits,
            "not enough credits to start a worker; add credits first",
        ));
    }
    let worker = Worker {
        worker_session_id: uuid::Uuid::new_v4().to_string(),
        model_id: model.model_id.clone(),
        instance_type_id: model.instance_type_id.clone(),
        status: WorkerStatus::Up,
        started_at: now,
        stopped_at: None,
    };
    account.workers.push(worker.clone());
    Ok(worker)
}

/// Stops one worker of `modelId`, or all of them; answers with the (last) stopped one.
pub async fn stop_worker(state: AppState, caller: Caller, params: Params) -> ApiResult {
    let model_id = params.str("modelId")?.to_owned();
    let session_id = params.opt_str_any(&SESSION_ID)?.map(str::to_owned);
    let worker = state
        .write(move |store| {
            store.update_account(&caller.account_id, |account, _, now| {
                require_model(account, &model_id)?;
                let of_model = |w: &&mut Worker| w.model_id == model_id;
                match &session_id {
                    Some(id) => {
                        let worker = account
                            .workers
                            .iter_mut()
                            .filter(of_model)
                            .find(|w| &w.worker_session_id == id)
                            .ok_or_else(|| {
                                ApiError::not_found(format_args!("worker session {id}"))
                            })?;
                        worker.stop(now);
                        Ok(worker.clone())
                    }
                    None => {
                        let mut last = None;
                        for worker in account.workers.iter_mut().filter(of_model) {
                            if worker.is_up() {
                                worker.stop(now);
                                last = Some(worker.clone());
                            }
                        }
                        // Nothing was running: answer with the last session that stopped, so
                        // stopping twice is harmless.
                        let last = last.or_else(|| {
                            account
                                .workers
                                .iter()
                                .filter(|w| w.model_id == model_id)
                                .max_by_key(|w| (w.stopped_at, w.started_at))
                                .cloned()
                        });
                        last.ok_or_else(|| {
                            ApiError::not_found(format_args!("worker session of model {model_id}"))
                        })
                    }
                }
            })
        })
        .await?;
    ok(&worker)
}
