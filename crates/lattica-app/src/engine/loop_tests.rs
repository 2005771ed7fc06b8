//! The refresh loop against the real sandbox over real HTTP: figures and history after a
//! refresh, a failing platform keeping the last figures, an expired token ending the session.

use std::sync::Arc;
use std::time::Duration;

use lattica_client::{LatticaClient, SessionToken};
use lattica_core::alerts::{AlertKind, Notification};
use lattica_core::history::History;
use lattica_core::settings::Settings;
use lattica_core::view::{Connection, Session, SignOutReason};
use lattica_sandbox::{RunningSandbox, SandboxConfig};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use crate::backend::Backend;
use crate::engine::{Command, Engine, EngineHandle, EngineState};

const DEADLINE: Duration = Duration::from_secs(20);

struct Fixture {
    sandbox: RunningSandbox,
    engine: EngineHandle,
    _dir: tempfile::TempDir,
}

async fn start() -> Fixture {
    start_with(None).await.0
}

/// A fixture whose account holds `balance` before the first refresh, with the alert policy on.
async fn start_with(balance: Option<&str>) -> (Fixture, mpsc::UnboundedReceiver<Notification>) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path().join("sandbox"));
    config.control = true;
    let sandbox = lattica_sandbox::start(config).await.unwrap();
    if let Some(balance) = balance {
        control(&sandbox, "set_balance", json!({ "credits": balance })).await;
    }
    let backend = Backend::sandbox(&sandbox.url()).unwrap();
    let token = SessionToken::parse(sandbox.demo_token()).unwrap();
    let client = LatticaClient::new(backend.config().clone(), token).unwrap();
    let history = History::open(&dir.path().join("history.sqlite3"))
        .unwrap()
        .history;
    let (engine, handle) = Engine::new(
        EngineState::new(Settings::default(), true),
        Some(client),
        Some(history),
        None,
    );
    let (alerts_out, alerts) = mpsc::unbounded_channel();
    tokio::spawn(engine.with_alerts(alerts_out).run());
    let fixture = Fixture {
        sandbox,
        engine: handle,
        _dir: dir,
    };
    (fixture, alerts)
}

/// Waits for a published state that satisfies `done`.
async fn until(
    changes: &mut watch::Receiver<Arc<EngineState>>,
    what: &str,
    done: impl Fn(&EngineState) -> bool,
) -> Arc<EngineState> {
    let waited = tokio::time::timeout(DEADLINE, changes.wait_for(|s| done(s)))
        .await
        .map(|found| found.map(|state| Arc::clone(&state)));
    match waited {
        Ok(Ok(state)) => state,
        _ => panic!("timed out waiting for {what}: {:?}", changes.borrow()),
    }
}

async fn control(sandbox: &RunningSandbox, action: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}/control/{action}", sandbox.url()))
        .json(&body)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn connected(state: &EngineState) -> bool {
    state.connection == Connection::Connected && !state.refreshing
}

#[tokio::test]
async fn a_refresh_shows_the_account_and_records_history() {
    let fixture = start().await;
    let mut changes = fixture.engine.subscribe();
    let state = until(&mut changes, "the first refresh", connected).await;
    let snapshot = state.snapshot.as_ref().unwrap();
    let expected = control(&fixture.sandbox, "state", json!({})).await["result"]["credits"]
        .to_string()
        .trim_matches('"')
        .parse::<rust_decimal::Decimal>()
        .unwrap();
    // The balance burns while workers run: the sandbox's figure now is at most the fetched one.
    assert!(
        snapshot.balance >= expected,
        "{} < {expected}",
        snapshot.balance
    );
    assert!(snapshot.balance > rust_decimal::Decimal::ZERO);
    assert!(snapshot.prices.is_some(), "pricing was fetched");
    assert!(
        snapshot.token_expires_at.is_some(),
        "the account info was fetched"
    );
    assert_eq!(
        state.chart.len(),
        1,
        "the refresh was recorded in the history"
    );

    control(&fixture.sandbox, "set_balance", json!({ "credits": 12.5 })).await;
    fixture.engine.send(Command::RefreshNow);
    let state = until(&mut changes, "the new balance", |s| {
        connected(s)
            && s.snapshot
                .as_ref()
                .is_some_and(|s| s.balance <= "12.5".parse().unwrap())
    })
    .await;
    assert_eq!(state.chart.len(), 2);
}

#[tokio::test]
async fn a_failing_platform_keeps_the_last_figures() {
    let fixture = start().await;
    let mut changes = fixture.engine.subscribe();
    let first = until(&mut changes, "the first refresh", connected).await;
    control(
        &fixture.sandbox,
        "set_faults",
        json!({ "errorRate": 1, "errorStatus": 503 }),
    )
    .await;
    fixture.engine.send(Command::RefreshNow);
    let state = until(&mut changes, "a failed refresh", |s| {
        matches!(s.connection, Connection::Failed { .. }) && !s.refreshing
    })
    .await;
    assert_eq!(state.session, Session::SignedIn);
    assert_eq!(state.snapshot, first.snapshot, "the last good figures stay");
    assert!(
        matches!(&state.connection, Connection::Failed { message, offline: false } if message.contains("503")),
        "{:?}",
        state.connection
    );
}

#[tokio::test]
async fn an_expired_token_ends_the_session() {
    let fixture = start().await;
    let mut changes = fixture.engine.subscribe();
    until(&mut changes, "the first refresh", connected).await;
    control(&fixture.sandbox, "expire_token", json!({})).await;
    fixture.engine.send(Command::RefreshNow);
    let state = until(&mut changes, "the session to end", |s| {
        matches!(s.session, Session::SignedOut { .. })
    })
    .await;
    assert_eq!(
        state.session,
        Session::SignedOut {
            reason: SignOutReason::Expired
        }
    );
    assert_eq!(state.sessions_ended, 1);
    assert!(
        state.snapshot.is_none(),
        "no figures of an ended session stay on screen"
    );
}

#[tokio::test]
async fn a_critical_balance_alerts_once() {
    // The demo account runs a worker (1.2 credits/h): 1 credit lasts well under the default
    // critical threshold of 3 h.
    let (fixture, mut alerts) = start_with(Some("1")).await;
    let mut changes = fixture.engine.subscribe();
    let alert = tokio::time::timeout(DEADLINE, alerts.recv())
        .await
        .expect("an alert")
        .expect("the channel is open");
    assert_eq!(alert.kind, AlertKind::BalanceCritical);
    assert!(!alert.actions.is_empty(), "the alert offers what to do");

    let first = until(&mut changes, "the first refresh", connected).await;
    let first_at = first.snapshot.as_ref().unwrap().fetched_at;
    fixture.engine.send(Command::RefreshNow);
    until(&mut changes, "a second refresh", |s| {
        connected(s) && s.snapshot.as_ref().is_some_and(|s| s.fetched_at > first_at)
    })
    .await;
    assert!(
        alerts.try_recv().is_err(),
        "the same level alerts only once"
    );
}

#[tokio::test]
async fn the_first_refresh_applies_the_history_retention() {
    use chrono::{DurationRound, TimeDelta, Utc};
    use lattica_core::history::Sample;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let now = Utc::now();
    let sample = |ago: TimeDelta| Sample {
        at: now - ago,
        credits: "100".parse().unwrap(),
        running_workers: 1,
    };
    {
        let seeded = History::open(&path).unwrap().history;
        seeded.record(&sample(TimeDelta::days(40))).unwrap();
        // Three samples within one UTC clock hour three days ago, 10 to 30 minutes into it
        // (whatever the wall clock says): thinned to one.
        let hour = (now - TimeDelta::days(3))
            .duration_trunc(TimeDelta::hours(1))
            .unwrap();
        for minutes in [10, 20, 30] {
            let at = hour + TimeDelta::minutes(minutes);
            seeded.record(&sample(now - at)).unwrap();
        }
    }
    let mut config = SandboxConfig::new(dir.path().join("sandbox"));
    config.control = true;
    let sandbox = lattica_sandbox::start(config).await.unwrap();
    let backend = Backend::sandbox(&sandbox.url()).unwrap();
    let token = SessionToken::parse(sandbox.demo_token()).unwrap();
    let client = LatticaClient::new(backend.config().clone(), token).unwrap();
    let (engine, handle) = Engine::new(
        EngineState::new(Settings::default(), true),
        Some(client),
        Some(History::open(&path).unwrap().history),
        None,
    );
    tokio::spawn(engine.run());
    let mut changes = handle.subscribe();
    until(&mut changes, "the first refresh", connected).await;

    let reader = History::open(&path).unwrap().history;
    let kept = reader
        .samples_between(
            now - TimeDelta::days(60),
            Utc::now() + TimeDelta::minutes(1),
        )
        .unwrap();
    assert_eq!(
        kept.len(),
        2,
        "one thinned sample from 3 days ago and the new one: {kept:?}"
    );
    assert!(kept.iter().all(|s| s.at > now - TimeDelta::days(30)));
}

#[tokio::test]
async fn a_sign_out_forgets_the_local_history_only_when_asked() {
    let (fixture, _alerts) = start_with(None).await;
    let path = fixture._dir.path().join("history.sqlite3");
    let reader = History::open(&path).unwrap().history;
    let mut changes = fixture.engine.subscribe();
    let first = until(&mut changes, "the first refresh", connected).await;
    assert!(!first.chart.is_empty(), "the refresh is in the chart");
    assert!(reader.latest().unwrap().is_some(), "and in the history");

    fixture.engine.send(Command::SignedOut {
        reason: SignOutReason::SignedOut,
        forget_history: false,
    });
    until(&mut changes, "the sign-out", |s| {
        s.session != Session::SignedIn
    })
    .await;
    assert!(reader.latest().unwrap().is_some(), "kept when not asked");

    let backend = Backend::sandbox(&fixture.sandbox.url()).unwrap();
    let token = SessionToken::parse(fixture.sandbox.demo_token()).unwrap();
    let client = LatticaClient::new(backend.config().clone(), token).unwrap();
    fixture.engine.send(Command::SignedIn(client));
    until(&mut changes, "a refresh signed in again", connected).await;
    fixture.engine.send(Command::SignedOut {
        reason: SignOutReason::SignedOut,
        forget_history: true,
    });
    let state = until(&mut changes, "the sign-out", |s| {
        s.session != Session::SignedIn
    })
    .await;
    assert_eq!(reader.latest().unwrap(), None, "every sample is gone");
    assert!(state.chart.is_empty());
    assert_eq!(state.observed_burn_per_hour, None);
}
