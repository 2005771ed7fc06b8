//! Local files found unusable at start and set aside: what the popover tells the user once.

use std::path::PathBuf;

/// Which of the app's own files it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalFile {
    Settings,
    History,
}

/// A local file that could not be used and was moved out of the way, kept for inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAsideFile {
    pub file: LocalFile,
    /// Where the old file is now.
    pub moved_to: PathBuf,
}

impl SetAsideFile {
    /// One sentence on what was kept, one on where the old file went.
    pub fn text(&self) -> String {
        let what = match self.file {
            LocalFile::Settings => {
                "Your settings file could not be read, so the default settings are in use."
            }
            LocalFile::History => {
                "The local balance history could not be read, so a new one was started: the \
                 chart and the observed usage begin again."
            }
        };
        format!(
            "{what} The old file was kept as {}.",
            self.moved_to.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_says_what_was_kept_and_where_the_old_one_went() {
        let settings = SetAsideFile {
            file: LocalFile::Settings,
            moved_to: "/home/a/.config/ai.lattica.tray/settings.json.corrupt-20261206T101500Z"
                .into(),
        };
        assert_eq!(
            settings.text(),
            "Your settings file could not be read, so the default settings are in use. The old \
             file was kept as /home/a/.config/ai.lattica.tray/settings.json.corrupt-20261206T101500Z."
        );
        let history = SetAsideFile {
            file: LocalFile::History,
            moved_to: "/tmp/history.sqlite3.corrupt-x".into(),
        };
        assert!(history.text().starts_with("The local balance history"));
        assert!(
            history
                .text()
                .ends_with("kept as /tmp/history.sqlite3.corrupt-x.")
        );
    }
}
