//! Balance readings: levels, confirmation, hysteresis and top-ups.

use rust_decimal::Decimal;

use super::{AlertKind, AlertPolicy, AlertState, Notification, Reading, text};
use crate::level::{Level, Threshold, Thresholds};

/// The levels that notify, shallowest first.
const ALERT_LEVELS: [Level; 3] = [Level::Low, Level::Critical, Level::Empty];

impl AlertPolicy {
    /// Takes one balance reading; returns the notifications to show (none or one).
    pub fn on_reading(
        &self,
        state: &mut AlertState,
        reading: &Reading,
        thresholds: &Thresholds,
    ) -> Vec<Notification> {
        let level = thresholds.level(reading.balance, reading.hours_left);

        if reading.first_after_start {
            // Readings from before the restart may be days old: confirmation starts over.
            state.streak = Default::default();
        }
        if let Some(previous) = state.last_balance
            && self.is_top_up(previous, reading.balance)
        {
            rearm_all(state);
        }
        state.last_balance = Some(reading.balance);
        for alert_level in ALERT_LEVELS {
            if self.is_clear_of(alert_level, reading, thresholds) {
                state.spent.remove(&alert_level);
            }
        }
        state.streak.count(level);

        let confirmed = if reading.first_after_start {
            // At launch a critical or empty account is worth telling at once.
            level
        } else {
            self.confirmed_level(state, level)
        };
        if confirmed == Level::Ok || state.spent.contains(&confirmed) {
            return Vec::new();
        }
        if reading.first_after_start && confirmed == Level::Low {
            // Low at launch is shown by the tray icon only; it counts as told.
            state.spent.insert(Level::Low);
            return Vec::new();
        }
        if confirmed != Level::Empty && state.snoozed_until(reading.at).is_some() {
            return Vec::new();
        }

        let kind = match confirmed {
            Level::Ok | Level::Low => AlertKind::BalanceLow,
            Level::Critical => AlertKind::BalanceCritical,
            Level::Empty => AlertKind::BalanceEmpty,
        };
        let emitted = self.emit(state, kind, reading.at, || {
            text::balance(confirmed, reading)
        });
        if !emitted.told() {
            return Vec::new();
        }
        // The deeper alert covers the shallower ones: an ok → critical drop is one crossing.
        state
            .spent
            .extend(ALERT_LEVELS.into_iter().filter(|l| *l <= confirmed));
        emitted.shown().into_iter().collect()
    }

    /// Re-arms every balance alert; call after credit was added by any means the readings
    /// may not show as a clear rise (a successful payment does this itself).
    pub fn on_top_up(&self, state: &mut AlertState) {
        rearm_all(state);
    }

    /// The deepest level the recent readings agree on.
    fn confirmed_level(&self, state: &AlertState, level: Level) -> Level {
        let needed = self.config.confirmations.max(1);
        if level == Level::Empty {
            Level::Empty
        } else if state.streak.critical >= needed {
            Level::Critical
        } else if state.streak.low >= needed {
            Level::Low
        } else {
            Level::Ok
        }
    }

    /// A rise of more than the margin over the previous balance (any rise from zero or less).
    fn is_top_up(&self, previous: Decimal, balance: Decimal) -> bool {
        let Some(rise) = balance.checked_sub(previous) else {
            return false;
        };
        if previous <= Decimal::ZERO {
            return rise > Decimal::ZERO;
        }
        previous
            .checked_mul(self.config.rearm_margin)
            .is_some_and(|margin| rise > margin)
    }

    /// Whether the reading is above `level`'s threshold plus the margin. With an hours
    /// threshold and no estimate it is not: nothing says the usage time has recovered.
    fn is_clear_of(&self, level: Level, reading: &Reading, thresholds: &Thresholds) -> bool {
        if reading.balance <= Decimal::ZERO {
            return false;
        }
        let threshold = match level {
            Level::Ok | Level::Empty => return true,
            Level::Low => thresholds.low,
            Level::Critical => thresholds.critical,
        };
        let widen = |limit: Decimal| limit.checked_mul(Decimal::ONE + self.config.rearm_margin);
        match threshold {
            Threshold::Credits(limit) => widen(limit).is_some_and(|w| reading.balance > w),
            Threshold::Hours(limit) => match (widen(limit), reading.hours_left) {
                (Some(w), Some(hours)) => hours > w,
                _ => false,
            },
        }
    }
}

fn rearm_all(state: &mut AlertState) {
    state.spent.clear();
    state.streak = Default::default();
}
