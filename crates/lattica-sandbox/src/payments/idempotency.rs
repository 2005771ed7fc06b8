//! Idempotent execution of the requests that move money (`create_payment`,
//! `confirm_payment`, `cancel_payment`, `add_credits`).
//!
//! A key (a UUID) is scoped to the account and the endpoint. The first request with a key runs;
//! its answer (status and body) is stored in the same SQLite transaction as its effect, so an
//! effect can never exist without its answer, nor be applied twice. Then:
//! - same key, same parameters: the stored answer, byte for byte, and nothing happens;
//! - same key, other parameters: 422 `IDEMPOTENCY_KEY_REUSED`;
//! - same key while the first request is still running: 409 `IDEMPOTENCY_KEY_IN_FLIGHT`
//!   (422 if its parameters differ).
//!
//! Only answers the processing produced are stored, including refusals such as `NOT_FOUND` or
//! `INVALID_PAYMENT_STATE`; a request refused by its parameter checks, or failing with
//! `INTERNAL` (rolled back), leaves the key free. Keys are kept [`RETENTION_HOURS`] and purged
//! lazily by later money-moving requests.
//!
//! "In flight" lives in memory: after a crash nothing is running, and nothing is stuck.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::Duration;
use rusqlite::Transaction;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::api::Caller;
use crate::api::envelope::{ApiError, ApiResult, ErrorCode};
use crate::api::params::Params;
use crate::db::idempotency::{self, KeyScope, StoredAnswer};
use crate::domain::Account;
use crate::state::AppState;
use crate::time::{self, Instant};

/// The parameter carrying the key.
pub const KEY_PARAM: &str = "idempotencyKey";
/// How long a key is kept, at least.
pub const RETENTION_HOURS: i64 = 24;

/// A money-moving request: its key's scope and the fingerprint of its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    scope: KeyScope,
    fingerprint: String,
}

impl IdempotentRequest {
    /// Reads `idempotencyKey` from `params`. `parts` are the request's parameters in a
    /// canonical spelling (`("credits", "25")`): the same purchase always gives the same parts.
    pub fn new(
        caller: &Caller,
        endpoint: &'static str,
        params: &Params,
        parts: &[(&str, &str)],
    ) -> Result<Self, ApiError> {
        let key = Uuid::parse_str(params.str(KEY_PARAM)?.trim())
            .map_err(|_| ApiError::invalid(KEY_PARAM, "a UUID"))?;
        let mut hasher = Sha256::new();
        for (name, value) in parts {
            // A separator that cannot occur in either part keeps ("ab", "c") apart from ("a", "bc").
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(value.as_bytes());
            hasher.update([0]);
        }
        Ok(Self {
            scope: KeyScope {
                account_id: caller.account_id.clone(),
                endpoint,
                key: key.hyphenated().to_string(),
            },
            fingerprint: hex::encode(hasher.finalize()),
        })
    }
}

/// Whether a request goes through the (simulated) card processor before its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    /// No card involved (create, cancel).
    None,
    /// A card is charged (confirm, add credits).
    Card,
}

/// The requests running right now, by key scope, with their fingerprints.
#[derive(Debug, Default)]
pub struct InFlight(Mutex<HashMap<KeyScope, String>>);

impl InFlight {
    /// How many are running.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<KeyScope, String>> {
        // The map is consistent after every single insert or remove, so a poisoned lock
        // (impossible short of an allocation failure) is still safe to use.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Marks a request as running until dropped, whatever way the request ends.
struct Reservation {
    state: AppState,
    scope: KeyScope,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.state.payments().in_flight().lock().remove(&self.scope);
    }
}

fn reused() -> ApiError {
    ApiError::new(
        ErrorCode::IdempotencyKeyReused,
        "this idempotency key was already used with other parameters; use a new key for a new request",
    )
}

fn reserve(state: &AppState, request: &IdempotentRequest) -> Result<Reservation, ApiError> {
    let mut running = state.payments().in_flight().lock();
    match running.get(&request.scope) {
        Some(fingerprint) if *fingerprint != request.fingerprint => Err(reused()),
        Some(_) => Err(ApiError::new(
            ErrorCode::IdempotencyKeyInFlight,
            "a request with this idempotency key is still being processed; retry it later",
        )),
        None => {
            running.insert(request.scope.clone(), request.fingerprint.clone());
            Ok(Reservation {
                state: state.clone(),
                scope: request.scope.clone(),
            })
        }
    }
}

fn cutoff(now: Instant) -> Instant {
    now - Duration::hours(RETENTION_HOURS)
}

/// The answer a stored one stands for, or 422 when the parameters differ.
fn replay(stored: StoredAnswer, fingerprint: &str) -> ApiResult {
    if stored.fingerprint != fingerprint {
        return Err(reused());
    }
    if stored.status == 200 {
        RawValue::from_string(stored.body).map_err(ApiError::internal)
    } else {
        Err(ApiError::from_stored(stored.status, &stored.body)
            .ok_or_else(|| ApiError::internal("a stored answer could not be read"))?)
    }
}

/// Runs `effect` at most once per key (see the module doc). `effect` runs inside the
/// transaction of [`crate::state::Store::update_account`] for the caller's account; it must
/// check everything before it changes anything, because a refusal it returns is committed
/// (as the stored answer) together with whatever it wrote.
pub async fn run_once<F>(
    state: &AppState,
    request: IdempotentRequest,
    processing: Processing,
    effect: F,
) -> ApiResult
where
    F: FnOnce(&mut Account, &Transaction<'_>, Instant) -> ApiResult + Send + 'static,
{
    let _running = reserve(state, &request)?;
    let scope = request.scope.clone();
    let stored = state
        .query(move |store| Ok(idempotency::get(store.conn(), &scope, cutoff(time::now()))?))
        .await?;
    if let Some(stored) = stored {
        return replay(stored, &request.fingerprint);
    }
    if processing == Processing::Card {
        state.payments().processor().process().await;
    }
    let account_id = request.scope.account_id.clone();
    state
        .write(move |store| {
            store.update_account(&account_id, move |account, tx, now| {
                idempotency::purge(tx, cutoff(now))?;
                // Belt and braces: an earlier request with this key may have committed after
                // the lookup above (its caller gone, its transaction still queued).
                if let Some(stored) = idempotency::get(tx, &request.scope, cutoff(now))? {
                    return Ok(replay(stored, &request.fingerprint));
                }
                let outcome = effect(account, tx, now);
                let (status, body) = match &outcome {
                    Ok(result) => (200, result.get().to_owned()),
                    Err(error) if error.code == ErrorCode::Internal => return Err(error.clone()),
                    Err(error) => (error.status.as_u16(), error.body_text()),
                };
                let answer = StoredAnswer {
                    fingerprint: request.fingerprint,
                    status,
                    body,
                };
                idempotency::insert(tx, &request.scope, &answer, now)?;
                Ok(outcome)
            })
        })
        .await?
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(key: &str, parts: &[(&str, &str)]) -> Result<IdempotentRequest, ApiError> {
        let caller = Caller {
            account_id: "acc".into(),
            token_expires_at: time::now(),
        };
        let serde_json::Value::Object(map) = json!({ "idempotencyKey": key }) else {
            unreachable!()
        };
        IdempotentRequest::new(&caller, "api/x", &Params::new(map), parts)
    }

    #[test]
    fn keys_are_uuids_in_one_spelling() {
        let a = request("6F9619FF-8B86-D011-B42D-00CF4FC964FF", &[]).unwrap();
        let b = request("6f9619ff8b86d011b42d00cf4fc964ff", &[]).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.scope.key, "6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        let error = request("order-42", &[]).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidParameter);
        assert!(error.message.contains(KEY_PARAM));
    }

    #[test]
    fn fingerprints_tell_parameters_apart() {
        let key = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";
        let fp = |parts: &[(&str, &str)]| request(key, parts).unwrap().fingerprint;
        assert_eq!(fp(&[("credits", "25")]), fp(&[("credits", "25")]));
        assert_ne!(fp(&[("credits", "25")]), fp(&[("credits", "26")]));
        assert_ne!(fp(&[("a", "bc")]), fp(&[("ab", "c")]));
    }

    #[test]
    fn replays_answers_and_refuses_reuse() {
        let ok = StoredAnswer {
            fingerprint: "f".into(),
            status: 200,
            body: r#"{"id":"pay_1"}"#.into(),
        };
        assert_eq!(replay(ok.clone(), "f").unwrap().get(), r#"{"id":"pay_1"}"#);
        assert_eq!(
            replay(ok, "g").unwrap_err().code,
            ErrorCode::IdempotencyKeyReused
        );
        let refused = ApiError::not_found("payment pay_9");
        let stored = StoredAnswer {
            fingerprint: "f".into(),
            status: 404,
            body: refused.body_text(),
        };
        assert_eq!(
            replay(stored, "f").unwrap_err().body_text(),
            refused.body_text()
        );
    }
}
