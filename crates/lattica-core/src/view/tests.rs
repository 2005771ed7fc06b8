//! Tests of the tray and popover views built from whole inputs.

use std::collections::BTreeMap;

use chrono::{FixedOffset, TimeDelta, TimeZone};

use super::*;
use crate::settings::SettingsForm;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Thursday 2026-11-26 12:00 UTC.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

fn prices() -> PriceTable {
    PriceTable {
        default_instance_type: "G4DN_XLARGE".into(),
        credits_per_hour: BTreeMap::from([
            ("G4DN_XLARGE".into(), d("1.2")),
            ("G7E_2XLARGE".into(), d("4.8")),
        ]),
    }
}

fn snapshot(balance: &str, running: &[&str]) -> Snapshot {
    Snapshot {
        fetched_at: now() - TimeDelta::seconds(12),
        balance: d(balance),
        running: running.iter().map(|t| RunningWorker::new(*t)).collect(),
        prices: Some(prices()),
        last_payment: Some(LastPayment {
            at: now() - TimeDelta::days(3),
            credits: d("100"),
            amount_minor: 10_000,
            currency: "usd".into(),
        }),
        token_expires_at: Some(now() + TimeDelta::days(20)),
        payments_api: true,
        email: None,
    }
}

struct Case {
    session: Session,
    connection: Connection,
    snapshot: Option<Snapshot>,
    history: Vec<Sample>,
    settings: Settings,
    tz: FixedOffset,
}

impl Case {
    fn new(snapshot: Option<Snapshot>) -> Self {
        Self {
            session: Session::SignedIn,
            connection: Connection::Connected,
            snapshot,
            history: Vec::new(),
            settings: Settings::default(),
            tz: FixedOffset::east_opt(3_600).unwrap(),
        }
    }

    fn input(&self) -> ViewInput<'_, FixedOffset> {
        ViewInput {
            session: self.session,
            connection: &self.connection,
            snapshot: self.snapshot.as_ref(),
            history: &self.history,
            observed_burn_per_hour: None,
            settings: &self.settings,
            refreshing: false,
            keychain_problem: None,
            credits_added: None,
            watching_for_credits: false,
            set_aside: &[],
            now: now(),
            tz: &self.tz,
        }
    }
}

#[test]
fn running_workers_fill_tray_and_popover() {
    // 2 × 4.8 = 9.6 credits/h; 1,234.5 credits last 128 h 35 min 37.5 s from the fetch.
    let case = Case::new(Some(snapshot("1234.5", &["G7E_2XLARGE", "G7E_2XLARGE"])));
    let tray = case.input().tray();
    assert_eq!(tray.state, TrayState::Ok);
    assert_eq!(tray.label, "1.2k cr");
    assert_eq!(
        tray.tooltip,
        "Lattica: 1,234.50 credits, about 5 d 8 h left"
    );
    // Apart (Linux): the heading, then the figures and their age in the user's time zone.
    assert_eq!(tray.tooltip_title, "Lattica");
    assert_eq!(
        tray.tooltip_body,
        "Balance: 1,234.50 credits\nEstimated usage time: about 5 d 8 h\nUpdated at 12:59"
    );
    assert_eq!(
        [
            tray.balance_row.as_str(),
            &tray.estimate_row,
            &tray.last_payment_row
        ],
        [
            "Balance: 1,234.50 credits",
            "Estimated usage time: about 5 d 8 h",
            "Last payment: 3 days ago, $100.00 (100.00 credits)"
        ]
    );

    let popover = case.input().popover();
    assert_eq!(popover.level, Some(Level::Ok));
    assert_eq!(popover.balance.as_deref(), Some("1,234.50"));
    let estimate = popover.estimate.unwrap();
    assert_eq!(estimate.text, "about 5 d 8 h");
    assert_eq!(estimate.workers, "2 workers running");
    assert!(
        estimate.note.starts_with("Approximate"),
        "{}",
        estimate.note
    );
    // Runs out at 2026-12-01 20:35:25 UTC, 21:35 at UTC+1: a Tuesday, 5 days out.
    assert_eq!(
        estimate.runs_out.as_deref(),
        Some("Runs out around Tue 21:35")
    );
    let payment = popover.last_payment.unwrap();
    assert_eq!(
        (payment.relative.as_str(), payment.absolute.as_str()),
        ("3 days ago", "Nov 23, 2026")
    );
    assert_eq!(
        (payment.amount.as_str(), payment.credits.as_str()),
        ("$100.00", "100.00")
    );
    assert_eq!(popover.updated_ago.as_deref(), Some("Updated 12 s ago"));
    assert_eq!(popover.stale, None);
    assert_eq!(popover.token_warning, None);
    assert!(!popover.loading);
}

#[test]
fn idle_account_explains_the_hypothetical_worker() {
    let case = Case::new(Some(snapshot("24", &[])));
    let popover = case.input().popover();
    let estimate = popover.estimate.unwrap();
    assert_eq!(estimate.text, "about 20 h");
    assert_eq!(
        estimate.workers,
        "No workers running: 1 G4DN_XLARGE worker would run about 20 h"
    );
    assert_eq!(estimate.runs_out, None);
    // 20 h is under the default 24 h low threshold.
    assert_eq!(popover.level, Some(Level::Low));

    let tray = case.input().tray();
    assert_eq!(tray.state, TrayState::Low);
    assert_eq!(tray.tooltip, "Lattica: 24.00 credits, no workers running");
    assert_eq!(
        tray.estimate_row,
        "Estimated usage time: about 20 h for 1 worker (none running)"
    );
}

#[test]
fn critical_and_empty_levels_reach_the_tray() {
    let case = Case::new(Some(snapshot("2", &["G4DN_XLARGE"])));
    assert_eq!(case.input().tray().state, TrayState::Critical);

    let mut case = Case::new(Some(snapshot("0", &[])));
    case.snapshot.as_mut().unwrap().last_payment = None;
    let tray = case.input().tray();
    assert_eq!(
        (tray.state, tray.label.as_str()),
        (TrayState::Empty, "0 cr")
    );
    assert_eq!(tray.estimate_row, "Estimated usage time: none left");
    assert_eq!(tray.last_payment_row, "Last payment: none");
    assert_eq!(case.input().popover().estimate.unwrap().text, "none left");
}

#[test]
fn credit_thresholds_from_settings_apply() {
    let form = SettingsForm {
        low_threshold: "2000".into(),
        low_unit: crate::settings::ThresholdUnit::Credits,
        ..Settings::default().to_form()
    };
    let mut case = Case::new(Some(snapshot("1234.5", &["G7E_2XLARGE"])));
    case.settings = Settings::from_form(&form).unwrap();
    assert_eq!(case.input().tray().state, TrayState::Low);
}

#[test]
fn failed_refresh_shows_stale_data_with_its_age() {
    let mut case = Case::new(Some(snapshot("500", &["G4DN_XLARGE"])));
    case.snapshot.as_mut().unwrap().fetched_at = now() - TimeDelta::minutes(5);
    case.connection = Connection::Failed {
        message: "connection refused".into(),
        offline: true,
    };
    let tray = case.input().tray();
    assert_eq!(tray.state, TrayState::Stale);
    assert_eq!(tray.label, "500 cr");
    assert_eq!(
        tray.balance_row,
        "Balance: 500.00 credits (as of 5 min ago)"
    );
    assert!(
        tray.tooltip
            .ends_with("(as of 5 min ago). Offline: can't reach Lattica.")
    );
    assert!(
        tray.tooltip_body
            .starts_with("Balance: 500.00 credits (as of 5 min ago)\n")
            && tray
                .tooltip_body
                .ends_with("\nUpdated at 12:55\nOffline: can't reach Lattica."),
        "{}",
        tray.tooltip_body
    );

    let popover = case.input().popover();
    let banner = popover.stale.unwrap();
    assert_eq!(banner.age_text, "Data from 5 min ago");
    assert_eq!(banner.reason, "Offline: can't reach Lattica.");
    assert_eq!(
        banner.text,
        "Offline: can't reach Lattica. Figures from 5 min ago."
    );
    // 500 / 1.2 h = 416 h 40 min from the fetch, 5 min of which have passed since.
    assert_eq!(popover.estimate.unwrap().text, "about 17 d 8 h");

    case.connection = Connection::Failed {
        message: "HTTP 503 Service Unavailable".into(),
        offline: false,
    };
    let banner = case.input().popover().stale.unwrap();
    assert_eq!(
        banner.reason,
        "Refresh failed: HTTP 503 Service Unavailable"
    );
}

#[test]
fn old_data_is_stale_without_a_failure() {
    let mut case = Case::new(Some(snapshot("500", &[])));
    case.snapshot.as_mut().unwrap().fetched_at = now() - TimeDelta::minutes(4);
    let popover = case.input().popover();
    assert_eq!(popover.state, TrayState::Stale);
    assert_eq!(
        popover.stale.unwrap().reason,
        "Waiting for the next refresh."
    );
}

#[test]
fn signed_out_hides_the_data() {
    let mut case = Case::new(Some(snapshot("500", &[])));
    case.session = Session::SignedOut {
        reason: SignOutReason::Expired,
    };
    let tray = case.input().tray();
    assert_eq!(
        (tray.state, tray.label.as_str()),
        (TrayState::SignedOut, "signed out")
    );
    assert_eq!(tray.tooltip, "Lattica: signed out (session token expired)");
    assert_eq!(tray.tooltip_body, "Signed out (session token expired)");
    assert_eq!(tray.balance_row, "Signed out (session token expired)");
    let popover = case.input().popover();
    assert_eq!(popover.balance, None);
    assert_eq!(popover.estimate, None);
    assert!(popover.signed_out.unwrap().contains("expired"));
    assert_eq!(case.input().level(), None);
    assert_eq!(case.input().estimate(), None);

    case.session = Session::SignedOut {
        reason: SignOutReason::NoToken,
    };
    assert_eq!(case.input().tray().balance_row, "Not signed in");
}

#[test]
fn no_data_is_loading_or_an_error() {
    let mut case = Case::new(None);
    case.connection = Connection::Connecting;
    let tray = case.input().tray();
    assert_eq!((tray.state, tray.label.as_str()), (TrayState::Stale, "—"));
    assert_eq!(tray.tooltip, "Lattica: loading…");
    assert_eq!(tray.balance_row, "Balance: —");
    assert_eq!(tray.status_row, "Loading…");
    let popover = case.input().popover();
    assert!(popover.loading);
    assert_eq!(popover.error, None);

    case.connection = Connection::Failed {
        message: "HTTP 500".into(),
        offline: false,
    };
    let tray = case.input().tray();
    assert_eq!(tray.state, TrayState::Error);
    assert_eq!(
        tray.tooltip,
        "Lattica: no balance yet. Refresh failed: HTTP 500"
    );
    let popover = case.input().popover();
    assert!(!popover.loading);
    assert_eq!(popover.error.as_deref(), Some("Refresh failed: HTTP 500"));
}

#[test]
fn token_warning_within_seven_days() {
    let warning = |expires_at| {
        let mut case = Case::new(Some(snapshot("500", &[])));
        case.snapshot.as_mut().unwrap().token_expires_at = expires_at;
        case.input().popover().token_warning
    };
    assert_eq!(warning(None), None);
    assert_eq!(
        warning(Some(now() + TimeDelta::days(7) + TimeDelta::seconds(1))),
        None
    );
    assert_eq!(
        warning(Some(now() + TimeDelta::days(7))).as_deref(),
        Some(
            "Your session token expires in 7 days (Dec 3, 2026). \
             Sign in with a new token from your Lattica email before then."
        )
    );
    assert!(
        warning(Some(now() + TimeDelta::hours(5)))
            .unwrap()
            .contains("expires in 5 h")
    );
    assert!(
        warning(Some(now() - TimeDelta::hours(1)))
            .unwrap()
            .starts_with("Your session token expired on Nov 26, 2026.")
    );
}

#[test]
fn chart_keeps_seven_days_in_order() {
    let mut case = Case::new(Some(snapshot("500", &[])));
    let sample = |ago: TimeDelta, credits: &str| Sample {
        at: now() - ago,
        credits: d(credits),
        running_workers: 0,
    };
    case.history = vec![
        sample(TimeDelta::hours(1), "510.500000"),
        sample(TimeDelta::days(8), "900"),
        sample(TimeDelta::days(6), "700"),
        sample(TimeDelta::seconds(-10), "1"),
        sample(TimeDelta::zero(), "500"),
    ];
    let chart = case.input().popover().chart;
    let points: Vec<_> = chart.iter().map(|p| (p.t, p.credits.as_str())).collect();
    let ms = |ago: TimeDelta| (now() - ago).timestamp_millis();
    assert_eq!(
        points,
        [
            (ms(TimeDelta::days(6)), "700"),
            (ms(TimeDelta::hours(1)), "510.5"),
            (ms(TimeDelta::zero()), "500")
        ]
    );
}

#[test]
fn popover_serializes_in_camel_case() {
    let case = Case::new(Some(snapshot("1234.5", &["G4DN_XLARGE"])));
    let json = serde_json::to_value(case.input().popover()).unwrap();
    assert_eq!(json["state"], "ok");
    assert_eq!(json["level"], "ok");
    assert_eq!(json["updatedAgo"], "Updated 12 s ago");
    assert_eq!(json["lastPayment"]["amount"], "$100.00");
    assert!(json["estimate"]["runsOut"].is_string());
    assert!(json["tokenWarning"].is_null());
    assert!(json["signedOut"].is_null());
    let tray = serde_json::to_value(case.input().tray()).unwrap();
    assert_eq!(tray["balanceRow"], "Balance: 1,234.50 credits");
    assert!(tray["statusRow"].is_string(), "{tray}");
    assert_eq!(tray["signedIn"], true);
}

#[test]
fn the_status_row_says_where_the_figures_stand() {
    let mut case = Case::new(Some(snapshot("500", &[])));
    let tray = case.input().tray();
    assert!(tray.signed_in);
    assert!(
        tray.status_row.starts_with("Updated at "),
        "{}",
        tray.status_row
    );
    let mut input = case.input();
    input.refreshing = true;
    assert_eq!(input.tray().status_row, "Refreshing…");
    case.connection = Connection::Failed {
        message: "cannot reach the platform".into(),
        offline: true,
    };
    assert_eq!(
        case.input().tray().status_row,
        "Cannot reach the platform; retrying"
    );
    case.session = Session::SignedOut {
        reason: SignOutReason::SignedOut,
    };
    let tray = case.input().tray();
    assert!(!tray.signed_in);
    assert_eq!(tray.status_row, "No figures while signed out");
}

#[test]
fn a_missing_keychain_is_an_error_everywhere() {
    let case = Case::new(Some(snapshot("500", &[])));
    let mut input = case.input();
    input.keychain_problem = Some("no keychain available");
    let tray = input.tray();
    assert_eq!(tray.state, TrayState::Error);
    assert_eq!(tray.tooltip, "Lattica: no keychain available");
    assert_eq!(
        tray.status_row,
        "Keychain unavailable: see the sign-in window"
    );
    assert_eq!(
        input.popover().error.as_deref(),
        Some("no keychain available")
    );
}

#[test]
fn the_account_line_names_the_e_mail_when_known() {
    use super::account_line;
    assert_eq!(
        account_line(true, Some("ann@example.com"), "https://api.lattica.ai"),
        "Signed in as ann@example.com on https://api.lattica.ai."
    );
    assert_eq!(
        account_line(true, Some("\u{1b}]0;x\u{7}ann@example.com"), "p"),
        "Signed in as ]0;xann@example.com on p."
    );
    assert_eq!(account_line(true, None, "p"), "Signed in on p.");
    assert_eq!(
        account_line(false, Some("ann@example.com"), "p"),
        "Signed out (p)."
    );
}
