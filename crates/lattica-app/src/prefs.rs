//! The user's settings as the running app holds them: loaded once at start, replaced
//! atomically on disk (lattica-core's `SettingsStore`) when the settings window saves. The demo
//! account keeps settings of its own, so trying it changes nothing of the user's.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};

use lattica_core::settings::{Settings, SettingsStore, Source};
use lattica_core::view::{LocalFile, SetAsideFile};

use crate::error::AppError;
use crate::paths::AppPaths;

/// The settings in effect, managed as state.
#[derive(Debug)]
pub struct Preferences {
    current: Mutex<Loaded>,
    set_aside: Option<SetAsideFile>,
}

/// One settings file and what it holds.
#[derive(Debug)]
struct Loaded {
    store: SettingsStore,
    settings: Settings,
}

impl Preferences {
    /// Loads the settings file; an unusable one has been set aside by the store, and a file
    /// that cannot be read at all leaves the defaults in effect. Either way the app starts.
    pub fn load(paths: &AppPaths) -> Self {
        Self::load_for(paths, false)
    }

    /// The settings of the user's platform, or with `demo` the demo account's.
    pub fn load_for(paths: &AppPaths, demo: bool) -> Self {
        let (loaded, set_aside) = load(file(paths, demo));
        Self {
            current: Mutex::new(loaded),
            set_aside,
        }
    }

    /// Moves to the settings of the user's platform, or with `demo` the demo account's, and
    /// returns them. A file found unusable now is set aside and logged; the notice about files
    /// set aside is the one from the start.
    pub fn switch(&self, paths: &AppPaths, demo: bool) -> Settings {
        let (loaded, _) = load(file(paths, demo));
        let settings = loaded.settings.clone();
        *self.lock() = loaded;
        settings
    }

    fn lock(&self) -> MutexGuard<'_, Loaded> {
        // Replaced whole or in one assignment: consistent under a panic.
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The settings file found unusable at start and moved out of the way, if it was.
    pub fn set_aside(&self) -> Option<&SetAsideFile> {
        self.set_aside.as_ref()
    }

    pub fn get(&self) -> Settings {
        self.lock().settings.clone()
    }

    /// Writes `settings` and makes them current; on failure nothing changes.
    pub fn save(&self, settings: Settings) -> Result<(), AppError> {
        let mut current = self.lock();
        current
            .store
            .save(&settings)
            .map_err(|e| AppError::Storage(e.to_string()))?;
        current.settings = settings;
        Ok(())
    }
}

fn file(paths: &AppPaths, demo: bool) -> PathBuf {
    if demo {
        paths.demo_settings_file()
    } else {
        paths.settings_file()
    }
}

fn load(path: PathBuf) -> (Loaded, Option<SetAsideFile>) {
    let store = SettingsStore::new(path);
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
    (Loaded { store, settings }, set_aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_keeps_settings_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let paths = AppPaths {
            config_dir: dir.path().join("config"),
            data_dir: dir.path().join("data"),
            log_dir: dir.path().join("log"),
        };
        let prefs = Preferences::load(&paths);
        let mut form = prefs.get().to_form();
        form.refresh_interval_secs = "120".to_owned();
        let mine = Settings::from_form(&form).unwrap();
        prefs.save(mine.clone()).unwrap();
        let before = std::fs::read(paths.settings_file()).unwrap();

        assert_eq!(prefs.switch(&paths, true), Settings::default());
        form.refresh_interval_secs = "600".to_owned();
        prefs.save(Settings::from_form(&form).unwrap()).unwrap();
        assert!(paths.demo_settings_file().is_file());
        assert_eq!(
            std::fs::read(paths.settings_file()).unwrap(),
            before,
            "the user's file is untouched by the demo"
        );

        assert_eq!(prefs.switch(&paths, false), mine, "back to the user's own");
    }
}
