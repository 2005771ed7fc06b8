//! Auto top-up in the app against the real sandbox over real HTTP: the payment service, the
//! refresh loop with its alert policy and the journal, all in process; a balance set below
//! the rule's limit is bought through them. The windows are a recorder of what was published.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lattica_client::PaymentMethod;
use lattica_core::alerts::{AlertKind, Notification};
use lattica_core::view::SignOutReason;
use serde_json::json;
use tokio::sync::mpsc;

use crate::engine::Command;
use crate::payment::flow::Origin;
use crate::payment::flow_tests::{Fixture, PAYS, new_attempt, quiet, start};
use crate::payment::journal::{Journal, MemoryCards};
use crate::payment::{AttemptView, AutoTopUpForm, PaymentWindows, Payments, Step};

use super::ViewStep;

const DEADLINE: Duration = Duration::from_secs(40);

/// Each view published (its step and origin), with whether the journal held a record then.
type Published = Vec<(Option<(ViewStep, Origin)>, bool)>;

/// The windows: every view published, with whether the journal held a record just then.
struct Windows {
    journal: Journal,
    published: Mutex<Published>,
    opened: AtomicUsize,
}

impl PaymentWindows for Windows {
    fn publish(&self, view: Option<&AttemptView>) {
        let recorded = self.journal.load().is_some();
        self.published
            .lock()
            .unwrap()
            .push((view.map(|v| (v.step, v.origin)), recorded));
    }
    fn wizard_open(&self) -> bool {
        false
    }
    fn wizard_in_front(&self) -> bool {
        false
    }
    fn open_wizard(&self) {
        self.opened.fetch_add(1, Ordering::SeqCst);
    }
}

struct Auto {
    f: Fixture,
    payments: Payments,
    windows: Arc<Windows>,
    journal: Journal,
    notices: mpsc::UnboundedReceiver<Notification>,
    card: PaymentMethod,
    _dir: tempfile::TempDir,
}

/// A saved card, a balance of 300, and the rule "below 50, add 200" turned on.
async fn start_auto() -> Auto {
    let f = start().await;
    new_attempt(Origin::Wizard, f.purchase("10").await)
        .confirm(&f.client, f.card(PAYS).await, true, &quiet)
        .await
        .unwrap();
    let card = f.client.list_payment_methods().await.unwrap().remove(0);
    f.control("set_balance", json!({"credits": 300})).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(
        &dir.path().join("history.sqlite3"),
        Arc::new(MemoryCards::default()),
    )
    .unwrap();
    let (out, notices) = mpsc::unbounded_channel();
    let windows = Arc::new(Windows {
        journal: journal.clone(),
        published: Mutex::default(),
        opened: AtomicUsize::new(0),
    });
    let payments = f.payments(&journal, windows.clone(), Some(out)).await;
    let handle = payments.engine().clone();
    // The rule is confirmed for the account the refresh read.
    handle
        .subscribe()
        .wait_for(|s| s.snapshot.is_some())
        .await
        .unwrap();
    let form = AutoTopUpForm {
        unit: "credits".into(),
        below: "50".into(),
        add: "200".into(),
        // The settings window names the card by the handle it was shown.
        card_id: payments.auto_top_up().await.unwrap().cards[0].id.clone(),
        max_count: "3".into(),
        max_spend: "1000".into(),
    };
    let rule = payments.auto_top_up_rule(&form).await.unwrap();
    payments
        .enable_auto_top_up(&form, &rule.summary())
        .await
        .unwrap();
    let auto = Auto {
        f,
        payments: payments.clone(),
        windows,
        journal,
        notices,
        card,
        _dir: dir,
    };
    tokio::spawn(async move { payments.run_auto_top_up().await });
    auto
}

impl Auto {
    /// The balance falls to `credits` and the app refreshes.
    async fn fall_to(&self, credits: u32) {
        self.f
            .control("set_balance", json!({ "credits": credits }))
            .await;
        self.payments.engine().send(Command::RefreshNow);
    }

    /// The next auto top-up notification (other alerts, like "low balance", are skipped).
    async fn notice(&mut self) -> Notification {
        let auto = [
            AlertKind::AutoTopUp,
            AlertKind::AutoTopUpStopped,
            AlertKind::AutoTopUpCapped,
        ];
        tokio::time::timeout(DEADLINE, async {
            loop {
                let notice = self.notices.recv().await.expect("the loop runs");
                if auto.contains(&notice.kind) {
                    return notice;
                }
            }
        })
        .await
        .expect("an auto top-up notification")
    }

    fn published(&self) -> Published {
        self.windows.published.lock().unwrap().clone()
    }

    async fn card_outcome(&self, outcome: &str) {
        self.f
            .control(
                "set_card_outcome",
                json!({"paymentMethodId": self.card.id, "outcome": outcome}),
            )
            .await;
    }
}

async fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn shows(published: &Published, step: ViewStep) -> bool {
    published
        .iter()
        .any(|(v, _)| v.is_some_and(|v| v.0 == step))
}

#[tokio::test]
async fn turning_the_rule_off_stops_a_retry_in_its_wait() {
    let mut auto = start_auto().await;
    let charges = auto.f.charges().await;
    auto.card_outcome("processing_error").await;
    auto.fall_to(40).await;
    until("the first try declined", || {
        shows(&auto.published(), ViewStep::Method)
    })
    .await;
    // The user turns the rule off during the wait; the card would pay now.
    auto.payments.disable_auto_top_up().await.unwrap();
    auto.card_outcome("succeed").await;
    until("the attempt ended", || {
        auto.published().last().is_some_and(|(v, _)| v.is_none())
    })
    .await;
    assert_eq!(auto.f.charges().await, charges, "bought after it was off");
    let stored = auto.payments.stored();
    assert!(!stored.enabled);
    assert_eq!(
        stored.ledger.unwrap().count,
        0,
        "the reservation is given back"
    );
    // The user's own choice is not announced as a failure.
    while let Ok(notice) = auto.notices.try_recv() {
        assert_ne!(notice.kind, AlertKind::AutoTopUpStopped, "{notice:?}");
    }
}

#[tokio::test]
async fn a_platform_error_leaves_the_rule_on_and_the_next_reading_buys() {
    let mut auto = start_auto().await;
    let charges = auto.f.charges().await;
    auto.f
        .control(
            "set_faults",
            json!({"errorRate": 1, "errorStatus": 503,
                   "endpoints": ["api/finance/list_payment_methods"]}),
        )
        .await;
    auto.fall_to(40).await;
    // Settled either way: off (wrong) or given back and re-armed (right).
    until("the crossing settled", || {
        let stored = auto.payments.stored();
        // (Its seed is a u128, which a serde_json::Value cannot hold.)
        let ledger = serde_json::to_string(&stored.ledger).unwrap();
        !stored.enabled || (ledger.contains(r#""crossing":1"#) && ledger.contains(r#""count":0"#))
    })
    .await;
    let stored = auto.payments.stored();
    assert!(stored.enabled, "turned off: {:?}", stored.off_reason);
    assert_eq!(stored.off_reason, None);
    assert!(auto.journal.load().is_none(), "no payment was begun");
    auto.f.control("clear_faults", json!({})).await;
    auto.payments.engine().send(Command::RefreshNow);
    let notice = auto.notice().await;
    assert_eq!(notice.kind, AlertKind::AutoTopUp, "{notice:?}");
    assert_eq!(auto.f.charges().await, charges + 1);
}

#[tokio::test]
async fn a_bought_top_up_stays_in_the_journal_until_it_is_told() {
    let mut auto = start_auto().await;
    let charges = auto.f.charges().await;
    auto.fall_to(40).await;
    auto.told_bought(charges).await;
    let published = auto.published();
    assert!(shows(&published, ViewStep::Succeeded));
    for (view, recorded) in &published {
        if view.is_some_and(|v| v.0 == ViewStep::Succeeded) {
            assert!(
                recorded,
                "the journal forgot the purchase before it was told"
            );
        }
    }
}

#[tokio::test]
async fn an_auto_top_up_told_late_leaves_a_wizard_payment_alone() {
    let mut auto = start_auto().await;
    // The read-back after the purchase is slow: the user starts a payment meanwhile.
    auto.cross_with_faults(
        json!({"latencyMs": 1500, "endpoints": ["api/finance/get_account_credits"]}),
        ViewStep::Succeeded,
    )
    .await;
    let purchase = auto.f.purchase("25").await;
    let view = auto.payments.run(Step::Begin(purchase)).await.unwrap();
    assert_eq!(view.map(|v| v.origin), Some(Origin::Wizard));
    let begun = auto.published().len();
    let notice = auto.notice().await;
    assert_eq!(notice.kind, AlertKind::AutoTopUp);
    // The auto top-up's end may not take the wizard's payment with it.
    // Whatever the auto top-up's end did, it published the attempt after the wizard's start.
    until("the auto top-up's end", || auto.published().len() > begun).await;
    assert_eq!(
        auto.published().last().unwrap().0,
        Some((ViewStep::Method, Origin::Wizard))
    );
    let entry = auto.journal.load().expect("the wizard's record");
    assert_eq!(entry.origin, Origin::Wizard);
}

#[tokio::test]
async fn an_auto_top_up_that_needs_the_bank_opens_the_wizard_and_says_so() {
    let mut auto = start_auto().await;
    auto.card_outcome("authenticate").await;
    auto.fall_to(40).await;
    let notice = auto.notice().await;
    assert_eq!(notice.kind, AlertKind::AutoTopUp, "{notice:?}");
    assert!(notice.body.contains("bank"), "{notice:?}");
    assert!(
        auto.windows.opened.load(Ordering::SeqCst) >= 1,
        "the wizard was not opened"
    );
}

#[tokio::test]
async fn signing_out_turns_the_rule_off() {
    let auto = start_auto().await;
    assert_eq!(
        auto.payments.stored().account.as_deref(),
        Some("demo@lattica.ai")
    );
    auto.payments.engine().send(Command::SignedOut {
        reason: SignOutReason::SignedOut,
        forget_history: false,
    });
    until("the rule turned off", || !auto.payments.stored().enabled).await;
    assert_eq!(
        auto.payments.stored().off_reason.as_deref(),
        Some("Turned off when you signed out.")
    );
}

#[tokio::test]
async fn a_rule_confirmed_for_another_account_buys_nothing_and_turns_off() {
    let mut auto = start_auto().await;
    let charges = auto.f.charges().await;
    let mut stored = auto.payments.stored();
    stored.account = Some("someone@else.example".to_owned());
    assert!(auto.payments.save_stored(&stored));
    auto.fall_to(40).await;
    let notice = auto.notice().await;
    assert_eq!(notice.kind, AlertKind::AutoTopUpStopped, "{notice:?}");
    assert!(notice.body.contains("another account"), "{notice:?}");
    assert!(!auto.payments.stored().enabled);
    assert_eq!(auto.f.charges().await, charges);
}

impl Auto {
    /// The balance crosses the limit and every send of the purchase fails before it is
    /// processed, nor is it in the history: its outcome is unknown, nothing charged yet.
    async fn unknown_purchase(&self) {
        self.cross_with_faults(
            json!({"failNext": 1000, "endpoints": ["api/finance/add_credits"]}),
            ViewStep::Unknown,
        )
        .await;
        self.f.control("clear_faults", json!({})).await;
    }

    /// With the sandbox's `faults` set, the balance falls below the limit; waits until the
    /// purchase shows `step`.
    async fn cross_with_faults(&self, faults: serde_json::Value, step: ViewStep) {
        self.f.control("set_faults", faults).await;
        self.fall_to(40).await;
        until(&format!("the purchase at {step:?}"), || {
            shows(&self.published(), step)
        })
        .await;
    }

    /// The next auto top-up notification is the purchase's, with the balance read back;
    /// exactly one charge was made, and the journal lets it go once told.
    async fn told_bought(&mut self, charges: usize) {
        let notice = self.notice().await;
        assert_eq!(notice.kind, AlertKind::AutoTopUp, "{notice:?}");
        assert_eq!(
            notice.body, "Auto top-up: +200.00 credits, $200.00, balance 240.00",
            "{notice:?}"
        );
        assert_eq!(self.f.charges().await, charges + 1);
        until("the journal cleared once told", || {
            self.journal.load().is_none()
        })
        .await;
    }
}

#[tokio::test]
async fn an_unknown_auto_top_up_settled_by_check_again_is_told_like_any_other() {
    let mut auto = start_auto().await;
    let charges = auto.f.charges().await;
    auto.unknown_purchase().await;
    let view = auto.payments.run(Step::CheckAgain).await.unwrap();
    assert_eq!(view.map(|v| v.step), Some(ViewStep::Succeeded));
    auto.told_bought(charges).await;
}

#[tokio::test]
async fn an_unknown_auto_top_up_is_settled_at_a_later_reading_and_told() {
    let mut auto = start_auto().await;
    let charges = auto.f.charges().await;
    auto.unknown_purchase().await;
    auto.payments.engine().send(Command::RefreshNow);
    auto.told_bought(charges).await;
}

#[path = "auto_switch_tests.rs"]
mod switch;
