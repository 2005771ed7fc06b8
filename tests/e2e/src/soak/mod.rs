//! The soak under faults (issue 13): its seeded plan (how long, when the app and the sandbox
//! are killed, which faults follow each other), the service-level payer that pays beside the
//! app, the checks read from the sandbox's own database, and the figures printed at the end.
//! The test that runs it is `tests/app/soak.rs`; `scripts/soak.sh` runs it for longer.

pub mod figures;
pub mod payer;
pub mod records;

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};

use crate::{Context, Result};

pub use crate::process::{descendant_named, rss_kib, sigkill};

/// What one run does, all drawn from `seed`.
#[derive(Debug, Clone)]
pub struct Plan {
    pub seed: u64,
    pub length: Duration,
    /// Moments (from the start) at which the app is killed with SIGKILL and started again.
    pub app_kills: Vec<Duration>,
    /// The same for the sandbox.
    pub sandbox_kills: Vec<Duration>,
}

impl Plan {
    /// The plan of `LATTICA_SOAK_MINUTES` (default 1) and `LATTICA_SOAK_SEED` (default: from
    /// the clock; printed, so a run can be repeated).
    pub fn from_env() -> Result<Self> {
        let minutes: rust_decimal::Decimal = std::env::var("LATTICA_SOAK_MINUTES")
            .unwrap_or_else(|_| "1".into())
            .parse()
            .context("LATTICA_SOAK_MINUTES must be a number of minutes")?;
        let seconds = (minutes * rust_decimal::Decimal::from(60))
            .round()
            .to_u64()
            .context("LATTICA_SOAK_MINUTES must be positive")?;
        let seed = match std::env::var("LATTICA_SOAK_SEED") {
            Ok(seed) => seed
                .parse()
                .context("LATTICA_SOAK_SEED must be an integer")?,
            Err(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs(),
        };
        Ok(Self::new(seed, Duration::from_secs(seconds)))
    }

    /// Kills: about one of each per three minutes (at least one, at most four). The app's
    /// come in the first half, so its last run is long enough to watch its memory; the
    /// sandbox's anywhere from a tenth of the run to its last sixth.
    pub fn new(seed: u64, length: Duration) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let count = usize::try_from((length.as_secs() + 90) / 180)
            .unwrap_or(4)
            .clamp(1, 4);
        let mut moments = |from: f64, to: f64| {
            let mut at: Vec<Duration> = (0..count)
                .map(|_| length.mul_f64(rng.gen_range(from..to)))
                .collect();
            at.sort();
            at
        };
        let app_kills = moments(0.15, 0.5);
        let sandbox_kills = moments(0.1, 0.85);
        Self {
            seed,
            length,
            app_kills,
            sandbox_kills,
        }
    }
}

/// The fault configurations a run goes through, one every few seconds: latency up to several
/// seconds, 5xx rates, dropped connections, cut bodies, 429 with `Retry-After`, and calm.
#[derive(Debug)]
pub struct FaultSchedule {
    rng: StdRng,
}

impl FaultSchedule {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed ^ 0x5eed_fa17),
        }
    }

    /// The next `set_faults` body and how long it holds.
    pub fn step(&mut self) -> (Value, Duration) {
        let rng = &mut self.rng;
        // Rates are written as decimals ("0.25"), the way the control API reads them.
        let rate = |rng: &mut StdRng, max: u32| -> Value {
            serde_json::from_str(&format!("0.{:02}", rng.gen_range(5..=max))).unwrap_or(Value::Null)
        };
        let faults = match rng.gen_range(0..6) {
            0 => json!({}),
            1 => json!({"latencyMs": rng.gen_range(200..=4000)}),
            2 => {
                let status = [500, 502, 503][rng.gen_range(0..3)];
                json!({"errorRate": rate(rng, 50), "errorStatus": status})
            }
            3 => json!({"dropRate": rate(rng, 30), "latencyMs": rng.gen_range(0..=800)}),
            4 => json!({"malformedRate": rate(rng, 30)}),
            _ => json!({"errorRate": rate(rng, 40), "errorStatus": 429,
                        "retryAfterSeconds": rng.gen_range(1..=3)}),
        };
        (faults, Duration::from_millis(rng.gen_range(2000..=6000)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_plan_and_kills_fall_inside_the_run() {
        let length = Duration::from_secs(600);
        let (a, b) = (Plan::new(7, length), Plan::new(7, length));
        assert_eq!(a.app_kills, b.app_kills);
        assert_eq!(a.sandbox_kills, b.sandbox_kills);
        assert_eq!(a.app_kills.len(), 3);
        assert!(a.app_kills.iter().all(|k| *k < length / 2));
        assert!(a.sandbox_kills.iter().all(|k| *k < length));
        assert_ne!(Plan::new(8, length).sandbox_kills, a.sandbox_kills);
    }

    #[test]
    fn faults_are_decimals_and_change() {
        let mut schedule = FaultSchedule::new(1);
        let bodies: Vec<Value> = (0..40).map(|_| schedule.step().0).collect();
        assert!(bodies.iter().any(|b| b.get("retryAfterSeconds").is_some()));
        assert!(bodies.iter().any(|b| b.get("dropRate").is_some()));
        for body in &bodies {
            for key in ["errorRate", "dropRate", "malformedRate"] {
                if let Some(rate) = body.get(key) {
                    assert!(rate.as_f64().is_some_and(|r| r > 0.0 && r < 1.0), "{body}");
                }
            }
        }
    }
}
