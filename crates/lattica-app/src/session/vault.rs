//! The session token in the OS keychain: the Secret Service (over D-Bus) on Linux, the
//! Keychain on macOS, the Credential Manager on Windows. There is deliberately no plaintext
//! fallback: without a keychain the app says what is missing and stores nothing.

use lattica_client::SessionToken;

/// The keychain service name every entry of this app is filed under.
pub const SERVICE: &str = "ai.lattica.tray";

/// Why the keychain could not be used. Never carries the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    #[error("{0}")]
    Unavailable(String),
    /// An entry exists but does not hold a usable token (edited by hand, or another app's).
    #[error("the keychain entry for the session token is unreadable: {0}")]
    Corrupt(String),
}

/// Somewhere to keep the one session token. The OS keychain in the app; a map in unit tests.
pub trait TokenVault: Send + Sync + 'static {
    fn load(&self) -> Result<Option<SessionToken>, KeychainError>;
    fn store(&self, token: &SessionToken) -> Result<(), KeychainError>;
    /// Removes the token; removing an absent token succeeds.
    fn remove(&self) -> Result<(), KeychainError>;
}

/// The OS keychain entry for one platform. Tokens of different platforms (the production API,
/// the sandbox) live in different entries, so trying `--sandbox` never overwrites a real
/// account's token.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    account: String,
}

impl OsKeychain {
    /// The entry for the platform known as `account` ([`crate::backend::Backend::keychain_account`]).
    pub fn new(account: impl Into<String>) -> Self {
        Self {
            account: account.into(),
        }
    }

    fn entry(&self) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(SERVICE, &self.account).map_err(map_error)
    }
}

impl TokenVault for OsKeychain {
    fn load(&self) -> Result<Option<SessionToken>, KeychainError> {
        match self.entry()?.get_password() {
            Ok(secret) => SessionToken::parse(secret)
                .map(Some)
                .map_err(|e| KeychainError::Corrupt(e.to_string())),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(map_error(error)),
        }
    }

    fn store(&self, token: &SessionToken) -> Result<(), KeychainError> {
        self.entry()?
            .set_password(token.expose_secret())
            .map_err(map_error)
    }

    fn remove(&self) -> Result<(), KeychainError> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(map_error(error)),
        }
    }
}

/// Names what is missing, in words a user can act on. The keyring errors carry no secret.
fn map_error(error: keyring::Error) -> KeychainError {
    let detail = error.to_string();
    if cfg!(target_os = "linux") {
        KeychainError::Unavailable(format!(
            "no keychain available: the Secret Service (org.freedesktop.secrets) could not be \
             used on the D-Bus session bus; start a keyring such as GNOME Keyring or KeePassXC \
             and unlock it ({detail})"
        ))
    } else if cfg!(windows) {
        KeychainError::Unavailable(format!(
            "the Windows Credential Manager could not be used ({detail})"
        ))
    } else if cfg!(target_os = "macos") {
        KeychainError::Unavailable(format!(
            "the macOS Keychain could not be used; unlock the login keychain ({detail})"
        ))
    } else {
        KeychainError::Unavailable(format!("the system keychain could not be used ({detail})"))
    }
}

/// A vault in memory: for tests, which must not touch the user's keychain.
#[derive(Debug, Default)]
pub struct MemoryVault(std::sync::Mutex<Option<SessionToken>>);

impl MemoryVault {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<SessionToken>> {
        // One assignment at a time: the slot stays consistent under a panic.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl TokenVault for MemoryVault {
    fn load(&self) -> Result<Option<SessionToken>, KeychainError> {
        Ok(self.slot().clone())
    }

    fn store(&self, token: &SessionToken) -> Result<(), KeychainError> {
        *self.slot() = Some(token.clone());
        Ok(())
    }

    fn remove(&self) -> Result<(), KeychainError> {
        *self.slot() = None;
        Ok(())
    }
}
