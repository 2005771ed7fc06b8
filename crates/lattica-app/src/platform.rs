//! The platform the running app is on, and the way into the demo account and back.
//!
//! "Try the demo account" (the sign-in window) switches in process rather than relaunching
//! the app: a relaunch would race the single-instance lock of the process still exiting, lose
//! the user's windows, and leave the switch untestable through the app's one WebDriver
//! session. In process, every part that belongs to a platform is replaced together, while the
//! windows, the tray and the notifier stay: the session (backend and keychain entry, with the
//! epoch in [`Sessions`] discarding a restore or sign-in overtaken by the switch), the local
//! history and alert state (the refresh loop's [`PlatformSwitch`]), the payment journal
//! ([`Payments::switch_journal`]) and the settings ([`Preferences::switch`]). The demo's are
//! all its own (the `sandbox` keychain entry, `history-sandbox.sqlite3`, `settings-demo.json`,
//! the sandbox's data folder), so the user's token, figures and settings are never touched.
//! Leaving the demo stops its sandbox process and restores the user's platform as a start
//! would.

use lattica_client::LatticaClient;
use lattica_core::history::History;
use lattica_core::settings::Settings;
use lattica_core::view::{LocalFile, SetAsideFile};

use crate::backend::Backend;
use crate::demo::{DemoSandbox, Profile};
use crate::engine::{Command, EngineHandle, PlatformSwitch};
use crate::error::AppError;
use crate::paths::AppPaths;
use crate::payment::{Journal, KeychainCards, Payments};
use crate::prefs::Preferences;
use crate::session::Sessions;

/// A platform's local files, opened.
#[derive(Debug, Default)]
pub struct LocalFiles {
    pub history: Option<History>,
    /// A connection of its own to the history's file, for the payment service.
    pub journal: Option<Journal>,
    /// The history was damaged: set aside, a new one started.
    pub set_aside: Option<SetAsideFile>,
}

/// Opens the local history and the payment journal of `backend` (the demo's are its own).
/// Either may be missing: the app runs without a chart, and pays nothing without a journal.
pub fn open_local(paths: &AppPaths, backend: &Backend) -> LocalFiles {
    let path = paths.history_db(backend.is_sandbox());
    let mut files = LocalFiles::default();
    match History::open(&path) {
        Ok(opened) => {
            if let Some(aside) = opened.set_aside {
                tracing::warn!(reason = %aside.reason, moved_to = %aside.moved_to.display(),
                    "the local history was damaged; it was set aside and a new one started");
                files.set_aside = Some(SetAsideFile {
                    file: LocalFile::History,
                    moved_to: aside.moved_to,
                });
            }
            files.history = Some(opened.history);
        }
        Err(error) => {
            tracing::error!(%error, "the local history is unavailable; the chart stays empty");
            return files;
        }
    }
    let cards = std::sync::Arc::new(KeychainCards::new(&backend.keychain_account()));
    match Journal::open(&path, cards) {
        Ok(journal) => files.journal = Some(journal),
        Err(error) => tracing::error!(%error, "the payment journal is unavailable"),
    }
    files
}

/// Signs in to the demo account, unless a token the sandbox still accepts is stored already
/// (the user may have signed in there with another one). The demo's token is kept in the
/// keychain under the sandbox's own entry, never the user's platform's.
pub async fn sign_in_to_demo(
    sessions: &Sessions,
    demo: &DemoSandbox,
    stored: Option<LatticaClient>,
) -> Option<LatticaClient> {
    if let Some(client) = stored {
        match client.get_account_info().await {
            Ok(_) => return Some(client),
            Err(error) => {
                tracing::info!(%error, "the stored sandbox token is refused; using the demo account")
            }
        }
    }
    match sessions.sign_in(demo.demo_token().expose_secret()).await {
        Ok(signed) if signed.applied => Some(signed.client),
        Ok(_) => {
            tracing::warn!("the demo's sign-in was overtaken by a sign-out");
            None
        }
        Err(error) => {
            tracing::error!(%error, "cannot sign in to the sandbox's demo account");
            None
        }
    }
}

/// The running app's parts that belong to a platform.
#[derive(Debug, Clone, Copy)]
pub struct Running<'a> {
    pub sessions: &'a Sessions,
    pub prefs: &'a Preferences,
    pub engine: &'a EngineHandle,
    pub payments: &'a Payments,
}

/// The switching lock: while it is held, the app stays on the platform it is on.
pub type Held<'a> = tokio::sync::MutexGuard<'a, ()>;

/// A move into or out of the demo, done or found done, with the switching lock still held:
/// what follows the settings outside this crate (the global shortcut) is moved under it,
/// before another switch or a settings save can start.
#[derive(Debug)]
pub struct Switched<'a> {
    /// The settings in force before the switch, and after it (the same when nothing moved).
    pub before: Settings,
    pub after: Settings,
    /// Signed in where the app is now (leaving: the user's token was in the keychain).
    pub signed_in: bool,
    pub held: Held<'a>,
}

/// Where the app is: the user's platform, or the demo with its sandbox process.
#[derive(Debug)]
pub struct Platforms {
    paths: AppPaths,
    /// The sandbox program (beside the app's own binary once installed).
    program: std::path::PathBuf,
    /// The demo's sandbox while the app is in the demo.
    demo: std::sync::Mutex<Option<DemoSandbox>>,
    /// One switch at a time: a second click waits, then finds the app where the first left it.
    switching: tokio::sync::Mutex<()>,
}

impl Platforms {
    /// The app as started: in the demo when `demo` runs (`--sandbox`).
    pub fn new(paths: AppPaths, demo: Option<DemoSandbox>) -> Self {
        Self {
            paths,
            program: crate::paths::program_beside(crate::demo::PROGRAM),
            demo: std::sync::Mutex::new(demo),
            switching: tokio::sync::Mutex::new(()),
        }
    }

    fn running_demo(&self) -> std::sync::MutexGuard<'_, Option<DemoSandbox>> {
        // An Option replaced whole: consistent under a panic.
        self.demo
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until no switch is under way and keeps the next from starting until the guard
    /// is dropped: a sign-in, a sign-out or a settings save holds it throughout, so that it
    /// lands on the platform it began on.
    pub async fn hold(&self) -> Held<'_> {
        self.switching.lock().await
    }

    /// Whether the app is in the demo.
    pub fn in_demo(&self) -> bool {
        self.running_demo().is_some()
    }

    /// "Try the demo account": starts the demo's sandbox, signs in to its demo account and
    /// moves every part there. On failure the app stays on the user's platform, unchanged.
    pub async fn enter_demo(&self, app: Running<'_>) -> Result<Switched<'_>, AppError> {
        let held = self.hold().await;
        let before = app.prefs.get();
        if self.in_demo() {
            return Ok(Switched {
                after: before.clone(),
                before,
                signed_in: app.sessions.client().is_some(),
                held,
            });
        }
        tracing::info!("entering the demo account");
        let (program, data) = (self.program.clone(), self.paths.sandbox_dir());
        let demo = tokio::task::spawn_blocking(move || {
            DemoSandbox::start_program(&program, &data, Profile::Full)
        })
        .await
        .map_err(AppError::internal)?
        .map_err(|error| AppError::DemoUnavailable(error.to_string()))?;
        let backend = Backend::sandbox(demo.url())?;
        let user_backend = app.sessions.backend();
        app.sessions.switch_backend(backend.clone());
        let stored = app.sessions.restore().await.unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot read the demo's stored token");
            None
        });
        let Some(client) = sign_in_to_demo(app.sessions, &demo, stored).await else {
            app.sessions.switch_backend(user_backend);
            let _ = app.sessions.restore().await;
            stop(demo).await;
            return Err(AppError::DemoUnavailable(
                "its account refused the demo token".to_owned(),
            ));
        };
        let files = open_local(&self.paths, &backend);
        let settings = app.prefs.switch(&self.paths, true);
        // In the demo from here on for whoever asks (the tray's "Leave the demo" among them),
        // before the engine shows the demo.
        *self.running_demo() = Some(demo);
        app.engine
            .send(Command::SwitchPlatform(Box::new(PlatformSwitch {
                client: Some(client),
                history: files.history,
                settings: settings.clone(),
                demo: true,
            })));
        app.payments.switch_journal(files.journal).await;
        tracing::info!("entered the demo account");
        Ok(Switched {
            before,
            after: settings,
            signed_in: true,
            held,
        })
    }

    /// Leaves the demo for the user's platform (from their settings or `LATTICA_BE_URL`),
    /// signed in there if its token is in the keychain; returns whether it is. Outside the
    /// demo, changes nothing.
    pub async fn leave_demo(&self, app: Running<'_>) -> Result<Switched<'_>, AppError> {
        let held = self.hold().await;
        let before = app.prefs.get();
        let Some(demo) = self.running_demo().take() else {
            return Ok(Switched {
                after: before.clone(),
                before,
                signed_in: app.sessions.client().is_some(),
                held,
            });
        };
        let settings = app.prefs.switch(&self.paths, false);
        let backend = match Backend::from_env_and_settings(&settings) {
            Ok(backend) => backend,
            Err(error) => {
                // Still in the demo: its settings and its sandbox stay as they were.
                app.prefs.switch(&self.paths, true);
                *self.running_demo() = Some(demo);
                return Err(error.into());
            }
        };
        app.sessions.switch_backend(backend.clone());
        let client = app.sessions.restore().await.unwrap_or_else(|error| {
            tracing::error!(%error, "cannot read the stored token");
            None
        });
        let signed_in = client.is_some();
        let files = open_local(&self.paths, &backend);
        app.engine
            .send(Command::SwitchPlatform(Box::new(PlatformSwitch {
                client,
                history: files.history,
                settings: settings.clone(),
                demo: false,
            })));
        app.payments.switch_journal(files.journal).await;
        stop(demo).await;
        tracing::info!(backend = backend.url(), signed_in, "left the demo account");
        Ok(Switched {
            before,
            after: settings,
            signed_in,
            held,
        })
    }

    /// Stops the demo's sandbox, if it runs (the app is quitting).
    pub fn shutdown(&self) {
        if let Some(demo) = self.running_demo().take() {
            demo.shutdown();
        }
    }
}

/// Stops the sandbox off the async workers (it waits for the process to persist and exit).
async fn stop(demo: DemoSandbox) {
    if let Err(error) = tokio::task::spawn_blocking(move || demo.shutdown()).await {
        tracing::warn!(%error, "stopping the demo sandbox");
    }
}

#[cfg(test)]
#[path = "platform_tests.rs"]
mod tests;
