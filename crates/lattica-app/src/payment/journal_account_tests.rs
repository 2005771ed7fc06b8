//! The journal's attempt belongs to the account that paid it, against the real sandbox: at the
//! next start, one made by another account is set aside, neither sent again nor read with this
//! session, and this account may pay meanwhile; once its own account signs in, it is settled by
//! reading only (never sent again). The same within one run: an attempt left open when its
//! account signs out is set aside once another signs in, never checked with its session.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use lattica_core::view::{Session, SignOutReason};
use serde_json::json;

use super::auto::account_of;
use super::fixture::NoWindows;
use super::flow::{FlowError, Origin};
use super::flow_tests::{Fixture, PAYS, start};
use super::journal::{CardVault, Journal, MemoryCards};
use super::journal_tests::crash_while_held;
use super::view::Step as ViewStep;
use crate::engine::Command;
use crate::error::AppError;
use crate::payment::{Payments, Step};

/// The sandbox's one account, as the refresh reads it.
const DEMO: &str = "demo@lattica.ai";
const OTHER: &str = "someone@else.example";

/// The app started again on the journal in `dir`, signed in as the sandbox's demo account,
/// with its start's recovery done.
async fn restart(f: &Fixture, dir: &Path, cards: Arc<MemoryCards>) -> (Payments, Journal) {
    let journal = Journal::open(&dir.join("history.sqlite3"), cards).unwrap();
    let payments = f.payments(&journal, Arc::new(NoWindows), None).await;
    tokio::time::timeout(Duration::from_secs(20), payments.resume())
        .await
        .expect("the start's recovery ends");
    (payments, journal)
}

#[tokio::test]
async fn an_attempt_of_another_account_waits_for_it_and_this_one_pays_meanwhile() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let cards = Arc::new(MemoryCards::default());
    let journal = Journal::open(&dir.path().join("history.sqlite3"), cards.clone()).unwrap();
    let charges = f.charges().await;
    crash_while_held(&f, &journal, Origin::Wizard, "25").await;
    // Paid for another account, which then signed out; the demo account signs in.
    let mut entry = journal.load().unwrap();
    entry.account = Some(OTHER.to_owned());
    journal.record(&entry, None).unwrap();
    assert!(cards.load().is_some(), "its card could be sent again");
    drop(journal);

    let (payments, journal) = restart(&f, dir.path(), cards.clone()).await;
    assert_eq!(f.charges().await, charges, "sent again with this session");
    let id = entry.payment_id.clone().unwrap();
    let payment = f.client.get_payment(&id).await.unwrap();
    assert_ne!(
        payment.status.as_str(),
        "canceled",
        "settled with this session"
    );
    assert_eq!(
        journal.parked(OTHER),
        Some(entry.clone()),
        "kept for its account"
    );
    assert!(cards.load().is_none(), "its card token left the keychain");

    // This account is not held up: a payment of its own goes through, recorded as its own.
    payments
        .run(Step::Begin(f.purchase("10").await))
        .await
        .unwrap();
    assert_eq!(journal.load().unwrap().account.as_deref(), Some(DEMO));
    let card = f.card(PAYS).await;
    payments.run(Step::Pay { card, save: false }).await.unwrap();
    assert_eq!(f.charges().await, charges + 1);
    assert_eq!(journal.parked(OTHER), Some(entry));
}

#[tokio::test]
async fn an_attempt_kept_for_this_account_is_settled_by_reading_when_it_signs_in() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let cards = Arc::new(MemoryCards::default());
    let journal = Journal::open(&dir.path().join("history.sqlite3"), cards.clone()).unwrap();
    let charges = f.charges().await;
    crash_while_held(&f, &journal, Origin::Wizard, "30").await;
    let mut entry = journal.load().unwrap();
    entry.account = Some(DEMO.to_owned());
    // Set aside while another account was signed in.
    journal.park(&entry, DEMO).unwrap();
    assert!(journal.load().is_none());
    drop(journal);

    let (payments, journal) = restart(&f, dir.path(), cards).await;
    assert_eq!(journal.parked(DEMO), None, "taken back by its account");
    let id = entry.payment_id.clone().unwrap();
    let payment = f.client.get_payment(&id).await.unwrap();
    assert_eq!(payment.status.as_str(), "canceled", "read, then closed");
    assert_eq!(f.charges().await, charges, "never sent again");
    // Nothing of it is left in flight: a new payment may begin.
    payments
        .run(Step::Begin(f.purchase("10").await))
        .await
        .unwrap();
    assert_eq!(
        journal.load().unwrap().credits,
        rust_decimal::Decimal::from(10)
    );
}

#[tokio::test]
async fn an_attempt_left_open_at_a_sign_out_is_set_aside_not_checked_by_the_next_account() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (payments, journal) = restart(&f, dir.path(), Arc::new(MemoryCards::default())).await;
    payments
        .run(Step::Begin(f.purchase("20").await))
        .await
        .unwrap();
    // Every answer about the confirmation is lost: its outcome stays unknown.
    f.faults(
        50,
        &["api/finance/confirm_payment", "api/finance/get_payment"],
    )
    .await;
    let card = f.card(PAYS).await;
    let view = payments.run(Step::Pay { card, save: false }).await.unwrap();
    assert_eq!(view.map(|v| v.step), Some(ViewStep::Unknown));
    f.control("clear_faults", json!({})).await;
    // It was paid by another account (the sandbox has one), which signs out; this one signs in.
    let payment_id = {
        let mut slot = payments.0.slot.lock().await;
        let attempt = slot.attempt.take().unwrap();
        let attempt = attempt.with_account(Some(OTHER.to_owned()));
        let id = attempt.entry().payment_id;
        slot.attempt = Some(attempt);
        id
    };
    let engine = payments.engine().clone();
    let mut changes = engine.subscribe();
    engine.send(Command::SignedOut {
        reason: SignOutReason::SignedOut,
        forget_history: false,
    });
    changes
        .wait_for(|s| s.session != Session::SignedIn)
        .await
        .unwrap();
    engine.send(Command::SignedIn(f.client.clone()));
    changes
        .wait_for(|s| account_of(s).as_deref() == Some(DEMO))
        .await
        .unwrap();

    let checked = payments.run(Step::CheckAgain).await;
    assert!(
        matches!(checked, Err(AppError::Payment(FlowError::NoAttempt))),
        "checked with this account's session: {checked:?}"
    );
    let parked = journal.parked(OTHER).expect("kept for its account");
    assert_eq!(parked.payment_id, payment_id);
    // This account is not held up by it.
    payments
        .run(Step::Begin(f.purchase("10").await))
        .await
        .unwrap();
    assert_eq!(journal.load().unwrap().account.as_deref(), Some(DEMO));
}
