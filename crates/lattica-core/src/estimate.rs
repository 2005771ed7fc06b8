//! Estimated usage time: how long the balance lets the account's workers run.
//!
//! The platform defines the estimate as total runtime across all workers: credits that last
//! four days for one worker last one day for four workers in parallel. So the remaining time
//! is the balance divided by the combined hourly rate of the running workers' instance types.
//! Everything is computed in `Decimal`; the result is only ever an approximation (prices per
//! instance type, not what the workers will actually do), and the UI says so.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

/// Credits per hour for each instance type: the platform's pricing, or assumed list prices.
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

/// Where the burn rate of an estimate came from, in the order they are preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// The platform's own price for each running worker's instance type.
    Prices,
    /// The rate at which the balance actually fell in the local history.
    ObservedBurn,
    /// The built-in assumed list prices ([`list_prices`]), as the settings adjust them.
    ListPrices,
}

/// What an estimate can go on, each optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rates<'a> {
    /// The platform's price list (the sandbox's `get_pricing`; the published platform has
    /// none).
    pub platform: Option<&'a PriceTable>,
    /// Credits per hour burnt in the local history, when it can be trusted
    /// ([`crate::history::History::observed_burn_per_hour`]); ignored unless positive.
    pub observed_per_hour: Option<Decimal>,
    /// Assumed list prices, the last resort.
    pub list: Option<&'a PriceTable>,
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
        basis: Basis,
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

/// The assumed list prices shipped with the app (`data/list-prices.json`): credits per hour
/// for the instance types the public clients name, and their default type. Lattica publishes
/// no prices; these are documented assumptions, adjusted by the settings' `listPrices`.
pub fn list_prices() -> &'static PriceTable {
    static TABLE: LazyLock<PriceTable> = LazyLock::new(|| {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Shipped {
            default_instance_type: String,
            credits_per_hour: BTreeMap<String, Decimal>,
        }
        // The file is part of this crate and checked by `the_shipped_list_prices_load`: a
        // broken one fails the tests, never a user.
        #[allow(clippy::expect_used)]
        let shipped: Shipped = serde_json::from_str(include_str!("../data/list-prices.json"))
            .expect("data/list-prices.json is valid");
        PriceTable {
            default_instance_type: shipped.default_instance_type,
            credits_per_hour: shipped.credits_per_hour,
        }
    });
    &TABLE
}

/// Estimates how long `balance` lasts.
///
/// With workers running, the rate is the first of: the platform's prices when every running
/// worker's type has one; the observed burn; the list prices, where a worker of a type the
/// list does not know counts at the default type's price. With no worker running it is the
/// time one worker of the default type would run, at the platform's prices or else the list's
/// (an observed burn says nothing about a worker that does not run). [`Estimate::Unknown`]
/// only when none of these can say.
pub fn estimate(
    balance: Decimal,
    running: &[RunningWorker],
    rates: Rates<'_>,
    now: DateTime<Utc>,
) -> Estimate {
    let workers = running.len();
    if balance <= Decimal::ZERO {
        return Estimate::Empty { workers };
    }

    if workers == 0 {
        let default_rate = |table: &PriceTable| {
            table
                .rate(&table.default_instance_type)
                .map(|rate| (table.default_instance_type.clone(), rate))
        };
        let priced = rates
            .platform
            .and_then(default_rate)
            .map(|found| (found, Basis::Prices))
            .or_else(|| {
                rates
                    .list
                    .and_then(default_rate)
                    .map(|found| (found, Basis::ListPrices))
            });
        let Some(((instance_type, rate), basis)) = priced else {
            return Estimate::Unknown { workers };
        };
        let remaining = remaining_time(balance, rate);
        return Estimate::NoneRunning {
            instance_type,
            credits_per_hour: rate,
            remaining,
            runs_out_at: later(now, remaining),
            basis,
        };
    }

    let chosen = rates
        .platform
        .and_then(|p| combined_rate(p, running))
        .map(|rate| (rate, Basis::Prices))
        .or_else(|| {
            rates
                .observed_per_hour
                .filter(|rate| *rate > Decimal::ZERO)
                .map(|rate| (rate, Basis::ObservedBurn))
        })
        .or_else(|| {
            rates
                .list
                .and_then(|list| list_rate(list, running))
                .map(|rate| (rate, Basis::ListPrices))
        });
    let Some((rate, basis)) = chosen else {
        return Estimate::Unknown { workers };
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

/// The running workers' rates at list prices, a type the list does not know (or no type)
/// counting at the default type's: the list is an assumption already, and a worker that
/// burns is never free.
fn list_rate(list: &PriceTable, running: &[RunningWorker]) -> Option<Decimal> {
    let fallback = list.rate(&list.default_instance_type)?;
    running.iter().try_fold(Decimal::ZERO, |sum, worker| {
        let rate = worker
            .instance_type
            .as_deref()
            .and_then(|t| list.rate(t))
            .unwrap_or(fallback);
        sum.checked_add(rate)
    })
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
    /// An idle account counts with its hypothetical worker: the level then matches the
    /// estimate on screen ("20 h of one worker" is low against a 24 h threshold).
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
mod tests;
