//! Estimated usage time: how long the balance lets the account's workers run.
//!
//! The platform defines the estimate as total runtime across all workers: credits that last
//! four days for one worker last one day for four workers in parallel. So the remaining time
//! is the balance divided by the combined hourly rate of the running workers' instance types.
//! Everything is computed in `Decimal`; the result is only ever an approximation (prices per
//! instance type, not what the workers will actually do), and the UI says so.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Credits per hour for each instance type, as published by the platform's pricing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceTable {
    /// The instance type a new worker gets when its model does not say otherwise.
    pub default_instance_type: String,
    /// `instanceTypeId` → credits burnt per hour by one worker of that type.
    pub credits_per_hour: BTreeMap<String, Decimal>,
}

impl PriceTable {
    /// The hourly rate of one worker of `instance_type`, if the table knows a usable one.
    /// A rate of zero or less is treated as unknown: no instance type is free, so such an
    /// entry is bad data, and dividing by it would promise infinite time.
    pub fn rate(&self, instance_type: &str) -> Option<Decimal> {
        self.credits_per_hour
            .get(instance_type)
            .copied()
            .filter(|rate| *rate > Decimal::ZERO)
    }
}

/// A running worker, reduced to what the estimate needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunningWorker {
    /// The worker's instance type (the shell falls back to its model's); `None` when neither
    /// is known.
    pub instance_type: Option<String>,
}

impl RunningWorker {
    pub fn new(instance_type: impl Into<String>) -> Self {
        Self {
            instance_type: Some(instance_type.into()),
        }
    }
}

/// Where the burn rate of an estimate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// The published price of each running worker's instance type.
    Prices,
    /// The rate at which the balance actually fell in the local history.
    ObservedBurn,
}

/// The estimated usage time, always an approximation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Estimate {
    /// Workers are running; at `credits_per_hour` combined, the balance lasts `remaining`.
    Running {
        workers: usize,
        credits_per_hour: Decimal,
        remaining: TimeDelta,
        runs_out_at: DateTime<Utc>,
        basis: Basis,
    },
    /// No worker is running: this is how long one worker of the default instance type would
    /// run. Nothing runs out while nothing runs, so `runs_out_at` is hypothetical too.
    NoneRunning {
        instance_type: String,
        credits_per_hour: Decimal,
        remaining: TimeDelta,
        runs_out_at: DateTime<Utc>,
    },
    /// No price and no observed burn rate to go on.
    Unknown { workers: usize },
    /// The balance is zero (or less): nothing left to run on.
    Empty { workers: usize },
}

/// Remaining times are capped here: past a year the number means nothing (the UI says "more
/// than a year"), and the cap keeps every date arithmetic far from chrono's limits.
pub const MAX_REMAINING: TimeDelta = TimeDelta::days(100 * 366);

const SECONDS_PER_HOUR: i64 = 3_600;

/// Estimates how long `balance` lasts.
///
/// The rate comes from `prices` when every running worker's instance type has a price;
/// otherwise from `observed_burn_per_hour` (the local history's view, ignored unless
/// positive); with neither the estimate is [`Estimate::Unknown`]. With no worker running it
/// is the time one worker of the default type would run, which needs prices.
pub fn estimate(
    balance: Decimal,
    running: &[RunningWorker],
    prices: Option<&PriceTable>,
    observed_burn_per_hour: Option<Decimal>,
    now: DateTime<Utc>,
) -> Estimate {
    let workers = running.len();
    if balance <= Decimal::ZERO {
        return Estimate::Empty { workers };
    }

    if workers == 0 {
        let Some((instance_type, rate)) = prices.and_then(|p| {
            p.rate(&p.default_instance_type)
                .map(|rate| (p.default_instance_type.clone(), rate))
        }) else {
            return Estimate::Unknown { workers };
        };
        let remaining = remaining_time(balance, rate);
        return Estimate::NoneRunning {
            instance_type,
            credits_per_hour: rate,
            remaining,
            runs_out_at: later(now, remaining),
        };
    }

    let (rate, basis) = match prices.and_then(|p| combined_rate(p, running)) {
        Some(rate) => (rate, Basis::Prices),
        None => match observed_burn_per_hour.filter(|rate| *rate > Decimal::ZERO) {
            Some(rate) => (rate, Basis::ObservedBurn),
            None => return Estimate::Unknown { workers },
        },
    };
    let remaining = remaining_time(balance, rate);
    Estimate::Running {
        workers,
        credits_per_hour: rate,
        remaining,
        runs_out_at: later(now, remaining),
        basis,
    }
}

/// The sum of the running workers' rates; `None` if any of them has no known price, since a
/// partial sum would overstate the remaining time.
fn combined_rate(prices: &PriceTable, running: &[RunningWorker]) -> Option<Decimal> {
    running.iter().try_fold(Decimal::ZERO, |sum, worker| {
        let rate = prices.rate(worker.instance_type.as_deref()?)?;
        sum.checked_add(rate)
    })
}

/// `balance / rate` hours as a whole number of seconds, rounded down so the estimate never
/// promises time the balance does not buy, and capped at [`MAX_REMAINING`].
fn remaining_time(balance: Decimal, rate: Decimal) -> TimeDelta {
    let max_seconds = MAX_REMAINING.num_seconds();
    // Multiply before dividing: `7 / 4.8` is a repeating decimal, and rounding it to 28
    // digits before scaling would land a hair under 5250 s and floor to 5249.
    let seconds = balance
        .checked_mul(Decimal::from(SECONDS_PER_HOUR))
        .and_then(|credit_seconds| credit_seconds.checked_div(rate))
        .and_then(|seconds| seconds.floor().to_i64())
        .map_or(max_seconds, |seconds| seconds.clamp(0, max_seconds));
    TimeDelta::seconds(seconds)
}

/// `now + delta`, saturating instead of panicking on a nonsensical clock.
fn later(now: DateTime<Utc>, delta: TimeDelta) -> DateTime<Utc> {
    now.checked_add_signed(delta)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Estimate {
    /// The estimated time left when the estimate was made; zero when empty.
    pub fn remaining(&self) -> Option<TimeDelta> {
        match self {
            Estimate::Running { remaining, .. } | Estimate::NoneRunning { remaining, .. } => {
                Some(*remaining)
            }
            Estimate::Empty { .. } => Some(TimeDelta::zero()),
            Estimate::Unknown { .. } => None,
        }
    }

    /// The time left as of `now`, for an estimate made earlier (from data fetched a while
    /// ago). Running workers kept burning since; a hypothetical idle worker did not.
    pub fn remaining_at(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        match self {
            Estimate::Running {
                remaining,
                runs_out_at,
                ..
            } => Some((*runs_out_at - now).clamp(TimeDelta::zero(), *remaining)),
            other => other.remaining(),
        }
    }

    /// The remaining time in hours, for hour thresholds ([`crate::level::Thresholds::level`]).
    pub fn hours_left(&self) -> Option<Decimal> {
        self.remaining()
            .map(|left| Decimal::from(left.num_seconds()) / Decimal::from(SECONDS_PER_HOUR))
    }

    /// The number of running workers the estimate is about.
    pub fn workers(&self) -> usize {
        match self {
            Estimate::Running { workers, .. }
            | Estimate::Unknown { workers }
            | Estimate::Empty { workers } => *workers,
            Estimate::NoneRunning { .. } => 0,
        }
    }

    /// When the balance would reach zero, if that can be said.
    pub fn runs_out_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Estimate::Running { runs_out_at, .. } | Estimate::NoneRunning { runs_out_at, .. } => {
                Some(*runs_out_at)
            }
            Estimate::Unknown { .. } | Estimate::Empty { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
    }

    fn prices() -> PriceTable {
        PriceTable {
            default_instance_type: "G4DN_XLARGE".into(),
            credits_per_hour: BTreeMap::from([
                ("G4DN_XLARGE".into(), d("1.2")),
                ("G7E_2XLARGE".into(), d("4.8")),
                ("FREE".into(), d("0")),
            ]),
        }
    }

    fn workers(types: &[&str]) -> Vec<RunningWorker> {
        types.iter().map(|t| RunningWorker::new(*t)).collect()
    }

    #[test]
    fn one_worker_lasts_balance_over_its_rate() {
        let e = estimate(
            d("12"),
            &workers(&["G4DN_XLARGE"]),
            Some(&prices()),
            None,
            now(),
        );
        assert_eq!(
            e,
            Estimate::Running {
                workers: 1,
                credits_per_hour: d("1.2"),
                remaining: TimeDelta::hours(10),
                runs_out_at: now() + TimeDelta::hours(10),
                basis: Basis::Prices,
            }
        );
        assert_eq!(e.hours_left(), Some(d("10")));
    }

    #[test]
    fn parallel_workers_divide_the_time() {
        let one = estimate(
            d("96"),
            &workers(&["G7E_2XLARGE"]),
            Some(&prices()),
            None,
            now(),
        );
        let four = workers(&["G7E_2XLARGE"; 4]);
        let four = estimate(d("96"), &four, Some(&prices()), None, now());
        assert_eq!(one.remaining(), Some(TimeDelta::hours(20)));
        assert_eq!(four.remaining(), Some(TimeDelta::hours(5)));
        assert_eq!(four.workers(), 4);
    }

    #[test]
    fn mixed_types_add_their_rates() {
        let running = workers(&["G4DN_XLARGE", "G7E_2XLARGE"]);
        let e = estimate(d("18"), &running, Some(&prices()), None, now());
        // 18 / (1.2 + 4.8) = 3 h
        assert_eq!(e.remaining(), Some(TimeDelta::hours(3)));
        assert!(
            matches!(e, Estimate::Running { credits_per_hour, .. } if credits_per_hour == d("6"))
        );
    }

    #[test]
    fn remaining_rounds_down_to_the_second() {
        // 1 / 1.2 h = 3000 s exactly; 0.000001 credits more buys 0.003 s, which is dropped.
        let e = estimate(
            d("1.000001"),
            &workers(&["G4DN_XLARGE"]),
            Some(&prices()),
            None,
            now(),
        );
        assert_eq!(e.remaining(), Some(TimeDelta::seconds(3000)));
        // 1 / 4.8 h = 750 s; 10 / 4.8 h = 7500 s; 7 / 4.8 h = 5250 s.
        let e = estimate(
            d("7"),
            &workers(&["G7E_2XLARGE"]),
            Some(&prices()),
            None,
            now(),
        );
        assert_eq!(e.remaining(), Some(TimeDelta::seconds(5250)));
        let e = estimate(
            d("0.001"),
            &workers(&["G7E_2XLARGE"]),
            Some(&prices()),
            None,
            now(),
        );
        // 0.001 / 4.8 * 3600 = 0.75 s: less than a second left.
        assert_eq!(e.remaining(), Some(TimeDelta::zero()));
    }

    #[test]
    fn none_running_estimates_one_default_worker() {
        let e = estimate(d("24"), &[], Some(&prices()), Some(d("3")), now());
        assert_eq!(
            e,
            Estimate::NoneRunning {
                instance_type: "G4DN_XLARGE".into(),
                credits_per_hour: d("1.2"),
                remaining: TimeDelta::hours(20),
                runs_out_at: now() + TimeDelta::hours(20),
            }
        );
        assert_eq!(e.workers(), 0);
        assert_eq!(e.hours_left(), Some(d("20")));
    }

    #[test]
    fn none_running_without_prices_is_unknown() {
        // An observed burn says nothing about a worker that is not running.
        let e = estimate(d("24"), &[], None, Some(d("3")), now());
        assert_eq!(e, Estimate::Unknown { workers: 0 });
        assert_eq!(e.hours_left(), None);
        assert_eq!(e.runs_out_at(), None);
    }

    #[test]
    fn no_prices_falls_back_to_observed_burn() {
        let running = workers(&["G4DN_XLARGE", "G4DN_XLARGE"]);
        let e = estimate(d("30"), &running, None, Some(d("2.5")), now());
        assert_eq!(
            e,
            Estimate::Running {
                workers: 2,
                credits_per_hour: d("2.5"),
                remaining: TimeDelta::hours(12),
                runs_out_at: now() + TimeDelta::hours(12),
                basis: Basis::ObservedBurn,
            }
        );
    }

    #[test]
    fn unknown_or_missing_instance_type_falls_back_to_observed_burn() {
        let mut running = workers(&["G4DN_XLARGE", "H100_SOMETHING_NEW"]);
        let e = estimate(d("30"), &running, Some(&prices()), Some(d("3")), now());
        assert!(matches!(
            e,
            Estimate::Running {
                basis: Basis::ObservedBurn,
                ..
            }
        ));
        assert_eq!(e.remaining(), Some(TimeDelta::hours(10)));

        running[1] = RunningWorker::default();
        let e = estimate(d("30"), &running, Some(&prices()), Some(d("3")), now());
        assert!(matches!(
            e,
            Estimate::Running {
                basis: Basis::ObservedBurn,
                ..
            }
        ));
    }

    #[test]
    fn nothing_to_go_on_is_unknown() {
        let running = workers(&["H100_SOMETHING_NEW"]);
        assert_eq!(
            estimate(d("30"), &running, Some(&prices()), None, now()),
            Estimate::Unknown { workers: 1 }
        );
        assert_eq!(
            estimate(d("30"), &running, None, Some(Decimal::ZERO), now()),
            Estimate::Unknown { workers: 1 }
        );
        assert_eq!(
            estimate(d("30"), &running, None, Some(d("-1")), now()),
            Estimate::Unknown { workers: 1 }
        );
    }

    #[test]
    fn zero_priced_type_is_treated_as_unpriced() {
        let e = estimate(d("30"), &workers(&["FREE"]), Some(&prices()), None, now());
        assert_eq!(e, Estimate::Unknown { workers: 1 });
    }

    #[test]
    fn zero_or_negative_balance_is_empty() {
        let running = workers(&["G4DN_XLARGE"]);
        let e = estimate(Decimal::ZERO, &running, Some(&prices()), None, now());
        assert_eq!(e, Estimate::Empty { workers: 1 });
        assert_eq!(e.hours_left(), Some(Decimal::ZERO));
        assert_eq!(e.remaining(), Some(TimeDelta::zero()));
        assert_eq!(
            estimate(d("-0.5"), &[], None, None, now()),
            Estimate::Empty { workers: 0 }
        );
    }

    #[test]
    fn huge_balances_are_capped() {
        let mut table = prices();
        table.credits_per_hour.insert("TINY".into(), d("0.000001"));
        let e = estimate(
            d("79228162514264337593543950"),
            &workers(&["TINY"]),
            Some(&table),
            None,
            now(),
        );
        assert_eq!(e.remaining(), Some(MAX_REMAINING));
        assert_eq!(e.runs_out_at(), Some(now() + MAX_REMAINING));
    }

    #[test]
    fn remaining_at_counts_down_for_running_workers_only() {
        let later = now() + TimeDelta::hours(4);
        let running = estimate(
            d("12"),
            &workers(&["G4DN_XLARGE"]),
            Some(&prices()),
            None,
            now(),
        );
        assert_eq!(running.remaining_at(later), Some(TimeDelta::hours(6)));
        assert_eq!(
            running.remaining_at(now() + TimeDelta::days(2)),
            Some(TimeDelta::zero())
        );
        // A clock behind the data never adds time.
        assert_eq!(
            running.remaining_at(now() - TimeDelta::hours(1)),
            Some(TimeDelta::hours(10))
        );

        let idle = estimate(d("12"), &[], Some(&prices()), None, now());
        assert_eq!(idle.remaining_at(later), Some(TimeDelta::hours(10)));
    }
}
