//! The words of each notification: say what happened and, for the balance, how long it lasts.

use chrono::TimeDelta;
use rust_decimal::{Decimal, RoundingStrategy};

use super::{Action, ActionId, AlertKind, Notification, Reading, Urgency};
use crate::level::Level;

/// Credits with at most two decimals and no trailing zeros ("12.4", "3", "0.05"), cut
/// toward zero so a notification never promises credit that is not there.
pub(super) fn credits(amount: Decimal) -> String {
    let shown = amount
        .round_dp_with_strategy(2, RoundingStrategy::ToZero)
        .normalize();
    let unit = if shown == Decimal::ONE {
        "credit"
    } else {
        "credits"
    };
    format!("{shown} {unit}")
}

/// The notification for a confirmed balance `level` (not [`Level::Ok`]).
pub(super) fn balance(level: Level, reading: &Reading) -> Notification {
    let left = match &reading.estimate_text {
        Some(estimate) => format!("{} left, {estimate}", credits(reading.balance)),
        None => format!("{} left", credits(reading.balance)),
    };
    let snooze_and_add = || {
        vec![
            add_credit(),
            action(ActionId::SnoozeHour, "Snooze 1 hour"),
            action(ActionId::SnoozeUntilTomorrow, "Snooze until tomorrow"),
        ]
    };
    match level {
        Level::Ok | Level::Low => Notification {
            kind: AlertKind::BalanceLow,
            title: "Lattica credits low".to_owned(),
            body: left,
            actions: snooze_and_add(),
            urgency: Urgency::Normal,
        },
        Level::Critical => Notification {
            kind: AlertKind::BalanceCritical,
            title: "Lattica credits critically low".to_owned(),
            body: left,
            actions: snooze_and_add(),
            urgency: Urgency::Critical,
        },
        Level::Empty => Notification {
            kind: AlertKind::BalanceEmpty,
            title: "Lattica credits empty".to_owned(),
            body: "Credits ran out: all workers stopped".to_owned(),
            actions: vec![add_credit()],
            urgency: Urgency::Critical,
        },
    }
}

/// A token warning, `left` being the time until expiry (zero or less once expired).
pub(super) fn token(kind: AlertKind, left: TimeDelta) -> Notification {
    let (title, urgency) = match kind {
        AlertKind::TokenExpired => (
            "Lattica session token expired".to_owned(),
            Urgency::Critical,
        ),
        _ => (
            format!("Lattica session token expires {}", in_time(left)),
            Urgency::Normal,
        ),
    };
    let body = if kind == AlertKind::TokenExpired {
        "The tray cannot read your balance until you paste the new token from your email."
    } else {
        "Paste the new token from your email to keep the tray up to date."
    };
    Notification {
        kind,
        title,
        body: body.to_owned(),
        actions: vec![action(ActionId::UpdateToken, "Update token")],
        urgency,
    }
}

pub(super) fn payment_succeeded(added: Decimal) -> Notification {
    Notification {
        kind: AlertKind::PaymentSucceeded,
        title: "Payment received".to_owned(),
        body: format!("{} added to your Lattica account", credits(added)),
        actions: Vec::new(),
        urgency: Urgency::Low,
    }
}

pub(super) fn credits_added(added: Decimal, balance: Decimal) -> Notification {
    Notification {
        kind: AlertKind::CreditsAdded,
        title: format!("Credits added: +{}", credits(added)),
        body: format!("Balance now {}", credits(balance)),
        actions: Vec::new(),
        urgency: Urgency::Low,
    }
}

pub(super) fn payment_failed(reason: &str) -> Notification {
    let reason = reason.trim().trim_end_matches('.');
    let body = if reason.is_empty() {
        "No credit was added".to_owned()
    } else {
        format!("{reason}. No credit was added")
    };
    Notification {
        kind: AlertKind::PaymentFailed,
        title: "Payment failed".to_owned(),
        body,
        actions: vec![action(ActionId::AddCredit, "Try again")],
        urgency: Urgency::Normal,
    }
}

/// What "Send a test notification" shows: a low-balance alert's look, said to be a test.
pub(super) fn test() -> Notification {
    Notification {
        kind: AlertKind::Test,
        title: "Lattica Tray test notification".to_owned(),
        body: "Alerts about your credits, your session token and payments look like this."
            .to_owned(),
        actions: vec![add_credit()],
        urgency: Urgency::Normal,
    }
}

/// "in 6 days", "in 1 day", "in 5 hours", "in 1 hour": whole units, rounded down for days
/// (6.5 days is still "in 6 days") and up for hours (20 minutes is "in 1 hour").
fn in_time(left: TimeDelta) -> String {
    let days = left.num_days();
    if days >= 2 {
        return format!("in {days} days");
    }
    if days == 1 {
        return "in 1 day".to_owned();
    }
    let hours = (left.num_minutes() + 59) / 60;
    if hours <= 1 {
        "in 1 hour".to_owned()
    } else {
        format!("in {hours} hours")
    }
}

fn add_credit() -> Action {
    action(ActionId::AddCredit, "Add credit")
}

fn action(id: ActionId, label: &str) -> Action {
    Action {
        id,
        label: label.to_owned(),
    }
}
