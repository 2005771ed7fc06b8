//! The session: which platform, which keychain entry, and the one signed-in client. The token
//! is taken from the user once, checked with the platform, stored in the keychain and handed
//! to the client; it is never returned to a webview or written anywhere else.
//!
//! [`Sessions`] owns the signed-in [`LatticaClient`]: it is built once, at sign-in or when the
//! stored token is restored, and every user of it (the refresh engine, each payment step)
//! takes a cheap clone of the same connection pool instead of reading the keychain again.

mod vault;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use lattica_client::{AccountInfo, LatticaClient, SessionToken};
use serde::Serialize;

pub use vault::{KeychainError, MemoryVault, OsKeychain, SERVICE, TokenVault};

use crate::backend::Backend;
use crate::error::AppError;

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
    /// The client of the signed-in token, if there is one.
    client: Option<LatticaClient>,
    /// The keychain could not be used: what is missing, for the tray and the sign-in window.
    problem: Option<String>,
    /// Bumped by every sign-in, sign-out and platform switch: a restore or sign-in that was
    /// overtaken by one while it waited does not install its client.
    epoch: u64,
}

struct Inner {
    current: Mutex<Current>,
    vault_for: VaultFactory,
}

/// A token the platform accepted and the keychain stored.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub client: LatticaClient,
    pub info: SessionInfo,
    /// Whether its client is the session's now: `false` when a sign-out, another sign-in or a
    /// platform switch overtook it while it was checked (the caller must not install it).
    pub applied: bool,
}

/// The session state, shared by the shell, the engine's owner and the payment service
/// (clones share one state).
#[derive(Clone)]
pub struct Sessions(Arc<Inner>);

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
        Self(Arc::new(Inner {
            current: Mutex::new(Current {
                backend,
                vault,
                client: None,
                problem: None,
                epoch: 0,
            }),
            vault_for,
        }))
    }

    /// The OS keychain, one entry per platform.
    pub fn os_keychain() -> VaultFactory {
        Arc::new(|backend: &Backend| {
            Arc::new(OsKeychain::new(backend.keychain_account())) as Arc<dyn TokenVault>
        })
    }

    fn lock(&self) -> MutexGuard<'_, Current> {
        // The guarded data stays consistent under a panic (plain assignments), so a poisoned
        // lock is still usable.
        self.0
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn backend(&self) -> Backend {
        self.lock().backend.clone()
    }

    /// The signed-in client: `None` before sign-in or restore, and after sign-out.
    pub fn client(&self) -> Option<LatticaClient> {
        self.lock().client.clone()
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
        let vault = (self.0.vault_for)(&backend);
        let mut current = self.lock();
        current.backend = backend;
        current.vault = vault;
        current.client = None;
        current.epoch += 1;
    }

    /// The client of the stored token, if there is one, now the session's client. Not
    /// checked with the platform here: the first refresh does that, and a refused token ends
    /// the session there.
    pub async fn restore(&self) -> Result<Option<LatticaClient>, AppError> {
        let (vault, backend, epoch) = self.snapshot();
        let loaded = blocking(move || vault.load()).await?;
        self.note(&loaded);
        let client = match loaded? {
            Some(token) => Some(self.client_for(&backend, token)?),
            None => None,
        };
        let mut current = self.lock();
        if current.epoch == epoch {
            current.client.clone_from(&client);
        }
        Ok(client)
    }

    /// Checks `raw` with the platform and, only if it is accepted, stores it; its client is
    /// the session's from then on, unless something overtook it (see [`SignedIn::applied`]).
    pub async fn sign_in(&self, raw: &str) -> Result<SignedIn, AppError> {
        let token = SessionToken::parse(raw)?;
        let (vault, backend, epoch) = self.snapshot();
        let client = self.client_for(&backend, token.clone())?;
        let account = client.get_account_info().await?;
        // Into the vault of the platform that accepted it, even if the user switched since.
        let stored = blocking(move || vault.store(&token)).await?;
        self.note(&stored);
        stored?;
        let mut current = self.lock();
        let applied = current.epoch == epoch;
        if applied {
            current.client = Some(client.clone());
            current.epoch += 1;
        }
        drop(current);
        tracing::info!(backend = backend.url(), applied, "signed in");
        Ok(SignedIn {
            client,
            info: SessionInfo::from(&account),
            applied,
        })
    }

    /// Removes the stored token and forgets its client.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        let vault = {
            let mut current = self.lock();
            current.client = None;
            current.epoch += 1;
            Arc::clone(&current.vault)
        };
        let removed = blocking(move || vault.remove()).await?;
        self.note(&removed);
        removed?;
        tracing::info!("signed out");
        Ok(())
    }

    /// The vault, the platform and the epoch, as of now.
    fn snapshot(&self) -> (Arc<dyn TokenVault>, Backend, u64) {
        let current = self.lock();
        (
            Arc::clone(&current.vault),
            current.backend.clone(),
            current.epoch,
        )
    }

    /// A client for `token` on `backend`, sharing the connection pool of the session's client
    /// when that one talks to the same platform.
    fn client_for(
        &self,
        backend: &Backend,
        token: SessionToken,
    ) -> Result<LatticaClient, AppError> {
        let current = self.lock();
        Ok(match &current.client {
            Some(client) if client.config().base_url() == backend.config().base_url() => {
                client.with_token(token)?
            }
            _ => LatticaClient::new(backend.config().clone(), token)?,
        })
    }
}

/// Keychain calls block on D-Bus (or the OS); they run off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::mpsc;

    use super::*;

    /// A vault whose `load` waits until the test lets it answer.
    struct SlowVault {
        token: SessionToken,
        release: Mutex<mpsc::Receiver<()>>,
    }

    impl TokenVault for SlowVault {
        fn load(&self) -> Result<Option<SessionToken>, KeychainError> {
            let _ = self.release.lock().unwrap().recv();
            Ok(Some(self.token.clone()))
        }
        fn store(&self, _: &SessionToken) -> Result<(), KeychainError> {
            Ok(())
        }
        fn remove(&self) -> Result<(), KeychainError> {
            Ok(())
        }
    }

    /// A vault whose `store` says it was reached, then waits until the test lets it answer.
    struct GatedStore {
        reached: Mutex<mpsc::Sender<()>>,
        release: Mutex<mpsc::Receiver<()>>,
    }

    impl TokenVault for GatedStore {
        fn load(&self) -> Result<Option<SessionToken>, KeychainError> {
            Ok(None)
        }
        fn store(&self, _: &SessionToken) -> Result<(), KeychainError> {
            self.reached.lock().unwrap().send(()).unwrap();
            let _ = self.release.lock().unwrap().recv();
            Ok(())
        }
        fn remove(&self) -> Result<(), KeychainError> {
            Ok(())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sign_in_overtaken_by_a_platform_switch_says_it_was_not_applied() {
        let dir = tempfile::tempdir().unwrap();
        let sandbox =
            lattica_sandbox::start(lattica_sandbox::SandboxConfig::new(dir.path().to_owned()))
                .await
                .unwrap();
        let (reached_tx, reached) = mpsc::channel();
        let (release, waiting) = mpsc::channel();
        let vault = Arc::new(GatedStore {
            reached: Mutex::new(reached_tx),
            release: Mutex::new(waiting),
        });
        let sessions = Sessions::new(
            Backend::sandbox(&sandbox.url()).unwrap(),
            Arc::new(move |_: &Backend| Arc::clone(&vault) as Arc<dyn TokenVault>),
        );
        let signing_in = tokio::spawn({
            let (sessions, token) = (sessions.clone(), sandbox.demo_token());
            async move { sessions.sign_in(&token).await }
        });
        // The platform accepted the token and the keychain is storing it: now the switch.
        tokio::task::spawn_blocking(move || reached.recv())
            .await
            .unwrap()
            .unwrap();
        sessions.switch_backend(Backend::sandbox("http://127.0.0.1:9").unwrap());
        release.send(()).unwrap();
        let signed = signing_in.await.unwrap().unwrap();
        assert!(!signed.applied, "overtaken by the switch");
        assert!(sessions.client().is_none(), "and not installed");
    }

    #[tokio::test]
    async fn a_restore_overtaken_by_a_sign_out_installs_no_client() {
        let (release, waiting) = mpsc::channel();
        let vault = Arc::new(SlowVault {
            token: SessionToken::parse("tok_stored").unwrap(),
            release: Mutex::new(waiting),
        });
        let sessions = Sessions::new(
            Backend::sandbox("http://127.0.0.1:9").unwrap(),
            Arc::new(move |_: &Backend| Arc::clone(&vault) as Arc<dyn TokenVault>),
        );
        let restoring = tokio::spawn({
            let sessions = sessions.clone();
            async move { sessions.restore().await }
        });
        // The test's runtime runs one task at a time, in order: the restore has read the epoch
        // and waits in the vault when the sign-out runs.
        let signing_out = tokio::spawn({
            let sessions = sessions.clone();
            async move { sessions.sign_out().await }
        });
        signing_out.await.unwrap().unwrap();
        release.send(()).unwrap();
        let restored = restoring.await.unwrap().unwrap();
        assert!(restored.is_some(), "the restore read the token");
        assert!(
            sessions.client().is_none(),
            "but the sign-out that overtook it wins"
        );
    }
}
