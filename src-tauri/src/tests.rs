//! The shell's commands on Tauri's mock runtime, with the app's real capability files: what
//! each window may call, and what the commands answer.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lattica_core::settings::Settings;
use lattica_core::view::{Connection, Session, SignOutReason, Snapshot};
use serde_json::json;
use tauri::test::{MockRuntime, mock_builder};
use tauri::{App, Manager};

use lattica_app::backend::Backend;
use lattica_app::engine::{Engine, EngineHandle, EngineState};
use lattica_app::paths::AppPaths;
use lattica_app::prefs::Preferences;
use lattica_app::session::{MemoryVault, Sessions, TokenVault};

use crate::test_ipc::{invoke, window};
use crate::windows::PopoverLife;
use crate::{Automation, Parts, build, install};

struct TestApp {
    app: App<MockRuntime>,
    vault: Arc<MemoryVault>,
    _dir: tempfile::TempDir,
}

/// The app on the mock runtime, its refresh loop frozen at `state`, against a platform that
/// does not answer (port 9, discard): nothing here may depend on the network.
fn app_with(state: EngineState) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let paths = AppPaths {
        config_dir: dir.path().join("config"),
        data_dir: dir.path().join("data"),
        log_dir: dir.path().join("logs"),
    };
    let vault = Arc::new(MemoryVault::default());
    let shared = Arc::clone(&vault);
    let sessions = Sessions::new(
        Backend::sandbox("http://127.0.0.1:9").unwrap(),
        Arc::new(move |_: &Backend| Arc::clone(&shared) as Arc<dyn TokenVault>),
    );
    let signed_in = state.session == Session::SignedIn;
    // The loop runs (commands reach it) but has no client: it never refreshes.
    let (engine, handle) = Engine::new(state, None, None, None);
    tauri::async_runtime::spawn(engine.run());
    let parts = Parts {
        prefs: Preferences::load(&paths),
        sessions,
        engine: handle,
        popover: PopoverLife::new(Some(std::time::Duration::from_secs(30))),
        platforms: lattica_app::platform::Platforms::new(paths.clone(), None),
        alerts: None,
        signed_in,
        resend_delay: Duration::from_millis(50),
        journal: None,
        automation: Automation(false),
    };
    let app = build(mock_builder())
        .build(tauri::generate_context!())
        .unwrap();
    install(app.handle(), parts).unwrap();
    TestApp {
        app,
        vault,
        _dir: dir,
    }
}

/// Signed in, connected, 249.517333 credits fetched just now.
pub(crate) fn signed_in_with_balance() -> EngineState {
    let mut state = EngineState::new(Settings::default(), true);
    state.connection = Connection::Connected;
    state.snapshot = Some(Snapshot {
        fetched_at: Utc::now(),
        balance: "249.517333".parse().unwrap(),
        running: Vec::new(),
        prices: None,
        last_payment: None,
        token_expires_at: None,
        payments_api: true,
        email: None,
    });
    state
}

#[test]
fn the_popover_gets_the_cached_view_at_once() {
    let test = app_with(signed_in_with_balance());
    let popover = window(&test.app, "popover");
    let numbered = invoke(&popover, "next_view", json!({ "after": 0 })).unwrap();
    assert!(numbered["version"].as_u64() > Some(0), "{numbered}");
    let view = &numbered["view"];
    assert_eq!(view["signedIn"], true);
    assert_eq!(view["balance"], "249.51");
    assert_eq!(view["state"], "ok");
    assert!(
        view["updatedAgo"]
            .as_str()
            .is_some_and(|t| t.starts_with("Updated ")),
        "{view}"
    );
}

#[test]
fn signed_out_the_app_opens_the_sign_in_window_only() {
    let test = app_with(EngineState::new(Settings::default(), false));
    assert!(test.app.get_webview_window("signin").is_some());
    assert!(test.app.get_webview_window("popover").is_none());
    let signed_in = app_with(signed_in_with_balance());
    assert!(
        signed_in.app.webview_windows().is_empty(),
        "no webview until opened"
    );
}

#[test]
fn an_empty_token_is_rejected_and_nothing_is_stored() {
    let test = app_with(EngineState::new(Settings::default(), false));
    let signin = window(&test.app, "signin");
    for token in ["", "   \n"] {
        let error = invoke(&signin, "sign_in", json!({ "token": token })).unwrap_err();
        assert_eq!(error["kind"], "invalid_token", "{error}");
        assert!(
            error["message"].as_str().unwrap().contains("Paste"),
            "{error}"
        );
    }
    let error = invoke(&signin, "sign_in", json!({ "token": "two words" })).unwrap_err();
    assert_eq!(error["kind"], "invalid_token");
    assert!(test.vault.load().unwrap().is_none());
}

#[test]
fn a_token_the_platform_cannot_check_is_not_stored() {
    let test = app_with(EngineState::new(Settings::default(), false));
    let signin = window(&test.app, "signin");
    let error = invoke(&signin, "sign_in", json!({ "token": "tok_valid_looking" })).unwrap_err();
    assert_eq!(error["kind"], "network", "{error}");
    assert!(!error.to_string().contains("tok_valid_looking"), "{error}");
    assert!(test.vault.load().unwrap().is_none());
}

#[test]
fn each_window_gets_only_its_own_commands() {
    let test = app_with(signed_in_with_balance());
    let popover = window(&test.app, "popover");
    let signin = window(&test.app, "signin");
    let wizard = window(&test.app, "wizard");
    assert!(
        invoke(&popover, "sign_in", json!({ "token": "x" }))
            .is_err_and(|e| e.to_string().contains("not allowed"))
    );
    // A well-formed call, refused only because the popover may not make it.
    let form =
        invoke(&window(&test.app, "settings"), "get_settings", json!({})).unwrap()["form"].clone();
    assert!(
        invoke(&popover, "save_settings", json!({ "form": form }))
            .is_err_and(|e| e.to_string().contains("not allowed"))
    );
    assert!(invoke(&signin, "next_view", json!({ "after": 0 })).is_err());
    assert!(invoke(&wizard, "next_view", json!({ "after": 0 })).is_err());
    assert!(invoke(&signin, "sign_in_context", json!({})).is_ok());
}

#[test]
fn the_sign_in_window_says_the_session_expired() {
    let mut state = EngineState::new(Settings::default(), false);
    state.session = Session::SignedOut {
        reason: SignOutReason::Expired,
    };
    let test = app_with(state);
    let signin = window(&test.app, "signin");
    let context = invoke(&signin, "sign_in_context", json!({})).unwrap();
    assert!(
        context["reason"]
            .as_str()
            .unwrap()
            .starts_with("Signed out: session expired"),
        "{context}"
    );
    assert_eq!(context["sandbox"], true);
}

#[test]
fn invalid_settings_name_their_fields_and_are_not_saved() {
    let test = app_with(signed_in_with_balance());
    let settings = window(&test.app, "settings");
    let view = invoke(&settings, "get_settings", json!({})).unwrap();
    let mut form = view["form"].clone();
    form["refreshIntervalSecs"] = json!("5");
    form["lowThreshold"] = json!("abc");
    let error = invoke(&settings, "save_settings", json!({ "form": form })).unwrap_err();
    assert_eq!(error["kind"], "invalid_settings");
    let fields: Vec<_> = error["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["refreshIntervalSecs", "lowThreshold"]);
    let again = invoke(&settings, "get_settings", json!({})).unwrap();
    assert_eq!(again["form"]["refreshIntervalSecs"], "60");
}

#[test]
fn valid_settings_are_saved_and_applied() {
    let test = app_with(signed_in_with_balance());
    let settings = window(&test.app, "settings");
    let mut form = invoke(&settings, "get_settings", json!({})).unwrap()["form"].clone();
    form["refreshIntervalSecs"] = json!("120");
    form["lowThreshold"] = json!("50");
    form["lowUnit"] = json!("credits");
    form["criticalThreshold"] = json!("10");
    form["criticalUnit"] = json!("credits");
    let saved = invoke(&settings, "save_settings", json!({ "form": form })).unwrap();
    assert_eq!(saved["form"]["refreshIntervalSecs"], "120");
    assert_eq!(saved["form"]["lowThreshold"], "50");
    // Applied: the refresh loop runs with them, and a restart reads them back.
    let engine = test.app.state::<EngineHandle>();
    let mut changes = engine.subscribe();
    let applied = tauri::async_runtime::block_on(async {
        tokio::time::timeout(
            Duration::from_secs(5),
            changes.wait_for(|s| s.settings.refresh_interval() == Duration::from_secs(120)),
        )
        .await
        .is_ok_and(|r| r.is_ok())
    });
    assert!(applied, "the loop took the settings");
    let paths = AppPaths {
        config_dir: test._dir.path().join("config"),
        data_dir: test._dir.path().join("data"),
        log_dir: test._dir.path().join("logs"),
    };
    assert_eq!(
        Preferences::load(&paths).get().refresh_interval(),
        Duration::from_secs(120)
    );
}

#[test]
fn the_sign_in_window_names_the_account_it_would_replace() {
    let mut state = signed_in_with_balance();
    if let Some(snapshot) = &mut state.snapshot {
        snapshot.email = Some("ada@example.com".to_owned());
    }
    let test = app_with(state);
    let signin = window(&test.app, "signin");
    let context = invoke(&signin, "sign_in_context", json!({})).unwrap();
    let said = context["signedInAs"].as_str().unwrap();
    assert!(said.contains("ada@example.com"), "{said}");
    assert!(
        said.contains("the local sandbox (http://127.0.0.1:9)"),
        "{said}"
    );
    // Signed out, nobody is named.
    let test = app_with(EngineState::new(Settings::default(), false));
    let context = invoke(&window(&test.app, "signin"), "sign_in_context", json!({})).unwrap();
    assert_eq!(context["signedInAs"], serde_json::Value::Null);
}

#[test]
fn the_settings_window_lists_saved_cards_and_says_why_there_are_none() {
    let test = app_with(EngineState::new(Settings::default(), false));
    let settings = window(&test.app, "settings");
    let cards = invoke(&settings, "saved_cards", json!({})).unwrap();
    assert_eq!(cards["cards"], json!([]));
    assert!(
        cards["unavailable"]
            .as_str()
            .unwrap()
            .starts_with("Sign in"),
        "{cards}"
    );
    // Only the settings window may list or remove cards.
    let popover = window(&test.app, "popover");
    assert!(invoke(&popover, "saved_cards", json!({})).is_err());
    let wizard = window(&test.app, "wizard");
    assert!(invoke(&wizard, "remove_saved_card", json!({ "card": "card-1" })).is_err());
    // Not a handle this run gave out: refused before anything is sent.
    let refused = invoke(
        &settings,
        "remove_saved_card",
        json!({ "card": "4242424242424242" }),
    )
    .unwrap_err();
    assert_eq!(refused["kind"], "payment", "{refused}");
}

#[test]
fn signing_out_removes_the_token_from_the_vault() {
    let test = app_with(signed_in_with_balance());
    test.vault
        .store(&lattica_client::SessionToken::parse("lt_test_token_0123456789abcdef").unwrap())
        .unwrap();
    let settings = window(&test.app, "settings");
    invoke(&settings, "sign_out", json!({ "forgetHistory": true })).unwrap();
    assert!(test.vault.load().unwrap().is_none(), "the token is gone");
    let engine = test.app.state::<EngineHandle>();
    let mut changes = engine.subscribe();
    let signed_out = tauri::async_runtime::block_on(async {
        tokio::time::timeout(
            Duration::from_secs(5),
            changes.wait_for(|s| s.session != Session::SignedIn),
        )
        .await
        .is_ok_and(|r| r.is_ok())
    });
    assert!(signed_out, "the loop signed out");
}
