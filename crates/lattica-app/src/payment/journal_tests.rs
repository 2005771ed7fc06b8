//! The journal's recovery states against the real sandbox: an attempt recorded before each
//! request, then rebuilt after a "crash" (its task dropped mid-request, as a kill drops the
//! connection) and settled: sent again with its key (one charge), read back, or canceled
//! (nothing charged). A property test of the record itself: what a restored attempt records
//! again is what was recorded, and no record ever holds a card token.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

use super::flow::{Attempt, KEY_LIFETIME, Origin, Stage};
use super::flow_tests::{Fixture, PAYS, new_attempt, quiet, start};
use super::journal::{CardData, CardVault, Confirmation, Entry, Journal, MemoryCards, State};

const DELAY: Duration = Duration::from_millis(50);

pub(super) fn journal(dir: &Path) -> (Journal, Arc<MemoryCards>) {
    let cards = Arc::new(MemoryCards::default());
    let journal = Journal::open(&dir.join("history.sqlite3"), cards.clone()).unwrap();
    (journal, cards)
}

/// Every byte of the database files, to look for what must never be there.
fn database_text(dir: &Path) -> String {
    let mut text = String::new();
    for suffix in ["", "-wal"] {
        if let Ok(bytes) = std::fs::read(dir.join(format!("history.sqlite3{suffix}"))) {
            text.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    text
}

async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn in_flight(f: &Fixture) -> u64 {
    f.control("state", json!({})).await["paymentsInFlight"]
        .as_u64()
        .unwrap()
}

/// Confirms `credits` with a card while the processor holds it, then drops the step in the
/// middle (the app killed): the journal is what is left.
pub(super) async fn crash_while_held(
    f: &Fixture,
    journal: &Journal,
    origin: Origin,
    credits: &str,
) {
    let card = match origin {
        Origin::Wizard => f.card(PAYS).await,
        Origin::QuickTopUp | Origin::AutoTopUp => saved_card(f).await,
    };
    let mut attempt = new_attempt(origin, f.purchase(credits).await).with_journal(journal.clone());
    if origin == Origin::Wizard {
        attempt.open(&f.client).await.unwrap();
    }
    f.control("set_processor", json!({"hold": true})).await;
    let client = f.client.clone();
    let step = tokio::spawn(async move { attempt.confirm(&client, card, false, &quiet).await });
    until("the confirmation held", async || in_flight(f).await == 1).await;
    let recorded = journal.load().unwrap();
    assert_eq!(
        recorded.state,
        State::Confirming,
        "recorded before it was sent"
    );
    assert!(recorded.confirmation.is_some());
    step.abort();
    let _ = step.await;
    until("the held confirmation dropped", async || {
        in_flight(f).await == 0
    })
    .await;
    f.control("set_processor", json!({"hold": false})).await;
}

/// A card saved by a first payment, as a quick top-up needs.
async fn saved_card(f: &Fixture) -> lattica_client::PaymentMethod {
    let mut first = new_attempt(Origin::Wizard, f.purchase("10").await);
    first
        .confirm(&f.client, f.card(PAYS).await, true, &quiet)
        .await
        .unwrap();
    f.client.list_payment_methods().await.unwrap().remove(0)
}

fn restored(journal: &Journal, cards: &MemoryCards) -> Attempt {
    Attempt::restore(
        journal.load().unwrap(),
        cards.load(),
        journal.clone(),
        DELAY,
    )
}

#[tokio::test]
async fn a_confirmation_cut_by_a_crash_is_sent_again_and_charged_once() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (journal, cards) = journal(dir.path());
    let (before, charges) = (f.balance().await, f.charges().await);
    crash_while_held(&f, &journal, Origin::Wizard, "25").await;

    let recorded = journal.load().unwrap();
    let card = &recorded.confirmation.as_ref().unwrap().card;
    assert_eq!(card.last4.as_deref(), Some("4242"));
    assert!(recorded.payment_id.is_some());
    let text = database_text(dir.path());
    let token = cards.load().expect("the token waits in the vault");
    assert!(!text.contains(&token), "the card token is in the database");
    assert!(!text.contains(PAYS), "the card number is in the database");

    let mut attempt = restored(&journal, &cards);
    assert!(
        attempt.in_flight(),
        "nothing new may start before it is settled"
    );
    attempt.recover(&f.client, &quiet).await.unwrap();
    assert_eq!(attempt.stage(), &Stage::Succeeded);
    assert_eq!(f.charges().await, charges + 1);
    assert_eq!(f.balance().await, before + Decimal::from(25));
    assert_eq!(journal.load().unwrap().state, State::Succeeded);

    // Settling it again (a second start before the outcome was cleared) charges nothing more.
    let mut again = restored(&journal, &cards);
    again.recover(&f.client, &quiet).await.unwrap();
    assert_eq!(again.stage(), &Stage::Succeeded);
    assert_eq!(f.charges().await, charges + 1);
    journal.finish();
    assert!(journal.load().is_none());
    assert!(
        cards.load().is_none(),
        "the token leaves the vault with the record"
    );
}

#[tokio::test]
async fn without_the_card_an_interrupted_payment_is_canceled_and_nothing_charged() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (journal, cards) = journal(dir.path());
    let (before, charges) = (f.balance().await, f.charges().await);
    crash_while_held(&f, &journal, Origin::Wizard, "30").await;
    cards.remove();

    let mut attempt = restored(&journal, &cards);
    attempt.recover(&f.client, &quiet).await.unwrap();
    assert_eq!(attempt.stage(), &Stage::Canceled);
    let id = journal.load().unwrap().payment_id.unwrap();
    let payment = f.client.get_payment(&id).await.unwrap();
    assert_eq!(payment.status.as_str(), "canceled");
    assert_eq!(f.charges().await, charges);
    assert_eq!(f.balance().await, before);
    assert!(journal.load().unwrap().cancel_key.is_some());
}

#[tokio::test]
async fn an_answered_confirmation_recorded_as_in_flight_reads_as_its_outcome() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (journal, cards) = journal(dir.path());
    let charges = f.charges().await;
    let mut attempt =
        new_attempt(Origin::Wizard, f.purchase("15").await).with_journal(journal.clone());
    attempt
        .confirm(&f.client, f.card(PAYS).await, false, &quiet)
        .await
        .unwrap();
    assert_eq!(attempt.stage(), &Stage::Succeeded);
    // The crash came after the answer, before its state was written.
    let mut entry = journal.load().unwrap();
    entry.state = State::Confirming;
    journal.record(&entry, None).unwrap();
    for keep_card in [true, false] {
        if !keep_card {
            cards.remove();
        }
        let mut again = restored(&journal, &cards);
        again.recover(&f.client, &quiet).await.unwrap();
        assert_eq!(again.stage(), &Stage::Succeeded, "card kept: {keep_card}");
        journal.record(&entry, None).unwrap();
    }
    assert_eq!(f.charges().await, charges + 1);
}

#[tokio::test]
async fn a_quick_top_up_cut_by_a_crash_is_found_in_the_history_or_sent_again() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (journal, cards) = journal(dir.path());
    let charges = f.charges().await + 1; // the payment that saves the card
    crash_while_held(&f, &journal, Origin::QuickTopUp, "20").await;
    assert!(journal.load().unwrap().payment_id.is_none());
    let mut attempt = restored(&journal, &cards);
    attempt.recover(&f.client, &quiet).await.unwrap();
    assert_eq!(attempt.stage(), &Stage::Succeeded);
    assert_eq!(f.charges().await, charges + 1);

    // The same record without the card: the success is in the history, not bought again.
    let mut entry = journal.load().unwrap();
    entry.state = State::Confirming;
    journal.record(&entry, None).unwrap();
    cards.remove();
    let mut again = restored(&journal, &cards);
    again.recover(&f.client, &quiet).await.unwrap();
    assert_eq!(again.stage(), &Stage::Succeeded);
    assert_eq!(f.charges().await, charges + 1);
}

/// The record as the app finds it a day later: the platform may have forgotten its keys.
fn a_day_later(journal: &Journal) {
    let mut entry = journal.load().unwrap();
    entry.started_at -= KEY_LIFETIME + TimeDelta::hours(1);
    journal.record(&entry, None).unwrap();
}

#[tokio::test]
async fn a_quick_top_up_older_than_its_key_is_looked_for_never_sent_again() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (journal, cards) = journal(dir.path());
    let charges = f.charges().await + 1; // the payment that saves the card
    crash_while_held(&f, &journal, Origin::QuickTopUp, "20").await;
    a_day_later(&journal);
    let mut attempt = restored(&journal, &cards);
    assert!(attempt.keys_may_be_gone());
    attempt.recover(&f.client, &quiet).await.unwrap();
    assert!(
        matches!(attempt.stage(), Stage::Unknown { problem } if problem.contains("more than a day")),
        "{:?}",
        attempt.stage()
    );
    assert_eq!(f.charges().await, charges, "sent again with an old key");
    // "Check again" reads the history only, too; a cancellation lets it go, sending nothing.
    attempt.check_again(&f.client, &quiet).await.unwrap();
    assert!(matches!(attempt.stage(), Stage::Unknown { .. }));
    attempt.cancel(&f.client).await.unwrap();
    assert_eq!(attempt.stage(), &Stage::Canceled);
    assert_eq!(f.charges().await, charges);

    // One that did go through is found in the history: a success, charged once.
    let young = tempfile::tempdir().unwrap();
    let (journal, cards) = self::journal(young.path());
    crash_while_held(&f, &journal, Origin::QuickTopUp, "21").await;
    let charges = f.charges().await;
    restored(&journal, &cards)
        .recover(&f.client, &quiet)
        .await
        .unwrap();
    assert_eq!(f.charges().await, charges + 1);
    let mut entry = journal.load().unwrap();
    entry.state = State::Confirming;
    journal.record(&entry, None).unwrap();
    a_day_later(&journal);
    let mut old = restored(&journal, &cards);
    old.recover(&f.client, &quiet).await.unwrap();
    assert_eq!(old.stage(), &Stage::Succeeded);
    assert_eq!(f.charges().await, charges + 1);
}

#[tokio::test]
async fn a_wizard_payment_older_than_its_key_is_read_not_sent_again() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (journal, cards) = journal(dir.path());
    let charges = f.charges().await;
    crash_while_held(&f, &journal, Origin::Wizard, "35").await;
    a_day_later(&journal);
    assert!(cards.load().is_some(), "the card could be sent again");
    let mut attempt = restored(&journal, &cards);
    attempt.recover(&f.client, &quiet).await.unwrap();
    assert_eq!(attempt.stage(), &Stage::Canceled);
    assert_eq!(f.charges().await, charges);
}

#[tokio::test]
async fn a_payment_never_confirmed_is_closed_and_nothing_charged() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (journal, cards) = journal(dir.path());
    let charges = f.charges().await;
    let mut attempt =
        new_attempt(Origin::Wizard, f.purchase("40").await).with_journal(journal.clone());
    attempt.open(&f.client).await.unwrap();
    let recorded = journal.load().unwrap();
    assert_eq!(recorded.state, State::Open);
    assert!(!recorded.unsettled());
    let mut again = restored(&journal, &cards);
    assert!(!again.in_flight());
    again.recover(&f.client, &quiet).await.unwrap();
    assert_eq!(again.stage(), &Stage::Canceled);
    let payment = f
        .client
        .get_payment(recorded.payment_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(payment.status.as_str(), "canceled");
    assert_eq!(f.charges().await, charges);
}

fn any_state() -> impl Strategy<Value = State> {
    prop_oneof![
        Just(State::Open),
        Just(State::Declined),
        Just(State::Confirming),
        Just(State::Unknown),
        Just(State::Authenticating),
        Just(State::Succeeded),
        Just(State::Canceled),
    ]
}

prop_compose! {
    fn any_entry()(
        quick in any::<bool>(),
        cents in 1_000_i64..500_000,
        seconds in 1_700_000_000_i64..1_900_000_000,
        keys in any::<[u128; 3]>(),
        payment in proptest::option::of("pay_[0-9a-f]{24}"),
        confirmed in any::<bool>(),
        last4 in "[0-9]{4}",
        save in any::<bool>(),
        cancel in any::<bool>(),
        state in any_state(),
        account in proptest::option::of("[a-z]{1,8}@example\\.com"),
    ) -> Entry {
        Entry {
            origin: if quick { Origin::QuickTopUp } else { Origin::Wizard },
            credits: Decimal::new(cents, 2),
            price: cents,
            currency: "usd".into(),
            started_at: Utc.timestamp_opt(seconds, 0).unwrap(),
            create_key: Uuid::from_u128(keys[0]),
            payment_id: payment,
            confirmation: confirmed.then(|| Confirmation {
                key: Uuid::from_u128(keys[1]),
                card: CardData {
                    brand: Some("visa".into()),
                    last4: Some(last4),
                    exp_month: Some(4),
                    exp_year: Some(2040),
                },
                save,
                status_before: Some("requires_payment_method".into()),
            }),
            cancel_key: cancel.then(|| Uuid::from_u128(keys[2])),
            account,
            state,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A restored attempt records the same keys, amount, payment and card; its state is the
    /// recorded one, except that anything in flight reads as unknown until settled and a
    /// declined attempt as open (both charge nothing new without the user). The token given
    /// to the restored attempt is never in its record.
    #[test]
    fn a_restored_attempt_records_what_was_recorded(entry in any_entry()) {
        let dir = tempfile::tempdir().unwrap();
        let (journal, cards) = journal(dir.path());
        journal.record(&entry, Some("pm_secret0token")).unwrap();
        let loaded = journal.load().unwrap();
        prop_assert_eq!(&loaded, &entry);
        let attempt = Attempt::restore(loaded, cards.load(), journal.clone(), DELAY);
        let again = attempt.entry();
        let expected = match entry.state {
            State::Confirming | State::Unknown | State::Authenticating => State::Unknown,
            State::Declined => State::Open,
            other => other,
        };
        prop_assert_eq!(again.state, expected);
        prop_assert_eq!(attempt.in_flight(), entry.unsettled());
        prop_assert_eq!(Entry { state: entry.state, ..again.clone() }, entry);
        journal.record(&again, None).unwrap();
        prop_assert!(!database_text(dir.path()).contains("pm_secret0token"));
    }
}
