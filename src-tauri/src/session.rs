//! The session: which platform, which keychain entry, and signing in and out. The token is
//! taken from the user once, checked with the platform, stored in the keychain and handed to
//! the client; it is never returned to a webview or written anywhere else.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use lattica_client::{AccountInfo, LatticaClient, SessionToken};
use serde::Serialize;

use crate::backend::Backend;
use crate::error::AppError;
use crate::keychain::{KeychainError, OsKeychain, TokenVault};

/// Builds the vault for a platform: the OS keychain in the app, a map in unit tests.
pub type VaultFactory = Arc<dyn Fn(&Backend) -> Arc<dyn TokenVault> + Send + Sync>;

/// What the UI may know about the session: never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    pub email: Option<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
}

impl From<&AccountInfo> for SessionInfo {
    fn from(account: &AccountInfo) -> Self {
        Self {
            email: account.email.clone(),
            token_expires_at: account.token_expires_at,
        }
    }
}

struct Current {
    backend: Backend,
    vault: Arc<dyn TokenVault>,
    /// The keychain could not be used: what is missing, for the tray and the sign-in window.
    problem: Option<String>,
}

/// The session state, managed by Tauri.
pub struct Sessions {
    current: Mutex<Current>,
    vault_for: VaultFactory,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("backend", &self.backend().url().to_owned())
            .finish_non_exhaustive()
    }
}

impl Sessions {
    pub fn new(backend: Backend, vault_for: VaultFactory) -> Self {
        let vault = vault_for(&backend);
        Self {
            current: Mutex::new(Current {
                backend,
                vault,
                problem: None,
            }),
            vault_for,
        }
    }

    /// The OS keychain, one entry per platform.
    pub fn os_keychain() -> VaultFactory {
        Arc::new(|backend: &Backend| {
            Arc::new(OsKeychain::new(backend.keychain_account())) as Arc<dyn TokenVault>
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        // The guarded data stays consistent under a panic (plain assignments), so a poisoned
        // lock is still usable.
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn backend(&self) -> Backend {
        self.lock().backend.clone()
    }

    pub fn vault(&self) -> Arc<dyn TokenVault> {
        Arc::clone(&self.lock().vault)
    }

    /// What is wrong with the keychain, if anything.
    pub fn problem(&self) -> Option<String> {
        self.lock().problem.clone()
    }

    fn note(&self, result: &Result<impl Sized, KeychainError>) {
        let problem = result.as_ref().err().map(ToString::to_string);
        if let Some(problem) = &problem {
            tracing::error!(%problem, "keychain unavailable");
        }
        self.lock().problem = problem;
    }

    /// Switches to another platform (the backend URL changed); the caller restores its token.
    pub fn switch_backend(&self, backend: Backend) {
        let vault = (self.vault_for)(&backend);
        let mut current = self.lock();
        current.backend = backend;
        current.vault = vault;
    }

    /// A client for the stored token, if there is one. Not checked with the platform here:
    /// the first refresh does that, and a refused token ends the session there.
    pub async fn restore(&self) -> Result<Option<LatticaClient>, AppError> {
        let vault = self.vault();
        let loaded = blocking(move || vault.load()).await?;
        self.note(&loaded);
        match loaded? {
            Some(token) => Ok(Some(LatticaClient::new(
                self.backend().config().clone(),
                token,
            )?)),
            None => Ok(None),
        }
    }

    /// Checks `raw` with the platform and, only if it is accepted, stores it.
    pub async fn sign_in(&self, raw: &str) -> Result<(LatticaClient, SessionInfo), AppError> {
        let token = SessionToken::parse(raw)?;
        let client = LatticaClient::new(self.backend().config().clone(), token.clone())?;
        let account = client.get_account_info().await?;
        self.store(token).await?;
        tracing::info!(backend = self.backend().url(), "signed in");
        Ok((client, SessionInfo::from(&account)))
    }

    /// Stores an already validated token (the sandbox's demo token).
    pub async fn store(&self, token: SessionToken) -> Result<(), AppError> {
        let vault = self.vault();
        let stored = blocking(move || vault.store(&token)).await?;
        self.note(&stored);
        Ok(stored?)
    }

    /// Removes the stored token.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        let vault = self.vault();
        let removed = blocking(move || vault.remove()).await?;
        self.note(&removed);
        removed?;
        tracing::info!("signed out");
        Ok(())
    }
}

/// Keychain calls block on D-Bus (or the OS); they run off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(AppError::internal)
}
