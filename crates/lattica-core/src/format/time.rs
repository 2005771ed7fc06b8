//! Durations, ages and moments as text.
//!
//! Durations and ages are measured in elapsed time and floored; moments are shown in the
//! caller's time zone, compared by calendar day.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Timelike, Utc};

use super::count;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// An estimated duration: `less than a minute`, `about 45 min`, `about 3 h 10 min`,
/// `about 2 d 5 h`, `more than a year`.
///
/// Two units at most, the smaller one floored, because an estimate is not more precise than
/// that; a negative duration counts as none.
pub fn approx_duration(duration: TimeDelta) -> String {
    let minutes = duration.num_minutes();
    let (hours, days) = (duration.num_hours(), duration.num_days());
    if minutes < 1 {
        "less than a minute".to_owned()
    } else if hours < 1 {
        format!("about {minutes} min")
    } else if days < 1 {
        with_rest(format!("about {hours} h"), minutes % 60, "min")
    } else if days < 365 {
        with_rest(format!("about {days} d"), hours % 24, "h")
    } else {
        "more than a year".to_owned()
    }
}

fn with_rest(head: String, rest: i64, unit: &str) -> String {
    if rest == 0 {
        head
    } else {
        format!("{head} {rest} {unit}")
    }
}

/// How long ago `then` was: `just now`, `12 s ago`, `5 min ago`, `3 h ago`, `yesterday` (24 to
/// 48 hours), `4 days ago`, `2 months ago` (30-day months), `1 year ago`. A `then` in the
/// future (a clock ahead of ours) is `just now`.
pub fn ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let elapsed = now - then;
    let (seconds, days) = (elapsed.num_seconds(), elapsed.num_days());
    if seconds < 1 {
        "just now".to_owned()
    } else if seconds < 60 {
        format!("{seconds} s ago")
    } else if elapsed.num_minutes() < 60 {
        format!("{} min ago", elapsed.num_minutes())
    } else if elapsed.num_hours() < 24 {
        format!("{} h ago", elapsed.num_hours())
    } else if days < 2 {
        "yesterday".to_owned()
    } else if days < 60 {
        format!("{days} days ago")
    } else if days < 365 {
        format!("{} ago", count(days / 30, "month", "months"))
    } else {
        format!("{} ago", count(days / 365, "year", "years"))
    }
}

/// How far ahead `at` is: `in less than a minute`, `in 20 min`, `in 5 h`, `in 3 days`;
/// `now` when it has passed.
pub fn in_time(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = at - now;
    if left <= TimeDelta::zero() {
        "now".to_owned()
    } else if left.num_minutes() < 1 {
        "in less than a minute".to_owned()
    } else if left.num_hours() < 1 {
        format!("in {} min", left.num_minutes())
    } else if left.num_days() < 1 {
        format!("in {} h", left.num_hours())
    } else {
        format!("in {}", count(left.num_days(), "day", "days"))
    }
}

/// A calendar date: `Nov 3, 2026`.
pub fn date<Tz: TimeZone>(at: DateTime<Utc>, tz: &Tz) -> String {
    long_date(at.with_timezone(tz).date_naive())
}

fn long_date(day: NaiveDate) -> String {
    format!("{}, {}", month_day(day), day.year())
}

fn month_day(day: NaiveDate) -> String {
    // `month0()` is 0..=11 by construction; `get` keeps that an invariant, not a panic.
    let month = MONTHS.get(day.month0() as usize).copied().unwrap_or("");
    format!("{month} {}", day.day())
}

/// A moment in the near future, as precise as its distance deserves: `today 14:20`,
/// `tomorrow 09:05`, `Tue 14:20` within the week, `Dec 3` this year, `Jan 5, 2027` after.
/// Days are calendar days in `tz`.
pub fn day_and_time<Tz: TimeZone>(at: DateTime<Utc>, now: DateTime<Utc>, tz: &Tz) -> String {
    let local = at.with_timezone(tz);
    let day = local.date_naive();
    let today = now.with_timezone(tz).date_naive();
    let clock = format!("{:02}:{:02}", local.hour(), local.minute());
    match (day - today).num_days() {
        0 => format!("today {clock}"),
        1 => format!("tomorrow {clock}"),
        2..=6 => {
            let weekday = WEEKDAYS
                .get(local.weekday().num_days_from_monday() as usize)
                .copied()
                .unwrap_or("");
            format!("{weekday} {clock}")
        }
        _ if day.year() == today.year() => month_day(day),
        _ => long_date(day),
    }
}

/// When figures were read: `Updated at 14:05` the same calendar day in `tz`, with the date
/// before that (`Updated Dec 5 at 23:58`, `Updated Dec 5, 2025 at 23:58`), so figures from
/// before an overnight outage never read as today's.
pub fn updated_at<Tz: TimeZone>(at: DateTime<Utc>, now: DateTime<Utc>, tz: &Tz) -> String {
    let local = at.with_timezone(tz);
    let day = local.date_naive();
    let today = now.with_timezone(tz).date_naive();
    let clock = format!("{:02}:{:02}", local.hour(), local.minute());
    if day == today {
        format!("Updated at {clock}")
    } else if day.year() == today.year() {
        format!("Updated {} at {clock}", month_day(day))
    } else {
        format!("Updated {} at {clock}", long_date(day))
    }
}

/// `Runs out around Tue 14:20`: see [`day_and_time`].
pub fn runs_out_around<Tz: TimeZone>(at: DateTime<Utc>, now: DateTime<Utc>, tz: &Tz) -> String {
    format!("Runs out around {}", day_and_time(at, now, tz))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn secs(s: i64) -> TimeDelta {
        TimeDelta::seconds(s)
    }

    #[test]
    fn approx_duration_boundaries() {
        let cases = [
            (-5, "less than a minute"),
            (0, "less than a minute"),
            (59, "less than a minute"),
            (60, "about 1 min"),
            (45 * 60 + 59, "about 45 min"),
            (3_599, "about 59 min"),
            (3_600, "about 1 h"),
            (3 * 3_600 + 10 * 60 + 30, "about 3 h 10 min"),
            (86_399, "about 23 h 59 min"),
            (86_400, "about 1 d"),
            (2 * 86_400 + 5 * 3_600 + 59 * 60, "about 2 d 5 h"),
            (364 * 86_400 + 23 * 3_600, "about 364 d 23 h"),
            (365 * 86_400, "more than a year"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(approx_duration(secs(seconds)), expected, "{seconds} s");
        }
    }

    #[test]
    fn ago_boundaries() {
        let now = utc(2026, 11, 26, 12, 0, 0);
        let cases = [
            (-30, "just now"),
            (0, "just now"),
            (1, "1 s ago"),
            (12, "12 s ago"),
            (59, "59 s ago"),
            (60, "1 min ago"),
            (5 * 60 + 59, "5 min ago"),
            (3_599, "59 min ago"),
            (3_600, "1 h ago"),
            (86_399, "23 h ago"),
            (86_400, "yesterday"),
            (2 * 86_400 - 1, "yesterday"),
            (2 * 86_400, "2 days ago"),
            (4 * 86_400 + 7, "4 days ago"),
            (59 * 86_400, "59 days ago"),
            (60 * 86_400, "2 months ago"),
            (364 * 86_400, "12 months ago"),
            (365 * 86_400, "1 year ago"),
            (800 * 86_400, "2 years ago"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(ago(now - secs(seconds), now), expected, "{seconds} s");
        }
    }

    #[test]
    fn in_time_boundaries() {
        let now = utc(2026, 11, 26, 12, 0, 0);
        let cases = [
            (-1, "now"),
            (0, "now"),
            (59, "in less than a minute"),
            (60, "in 1 min"),
            (3_599, "in 59 min"),
            (3_600, "in 1 h"),
            (86_399, "in 23 h"),
            (86_400, "in 1 day"),
            (3 * 86_400 + 1, "in 3 days"),
        ];
        for (seconds, expected) in cases {
            assert_eq!(in_time(now + secs(seconds), now), expected, "{seconds} s");
        }
    }

    #[test]
    fn dates_use_the_given_zone() {
        let at = utc(2026, 11, 3, 23, 30, 0);
        assert_eq!(date(at, &Utc), "Nov 3, 2026");
        let tokyo = FixedOffset::east_opt(9 * 3_600).unwrap();
        assert_eq!(date(at, &tokyo), "Nov 4, 2026");
        let new_york = FixedOffset::west_opt(5 * 3_600).unwrap();
        assert_eq!(date(utc(2027, 1, 1, 2, 0, 0), &new_york), "Dec 31, 2026");
    }

    #[test]
    fn day_and_time_by_calendar_distance() {
        // Thursday 2026-11-26, 12:00 UTC.
        let now = utc(2026, 11, 26, 12, 0, 0);
        let cases = [
            (utc(2026, 11, 26, 14, 20, 59), "today 14:20"),
            (utc(2026, 11, 26, 23, 59, 0), "today 23:59"),
            (utc(2026, 11, 27, 0, 0, 0), "tomorrow 00:00"),
            (utc(2026, 11, 27, 9, 5, 0), "tomorrow 09:05"),
            (utc(2026, 11, 28, 9, 5, 0), "Sat 09:05"),
            (utc(2026, 12, 1, 14, 20, 0), "Tue 14:20"),
            (utc(2026, 12, 2, 23, 59, 0), "Wed 23:59"),
            (utc(2026, 12, 3, 0, 0, 0), "Dec 3"),
            (utc(2027, 1, 5, 8, 0, 0), "Jan 5, 2027"),
            (utc(2026, 11, 20, 8, 0, 0), "Nov 20"),
        ];
        for (at, expected) in cases {
            assert_eq!(day_and_time(at, now, &Utc), expected, "{at}");
        }
    }

    #[test]
    fn updated_at_names_the_day_unless_it_is_today() {
        let now = utc(2026, 12, 6, 8, 30, 0);
        assert_eq!(
            updated_at(utc(2026, 12, 6, 0, 5, 0), now, &Utc),
            "Updated at 00:05"
        );
        assert_eq!(
            updated_at(utc(2026, 12, 5, 23, 58, 0), now, &Utc),
            "Updated Dec 5 at 23:58"
        );
        assert_eq!(
            updated_at(utc(2025, 12, 31, 23, 58, 0), now, &Utc),
            "Updated Dec 31, 2025 at 23:58"
        );
        // Local days: 23:58 UTC on Dec 5 is already 08:58 on Dec 6 in Tokyo.
        let tokyo = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(
            updated_at(utc(2026, 12, 5, 23, 58, 0), now, &tokyo),
            "Updated at 08:58"
        );
    }

    #[test]
    fn day_and_time_counts_local_days() {
        // 23:00 UTC on Nov 26 is already 08:00 on Nov 27 in Tokyo, where it is now 21:00.
        let now = utc(2026, 11, 26, 12, 0, 0);
        let tokyo = FixedOffset::east_opt(9 * 3_600).unwrap();
        assert_eq!(
            day_and_time(utc(2026, 11, 26, 23, 0, 0), now, &tokyo),
            "tomorrow 08:00"
        );
        assert_eq!(
            runs_out_around(utc(2026, 11, 26, 14, 0, 0), now, &tokyo),
            "Runs out around today 23:00"
        );
    }
}
