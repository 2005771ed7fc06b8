//! The payment journal: the attempt in progress, kept in the local database so that a crash,
//! a kill or a power cut never loses it. Each record is written **before** the request that
//! depends on it (the key of a creation, a confirmation or a cancellation), as one statement
//! carrying the new state with its keys, so the record and the state never disagree.
//!
//! What the journal holds: the amount and its price, the card's display data (brand, last
//! four digits, expiry), the payment id, every decision's idempotency key, and the last known
//! state. Never a card number, a security code or a payment-method token: the token, which
//! can charge a saved card, goes to the OS keychain ([`CardVault`]) for as long as its
//! confirmation may need sending again, and is removed as soon as its outcome is known.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use lattica_client::{Money, PaymentMethod};
use lattica_core::history::{History, HistoryError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::flow::Origin;
use crate::session::SERVICE;

/// The key of the record in the database's `kv` table: one attempt at a time.
const RECORD: &str = "payment_journal";
/// The key prefix of an attempt set aside for its account (see [`Journal::park`]).
const PARKED: &str = "payment_journal@";

/// Where an attempt stood when it was last recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum State {
    /// Nothing confirmed yet (a payment may be open): nothing can be charged.
    Open,
    /// The last confirmation was declined: nothing was charged.
    Declined,
    /// A confirmation is (or may be) on its way: its outcome is not known.
    Confirming,
    /// Sent, never answered, not settled by reading back.
    Unknown,
    /// Waiting for the bank's 3-D Secure confirmation.
    Authenticating,
    Succeeded,
    Canceled,
}

/// A card as the journal keeps it: what the user recognises, nothing that can charge it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CardData {
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub exp_month: Option<u32>,
    pub exp_year: Option<u32>,
}

impl From<&PaymentMethod> for CardData {
    fn from(method: &PaymentMethod) -> Self {
        Self {
            brand: method.brand.clone(),
            last4: method.last4.clone(),
            exp_month: method.exp_month,
            exp_year: method.exp_year,
        }
    }
}

impl CardData {
    /// The card again, with `token` (empty when the keychain no longer has it).
    pub fn with_token(&self, token: String) -> PaymentMethod {
        PaymentMethod {
            id: token,
            brand: self.brand.clone(),
            last4: self.last4.clone(),
            exp_month: self.exp_month,
            exp_year: self.exp_year,
        }
    }
}

/// A confirmation as decided: its key, the card, and the payment's status before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Confirmation {
    pub key: Uuid,
    pub card: CardData,
    pub save: bool,
    pub status_before: Option<String>,
}

/// One attempt as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub origin: Origin,
    pub credits: Decimal,
    /// Minor units.
    pub price: i64,
    pub currency: String,
    pub started_at: DateTime<Utc>,
    pub create_key: Uuid,
    pub payment_id: Option<String>,
    pub confirmation: Option<Confirmation>,
    pub cancel_key: Option<Uuid>,
    /// The account (its e-mail, trimmed, in lower case) the attempt was paid for; none in
    /// records older than this field, or when the account was not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub state: State,
}

impl Entry {
    pub fn price(&self) -> Money {
        Money {
            amount: self.price,
            currency: self.currency.clone(),
        }
    }

    /// Something was sent whose outcome the platform may still have to tell.
    pub fn unsettled(&self) -> bool {
        matches!(
            self.state,
            State::Confirming | State::Unknown | State::Authenticating
        )
    }
}

/// Why the journal could not be written: then nothing is sent.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(transparent)]
    Database(#[from] HistoryError),
}

/// Where a confirmation's card token waits while its outcome is open.
pub trait CardVault: Send + Sync + 'static {
    fn store(&self, token: &str) -> Result<(), String>;
    fn load(&self) -> Option<String>;
    fn remove(&self);
}

/// The OS keychain entry next to the session token's (`<account>#payment-card`).
#[derive(Debug, Clone)]
pub struct KeychainCards {
    account: String,
}

impl KeychainCards {
    pub fn new(keychain_account: &str) -> Self {
        Self {
            account: format!("{keychain_account}#payment-card"),
        }
    }

    fn entry(&self) -> Result<keyring::Entry, String> {
        keyring::Entry::new(SERVICE, &self.account).map_err(|e| e.to_string())
    }
}

impl CardVault for KeychainCards {
    fn store(&self, token: &str) -> Result<(), String> {
        self.entry()?.set_password(token).map_err(|e| e.to_string())
    }

    fn load(&self) -> Option<String> {
        self.entry().ok()?.get_password().ok()
    }

    fn remove(&self) {
        if let Ok(entry) = self.entry()
            && let Err(error) = entry.delete_credential()
            && !matches!(error, keyring::Error::NoEntry)
        {
            tracing::warn!(%error, "could not remove a payment's card token from the keychain");
        }
    }
}

/// A vault in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryCards(Mutex<Option<String>>);

impl MemoryCards {
    fn slot(&self) -> MutexGuard<'_, Option<String>> {
        // One assignment at a time: the slot stays consistent under a panic.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl CardVault for MemoryCards {
    fn store(&self, token: &str) -> Result<(), String> {
        *self.slot() = Some(token.to_owned());
        Ok(())
    }
    fn load(&self) -> Option<String> {
        self.slot().clone()
    }
    fn remove(&self) {
        *self.slot() = None;
    }
}

/// The journal: a connection of its own to the local database, and the card vault.
#[derive(Clone)]
pub struct Journal {
    db: Arc<Mutex<History>>,
    cards: Arc<dyn CardVault>,
    /// Something may be recorded: [`Journal::finish`] has work to do.
    dirty: Arc<AtomicBool>,
    /// The vault may hold a token: [`Journal::forget_card`] has work to do.
    card_kept: Arc<AtomicBool>,
    /// The attempt recorded by the last run, as found at opening, until it is settled.
    previous: Arc<Mutex<Option<Entry>>>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").finish_non_exhaustive()
    }
}

impl Journal {
    /// The journal in the database at `path` (the balance history's file), on a connection
    /// of its own whose every commit reaches the disk before it returns: a record written
    /// before a request survives a power cut (the history's NORMAL level could lose it).
    pub fn open(path: &Path, cards: Arc<dyn CardVault>) -> Result<Self, HistoryError> {
        let history = History::open(path)?.history;
        history.sync_every_commit()?;
        Ok(Self::new(history, cards))
    }

    /// The `synchronous` level of the journal's connection.
    #[cfg(test)]
    pub(super) fn synchronous(&self) -> i64 {
        self.db().synchronous().unwrap()
    }

    pub fn new(history: History, cards: Arc<dyn CardVault>) -> Self {
        let journal = Self {
            db: Arc::new(Mutex::new(history)),
            cards,
            dirty: Arc::new(AtomicBool::new(true)),
            card_kept: Arc::new(AtomicBool::new(true)),
            previous: Arc::default(),
        };
        *lock(&journal.previous) = journal.load();
        journal
    }

    /// The attempt the last run recorded, until [`Journal::take_previous`]: what this run
    /// records is never mistaken for it.
    pub fn previous(&self) -> Option<Entry> {
        lock(&self.previous).clone()
    }

    pub fn take_previous(&self) -> Option<Entry> {
        lock(&self.previous).take()
    }

    fn db(&self) -> MutexGuard<'_, History> {
        lock(&self.db)
    }

    /// Writes `entry`; `token`, when given, is the card token its confirmation sends, kept in
    /// the vault first (a record never names a token the vault lacks).
    pub fn record(&self, entry: &Entry, token: Option<&str>) -> Result<(), JournalError> {
        if let Some(token) = token {
            self.card_kept.store(true, Ordering::SeqCst);
            if let Err(error) = self.cards.store(token) {
                // Without it, a restart settles by reading the payment instead of sending again.
                tracing::warn!(%error, "could not keep the card token in the keychain");
            }
        }
        self.dirty.store(true, Ordering::SeqCst);
        self.db().save_json(RECORD, entry)?;
        Ok(())
    }

    /// The attempt recorded last, if one is.
    pub fn load(&self) -> Option<Entry> {
        match self.db().load_json(RECORD, Utc::now()) {
            Ok(entry) => entry,
            Err(error) => {
                tracing::error!(%error, "could not read the payment journal");
                None
            }
        }
    }

    /// Another value kept with the journal (auto top-up's rule and ledger), if saved.
    pub fn load_value<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.db()
            .load_json(key, Utc::now())
            .inspect_err(|error| tracing::error!(%error, %key, "could not read a saved value"))
            .ok()
            .flatten()
    }

    /// Saves `value` under `key` in one statement.
    pub fn save_value<T: Serialize>(&self, key: &str, value: &T) -> Result<(), JournalError> {
        self.db().save_json(key, value)?;
        Ok(())
    }

    /// The token of the recorded confirmation's card, if the vault still has it.
    pub fn card_token(&self) -> Option<String> {
        self.cards.load()
    }

    /// The recorded confirmation's outcome is known (declined, refused, succeeded, canceled):
    /// nothing will send its card again, so its token leaves the keychain now.
    pub fn forget_card(&self) {
        if self.card_kept.swap(false, Ordering::SeqCst) {
            self.cards.remove();
        }
    }

    /// Sets the last run's attempt aside for `account`, which it was paid for: no other
    /// account's session settles it, and the journal is free for this account's payments.
    /// Its card token leaves the keychain (the vault holds one token, which the next attempt
    /// replaces): when its account is back, it is settled by reading, never sent again.
    pub fn park(&self, entry: &Entry, account: &str) -> Result<(), JournalError> {
        // Kept under its account before the record goes: a crash in between parks it again.
        self.save_value(&format!("{PARKED}{account}"), entry)?;
        self.db().remove_json(RECORD)?;
        self.card_kept.store(false, Ordering::SeqCst);
        self.cards.remove();
        *lock(&self.previous) = None;
        Ok(())
    }

    /// The attempt set aside for `account`, if one is: it becomes the last run's attempt again
    /// (recorded as the journal's one attempt before it leaves its place aside).
    pub fn unpark(&self, account: &str) -> Option<Entry> {
        let key = format!("{PARKED}{account}");
        let entry: Entry = self.load_value(&key)?;
        if let Err(error) = self.record(&entry, None) {
            tracing::warn!(%error, "could not take back a payment set aside for its account");
            return None;
        }
        if let Err(error) = self.db().remove_json(&key) {
            tracing::warn!(%error, "could not clear a payment set aside for its account");
        }
        *lock(&self.previous) = Some(entry.clone());
        Some(entry)
    }

    /// The attempt set aside for `account`, if one is.
    pub fn parked(&self, account: &str) -> Option<Entry> {
        self.load_value(&format!("{PARKED}{account}"))
    }

    /// The attempt is over and its outcome shown: forget it and its token.
    pub fn finish(&self) {
        if !self.dirty.swap(false, Ordering::SeqCst) {
            return;
        }
        if let Err(error) = self.db().remove_json(RECORD) {
            tracing::warn!(%error, "could not clear the payment journal");
        }
        self.card_kept.store(false, Ordering::SeqCst);
        self.cards.remove();
    }
}

/// A statement either ran or did not, and an assignment is whole: what a mutex guards here is
/// usable after a panic.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
