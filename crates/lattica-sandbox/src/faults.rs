//! Fault injection for `/api/*`, configured through the control API.
//!
//! Per request, in this order: the latency is waited; then the deterministic counters
//! (`failNext`, then `dropNext`, then `malformedNext`) are consumed; only when none is left do
//! the rates roll. An injected error answers before the request is processed (nothing
//! happens); a dropped connection and a malformed body happen *after* it was processed (the
//! answer is lost on the way), which is the case idempotency keys exist for.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::Rng;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::api::canonical_endpoint;
use crate::api::envelope::ApiError;
use crate::api::params::Params;

/// What `set_faults` configured; `…Next` counters shrink as they fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Faults {
    latency_ms: u64,
    #[serde(serialize_with = "crate::credits::serialize")]
    error_rate: Decimal,
    error_status: u16,
    retry_after_seconds: Option<u64>,
    #[serde(serialize_with = "crate::credits::serialize")]
    drop_rate: Decimal,
    #[serde(serialize_with = "crate::credits::serialize")]
    malformed_rate: Decimal,
    fail_next: u64,
    drop_next: u64,
    malformed_next: u64,
    endpoints: Option<Vec<String>>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: Decimal::ZERO,
            error_status: 503,
            retry_after_seconds: None,
            drop_rate: Decimal::ZERO,
            malformed_rate: Decimal::ZERO,
            fail_next: 0,
            drop_next: 0,
            malformed_next: 0,
            endpoints: None,
        }
    }
}

/// What to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Wait this long first.
    pub latency: Duration,
    /// Then this, if anything.
    pub action: Option<Action>,
}

/// A fault to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Answer with this status and `SERVICE_UNAVAILABLE`, without processing.
    Error {
        /// HTTP status.
        status: u16,
        /// `Retry-After` seconds.
        retry_after: Option<u64>,
    },
    /// Process, then break the connection instead of answering.
    Drop,
    /// Process, then answer with a truncated, non-JSON body.
    Malformed,
}

const KNOWN: [&str; 10] = [
    "latencyMs",
    "errorRate",
    "errorStatus",
    "retryAfterSeconds",
    "dropRate",
    "malformedRate",
    "failNext",
    "dropNext",
    "malformedNext",
    "endpoints",
];

impl Faults {
    /// Reads a `set_faults` body. Absent fields take their default: each call describes the
    /// whole fault configuration, so a test never inherits a previous one by accident.
    pub fn from_params(params: &Params) -> Result<Self, ApiError> {
        params.only(&KNOWN)?;
        let rate = |name: &str| -> Result<Decimal, ApiError> {
            let value = params.opt_decimal(name)?.unwrap_or_default();
            if (Decimal::ZERO..=Decimal::ONE).contains(&value) {
                Ok(value)
            } else {
                Err(ApiError::invalid(name, "a rate between 0 and 1"))
            }
        };
        let error_status = match params.opt_u64("errorStatus")? {
            None => 503,
            Some(status @ 400..=599) => u16::try_from(status).unwrap_or(503),
            Some(_) => return Err(ApiError::invalid("errorStatus", "a status from 400 to 599")),
        };
        Ok(Self {
            latency_ms: params.opt_u64("latencyMs")?.unwrap_or(0),
            error_rate: rate("errorRate")?,
            error_status,
            retry_after_seconds: params.opt_u64("retryAfterSeconds")?,
            drop_rate: rate("dropRate")?,
            malformed_rate: rate("malformedRate")?,
            fail_next: params.opt_u64("failNext")?.unwrap_or(0),
            drop_next: params.opt_u64("dropNext")?.unwrap_or(0),
            malformed_next: params.opt_u64("malformedNext")?.unwrap_or(0),
            endpoints: params
                .opt_str_list("endpoints")?
                .map(|list| list.iter().map(|e| canonical_endpoint(e)).collect()),
        })
    }

    /// Whether anything at all is configured (the common case is not, and costs nothing).
    pub fn is_clear(&self) -> bool {
        *self == Self::default()
    }

    /// Decides the fate of a request to `endpoint` (e.g. `api/finance/get_account_credits`),
    /// consuming a counter if one fires. `roll` yields uniform values in `[0, 1)`.
    pub fn decide(&mut self, endpoint: &str, mut roll: impl FnMut() -> Decimal) -> Decision {
        let applies = self
            .endpoints
            .as_ref()
            .is_none_or(|list| list.iter().any(|e| e == endpoint));
        if !applies {
            return Decision {
                latency: Duration::ZERO,
                action: None,
            };
        }
        let error = Action::Error {
            status: self.error_status,
            retry_after: self.retry_after_seconds,
        };
        let action = if take(&mut self.fail_next) {
            Some(error)
        } else if take(&mut self.drop_next) {
            Some(Action::Drop)
        } else if take(&mut self.malformed_next) {
            Some(Action::Malformed)
        } else if roll() < self.error_rate {
            Some(error)
        } else if roll() < self.drop_rate {
            Some(Action::Drop)
        } else if roll() < self.malformed_rate {
            Some(Action::Malformed)
        } else {
            None
        };
        Decision {
            latency: Duration::from_millis(self.latency_ms),
            action,
        }
    }
}

/// How many `/api/*` requests this process served and what the faults did to them, for the
/// control API's `state` (a soak prints them). Counted from the start of the process.
#[derive(Debug, Default)]
pub struct Traffic {
    requests: AtomicU64,
    delayed: AtomicU64,
    errors: AtomicU64,
    drops: AtomicU64,
    malformed: AtomicU64,
}

/// A reading of [`Traffic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficView {
    /// Every `/api/*` request, faulted or not.
    pub requests: u64,
    /// Those that waited an injected latency.
    pub delayed: u64,
    /// Those answered with an injected error status.
    pub errors: u64,
    /// Those whose connection was dropped after processing.
    pub drops: u64,
    /// Those answered with a cut body after processing.
    pub malformed: u64,
}

impl Traffic {
    /// Counts one request and what `decision` (if any) does to it.
    pub fn count(&self, decision: Option<&Decision>) {
        let bump = |counter: &AtomicU64| counter.fetch_add(1, Ordering::Relaxed);
        bump(&self.requests);
        let Some(decision) = decision else { return };
        if !decision.latency.is_zero() {
            bump(&self.delayed);
        }
        match decision.action {
            Some(Action::Error { .. }) => bump(&self.errors),
            Some(Action::Drop) => bump(&self.drops),
            Some(Action::Malformed) => bump(&self.malformed),
            None => 0,
        };
    }

    /// The counts so far.
    pub fn view(&self) -> TrafficView {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        TrafficView {
            requests: read(&self.requests),
            delayed: read(&self.delayed),
            errors: read(&self.errors),
            drops: read(&self.drops),
            malformed: read(&self.malformed),
        }
    }
}

/// A uniform value in `[0, 1)` with a resolution of one millionth.
pub fn roll() -> Decimal {
    Decimal::new(rand::thread_rng().gen_range(0..1_000_000), 6)
}

fn take(counter: &mut u64) -> bool {
    let fires = *counter > 0;
    *counter = counter.saturating_sub(1);
    fires
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn faults(value: serde_json::Value) -> Result<Faults, ApiError> {
        let serde_json::Value::Object(map) = value else {
            unreachable!()
        };
        Faults::from_params(&Params::new(map))
    }

    const EP: &str = "api/finance/get_account_credits";

    #[test]
    fn counters_fire_first_in_order_then_stop() {
        let mut f = faults(json!({"failNext": 1, "dropNext": 1, "malformedNext": 1,
                                  "retryAfterSeconds": 2, "errorStatus": 500}))
        .unwrap();
        let never = || Decimal::ONE;
        let error = Action::Error {
            status: 500,
            retry_after: Some(2),
        };
        assert_eq!(f.decide(EP, never).action, Some(error));
        assert_eq!(f.decide(EP, never).action, Some(Action::Drop));
        assert_eq!(f.decide(EP, never).action, Some(Action::Malformed));
        assert_eq!(f.decide(EP, never).action, None);
    }

    #[test]
    fn rates_roll_when_no_counter_is_left() {
        let mut f = faults(json!({"errorRate": 0.5, "dropRate": 1, "latencyMs": 7})).unwrap();
        let d = f.decide(EP, || Decimal::new(4, 1));
        assert_eq!(d.latency, Duration::from_millis(7));
        assert!(matches!(d.action, Some(Action::Error { status: 503, .. })));
        assert_eq!(
            f.decide(EP, || Decimal::new(6, 1)).action,
            Some(Action::Drop)
        );
    }

    #[test]
    fn endpoint_filter_limits_faults() {
        let mut f = faults(json!({"failNext": 1, "endpoints": ["worker/start_worker"]})).unwrap();
        assert_eq!(f.decide(EP, || Decimal::ONE).action, None);
        assert!(
            f.decide("api/worker/start_worker", || Decimal::ONE)
                .action
                .is_some()
        );
    }

    #[test]
    fn rejects_bad_settings() {
        assert!(
            faults(json!({"errorRate": 1.5}))
                .unwrap_err()
                .message
                .contains("errorRate")
        );
        assert!(faults(json!({"errorStatus": 200})).is_err());
        assert!(
            faults(json!({"failnext": 1}))
                .unwrap_err()
                .message
                .contains("failnext")
        );
        assert!(faults(json!({})).unwrap().is_clear());
    }

    #[test]
    fn traffic_counts_requests_and_each_kind_of_fault() {
        let traffic = Traffic::default();
        let mut f = faults(json!({"failNext": 1, "dropNext": 1, "malformedNext": 1,
                                  "latencyMs": 5}))
        .unwrap();
        traffic.count(None);
        for _ in 0..4 {
            traffic.count(Some(&f.decide(EP, || Decimal::ONE)));
        }
        let view = traffic.view();
        assert_eq!(
            (
                view.requests,
                view.delayed,
                view.errors,
                view.drops,
                view.malformed
            ),
            (5, 4, 1, 1, 1)
        );
    }

    #[test]
    fn rolls_stay_in_range() {
        for _ in 0..1000 {
            let r = roll();
            assert!(r >= Decimal::ZERO && r < Decimal::ONE);
        }
    }
}
