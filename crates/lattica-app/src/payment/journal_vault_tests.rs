//! How the journal keeps what it keeps: the card token in the vault, against the real
//! sandbox, kept while a confirmation's outcome is open (it may be sent again) and gone as
//! soon as that outcome is known; the record itself on a connection that syncs every commit.

use lattica_core::history::History;
use serde_json::json;

use super::flow::{Origin, Stage};
use super::flow_tests::{DECLINED, PAYS, THREE_DS, new_attempt, quiet, start};
use super::journal::{CardVault, State};
use super::journal_tests::journal;

#[tokio::test]
async fn the_card_token_leaves_the_keychain_once_its_outcome_is_known() {
    let f = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (journal, cards) = journal(dir.path());
    let mut attempt =
        new_attempt(Origin::Wizard, f.purchase("25").await).with_journal(journal.clone());
    attempt
        .confirm(&f.client, f.card(DECLINED).await, false, &quiet)
        .await
        .unwrap();
    assert_eq!(journal.load().unwrap().state, State::Declined);
    assert!(cards.load().is_none(), "a declined card's token is kept");

    // Waiting for 3-D Secure, the confirmation may be read or sent again: the token stays
    // until the bank's answer is known.
    attempt
        .confirm(&f.client, f.card(THREE_DS).await, false, &quiet)
        .await
        .unwrap();
    assert!(matches!(attempt.stage(), Stage::Authenticating { .. }));
    assert!(cards.load().is_some(), "an open outcome keeps its token");
    let id = attempt.payment().unwrap().id.clone();
    f.control("complete_3ds", json!({"paymentId": id, "approve": false}))
        .await;
    attempt.authenticated(&f.client, &id).await.unwrap();
    assert!(matches!(
        attempt.stage(),
        Stage::AwaitingMethod { declined: Some(_) }
    ));
    assert!(
        cards.load().is_none(),
        "a denied 3-D Secure keeps its token"
    );

    // A success: the record stays until its outcome is shown, the token does not.
    attempt
        .confirm(&f.client, f.card(PAYS).await, false, &quiet)
        .await
        .unwrap();
    assert_eq!(attempt.stage(), &Stage::Succeeded);
    assert_eq!(journal.load().unwrap().state, State::Succeeded);
    assert!(cards.load().is_none());
}

#[test]
fn every_record_reaches_the_disk_before_it_counts_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let (journal, _cards) = journal(dir.path());
    // 2 = FULL: a commit is on the disk, WAL included, before the request that depends on it.
    assert_eq!(journal.synchronous(), 2);
    // The history's own connection to the same file keeps NORMAL (1): samples are re-read.
    let history = History::open(&dir.path().join("history.sqlite3")).unwrap();
    assert_eq!(history.history.synchronous().unwrap(), 1);
}
