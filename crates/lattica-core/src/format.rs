//! Every text the app shows for a number, an amount of money, a duration or a moment.
//!
//! All functions are pure: the current time and the time zone are parameters, so the output
//! is deterministic and tested. Amounts are rounded toward zero, never up, so the app never
//! shows more credits, money or time than there is; durations and ages are likewise floored.

mod number;
mod time;

pub use number::{compact_credits, credits, money};
pub use time::{ago, approx_duration, date, day_and_time, in_time, runs_out_around, updated_at};

/// `n` followed by the singular or plural form of a unit.
fn count(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}
