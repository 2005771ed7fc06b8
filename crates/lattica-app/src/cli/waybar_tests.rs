use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use lattica_core::settings::Settings;
use lattica_core::view::{Connection, LastPayment, Session, SignOutReason, Snapshot};
use rust_decimal::Decimal;
use serde_json::Value;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

fn snapshot(balance: &str, fetched_at: DateTime<Utc>) -> Snapshot {
    Snapshot {
        fetched_at,
        balance: balance.parse().unwrap(),
        running: Vec::new(),
        prices: None,
        last_payment: None,
        token_expires_at: None,
        payments_api: true,
        email: None,
    }
}

fn input<'a>(
    session: Session,
    connection: &'a Connection,
    snapshot: Option<&'a Snapshot>,
    settings: &'a Settings,
) -> ViewInput<'a, Utc> {
    ViewInput {
        session,
        connection,
        snapshot,
        history: &[],
        observed_burn_per_hour: None,
        settings,
        refreshing: false,
        keychain_problem: None,
        credits_added: None,
        watching_for_credits: false,
        set_aside: &[],
        now: now(),
        tz: &Utc,
    }
}

/// The line, checked to be one line of JSON with exactly waybar's fields, parsed.
fn parsed(line: &str) -> Value {
    assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
    assert!(!line.chars().any(char::is_control), "{line:?}");
    let value: Value = serde_json::from_str(line).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["text", "tooltip", "class", "alt"], "{line}");
    assert_eq!(value["class"], value["alt"]);
    value
}

#[test]
fn fresh_figures_show_the_tray_label_and_the_menu_rows() {
    let settings = Settings::default();
    let data = snapshot("1234.5", now() - TimeDelta::seconds(30));
    let line = line(&input(
        Session::SignedIn,
        &Connection::Connected,
        Some(&data),
        &settings,
    ));
    let value = parsed(&line);
    assert_eq!(value["text"], "1.2k cr");
    assert_eq!(value["class"], "ok");
    let tooltip = value["tooltip"].as_str().unwrap();
    let rows: Vec<&str> = tooltip.split('\n').collect();
    assert_eq!(rows[0], "Balance: 1,234.50 credits", "{tooltip}");
    assert!(rows[1].starts_with("Estimated usage time: "), "{tooltip}");
    assert_eq!(rows[2], "Last payment: none", "{tooltip}");
    assert_eq!(rows[3], "Updated at 11:59", "{tooltip}");
}

#[test]
fn an_empty_account_has_its_class() {
    let settings = Settings::default();
    let data = snapshot("0", now());
    let line = line(&input(
        Session::SignedIn,
        &Connection::Connected,
        Some(&data),
        &settings,
    ));
    let value = parsed(&line);
    assert_eq!(value["text"], "0 cr");
    assert_eq!(value["class"], "empty");
}

#[test]
fn unreachable_keeps_the_figures_and_says_since_when() {
    let settings = Settings::default();
    let data = snapshot("42", now() - TimeDelta::minutes(5));
    let offline = Connection::Failed {
        message: "cannot reach the platform".into(),
        offline: true,
    };
    let value = parsed(&line(&input(
        Session::SignedIn,
        &offline,
        Some(&data),
        &settings,
    )));
    assert_eq!(value["text"], "42 cr", "the last figures stay");
    assert_eq!(value["class"], "stale");
    let tooltip = value["tooltip"].as_str().unwrap();
    assert!(
        tooltip.starts_with("Balance: 42.00 credits (as of 5 min ago)"),
        "{tooltip}"
    );
    assert!(
        tooltip.ends_with("Offline: can't reach Lattica. Figures from 5 min ago."),
        "{tooltip}"
    );
}

#[test]
fn signed_out_says_so_and_what_to_do() {
    let settings = Settings::default();
    let session = Session::SignedOut {
        reason: SignOutReason::NoToken,
    };
    let value = parsed(&line(&input(
        session,
        &Connection::Connecting,
        None,
        &settings,
    )));
    assert_eq!(value["text"], "signed out");
    assert_eq!(value["class"], "signed-out");
    let tooltip = value["tooltip"].as_str().unwrap();
    assert!(tooltip.contains("not signed in"), "{tooltip}");
    assert!(
        tooltip.contains("Sign in with the session token"),
        "{tooltip}"
    );
}

#[test]
fn no_figures_and_no_platform_is_an_error() {
    let settings = Settings::default();
    let failed = Connection::Failed {
        message: "platform error (HTTP 503)".into(),
        offline: false,
    };
    let value = parsed(&line(&input(Session::SignedIn, &failed, None, &settings)));
    assert_eq!(value["class"], "error");
    assert_eq!(value["text"], "—");
    let tooltip = value["tooltip"].as_str().unwrap();
    assert!(tooltip.contains("no balance yet"), "{tooltip}");
}

#[test]
fn server_text_and_markup_stay_inert_on_one_line() {
    let settings = Settings::default();
    let mut data = snapshot("0.05", now());
    data.last_payment = Some(LastPayment {
        at: now() - TimeDelta::days(2),
        credits: Decimal::from(5),
        amount_minor: 500,
        currency: "<b>x</b>&\u{1b}]0;pwned\u{7}\n\u{9b}31m\u{202e}".into(),
    });
    let line = line(&input(
        Session::SignedIn,
        &Connection::Connected,
        Some(&data),
        &settings,
    ));
    let value = parsed(&line);
    assert_eq!(value["text"], "&lt;0.1 cr", "Pango markup escaped");
    let tooltip = value["tooltip"].as_str().unwrap();
    assert_eq!(tooltip.split('\n').count(), 4, "{tooltip:?}");
    let payment = tooltip.split('\n').nth(2).unwrap();
    assert!(payment.contains("&lt;B&gt;X&lt;/B&gt;&amp;"), "{payment:?}");
    assert!(
        !payment.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "{payment:?}"
    );
    assert!(!tooltip.contains('<'), "{tooltip:?}");
}

#[test]
fn every_state_has_a_class_of_its_own() {
    let classes: HashSet<&str> = TrayState::ALL.into_iter().map(class).collect();
    assert_eq!(classes.len(), TrayState::ALL.len());
    assert!(classes.contains("signed-out"));
}
