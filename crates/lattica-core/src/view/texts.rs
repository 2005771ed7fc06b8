//! Sentences shared by the tray and the popover, so both say the same thing the same way.

use chrono::{DateTime, TimeZone, Utc};

use super::{Connection, LastPayment, Session, SignOutReason};
use crate::estimate::{Basis, Estimate};
use crate::format;

/// The estimated usage time as of `now`: `about 3 h 10 min`, `unknown`, `none left`.
pub(super) fn estimate(estimate: &Estimate, now: DateTime<Utc>) -> String {
    match estimate {
        Estimate::Empty { .. } => "none left".to_owned(),
        Estimate::Unknown { .. } => "unknown".to_owned(),
        other => other
            .remaining_at(now)
            .map_or_else(|| "unknown".to_owned(), format::approx_duration),
    }
}

/// What the estimate is about: `4 workers running`, or for an idle account
/// `No workers running: 1 G4DN_XLARGE worker would run about 20 h`.
pub(super) fn workers(estimate: &Estimate) -> String {
    match estimate {
        Estimate::NoneRunning {
            instance_type,
            remaining,
            ..
        } => format!(
            "No workers running: 1 {instance_type} worker would run {}",
            format::approx_duration(*remaining)
        ),
        other => match other.workers() {
            0 => "No workers running".to_owned(),
            1 => "1 worker running".to_owned(),
            n => format!("{n} workers running"),
        },
    }
}

/// Why the estimate is only an approximation, or why there is none.
pub(super) fn estimate_note(estimate: &Estimate) -> String {
    match estimate {
        Estimate::Running {
            basis: Basis::Prices,
            ..
        } => "Approximate: assumes the running workers keep running at their instance \
              types' hourly prices."
            .to_owned(),
        Estimate::Running {
            basis: Basis::ObservedBurn,
            ..
        } => "Approximate: based on how fast the balance fell recently.".to_owned(),
        Estimate::Running {
            basis: Basis::ListPrices,
            ..
        } => format!(
            "Approximate: assumes the running workers keep running at assumed list prices \
             (Lattica publishes none; adjust them in Settings) until the app has seen your \
             usage for {} minutes.",
            crate::history::MIN_BURN_SPAN.num_minutes()
        ),
        Estimate::NoneRunning {
            basis: Basis::ListPrices,
            ..
        } => "Approximate: how long one worker of the default instance type would run, at an \
              assumed list price."
            .to_owned(),
        Estimate::NoneRunning { .. } => {
            "Approximate: how long one worker of the default instance type would run.".to_owned()
        }
        Estimate::Unknown { .. } => {
            "Not enough information yet: no prices and no recent usage to go on.".to_owned()
        }
        Estimate::Empty { .. } => "Add credit to run workers again.".to_owned(),
    }
}

/// The words of every "Add credit" entry point: the wizard, or the web console where the
/// platform takes no payments through its API.
pub fn add_credit(payments_api: bool) -> &'static str {
    if payments_api {
        "Add credit…"
    } else {
        "Add credit in the web console…"
    }
}

/// The tray menu's session row.
pub fn session_row(signed_in: bool) -> &'static str {
    if signed_in { "Sign out" } else { "Sign in…" }
}

/// Which rate the estimate rests on, as the popover says it beside the figure.
pub(super) fn basis(estimate: &Estimate) -> Option<&'static str> {
    match estimate {
        Estimate::Running { basis, .. } | Estimate::NoneRunning { basis, .. } => {
            Some(match basis {
                Basis::Prices => "at platform prices",
                Basis::ObservedBurn => "at your observed usage",
                Basis::ListPrices => "at list prices",
            })
        }
        Estimate::Unknown { .. } | Estimate::Empty { .. } => None,
    }
}

/// The last payment for a single line: `3 days ago, $100.00 (100.00 credits)`.
pub(super) fn last_payment(payment: &LastPayment, now: DateTime<Utc>) -> String {
    format!(
        "{}, {} ({} credits)",
        format::ago(payment.at, now),
        format::money(payment.amount_minor, &payment.currency),
        format::credits(payment.credits)
    )
}

/// Why the user is signed out and what to do about it.
/// Why the sign-in window asks again, when the platform ended the session.
pub fn sign_in_reason(session: Session) -> Option<&'static str> {
    match session {
        Session::SignedOut {
            reason: SignOutReason::Expired,
        } => Some("Signed out: session expired. Paste the new token from your Lattica email."),
        Session::SignedOut {
            reason: SignOutReason::Revoked,
        } => Some("Signed out: the platform no longer accepts the stored session token."),
        _ => None,
    }
}

/// What the sign-in window says while an account is signed in on `platform` (its address, or
/// "the local sandbox (…)"): which account a new token replaces. Control characters from the
/// platform's answer are left out.
pub fn signed_in_account(email: Option<&str>, platform: &str) -> String {
    match clean_email(email) {
        Some(email) => {
            format!("Signed in as {email} on {platform}. Signing in here replaces this account.")
        }
        None => format!(
            "Signed in on {platform} (the account's e-mail is not known yet). Signing in here \
             replaces this account."
        ),
    }
}

/// The settings window's account line: who is signed in where, or that nobody is.
pub fn account_line(signed_in: bool, email: Option<&str>, platform: &str) -> String {
    match (signed_in, clean_email(email)) {
        (false, _) => format!("Signed out ({platform})."),
        (true, Some(email)) => format!("Signed in as {email} on {platform}."),
        (true, None) => format!("Signed in on {platform}."),
    }
}

/// The e-mail as the platform sent it, without control characters; `None` when blank.
fn clean_email(email: Option<&str>) -> Option<String> {
    email
        .map(|e| e.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|e| !e.trim().is_empty())
}

pub(super) fn signed_out(reason: SignOutReason) -> String {
    match reason {
        SignOutReason::Expired => {
            "Your session token has expired. Sign in with the new token from your Lattica email."
        }
        SignOutReason::Revoked => {
            "Your session token was revoked. Sign in with a new token from your Lattica email."
        }
        SignOutReason::NoToken => "Sign in with the session token from your Lattica email.",
        SignOutReason::SignedOut => {
            "You are signed out. Sign in with your session token to see your balance."
        }
    }
    .to_owned()
}

/// The signed-out state in a few words, for the tray menu and tooltip: `signed out (session
/// token expired)`, `not signed in`.
pub(super) fn signed_out_short(reason: SignOutReason) -> &'static str {
    match reason {
        SignOutReason::Expired => "signed out (session token expired)",
        SignOutReason::Revoked => "signed out (session token revoked)",
        SignOutReason::NoToken | SignOutReason::SignedOut => "not signed in",
    }
}

/// Why the latest refresh failed, or `None` if it did not.
pub(super) fn failure(connection: &Connection) -> Option<String> {
    match connection {
        Connection::Failed { offline: true, .. } => Some("Offline: can't reach Lattica.".into()),
        Connection::Failed { message, .. } => Some(format!("Refresh failed: {message}")),
        Connection::Connecting | Connection::Connected => None,
    }
}

/// `Runs out around Tue 14:20` while workers run; nothing otherwise (an idle account does not
/// run out, an empty one already has).
pub(super) fn runs_out<Tz: TimeZone>(
    estimate: &Estimate,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Option<String> {
    match estimate {
        Estimate::Running { runs_out_at, .. } => {
            Some(format::runs_out_around(*runs_out_at, now, tz))
        }
        _ => None,
    }
}
