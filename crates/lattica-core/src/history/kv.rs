//! Small JSON values kept next to the samples, chiefly the alert state, so that one file
//! holds everything the app must remember and one transaction-safe store writes it.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{History, HistoryError};
use crate::alerts::AlertState;

pub(super) const ALERT_STATE: &str = "alert_state";

impl History {
    /// The alert state saved last, or a fresh one when none was saved.
    ///
    /// A value that no longer decodes is kept under `alert_state.corrupt-<stamp>` (set aside
    /// like a damaged database, never wiped) and a fresh state is returned: at worst one
    /// alert repeats.
    pub fn load_alert_state(&self, now: DateTime<Utc>) -> Result<AlertState, HistoryError> {
        Ok(self.load_json(ALERT_STATE, now)?.unwrap_or_default())
    }

    /// Saves the alert state; the shell calls this after every policy step.
    pub fn save_alert_state(&self, state: &AlertState) -> Result<(), HistoryError> {
        self.save_json(ALERT_STATE, state)
    }

    /// The JSON value saved under `key`, if any. One that no longer decodes is set aside
    /// (see [`History::load_alert_state`]) and reads as absent.
    pub fn load_json<T: DeserializeOwned>(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<T>, HistoryError> {
        let stored: Option<String> = self
            .conn
            .query_row("SELECT value FROM kv WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?;
        let Some(text) = stored else {
            return Ok(None);
        };
        match serde_json::from_str(&text) {
            Ok(value) => Ok(Some(value)),
            Err(error) => {
                let aside = format!("{key}.corrupt-{}", now.format("%Y%m%dT%H%M%S%.3fZ"));
                self.conn.execute(
                    "UPDATE OR REPLACE kv SET key = ?2 WHERE key = ?1",
                    params![key, aside],
                )?;
                tracing::warn!(%key, %aside, %error, "stored value did not decode; set it aside");
                Ok(None)
            }
        }
    }

    /// Saves `value` under `key` in one statement: the whole value or none of it.
    pub fn save_json<T: Serialize>(&self, key: &str, value: &T) -> Result<(), HistoryError> {
        let text = serde_json::to_string(value)?;
        self.conn.execute(
            "INSERT INTO kv (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, text],
        )?;
        Ok(())
    }

    /// Forgets the value under `key`; forgetting an absent one succeeds.
    pub fn remove_json(&self, key: &str) -> Result<(), HistoryError> {
        self.conn.execute("DELETE FROM kv WHERE key = ?1", [key])?;
        Ok(())
    }
}
