//! Into the demo and back out, against two real sandboxes: the figures, the history and the
//! label follow the platform, and nothing of one reaches the other's file.

use std::time::Duration;

use lattica_client::{LatticaClient, SessionToken};
use lattica_core::history::History;
use lattica_core::settings::Settings;
use lattica_core::view::{Connection, Session};
use lattica_sandbox::{RunningSandbox, SandboxConfig};

use super::PlatformSwitch;
use crate::backend::Backend;
use crate::engine::{Command, Engine, EngineState};

async fn sandbox(dir: &std::path::Path) -> RunningSandbox {
    lattica_sandbox::start(SandboxConfig::new(dir.to_path_buf()))
        .await
        .unwrap()
}

fn history(path: &std::path::Path) -> History {
    History::open(path).unwrap().history
}

#[tokio::test]
async fn the_demo_has_its_own_figures_and_history_and_leaving_it_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let demo = sandbox(&dir.path().join("demo")).await;
    let (real_db, demo_db) = (
        dir.path().join("real.sqlite3"),
        dir.path().join("demo.sqlite3"),
    );
    // Signed out on the user's platform, as the sign-in window's button finds it.
    let (engine, handle) = Engine::new(
        EngineState::new(Settings::default(), false),
        None,
        Some(history(&real_db)),
        None,
    );
    let (out, _alerts) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(engine.with_alerts(out).run());
    let mut changes = handle.subscribe();

    let backend = Backend::sandbox(&demo.url()).unwrap();
    let token = SessionToken::parse(demo.demo_token()).unwrap();
    handle.send(Command::SwitchPlatform(Box::new(PlatformSwitch {
        client: Some(LatticaClient::new(backend.config().clone(), token).unwrap()),
        history: Some(history(&demo_db)),
        settings: Settings::default(),
        demo: true,
    })));
    let state = tokio::time::timeout(
        Duration::from_secs(20),
        changes.wait_for(|s| s.connection == Connection::Connected && !s.refreshing),
    )
    .await
    .expect("the demo's first refresh")
    .unwrap()
    .clone();
    assert!(state.demo, "labelled as the demo");
    assert_eq!(state.session, Session::SignedIn);
    assert!(state.snapshot.as_ref().unwrap().balance > rust_decimal::Decimal::ZERO);
    assert_eq!(state.chart.len(), 1, "recorded in the demo's history");

    handle.send(Command::SwitchPlatform(Box::new(PlatformSwitch {
        client: None,
        history: Some(history(&real_db)),
        settings: Settings::default(),
        demo: false,
    })));
    let state = tokio::time::timeout(Duration::from_secs(20), changes.wait_for(|s| !s.demo))
        .await
        .expect("back on the user's platform")
        .unwrap()
        .clone();
    assert!(matches!(state.session, Session::SignedOut { .. }));
    assert!(state.snapshot.is_none(), "no demo figures left");
    assert!(
        state.chart.is_empty(),
        "the user's history has no demo sample"
    );
    assert!(history(&real_db).latest().unwrap().is_none());
    assert!(history(&demo_db).latest().unwrap().is_some());
}
