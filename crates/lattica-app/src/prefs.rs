//! The user's settings as the running app holds them: loaded once at start, replaced
//! atomically on disk (lattica-core's `SettingsStore`) when the settings window saves.

use std::sync::{Mutex, PoisonError};

use lattica_core::settings::{Settings, SettingsStore, Source};
use lattica_core::view::{LocalFile, SetAsideFile};

use crate::error::AppError;
use crate::paths::AppPaths;

/// The settings in effect, managed as state.
#[derive(Debug)]
pub struct Preferences {
    store: SettingsStore,
    current: Mutex<Settings>,
    set_aside: Option<SetAsideFile>,
}

impl Preferences {
    /// Loads the settings file; an unusable one has been set aside by the store, and a file
    /// that cannot be read at all leaves the defaults in effect. Either way the app starts.
    pub fn load(paths: &AppPaths) -> Self {
        let store = SettingsStore::new(paths.settings_file());
        let mut set_aside = None;
        let settings = match store.load() {
            Ok(outcome) => {
                if let Source::SetAside { moved_to, reason } = outcome.source {
                    tracing::warn!(%reason, moved_to = %moved_to.display(),
                        "the settings file was unusable; it was set aside and defaults apply");
                    set_aside = Some(SetAsideFile {
                        file: LocalFile::Settings,
                        moved_to,
                    });
                }
                outcome.settings
            }
            Err(error) => {
                tracing::error!(%error, "could not read the settings; defaults apply");
                Settings::default()
            }
        };
        Self {
            store,
            current: Mutex::new(settings),
            set_aside,
        }
    }

    /// The settings file found unusable at start and moved out of the way, if it was.
    pub fn set_aside(&self) -> Option<&SetAsideFile> {
        self.set_aside.as_ref()
    }

    pub fn get(&self) -> Settings {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Writes `settings` and makes them current; on failure nothing changes.
    pub fn save(&self, settings: Settings) -> Result<(), AppError> {
        self.store
            .save(&settings)
            .map_err(|e| AppError::Storage(e.to_string()))?;
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = settings;
        Ok(())
    }
}
