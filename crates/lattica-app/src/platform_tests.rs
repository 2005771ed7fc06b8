//! Into the demo and back out with the real sandbox program: the user's token, settings and
//! history stay as they were, the demo's are its own, and leaving stops the demo's sandbox.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lattica_client::SessionToken;
use lattica_core::settings::Settings;
use lattica_sandbox::SandboxConfig;

use super::{Platforms, Running};
use crate::backend::Backend;
use crate::engine::{Engine, EngineState};
use crate::paths::AppPaths;
use crate::payment::Payments;
use crate::payment::fixture::NoWindows;
use crate::prefs::Preferences;
use crate::session::{MemoryVault, Sessions, TokenVault};

/// One memory vault per keychain entry, as the OS keychain has one per platform.
#[derive(Default)]
struct Keychain(Mutex<HashMap<String, Arc<MemoryVault>>>);

impl Keychain {
    fn entry(&self, account: &str) -> Arc<MemoryVault> {
        Arc::clone(
            self.0
                .lock()
                .unwrap()
                .entry(account.to_owned())
                .or_default(),
        )
    }
}

/// The real sandbox program, built by the workspace beside this test's binary's folder.
fn sandbox_program() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join(crate::demo::PROGRAM);
    assert!(
        path.is_file(),
        "build the sandbox first: cargo build -p lattica-sandbox"
    );
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_entered_and_left_without_touching_the_users_account() {
    let dir = tempfile::tempdir().unwrap();
    let paths = AppPaths {
        config_dir: dir.path().join("config"),
        data_dir: dir.path().join("data"),
        log_dir: dir.path().join("log"),
    };
    // The user's platform: a sandbox of its own, on which the user is signed in.
    let mine = lattica_sandbox::start(SandboxConfig::new(dir.path().join("mine")))
        .await
        .unwrap();
    let prefs = Preferences::load(&paths);
    let mut form = Settings::default().to_form();
    form.backend_url = mine.url();
    form.shortcut = "Ctrl+Alt+L".to_owned();
    prefs.save(Settings::from_form(&form).unwrap()).unwrap();
    let user_settings = std::fs::read(paths.settings_file()).unwrap();

    let keychain = Arc::new(Keychain::default());
    let backend = Backend::from_env_and_settings(&prefs.get()).unwrap();
    let user_entry = keychain.entry(&backend.keychain_account());
    let user_token = SessionToken::parse(mine.demo_token()).unwrap();
    user_entry.store(&user_token).unwrap();
    let sessions = Sessions::new(backend, {
        let keychain = Arc::clone(&keychain);
        Arc::new(move |b: &Backend| keychain.entry(&b.keychain_account()) as Arc<dyn TokenVault>)
    });
    let client = sessions.restore().await.unwrap();
    assert!(client.is_some());
    let (engine, handle) = Engine::new(
        EngineState::new(prefs.get(), true),
        client,
        None,
        Some(Duration::from_secs(3600)),
    );
    tokio::spawn(engine.run());
    let payments = Payments::new(
        handle.clone(),
        sessions.clone(),
        Arc::new(NoWindows),
        Duration::from_millis(50),
        None,
    );
    let running = Running {
        sessions: &sessions,
        prefs: &prefs,
        engine: &handle,
        payments: &payments,
    };
    let platforms = Platforms {
        program: sandbox_program(),
        ..Platforms::new(paths.clone(), None)
    };

    let entered = platforms.enter_demo(running).await.unwrap();
    // The user's shortcut is released in the demo, whose settings have none.
    assert_eq!(
        entered
            .before
            .shortcut()
            .map(ToString::to_string)
            .as_deref(),
        Some("Ctrl+Alt+L")
    );
    assert_eq!(entered.after.shortcut(), None);
    drop(entered);
    assert!(platforms.in_demo());
    assert!(sessions.backend().is_sandbox());
    let demo_url = sessions.backend().url().trim_end_matches('/').to_owned();
    assert_ne!(demo_url, mine.url().trim_end_matches('/'));
    let mut changes = handle.subscribe();
    let state = tokio::time::timeout(
        Duration::from_secs(20),
        changes.wait_for(|s| s.demo && s.snapshot.is_some()),
    )
    .await
    .expect("the demo's figures")
    .unwrap()
    .clone();
    assert!(state.snapshot.as_ref().unwrap().balance > rust_decimal::Decimal::ZERO);
    assert!(
        keychain.entry("sandbox").load().unwrap().is_some(),
        "the demo's token has its own entry"
    );
    assert_eq!(
        user_entry
            .load()
            .unwrap()
            .map(|t| t.expose_secret().to_owned()),
        Some(user_token.expose_secret().to_owned()),
        "the user's token is untouched"
    );
    // A second click finds the app in the demo already.
    platforms.enter_demo(running).await.unwrap();

    // A setting changed in the demo stays the demo's.
    let mut demo_form = prefs.get().to_form();
    demo_form.refresh_interval_secs = "600".to_owned();
    prefs
        .save(Settings::from_form(&demo_form).unwrap())
        .unwrap();

    demo_form.shortcut = "Ctrl+Alt+D".to_owned();
    prefs
        .save(Settings::from_form(&demo_form).unwrap())
        .unwrap();
    let left = platforms.leave_demo(running).await.unwrap();
    // The demo's shortcut gives way to the user's again.
    assert_eq!(
        left.before.shortcut().map(ToString::to_string).as_deref(),
        Some("Ctrl+Alt+D")
    );
    assert_eq!(
        left.after.shortcut().map(ToString::to_string).as_deref(),
        Some("Ctrl+Alt+L")
    );
    let signed_in = left.signed_in;
    drop(left);
    assert!(
        signed_in,
        "back on the user's platform with the user's token"
    );
    assert!(!platforms.in_demo());
    assert_eq!(
        sessions.backend().url().trim_end_matches('/'),
        mine.url().trim_end_matches('/')
    );
    let state = tokio::time::timeout(Duration::from_secs(20), changes.wait_for(|s| !s.demo))
        .await
        .expect("left the demo")
        .unwrap()
        .clone();
    assert_eq!(state.settings.refresh_interval(), Duration::from_secs(60));
    assert_eq!(std::fs::read(paths.settings_file()).unwrap(), user_settings);
    let address = demo_url.trim_start_matches("http://");
    assert!(
        std::net::TcpStream::connect(address).is_err(),
        "the demo's sandbox stopped"
    );
}

#[tokio::test]
async fn a_held_platform_keeps_a_switch_waiting_until_it_is_released() {
    let dir = tempfile::tempdir().unwrap();
    let paths = AppPaths {
        config_dir: dir.path().join("config"),
        data_dir: dir.path().join("data"),
        log_dir: dir.path().join("log"),
    };
    let prefs = Preferences::load(&paths);
    let sessions = Sessions::new(
        Backend::sandbox("http://127.0.0.1:9").unwrap(),
        Arc::new(|_: &Backend| Arc::new(MemoryVault::default()) as Arc<dyn TokenVault>),
    );
    let (_engine, handle) = Engine::new(
        EngineState::new(prefs.get(), false),
        None,
        None,
        Some(Duration::from_secs(3600)),
    );
    let payments = Payments::new(
        handle.clone(),
        sessions.clone(),
        Arc::new(NoWindows),
        Duration::from_millis(50),
        None,
    );
    let running = Running {
        sessions: &sessions,
        prefs: &prefs,
        engine: &handle,
        payments: &payments,
    };
    let platforms = Platforms::new(paths, None);

    let held = platforms.hold().await;
    let mut leaving = std::pin::pin!(platforms.leave_demo(running));
    let first = std::future::poll_fn(|cx| {
        std::task::Poll::Ready(leaving.as_mut().poll(cx).map(|r| r.map(|s| s.signed_in)))
    })
    .await;
    assert!(first.is_pending(), "a switch waits for the holder");
    drop(held);
    let left = leaving.await.unwrap();
    assert!(!left.signed_in, "outside the demo, nothing moved");
    assert_eq!(left.before, left.after);
}
