//! `LatticaClient` and the published endpoints. The project's own endpoints (pricing,
//! payments) are added to the same type in [`crate::billing`].

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::billing::PaymentRecord;
use crate::capabilities::Capabilities;
use crate::config::ClientConfig;
use crate::envelope::Params;
use crate::error::ClientError;
use crate::model::catalog::ModelList;
use crate::model::credits::Credits;
use crate::model::worker::{ActiveWorkers, WorkerSessions};
use crate::model::{self, AccountInfo, Model, Worker, WorkerSessionFilter, first_token};
use crate::token::SessionToken;
use crate::transport::{CallKind, Transport};

pub(crate) const GET_ACCOUNT_CREDITS: &str = "api/finance/get_account_credits";
pub(crate) const GET_TRANSACTION_HISTORY: &str = "api/finance/get_transaction_history";
/// The history's older name, which an older official client calls; same `payments` list.
pub(crate) const RETRIEVE_PAYMENT_TRANSACTION: &str = "api/account/retrieve_payment_transaction";
pub(crate) const GET_ACCOUNT_INFO: &str = "api/account/get_account_info";
pub(crate) const GET_ACTIVE_WORKERS: &str = "api/worker/get_active_workers";
pub(crate) const LIST_WORKER_SESSIONS: &str = "api/worker/list_worker_sessions";
pub(crate) const POLL_WORKER_STATUS: &str = "api/worker/poll_worker_status";
pub(crate) const START_WORKER: &str = "api/worker/start_worker";
pub(crate) const STOP_WORKER: &str = "api/worker/stop_worker";
pub(crate) const LIST_MODELS: &str = "api/model/list_models";

/// An authenticated client of the platform. Cheap to clone: clones share one connection pool
/// and what was learnt of the platform's endpoints.
#[derive(Clone)]
pub struct LatticaClient {
    transport: Arc<Transport>,
    capabilities: Arc<Capabilities>,
}

impl fmt::Debug for LatticaClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LatticaClient")
            .field("base_url", &self.config().base_url().as_str())
            .field("client_info", self.config().client_info())
            .field("token", &"***")
            .finish()
    }
}

impl LatticaClient {
    pub fn new(config: ClientConfig, token: SessionToken) -> Result<Self, ClientError> {
        let capabilities = Arc::new(Capabilities::new(config.absence_recheck()));
        Ok(Self {
            transport: Arc::new(Transport::new(config, token)?),
            capabilities,
        })
    }

    /// The same platform and connection pool, another token (after the user renewed it). The
    /// new client asks every endpoint afresh: a sign-in is when an absence is checked again.
    pub fn with_token(&self, token: SessionToken) -> Result<Self, ClientError> {
        let transport = Transport::with_http(
            self.transport.http().clone(),
            self.transport.config().clone(),
            token,
        )?;
        Ok(Self {
            capabilities: Arc::new(Capabilities::new(transport.config().absence_recheck())),
            transport: Arc::new(transport),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        self.transport.config()
    }

    /// Whether `endpoint` is known to be absent (it answered "unknown endpoint" lately).
    pub(crate) fn lacks(&self, endpoint: &str) -> bool {
        self.capabilities.is_absent(endpoint)
    }

    /// Calls `endpoint` and reads its result with `read`; every error leaving here is scrubbed
    /// of the token. An endpoint known to be absent fails at once with
    /// [`ClientError::Unsupported`], sending nothing.
    pub(crate) async fn fetch<T>(
        &self,
        endpoint: &'static str,
        params: Params,
        kind: CallKind,
        read: impl FnOnce(&str) -> Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        if self.lacks(endpoint) {
            return Err(ClientError::Unsupported { endpoint });
        }
        let answer = self.transport.call(endpoint, &params, kind).await;
        let raw = self.capabilities.learn(endpoint, answer)?;
        read(raw.get()).map_err(|e| self.transport.scrub(e))
    }

    /// The remaining credits.
    pub async fn get_account_credits(&self) -> Result<Decimal, ClientError> {
        self.fetch(
            GET_ACCOUNT_CREDITS,
            Params::new(),
            CallKind::Idempotent,
            read_credits,
        )
        .await
    }

    /// Payments that reached a final state or failed, newest first. Where the platform lacks
    /// `get_transaction_history`, its older name `retrieve_payment_transaction` is asked.
    pub async fn get_transaction_history(&self) -> Result<Vec<PaymentRecord>, ClientError> {
        let current = self
            .fetch(
                GET_TRANSACTION_HISTORY,
                Params::new(),
                CallKind::Idempotent,
                crate::billing::read_history,
            )
            .await;
        match current {
            Err(ClientError::Unsupported { .. }) => {
                self.fetch(
                    RETRIEVE_PAYMENT_TRANSACTION,
                    Params::new(),
                    CallKind::Idempotent,
                    crate::billing::read_history,
                )
                .await
            }
            other => other,
        }
    }

    pub async fn get_account_info(&self) -> Result<AccountInfo, ClientError> {
        self.fetch(
            GET_ACCOUNT_INFO,
            Params::new(),
            CallKind::Idempotent,
            |raw| model::read(raw, "account info"),
        )
        .await
    }

    /// The running workers of one model.
    pub async fn get_active_workers(&self, model_id: &str) -> Result<Vec<Worker>, ClientError> {
        let params = Params::new().with("modelId", model_id)?;
        self.fetch(GET_ACTIVE_WORKERS, params, CallKind::Idempotent, |raw| {
            model::read::<ActiveWorkers>(raw, "active workers")?
                .into_workers()
                .map_err(ClientError::Malformed)
        })
        .await
    }

    /// Worker sessions, running or not, narrowed by `filter`.
    pub async fn list_worker_sessions(
        &self,
        filter: &WorkerSessionFilter,
    ) -> Result<Vec<Worker>, ClientError> {
        let params = Params::new()
            .with_opt("modelId", filter.model_id.as_deref())?
            .with_opt("fromDate", filter.from.map(iso))?
            .with_opt("toDate", filter.to.map(iso))?;
        self.fetch(LIST_WORKER_SESSIONS, params, CallKind::Idempotent, |raw| {
            model::read::<WorkerSessions>(raw, "worker sessions").map(|s| s.sessions)
        })
        .await
    }

    /// Every worker of the account that is burning credits now.
    pub async fn running_workers(&self) -> Result<Vec<Worker>, ClientError> {
        let mut workers = self
            .list_worker_sessions(&WorkerSessionFilter::default())
            .await?;
        workers.retain(Worker::is_running);
        Ok(workers)
    }

    pub async fn poll_worker_status(
        &self,
        model_id: &str,
        worker_session_id: &str,
    ) -> Result<Worker, ClientError> {
        let params = Params::new()
            .with("modelId", model_id)?
            .with("workerSessionId", worker_session_id)?;
        self.fetch(POLL_WORKER_STATUS, params, CallKind::Idempotent, |raw| {
            model::read(raw, "worker")
        })
        .await
    }

    /// The models of the catalog, optionally only those of one `visibility`.
    pub async fn list_models(&self, visibility: Option<&str>) -> Result<Vec<Model>, ClientError> {
        let params = Params::new().with_opt("visibility", visibility)?;
        self.fetch(LIST_MODELS, params, CallKind::Idempotent, |raw| {
            model::read::<ModelList>(raw, "models").map(|list| list.models)
        })
        .await
    }

    /// Starts a worker. Not retried once the request may have been sent: a repeat could start
    /// a second worker and burn credits twice.
    pub async fn start_worker(&self, model_id: &str) -> Result<Worker, ClientError> {
        let params = Params::new().with("modelId", model_id)?;
        self.fetch(START_WORKER, params, CallKind::Unsafe, |raw| {
            model::read(raw, "worker")
        })
        .await
    }

    /// Stops one worker, or every worker of the model when `worker_session_id` is `None`;
    /// returns the (last) stopped worker.
    pub async fn stop_worker(
        &self,
        model_id: &str,
        worker_session_id: Option<&str>,
    ) -> Result<Worker, ClientError> {
        let params = Params::new()
            .with("modelId", model_id)?
            .with_opt("workerSessionId", worker_session_id)?;
        self.fetch(STOP_WORKER, params, CallKind::Unsafe, |raw| {
            model::read(raw, "worker")
        })
        .await
    }
}

/// The timestamp format the platform writes: `2026-11-26T13:45:00.000Z`.
fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The result of `get_account_credits`: a number, a numeric string, or (tolerated) an object
/// with a `credits` field.
pub(crate) fn read_credits(raw: &str) -> Result<Decimal, ClientError> {
    #[derive(Deserialize)]
    struct Wrapped {
        credits: Credits,
    }
    if first_token(raw) == Some(b'{') {
        model::read::<Wrapped>(raw, "credits").map(|w| w.credits.0)
    } else {
        model::read::<Credits>(raw, "credits").map(|c| c.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_in_every_accepted_shape() {
        for raw in [
            "249.517333",
            "\"249.517333\"",
            "{\"credits\": 249.517333}",
            " 249.517333 ",
        ] {
            assert_eq!(
                read_credits(raw).unwrap().to_string(),
                "249.517333",
                "{raw}"
            );
        }
        for raw in ["null", "[]", "{}", "\"\"", "true", "{\"credits\": null}"] {
            assert!(
                matches!(read_credits(raw), Err(ClientError::Malformed(_))),
                "{raw}"
            );
        }
    }

    #[test]
    fn iso_matches_the_platform() {
        let at = DateTime::from_timestamp_millis(1_795_700_700_123).unwrap();
        assert_eq!(iso(at), "2026-11-26T13:45:00.123Z");
    }

    #[test]
    fn debug_hides_the_token() {
        let config = ClientConfig::new("http://127.0.0.1:9").unwrap();
        let token = SessionToken::parse("tok_SECRET_123").unwrap();
        let client = LatticaClient::new(config, token).unwrap();
        let printed = format!("{client:?} {client:#?} {:?}", client.config());
        assert!(!printed.contains("SECRET"), "{printed}");
        assert!(printed.contains("127.0.0.1:9"), "{printed}");
        let other = client
            .with_token(SessionToken::parse("tok_OTHER").unwrap())
            .unwrap();
        assert!(!format!("{other:?}").contains("OTHER"));
    }
}
