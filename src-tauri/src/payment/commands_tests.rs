//! The payment commands on Tauri's mock runtime, with the app's real capability files, against
//! the real sandbox: what the wizard and the popover may call, and a purchase through the
//! wizard's commands from the amount to the balance read back.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lattica_client::SessionToken;
use lattica_core::settings::Settings;
use lattica_sandbox::{ApiProfile, RunningSandbox, SandboxConfig};
use serde_json::{Value, json};
use tauri::test::{MockRuntime, mock_builder};
use tauri::{App, Listener, Manager, WebviewWindow};

use lattica_app::backend::Backend;
use lattica_app::engine::{Engine, EngineState};
use lattica_app::paths::AppPaths;
use lattica_app::prefs::Preferences;
use lattica_app::session::{MemoryVault, Sessions, TokenVault};

use crate::test_ipc::{invoke, window};
use crate::windows::PopoverLife;
use crate::{Automation, Parts, build, install};

struct TestApp {
    app: App<MockRuntime>,
    sandbox: RunningSandbox,
    _dir: tempfile::TempDir,
}

/// The app on the mock runtime, signed in to a fresh sandbox whose balance holds still.
fn signed_in_app() -> TestApp {
    signed_in_app_on(ApiProfile::Full)
}

fn signed_in_app_on(profile: ApiProfile) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path().join("sandbox"));
    config.control = true;
    config.profile = profile;
    // On the app's own runtime, where the commands run, so it serves while they wait.
    let sandbox = tauri::async_runtime::block_on(lattica_sandbox::start(config)).unwrap();
    control(&sandbox, "stop_worker", json!({"all": true}));
    control(&sandbox, "set_balance", json!({"credits": 100}));
    let backend = Backend::sandbox(&sandbox.url()).unwrap();
    let token = SessionToken::parse(sandbox.demo_token()).unwrap();
    let vault = Arc::new(MemoryVault::default());
    vault.store(&token).unwrap();
    let sessions = Sessions::new(
        backend.clone(),
        Arc::new(move |_: &Backend| Arc::clone(&vault) as Arc<dyn TokenVault>),
    );
    // Restored from the vault, as at start: the session's one client.
    let client = tauri::async_runtime::block_on(sessions.restore())
        .unwrap()
        .expect("the stored token");
    let (engine, handle) = Engine::new(
        EngineState::new(Settings::default(), true),
        Some(client),
        None,
        None,
    );
    tauri::async_runtime::spawn(engine.run());
    let paths = AppPaths {
        config_dir: dir.path().join("config"),
        data_dir: dir.path().join("data"),
        log_dir: dir.path().join("logs"),
    };
    let parts = Parts {
        prefs: Preferences::load(&paths),
        sessions,
        engine: handle,
        popover: PopoverLife::new(Some(Duration::from_secs(30))),
        platforms: lattica_app::platform::Platforms::new(paths.clone(), None),
        alerts: None,
        signed_in: true,
        resend_delay: Duration::from_millis(50),
        journal: Some(
            lattica_app::payment::Journal::open(
                &dir.path().join("history.sqlite3"),
                Arc::new(lattica_app::payment::MemoryCards::default()),
            )
            .unwrap(),
        ),
        automation: Automation(false),
    };
    let app = build(mock_builder())
        .build(tauri::generate_context!())
        .unwrap();
    install(app.handle(), parts).unwrap();
    TestApp {
        app,
        sandbox,
        _dir: dir,
    }
}

fn control(sandbox: &RunningSandbox, action: &str, body: Value) -> Value {
    let url = format!("{}/control/{action}", sandbox.url());
    tauri::async_runtime::block_on(async move {
        let answer: Value = reqwest::Client::new()
            .post(url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["result"].clone()
    })
}

fn not_allowed(window: &WebviewWindow<MockRuntime>, cmd: &str) -> bool {
    invoke(window, cmd, json!({})).is_err_and(|e| e.to_string().contains("not allowed"))
}

#[test]
fn each_window_gets_only_its_payment_commands() {
    let test = signed_in_app();
    let (wizard, popover) = (window(&test.app, "wizard"), window(&test.app, "popover"));
    for cmd in ["next_view", "sign_in", "get_settings", "quick_top_up"] {
        assert!(not_allowed(&wizard, cmd), "the wizard may call {cmd}");
    }
    for cmd in ["payment_pay", "payment_begin", "payment_context"] {
        assert!(not_allowed(&popover, cmd), "the popover may call {cmd}");
    }
    let signin = window(&test.app, "signin");
    assert!(not_allowed(&signin, "payment_pay"));
}

#[test]
fn on_the_published_platform_the_wizard_says_where_credit_is_added() {
    let test = signed_in_app_on(ApiProfile::Published);
    // The figures the engine knows, as after a refresh.
    let engine = test
        .app
        .state::<lattica_app::engine::EngineHandle>()
        .inner()
        .clone();
    let mut state = engine.subscribe();
    tauri::async_runtime::block_on(state.wait_for(|s| s.snapshot.is_some())).unwrap();
    let wizard = window(&test.app, "wizard");
    let context = invoke(&wizard, "payment_context", json!({})).unwrap();
    let why = context["unavailable"].as_str().unwrap();
    assert!(why.contains("web console"), "{why}");
    assert!(!why.contains("HTTP") && !why.contains("api/"), "{why}");
    assert_eq!(context["balance"], "100.00");
    assert_eq!(context["suggestions"], json!([]));
    let popover = window(&test.app, "popover");
    assert_eq!(
        invoke(&popover, "quick_top_up_offer", json!({})).unwrap(),
        json!(null)
    );
}

#[test]
fn a_purchase_through_the_wizards_commands() {
    let test = signed_in_app();
    let wizard = window(&test.app, "wizard");
    // Every view of the attempt the windows are sent.
    let (sender, updates) = std::sync::mpsc::channel::<Value>();
    test.app
        .listen_any(crate::ipc::event::PAYMENT_UPDATED, move |event| {
            if let Ok(view) = serde_json::from_str(event.payload()) {
                let _ = sender.send(view);
            }
        });
    let context = invoke(&wizard, "payment_context", json!({})).unwrap();
    assert_eq!(
        context["paymentsOrigin"],
        test.sandbox.payments_url().trim_end_matches('/')
    );
    assert_eq!(context["suggestions"][0]["price"], "$25.00");
    assert!(context["attempt"].is_null());

    let refused = invoke(&wizard, "payment_quote", json!({"credits": "9"})).unwrap_err();
    assert_eq!(refused["kind"], "invalid_amount", "{refused}");
    let quote = invoke(&wizard, "payment_quote", json!({"credits": "40"})).unwrap();
    assert_eq!(quote["price"], "$40.00");

    let opened = invoke(&wizard, "payment_begin", json!({"credits": "40"})).unwrap();
    assert_eq!(opened["step"], "method");
    assert!(opened["paymentId"].as_str().unwrap().starts_with("pay_"));
    // A card number where only a token belongs is refused before anything is sent.
    let number = json!({"card": {"id": "4242424242424242", "last4": "4242"}, "save": false});
    let refused = invoke(&wizard, "payment_pay", number).unwrap_err();
    assert_eq!(refused["kind"], "payment");

    let method = tauri::async_runtime::block_on(
        reqwest::Client::new()
            .post(format!(
                "{}/v1/payment_methods",
                test.sandbox.payments_url()
            ))
            .json(
                &json!({"number": "4242424242424242", "expMonth": 12, "expYear": 2040,
                          "cvc": "123", "name": "Test Person"}),
            )
            .send(),
    )
    .unwrap();
    let method: Value = tauri::async_runtime::block_on(method.json()).unwrap();
    let paid = invoke(
        &wizard,
        "payment_pay",
        json!({"card": method, "save": true}),
    )
    .unwrap();
    assert_eq!(paid["step"], "succeeded", "{paid}");
    assert_eq!(paid["charged"], "$40.00");
    assert!(paid["receipt"].is_string());

    // The balance is the platform's, read back by a refresh, and sent to the windows.
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        let status = updates
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the read-back balance is sent");
        if status["newBalance"].is_string() {
            break status;
        }
    };
    assert_eq!(status["newBalance"], "140.00", "{status}");

    // The saved card is now the popover's one-click top-up.
    let popover = window(&test.app, "popover");
    let offer = invoke(&popover, "quick_top_up_offer", json!({})).unwrap();
    assert_eq!(offer["label"], "Add 25 credits · Visa •••• 4242", "{offer}");
    let quick = invoke(
        &popover,
        "quick_top_up",
        json!({"credits": "25", "card": offer["card"]["id"]}),
    )
    .unwrap();
    assert_eq!(quick["step"], "succeeded", "{quick}");
    assert_eq!(quick["origin"], "quickTopUp");
}

/// Tokenises a test card at the payment service, as its hosted form does.
fn tokenised_card(sandbox: &RunningSandbox, number: &str) -> Value {
    let answer = tauri::async_runtime::block_on(
        reqwest::Client::new()
            .post(format!("{}/v1/payment_methods", sandbox.payments_url()))
            .json(&json!({"number": number, "expMonth": 12, "expYear": 2040,
                          "cvc": "123", "name": "Test Person"}))
            .send(),
    )
    .unwrap();
    tauri::async_runtime::block_on(answer.json()).unwrap()
}

#[test]
fn a_removed_card_leaves_the_wizard_and_the_quick_offer_at_once() {
    let test = signed_in_app();
    let (wizard, popover, settings) = (
        window(&test.app, "wizard"),
        window(&test.app, "popover"),
        window(&test.app, "settings"),
    );
    invoke(&wizard, "payment_begin", json!({"credits": "40"})).unwrap();
    let card = tokenised_card(&test.sandbox, "4242424242424242");
    let paid = invoke(&wizard, "payment_pay", json!({"card": card, "save": true})).unwrap();
    assert_eq!(paid["step"], "succeeded", "{paid}");
    invoke(&wizard, "payment_done", json!({})).unwrap();

    let listed = invoke(&settings, "saved_cards", json!({})).unwrap();
    assert_eq!(listed["unavailable"], Value::Null);
    let saved = &listed["cards"][0];
    assert_eq!(saved["label"], "Visa •••• 4242", "{listed}");
    assert_eq!(saved["expiryText"], "Expires 12/40");
    assert_eq!(saved["expired"], false);
    // The offer is cached from here on.
    let offer = invoke(&popover, "quick_top_up_offer", json!({})).unwrap();
    assert_eq!(offer["card"]["id"], saved["id"]);
    // The card's token stays in Rust: every window names it by a handle of this run.
    let context = invoke(&wizard, "payment_context", json!({})).unwrap();
    assert_eq!(context["savedCards"][0]["id"], saved["id"]);
    let auto = invoke(&settings, "auto_top_up_state", json!({})).unwrap();
    assert_eq!(auto["cards"][0]["id"], saved["id"]);
    // The wizard pays with a saved card by its handle, as it lists it.
    invoke(&wizard, "payment_begin", json!({"credits": "30"})).unwrap();
    let saved_card = json!({"id": saved["id"], "brand": "visa", "last4": "4242"});
    let again = invoke(
        &wizard,
        "payment_pay",
        json!({"card": saved_card, "save": false}),
    )
    .unwrap();
    assert_eq!(again["step"], "succeeded", "{again}");
    assert_eq!(again["card"]["id"], saved["id"]);
    invoke(&wizard, "payment_done", json!({})).unwrap();
    for answer in [&paid, &listed, &offer, &context, &auto, &again] {
        assert!(!answer.to_string().contains("pm_"), "a token in {answer}");
    }
    let unknown = invoke(
        &popover,
        "quick_top_up",
        json!({"credits": "25", "card": "card-999"}),
    )
    .unwrap_err();
    assert_eq!(unknown["kind"], "payment", "{unknown}");
    assert!(
        unknown["message"].as_str().unwrap().contains("not known"),
        "{unknown}"
    );

    let (sender, changes) = std::sync::mpsc::channel::<Value>();
    test.app
        .listen_any(crate::ipc::event::CARDS_CHANGED, move |event| {
            if let Ok(cards) = serde_json::from_str(event.payload()) {
                let _ = sender.send(cards);
            }
        });
    let left = invoke(&settings, "remove_saved_card", json!({"card": saved["id"]})).unwrap();
    assert_eq!(left["cards"], json!([]), "{left}");
    let sent = changes
        .recv_timeout(Duration::from_secs(5))
        .expect("the wizard is told");
    assert_eq!(sent, json!([]));
    assert_eq!(
        invoke(&popover, "quick_top_up_offer", json!({})).unwrap(),
        Value::Null,
        "the cached offer went with the card"
    );
    let context = invoke(&wizard, "payment_context", json!({})).unwrap();
    assert_eq!(context["savedCards"], json!([]));
    // Gone on the platform too; paying with it is refused.
    let client = test.app.state::<Sessions>().client().unwrap();
    let methods = tauri::async_runtime::block_on(client.list_payment_methods()).unwrap();
    assert!(methods.is_empty(), "{methods:?}");
    let refused = invoke(
        &popover,
        "quick_top_up",
        json!({"credits": "25", "card": saved["id"]}),
    )
    .unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("no longer saved"),
        "{refused}"
    );
}

#[test]
fn on_the_published_platform_the_saved_cards_say_why_there_are_none() {
    let test = signed_in_app_on(ApiProfile::Published);
    let settings = window(&test.app, "settings");
    let listed = invoke(&settings, "saved_cards", json!({})).unwrap();
    assert_eq!(listed["cards"], json!([]));
    let why = listed["unavailable"].as_str().unwrap();
    assert!(why.contains("web console"), "{why}");
    assert!(!why.contains("HTTP") && !why.contains("api/"), "{why}");
}

#[test]
fn the_settings_windows_sentences_and_a_failed_read_of_its_cards_are_worded_in_rust() {
    let test = signed_in_app();
    let settings = window(&test.app, "settings");
    let view = invoke(&settings, "get_settings", json!({})).unwrap();
    assert_eq!(
        view["texts"]["refreshHint"],
        "Between 15 s and 1 h. The balance also refreshes when you open the popover.",
        "{view}"
    );
    assert_eq!(view["texts"]["signedOut"], "Signed out.");
    let none = invoke(&settings, "saved_cards", json!({})).unwrap();
    assert_eq!(none["note"], lattica_core::view::NO_SAVED_CARDS, "{none}");

    control(
        &test.sandbox,
        "set_faults",
        json!({"errorRate": 1, "errorStatus": 500,
               "endpoints": ["api/finance/list_payment_methods"]}),
    );
    let failed = invoke(&settings, "saved_cards", json!({})).unwrap_err();
    assert_eq!(failed["kind"], "server", "{failed}");
    assert_eq!(
        failed["message"],
        "The saved cards could not be read. The Lattica platform is having trouble right now. \
         Try again in a minute.",
        "{failed}"
    );
}
