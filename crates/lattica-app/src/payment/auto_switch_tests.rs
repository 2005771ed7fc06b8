//! An auto top-up overtaken by a move into or out of the demo: it stays tied to the journal
//! of the platform it was decided on.

use super::*;
use crate::payment::auto::STORE;
use crate::payment::auto::Stored;

fn stored_in(journal: &Journal) -> Stored {
    journal.load_value(STORE).unwrap_or_default()
}

#[tokio::test]
async fn a_switch_during_a_retrys_wait_gives_the_reservation_back_where_it_was_made() {
    let auto = start_auto().await;
    let charges = auto.f.charges().await;
    auto.card_outcome("processing_error").await;
    auto.fall_to(40).await;
    until("the first try declined", || {
        shows(&auto.published(), ViewStep::Method)
    })
    .await;
    assert_eq!(
        stored_in(&auto.journal).ledger.unwrap().count,
        1,
        "reserved"
    );
    // The app moves to another platform (the demo) during the wait; the card would pay now.
    let other_dir = tempfile::tempdir().unwrap();
    let other = Journal::open(
        &other_dir.path().join("history-sandbox.sqlite3"),
        Arc::new(MemoryCards::default()),
    )
    .unwrap();
    auto.payments.switch_journal(Some(other.clone())).await;
    auto.card_outcome("succeed").await;
    until("the reservation given back", || {
        stored_in(&auto.journal)
            .ledger
            .is_some_and(|ledger| ledger.count == 0)
    })
    .await;
    let mine = stored_in(&auto.journal);
    assert!(mine.enabled, "still on where it was confirmed");
    assert_eq!(mine.off_reason, None);
    assert_eq!(
        stored_in(&other),
        Stored::default(),
        "nothing written into the other platform's journal"
    );
    assert_eq!(auto.f.charges().await, charges, "bought after the switch");
}
