//! The payment tests' fixture: a real sandbox over real HTTP, with its control API, a client
//! signed in to it, test cards tokenised as the hosted form does, and the payment service
//! started on it as the app starts it.

use std::time::Duration;

use lattica_client::{ClientConfig, LatticaClient, PaymentMethod, RetryPolicy, SessionToken};
use lattica_sandbox::{RunningSandbox, SandboxConfig};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::amount::Purchase;
use super::card;
use super::flow::{Attempt, Origin};

pub(super) const PAYS: &str = "4242424242424242";
pub(super) const DECLINED: &str = "4000000000000002";
pub(super) const THREE_DS: &str = "4000002760003184";

pub(super) struct Fixture {
    pub(super) sandbox: RunningSandbox,
    pub(super) client: LatticaClient,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

pub(super) fn quiet(_: &Attempt) {}

/// An attempt that waits only briefly before sending an unanswered request again.
pub(super) fn new_attempt(origin: Origin, purchase: Purchase) -> Attempt {
    Attempt::new(origin, purchase).with_resend_delay(Duration::from_millis(50))
}

pub(super) async fn start() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path().join("sandbox"));
    config.control = true;
    let sandbox = lattica_sandbox::start(config).await.unwrap();
    let config = ClientConfig::new(&sandbox.url())
        .unwrap()
        .with_retry_policy(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            budget: Duration::from_secs(10),
        });
    let token = SessionToken::parse(sandbox.demo_token()).unwrap();
    let client = LatticaClient::new(config, token).unwrap();
    let fixture = Fixture {
        sandbox,
        client,
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        _dir: dir,
    };
    // No burn: balances compare exactly.
    fixture.control("stop_worker", json!({"all": true})).await;
    fixture
}

impl Fixture {
    /// The app's session on this sandbox as a restarted app restores it: the demo account's
    /// token in an in-memory vault, and the one signed-in client.
    pub(super) async fn demo_session(&self) -> (crate::session::Sessions, LatticaClient) {
        use crate::session::{MemoryVault, Sessions, TokenVault};
        let vault = std::sync::Arc::new(MemoryVault::default());
        vault
            .store(&SessionToken::parse(self.sandbox.demo_token()).unwrap())
            .unwrap();
        let sessions = Sessions::new(
            crate::backend::Backend::sandbox(&self.sandbox.url()).unwrap(),
            std::sync::Arc::new(move |_: &crate::backend::Backend| {
                std::sync::Arc::clone(&vault) as std::sync::Arc<dyn TokenVault>
            }),
        );
        let client = sessions.restore().await.unwrap().unwrap();
        (sessions, client)
    }

    /// The app's payment service on this sandbox as a started app has it: the session of
    /// [`Self::demo_session`], its refresh loop running (its alerts sent to `alerts`, if
    /// given), every attempt recorded in `journal`, every change told to `windows`.
    pub(super) async fn payments(
        &self,
        journal: &crate::payment::Journal,
        windows: std::sync::Arc<dyn crate::payment::PaymentWindows>,
        alerts: Option<tokio::sync::mpsc::UnboundedSender<lattica_core::alerts::Notification>>,
    ) -> crate::payment::Payments {
        use crate::engine::{Engine, EngineState};
        let (sessions, client) = self.demo_session().await;
        let (engine, handle) = Engine::new(
            EngineState::new(lattica_core::settings::Settings::default(), true),
            Some(client),
            None,
            Some(Duration::from_secs(3600)),
        );
        let engine = match alerts {
            Some(out) => engine.with_alerts(out),
            None => engine,
        };
        tokio::spawn(engine.run());
        crate::payment::Payments::new(
            handle,
            sessions,
            windows,
            Duration::from_millis(50),
            Some(journal.clone()),
        )
    }

    pub(super) async fn control(&self, action: &str, body: Value) -> Value {
        let answer: Value = self
            .http
            .post(format!("{}/control/{action}", self.sandbox.url()))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(answer.get("error").is_none(), "{action}: {answer}");
        answer["result"].clone()
    }

    /// Tokenises a test card, as the hosted form does.
    pub(super) async fn card(&self, number: &str) -> PaymentMethod {
        let method: Value = self
            .http
            .post(format!(
                "{}/v1/payment_methods",
                self.sandbox.payments_url()
            ))
            .json(
                &json!({"number": number, "expMonth": 12, "expYear": 2040, "cvc": "123",
                          "name": "Test Person", "postalCode": ""}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        card::check(serde_json::from_value(method).unwrap()).unwrap()
    }

    pub(super) async fn purchase(&self, credits: &str) -> Purchase {
        let pricing = self.client.get_pricing().await.unwrap();
        Purchase::parse(
            credits,
            lattica_core::input::NumberStyle::DecimalPoint,
            &pricing,
        )
        .unwrap()
    }

    pub(super) async fn balance(&self) -> Decimal {
        self.client.get_account_credits().await.unwrap()
    }

    /// Payments of the account that were charged.
    pub(super) async fn charges(&self) -> usize {
        let history = self.client.get_transaction_history().await.unwrap();
        history.iter().filter(|p| p.is_success()).count()
    }

    pub(super) async fn faults(&self, drop_next: u32, endpoints: &[&str]) {
        self.control(
            "set_faults",
            json!({"dropNext": drop_next, "endpoints": endpoints}),
        )
        .await;
    }
}

/// Payment windows that are never open: the service runs without a shell.
pub(crate) struct NoWindows;

impl super::PaymentWindows for NoWindows {
    fn publish(&self, _: Option<&super::AttemptView>) {}
    fn wizard_open(&self) -> bool {
        false
    }
    fn wizard_in_front(&self) -> bool {
        false
    }
    fn open_wizard(&self) {}
}
