//! The sandbox's state: the in-memory ledger every read uses, and the store that writes each
//! change through to SQLite before installing it in memory.
//!
//! One `std::sync::Mutex` guards both, held only for the duration of a read (microseconds) or
//! of one SQLite transaction, never across an `.await`. Mutations run on the blocking pool
//! ([`AppState::write`]) so a slow disk never stalls the async workers that serve reads.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, Transaction};
use rust_decimal::Decimal;
use tokio::sync::Notify;

use crate::api::envelope::ApiError;
use crate::config::ApiProfile;
use crate::domain::{Account, Secret, TokenRecord};
use crate::error::SandboxError;
use crate::faults::{Faults, Traffic};
use crate::payments::PaymentService;
use crate::time::{self, Instant};
use crate::{SandboxConfig, api, db, seed};

/// What reads see: accounts, tokens and the burn speed.
#[derive(Debug)]
pub struct Ledger {
    /// Accounts by id.
    pub accounts: HashMap<String, Account>,
    /// Tokens by their SHA-256.
    pub tokens: HashMap<String, TokenRecord>,
    /// The account the sandbox seeds and the control API acts on.
    pub demo_account_id: String,
    /// The demo account's current token.
    pub demo_token: Secret,
    /// Burn speed multiplier.
    pub time_scale: Decimal,
}

impl Ledger {
    /// The account `id`.
    pub fn account(&self, id: &str) -> Result<&Account, ApiError> {
        self.accounts
            .get(id)
            .ok_or_else(|| ApiError::not_found(format_args!("account {id}")))
    }

    /// The demo account.
    pub fn demo_account(&self) -> Result<&Account, ApiError> {
        self.account(&self.demo_account_id)
    }
}

/// The ledger plus the connection that keeps it durable.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    /// The in-memory state; change it only through the methods below.
    pub ledger: Ledger,
}

impl Store {
    /// The connection, for queries of data that is not kept in memory (payments).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `change` inside one SQLite transaction, committed only if it succeeds. For data
    /// that is not kept in memory (payment methods).
    pub fn transaction<R>(
        &mut self,
        change: impl FnOnce(&Transaction<'_>) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let tx = self.conn.transaction()?;
        let outcome = change(&tx)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Runs `change` on a copy of the account, settled to now, inside one SQLite transaction;
    /// writes what changed, commits, then installs the copy. If anything fails nothing changes.
    ///
    /// After `change` the account is settled again at the same instant, so a balance set or
    /// left at zero stops the running workers at once.
    pub fn update_account<R>(
        &mut self,
        account_id: &str,
        change: impl FnOnce(&mut Account, &Transaction<'_>, Instant) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let now = time::now();
        let scale = self.ledger.time_scale;
        let before = self.ledger.account(account_id)?;
        let mut after = before.clone();
        after.settle(scale, now);
        let tx = self.conn.transaction()?;
        let outcome = change(&mut after, &tx, now)?;
        after.settle(scale, now);
        db::sync_account(&tx, Some(before), &after)?;
        tx.commit()?;
        self.ledger.accounts.insert(account_id.to_owned(), after);
        Ok(outcome)
    }

    /// Settles every account at now; used before the burn speed changes and at shutdown.
    pub fn settle_all(&mut self) -> Result<(), ApiError> {
        let ids: Vec<String> = self.ledger.accounts.keys().cloned().collect();
        for id in ids {
            self.update_account(&id, |_, _, _| Ok(()))?;
        }
        Ok(())
    }

    /// Changes the burn speed from now on (the time before burns at the old speed).
    pub fn set_time_scale(&mut self, scale: Decimal) -> Result<(), ApiError> {
        self.settle_all()?;
        let tx = self.conn.transaction()?;
        db::set_meta(&tx, db::META_TIME_SCALE, &scale.to_string())?;
        tx.commit()?;
        self.ledger.time_scale = scale;
        Ok(())
    }

    /// Stores `record` (new or changed) and installs it.
    pub fn put_token(&mut self, record: TokenRecord, is_new: bool) -> Result<(), ApiError> {
        let tx = self.conn.transaction()?;
        if is_new {
            db::insert_token(&tx, &record)?;
        } else {
            db::update_token(&tx, &record)?;
        }
        tx.commit()?;
        self.ledger.tokens.insert(record.hash.clone(), record);
        Ok(())
    }

    /// Stores a new token as the demo account's current one.
    pub fn replace_demo_token(
        &mut self,
        token: Secret,
        record: TokenRecord,
    ) -> Result<(), ApiError> {
        let tx = self.conn.transaction()?;
        db::insert_token(&tx, &record)?;
        db::set_meta(&tx, db::META_DEMO_TOKEN, token.expose())?;
        tx.commit()?;
        self.ledger.tokens.insert(record.hash.clone(), record);
        self.ledger.demo_token = token;
        Ok(())
    }

    /// Opens the data directory: migrates, seeds an empty one, loads, and burns the downtime
    /// as if the platform had kept running (at the speed in force when it stopped).
    pub fn open(config: &SandboxConfig) -> Result<Self, SandboxError> {
        let mut conn = db::open(&config.data_dir)?;
        let mut loaded = db::load(&conn)?;
        if !loaded.meta.contains_key(db::META_DEMO_ACCOUNT) {
            seed::seed(&mut conn, time::now(), config.time_scale)?;
            loaded = db::load(&conn)?;
        }
        let meta = |key: &str| {
            loaded
                .meta
                .get(key)
                .cloned()
                .ok_or_else(|| SandboxError::Corrupt(format!("meta row {key} missing")))
        };
        let demo_account_id = meta(db::META_DEMO_ACCOUNT)?;
        let demo_token = Secret::new(meta(db::META_DEMO_TOKEN)?);
        let scale_text = meta(db::META_TIME_SCALE)?;
        let time_scale = scale_text
            .parse()
            .map_err(|_| SandboxError::Corrupt(format!("time scale {scale_text}")))?;
        let ledger = Ledger {
            accounts: loaded
                .accounts
                .into_iter()
                .map(|a| (a.id().to_owned(), a))
                .collect(),
            tokens: loaded
                .tokens
                .into_iter()
                .map(|t| (t.hash.clone(), t))
                .collect(),
            demo_account_id,
            demo_token,
            time_scale,
        };
        let mut store = Self { conn, ledger };
        store
            .ledger
            .demo_account()
            .map_err(|e| SandboxError::Corrupt(e.message))?;
        store
            .set_time_scale(config.time_scale)
            .map_err(|e| SandboxError::Corrupt(e.message))?;
        Ok(store)
    }
}

/// Shared handle to the sandbox's state; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    traffic: Traffic,
    min_client_version: Mutex<Option<semver::Version>>,
    control: bool,
    profile: ApiProfile,
    hidden_endpoints: BTreeSet<String>,
    settler: Notify,
    payments: PaymentService,
}

/// Locks `mutex`, recovering from poisoning: every mutation installs its result only after
/// it fully succeeded, so a panic mid-way leaves the previous, consistent state behind.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    /// Wraps an opened store; `payments_url` is where the payment origin is served.
    pub fn new(store: Store, config: &SandboxConfig, payments_url: String) -> Self {
        Self(Arc::new(Shared {
            store: Mutex::new(store),
            faults: Mutex::new(Faults::default()),
            traffic: Traffic::default(),
            min_client_version: Mutex::new(config.min_client_version.clone()),
            control: config.control,
            profile: config.profile,
            hidden_endpoints: config
                .hidden_endpoints
                .iter()
                .map(|endpoint| api::canonical_endpoint(endpoint))
                .collect(),
            settler: Notify::new(),
            payments: PaymentService::new(payments_url, config.payments_allowed_origins.clone()),
        }))
    }

    /// Opens the data directory named by `config` and wraps it.
    pub fn open(config: &SandboxConfig, payments_url: String) -> Result<Self, SandboxError> {
        Ok(Self::new(Store::open(config)?, config, payments_url))
    }

    /// The payment service's shared parts.
    pub fn payments(&self) -> &PaymentService {
        &self.0.payments
    }

    /// Runs a read against the in-memory ledger (no I/O).
    pub fn read<R>(&self, f: impl FnOnce(&Ledger) -> R) -> R {
        f(&lock(&self.0.store).ledger)
    }

    /// Runs a mutation on the blocking pool, then wakes the settler because the burn may
    /// have changed.
    pub async fn write<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<R, ApiError> + Send + 'static,
    ) -> Result<R, ApiError> {
        let outcome = self.query(f).await;
        self.0.settler.notify_one();
        outcome
    }

    /// Runs a SQLite query (of data not kept in memory) on the blocking pool.
    pub async fn query<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<R, ApiError> + Send + 'static,
    ) -> Result<R, ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || f(&mut lock(&state.0.store)))
            .await
            .map_err(ApiError::internal)?
    }

    /// The fault configuration (lock held briefly, never across an `.await`).
    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.0.faults)
    }

    /// The `/api/*` requests served and the faults injected into them.
    pub fn traffic(&self) -> &Traffic {
        &self.0.traffic
    }

    /// The oldest accepted client version, if any.
    pub fn min_client_version(&self) -> Option<semver::Version> {
        lock(&self.0.min_client_version).clone()
    }

    /// Replaces the oldest accepted client version.
    pub fn set_min_client_version(&self, version: Option<semver::Version>) {
        *lock(&self.0.min_client_version) = version;
    }

    /// Whether `/control/*` is served.
    pub fn control_enabled(&self) -> bool {
        self.0.control
    }

    /// Which endpoints are served.
    pub fn profile(&self) -> ApiProfile {
        self.0.profile
    }

    /// The endpoints hidden on top of the profile (canonical spelling).
    pub fn hidden_endpoints(&self) -> &BTreeSet<String> {
        &self.0.hidden_endpoints
    }

    /// Whether `route` is served: published or on the full profile, and not hidden.
    pub fn serves(&self, route: &api::Route) -> bool {
        (route.published || self.0.profile == ApiProfile::Full)
            && !self.0.hidden_endpoints.contains(route.endpoint)
    }

    /// Resolves when a mutation may have changed the burn.
    pub(crate) async fn burn_changed(&self) {
        self.0.settler.notified().await;
    }
}
