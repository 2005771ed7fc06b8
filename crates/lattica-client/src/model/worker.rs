//! Workers: the GPU sessions that burn credits while they are `UP`.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

use super::{ids, time};

/// A worker's state. The platform documents `UP` (running) and `STOPPED`; anything else is
/// kept verbatim rather than refused, so a new state never breaks the app.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WorkerStatus {
    Up,
    Stopped,
    Unknown(String),
}

impl WorkerStatus {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Up => "UP",
            Self::Stopped => "STOPPED",
            Self::Unknown(other) => other,
        }
    }
}

impl From<&str> for WorkerStatus {
    fn from(value: &str) -> Self {
        if value.eq_ignore_ascii_case("UP") {
            Self::Up
        } else if value.eq_ignore_ascii_case("STOPPED") {
            Self::Stopped
        } else {
            Self::Unknown(value.to_owned())
        }
    }
}

impl fmt::Display for WorkerStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WorkerStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(Self::from(text.as_ref()))
    }
}

/// One worker session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    pub session_id: String,
    pub model_id: String,
    /// A sandbox extra; when absent, the model's instance type applies.
    pub instance_type_id: Option<String>,
    pub status: WorkerStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
}

impl Worker {
    /// Running (and burning credits): status `UP`.
    pub fn is_running(&self) -> bool {
        self.status == WorkerStatus::Up
    }
}

/// A worker as written on the wire, with every spelling the official clients accept. The model
/// id may be missing inside `get_active_workers`, where the enclosing group carries it.
#[derive(Deserialize)]
pub(crate) struct WorkerWire {
    #[serde(
        rename = "workerSessionId",
        alias = "sessionId",
        alias = "session_id",
        alias = "worker_session_id",
        deserialize_with = "ids::required"
    )]
    session_id: String,
    #[serde(
        default,
        rename = "modelId",
        alias = "model_id",
        deserialize_with = "ids::optional"
    )]
    model_id: Option<String>,
    #[serde(default, rename = "instanceTypeId", alias = "instance_type_id")]
    instance_type_id: Option<String>,
    status: WorkerStatus,
    #[serde(
        default,
        rename = "startedAt",
        alias = "startDate",
        alias = "started_at",
        deserialize_with = "time::optional"
    )]
    started_at: Option<DateTime<Utc>>,
    #[serde(
        default,
        rename = "stoppedAt",
        alias = "endDate",
        alias = "stopped_at",
        deserialize_with = "time::optional"
    )]
    stopped_at: Option<DateTime<Utc>>,
}

impl WorkerWire {
    /// The worker, taking the model id from `fallback_model` when the object lacks one.
    pub(crate) fn into_worker(self, fallback_model: Option<&str>) -> Result<Worker, String> {
        let model_id = match (self.model_id, fallback_model) {
            (Some(id), _) => id,
            (None, Some(id)) => id.to_owned(),
            (None, None) => return Err("worker: missing field `modelId`".to_owned()),
        };
        Ok(Worker {
            session_id: self.session_id,
            model_id,
            instance_type_id: self.instance_type_id,
            status: self.status,
            started_at: self.started_at,
            stopped_at: self.stopped_at,
        })
    }
}

impl<'de> Deserialize<'de> for Worker {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        WorkerWire::deserialize(deserializer)?
            .into_worker(None)
            .map_err(serde::de::Error::custom)
    }
}

/// `{"workerSessions": [worker…]}`
#[derive(Deserialize)]
pub(crate) struct WorkerSessions {
    #[serde(rename = "workerSessions", alias = "worker_sessions")]
    pub(crate) sessions: Vec<Worker>,
}

/// `{"activeWorkers": [{"modelId", "workers": [worker…]}]}`
#[derive(Deserialize)]
pub(crate) struct ActiveWorkers {
    #[serde(rename = "activeWorkers", alias = "active_workers")]
    groups: Vec<ActiveGroup>,
}

#[derive(Deserialize)]
struct ActiveGroup {
    #[serde(
        default,
        rename = "modelId",
        alias = "model_id",
        deserialize_with = "ids::optional"
    )]
    model_id: Option<String>,
    #[serde(default)]
    workers: Vec<WorkerWire>,
}

impl ActiveWorkers {
    /// Every worker of every group, each carrying its model id.
    pub(crate) fn into_workers(self) -> Result<Vec<Worker>, String> {
        let mut all = Vec::new();
        for group in self.groups {
            for wire in group.workers {
                all.push(wire.into_worker(group.model_id.as_deref())?);
            }
        }
        Ok(all)
    }
}

/// Parameters of `list_worker_sessions`; every field narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkerSessionFilter {
    pub model_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::read;

    #[test]
    fn reads_every_key_spelling() {
        let canonical: Worker = read(
            r#"{"workerSessionId": "w1", "modelId": "m1", "instanceTypeId": "G4DN_XLARGE",
                "status": "UP", "startedAt": "2026-11-26T13:45:00.000Z", "stoppedAt": null}"#,
            "worker",
        )
        .unwrap();
        let python: Worker = read(
            r#"{"sessionId": "w1", "modelId": "m1", "instanceTypeId": "G4DN_XLARGE",
                "status": "UP", "startDate": 1795700700000, "extra": {"a": 1}}"#,
            "worker",
        )
        .unwrap();
        let snake: Worker = read(
            r#"{"session_id": "w1", "model_id": "m1", "instance_type_id": "G4DN_XLARGE",
                "status": "up", "started_at": "2026-11-26T13:45:00Z"}"#,
            "worker",
        )
        .unwrap();
        assert_eq!(canonical, python);
        assert_eq!(canonical, snake);
        assert!(canonical.is_running());
        assert_eq!(canonical.stopped_at, None);
    }

    #[test]
    fn stopped_and_unknown_states() {
        let stopped: Worker = read(
            r#"{"workerSessionId": "w", "modelId": "m", "status": "STOPPED",
                "startedAt": 0, "endDate": "1970-01-01T00:01:00Z"}"#,
            "worker",
        )
        .unwrap();
        assert!(!stopped.is_running());
        assert_eq!(stopped.stopped_at.unwrap().timestamp(), 60);
        let odd: Worker = read(
            r#"{"workerSessionId": "w", "modelId": "m", "status": "PROVISIONING"}"#,
            "worker",
        )
        .unwrap();
        assert_eq!(odd.status, WorkerStatus::Unknown("PROVISIONING".into()));
        assert_eq!(odd.status.to_string(), "PROVISIONING");
        assert!(!odd.is_running());
    }

    #[test]
    fn missing_fields_are_named() {
        for (json, field) in [
            (r#"{"modelId": "m", "status": "UP"}"#, "workerSessionId"),
            (r#"{"workerSessionId": "w", "status": "UP"}"#, "modelId"),
            (r#"{"workerSessionId": "w", "modelId": "m"}"#, "status"),
        ] {
            let err = read::<Worker>(json, "worker").unwrap_err().to_string();
            assert!(err.contains(field), "{err}");
        }
    }

    #[test]
    fn active_workers_take_the_group_model() {
        let active: ActiveWorkers = read(
            r#"{"activeWorkers": [
                {"modelId": "m1", "workers": [{"sessionId": "a", "status": "UP"}]},
                {"modelId": "m2", "workers": [
                    {"workerSessionId": "b", "modelId": "own", "status": "UP"}]},
                {"modelId": "m3"}]}"#,
            "active workers",
        )
        .unwrap();
        let workers = active.into_workers().unwrap();
        let pairs: Vec<_> = workers
            .iter()
            .map(|w| (w.session_id.as_str(), w.model_id.as_str()))
            .collect();
        assert_eq!(pairs, [("a", "m1"), ("b", "own")]);
    }
}
