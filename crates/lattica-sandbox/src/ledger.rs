//! Continuous burn with lazy settlement.
//!
//! An account stores `(balance, settled_at)`. While workers are up the balance falls
//! continuously: `balance(now) = balance − rate × scale × (now − settled_at)`, where `rate` is
//! the sum of the running workers' credits per hour. Reads evaluate that formula without
//! touching anything; mutations first *settle* (store `balance(now)` and `settled_at = now`) so
//! the formula's inputs only change at a settlement.
//!
//! The stored balance keeps the full precision of `Decimal` (28 significant digits), so
//! settling often or rarely gives the same result; only what leaves the ledger is rounded,
//! toward zero at six fractional digits (a burning balance is never shown higher than it is).
//! The depletion instant is rounded up to the next millisecond: from that instant on the
//! balance is exactly 0 and every worker is stopped with `stoppedAt` equal to it.
//!
//! Restarts: the settled pair is persisted by every mutation, so it is always on disk. When the
//! sandbox starts again, the time it was down is burned as if the platform had kept running
//! (at the speed in force when it stopped), which is what a hosted platform would have done;
//! credits that ran out meanwhile stop the workers at the instant they ran out.

use chrono::Duration;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::credits;
use crate::domain::Account;
use crate::pricing;
use crate::time::Instant;

const MILLIS_PER_HOUR: i64 = 3_600_000;

/// What a settlement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// The balance was updated; workers keep running.
    Running,
    /// The balance hit zero and every running worker was stopped at this instant.
    Depleted(Instant),
}

impl Account {
    /// Credits per hour the running workers burn, times `scale` (saturating).
    pub fn burn_rate(&self, scale: Decimal) -> Decimal {
        let per_hour: Decimal = self
            .workers
            .iter()
            .filter(|w| w.is_up())
            .map(|w| pricing::credits_per_hour(&w.instance_type_id))
            .sum();
        per_hour.checked_mul(scale).unwrap_or(Decimal::MAX)
    }

    /// The balance at `now` as shown: never negative, at most six fractional digits.
    /// Pure: a read.
    pub fn balance_at(&self, scale: Decimal, now: Instant) -> Decimal {
        credits::normalize(self.exact_balance_at(scale, now))
    }

    /// The balance at `now` at full precision, never negative.
    fn exact_balance_at(&self, scale: Decimal, now: Instant) -> Decimal {
        let elapsed_ms = (now - self.settled_at).num_milliseconds().max(0);
        let burned = burned(self.burn_rate(scale), elapsed_ms);
        let left = self.balance.checked_sub(burned).unwrap_or(Decimal::ZERO);
        left.max(Decimal::ZERO)
    }

    /// The instant the balance reaches zero at the current burn, if it is burning at all.
    pub fn depletion_at(&self, scale: Decimal) -> Option<Instant> {
        let rate = self.burn_rate(scale);
        if rate <= Decimal::ZERO {
            return None;
        }
        let ms = self
            .balance
            .checked_mul(Decimal::from(MILLIS_PER_HOUR))?
            .checked_div(rate)?
            .ceil()
            .to_i64()?;
        self.settled_at
            .checked_add_signed(Duration::try_milliseconds(ms)?)
    }

    /// Moves the settlement to `now`, stopping every worker at the depletion instant if the
    /// balance ran out on the way. A clock that went backwards settles nothing.
    pub fn settle(&mut self, scale: Decimal, now: Instant) -> Settled {
        if now < self.settled_at {
            return Settled::Running;
        }
        match self.depletion_at(scale) {
            Some(depleted) if depleted <= now => {
                self.balance = Decimal::ZERO;
                self.settled_at = now;
                for worker in &mut self.workers {
                    worker.stop(depleted);
                }
                Settled::Depleted(depleted)
            }
            _ => {
                self.balance = self.exact_balance_at(scale, now);
                self.settled_at = now;
                Settled::Running
            }
        }
    }

    /// A copy settled to `now`, for reads that show workers (nothing is written).
    pub fn view_at(&self, scale: Decimal, now: Instant) -> Account {
        let mut view = self.clone();
        view.settle(scale, now);
        view
    }
}

/// Credits burned in `elapsed_ms` at `rate` per hour (saturating).
fn burned(rate: Decimal, elapsed_ms: i64) -> Decimal {
    rate.checked_mul(Decimal::from(elapsed_ms))
        .and_then(|total| total.checked_div(Decimal::from(MILLIS_PER_HOUR)))
        .unwrap_or(Decimal::MAX)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::domain::{Profile, Worker, WorkerStatus};
    use crate::time::from_millis;

    const T0: i64 = 1_790_000_000_000;

    fn at(ms: i64) -> Instant {
        from_millis(T0 + ms).unwrap()
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn worker(id: &str, instance: &str) -> Worker {
        Worker {
            worker_session_id: id.into(),
            model_id: "m".into(),
            instance_type_id: instance.into(),
            status: WorkerStatus::Up,
            started_at: at(0),
            stopped_at: None,
        }
    }

    fn account(balance: &str, workers: Vec<Worker>) -> Account {
        Account {
            profile: Profile {
                account_id: "a".into(),
                created_at: at(0),
                email: String::new(),
                company_name: String::new(),
                contact_name: String::new(),
                phone_number: String::new(),
            },
            balance: dec(balance),
            settled_at: at(0),
            models: vec![],
            workers,
        }
    }

    #[test]
    fn burns_per_hour_per_worker() {
        let a = account(
            "250",
            vec![worker("w1", "G4DN_XLARGE"), worker("w2", "G7E_2XLARGE")],
        );
        assert_eq!(a.burn_rate(Decimal::ONE), dec("6.0"));
        assert_eq!(a.balance_at(Decimal::ONE, at(MILLIS_PER_HOUR)), dec("244"));
        assert_eq!(a.balance_at(Decimal::ONE, at(1_000)), dec("249.998333"));
        assert_eq!(a.balance_at(Decimal::from(60), at(60_000)), dec("244"));
    }

    #[test]
    fn idle_accounts_and_zero_scale_do_not_burn() {
        let mut a = account("10", vec![]);
        assert_eq!(
            a.balance_at(Decimal::ONE, at(10 * MILLIS_PER_HOUR)),
            dec("10")
        );
        assert_eq!(a.depletion_at(Decimal::ONE), None);
        a.workers.push(worker("w", "G4DN_XLARGE"));
        assert_eq!(a.depletion_at(Decimal::ZERO), None);
    }

    #[test]
    fn depletion_stops_every_worker_at_that_instant() {
        // 1.2 credits at 1.2 per hour: one hour exactly.
        let mut a = account("1.2", vec![worker("w", "G4DN_XLARGE"), worker("x", "NONE")]);
        assert_eq!(a.depletion_at(Decimal::ONE), Some(at(MILLIS_PER_HOUR)));
        assert_eq!(
            a.settle(Decimal::ONE, at(MILLIS_PER_HOUR - 1)),
            Settled::Running
        );
        assert!(a.balance > Decimal::ZERO);
        let later = at(2 * MILLIS_PER_HOUR);
        assert_eq!(
            a.settle(Decimal::ONE, later),
            Settled::Depleted(at(MILLIS_PER_HOUR))
        );
        assert_eq!(a.balance, Decimal::ZERO);
        assert_eq!(a.settled_at, later);
        assert!(
            a.workers
                .iter()
                .all(|w| w.stopped_at == Some(at(MILLIS_PER_HOUR)))
        );
        assert!(a.workers.iter().all(|w| w.status == WorkerStatus::Stopped));
        assert_eq!(
            a.balance_at(Decimal::ONE, at(3 * MILLIS_PER_HOUR)),
            Decimal::ZERO
        );
    }

    #[test]
    fn depletion_rounds_up_to_the_next_millisecond() {
        // 1 credit at 1.2 per hour lasts 3,000,000 ms; 1.000001 lasts 3,000,003 ms (rounded up).
        let a = account("1.000001", vec![worker("w", "G4DN_XLARGE")]);
        assert_eq!(a.depletion_at(Decimal::ONE), Some(at(3_000_003)));
        assert_eq!(a.balance_at(Decimal::ONE, at(3_000_003)), Decimal::ZERO);
    }

    #[test]
    fn zero_balance_with_running_workers_stops_them_now() {
        let mut a = account("0", vec![worker("w", "G4DN_XLARGE")]);
        assert_eq!(a.settle(Decimal::ONE, at(0)), Settled::Depleted(at(0)));
    }

    #[test]
    fn settling_often_matches_settling_once() {
        let mut often = account("250", vec![worker("w", "G7E_2XLARGE")]);
        let once = often.clone();
        for step in 1..=1000 {
            often.settle(Decimal::ONE, at(step * 1_234));
        }
        let end = at(1000 * 1_234);
        assert_eq!(
            often.balance_at(Decimal::ONE, end),
            once.balance_at(Decimal::ONE, end)
        );
        assert!((often.balance - once.exact_balance_at(Decimal::ONE, end)).abs() < dec("1e-15"));
    }

    #[test]
    fn a_backwards_clock_settles_nothing() {
        let mut a = account("5", vec![worker("w", "G4DN_XLARGE")]);
        a.settled_at = at(1000);
        assert_eq!(a.settle(Decimal::ONE, at(0)), Settled::Running);
        assert_eq!(a.balance, dec("5"));
        assert_eq!(a.balance_at(Decimal::ONE, at(0)), dec("5"));
    }

    #[test]
    fn huge_scales_saturate_instead_of_panicking() {
        let a = account("250", vec![worker("w", "G4DN_XLARGE")]);
        let scale = Decimal::MAX;
        assert_eq!(a.balance_at(scale, at(1)), Decimal::ZERO);
        let mut b = a.clone();
        assert!(matches!(b.settle(scale, at(1)), Settled::Depleted(_)));
    }
}
