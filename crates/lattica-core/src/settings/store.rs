//! The settings file: JSON, replaced atomically, and never silently lost.
//!
//! A file that cannot be used (not JSON, or values that fail validation) is renamed aside to
//! `settings.json.corrupt-<UTC timestamp>` and the defaults are used, so the user's data is
//! still there to inspect and the app starts anyway.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};

use super::Settings;

/// Where the settings are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsStore {
    path: PathBuf,
}

/// The settings in effect after [`SettingsStore::load`], and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOutcome {
    pub settings: Settings,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Read from the file.
    File,
    /// No file yet: the defaults.
    Defaults,
    /// The file was unusable, so it was moved to `moved_to` and the defaults are in effect;
    /// `reason` says what was wrong, for the log and for telling the user.
    SetAside { moved_to: PathBuf, reason: String },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not read the settings file {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("could not move the unusable settings file {} aside: {source}", path.display())]
    SetAside { path: PathBuf, source: io::Error },
    #[error("could not write the settings file {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("could not encode the settings: {0}")]
    Encode(#[from] serde_json::Error),
}

impl SettingsStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the settings. A missing file gives the defaults; an unusable one is set aside
    /// (see the module docs). Only I/O failures are errors, and they leave the file alone.
    pub fn load(&self) -> Result<LoadOutcome, StoreError> {
        self.load_at(Utc::now())
    }

    fn load_at(&self, now: DateTime<Utc>) -> Result<LoadOutcome, StoreError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(LoadOutcome {
                    settings: Settings::default(),
                    source: Source::Defaults,
                });
            }
            Err(source) => {
                return Err(StoreError::Read {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        match serde_json::from_slice::<Settings>(&bytes) {
            Ok(settings) => Ok(LoadOutcome {
                settings,
                source: Source::File,
            }),
            Err(e) => {
                let moved_to = self.set_aside(now)?;
                tracing::warn!(
                    path = %self.path.display(),
                    moved_to = %moved_to.display(),
                    error = %e,
                    "settings file unusable; set aside, using defaults"
                );
                Ok(LoadOutcome {
                    settings: Settings::default(),
                    source: Source::SetAside {
                        moved_to,
                        reason: e.to_string(),
                    },
                })
            }
        }
    }

    /// Renames the file to a name no earlier set-aside file has taken.
    fn set_aside(&self, now: DateTime<Utc>) -> Result<PathBuf, StoreError> {
        let stamp = now.format("%Y%m%dT%H%M%SZ");
        let base = format!("{}.corrupt-{stamp}", self.file_name());
        let error = |source| StoreError::SetAside {
            path: self.path.clone(),
            source,
        };
        for n in 1..=100 {
            let name = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            let target = self.path.with_file_name(name);
            // `rename` would replace an existing file on Unix; an earlier set-aside file is
            // exactly what must not be lost, so look first.
            if target.try_exists().map_err(error)? {
                continue;
            }
            fs::rename(&self.path, &target).map_err(error)?;
            return Ok(target);
        }
        Err(error(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "too many set-aside settings files with the same timestamp",
        )))
    }

    /// Writes the settings atomically: a temporary file in the same directory, flushed to
    /// disk, then renamed over the old one, so a crash leaves either the old file or the new.
    pub fn save(&self, settings: &Settings) -> Result<(), StoreError> {
        let mut json = serde_json::to_vec_pretty(settings)?;
        json.push(b'\n');
        let dir = self
            .path
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let error = |source| StoreError::Write {
            path: self.path.clone(),
            source,
        };
        fs::create_dir_all(dir).map_err(error)?;
        // Unique per process and per save, so two saves racing never share a temp file.
        static SAVES: AtomicU64 = AtomicU64::new(0);
        let n = SAVES.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        let temp = dir.join(format!(".{}.tmp-{pid}-{n}", self.file_name()));
        let written = write_synced(&temp, &json).and_then(|()| fs::rename(&temp, &self.path));
        if let Err(e) = written {
            // Best effort: a leftover temp file is harmless and overwritten next time.
            let _ = fs::remove_file(&temp);
            return Err(error(e));
        }
        sync_dir(dir).map_err(error)
    }

    fn file_name(&self) -> String {
        self.path.file_name().map_or_else(
            || "settings.json".into(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the rename itself durable. Only Unix can open a directory to sync it; Windows
/// commits the rename with the file system's own journal.
fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
