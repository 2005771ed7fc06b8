//! The card token in the vault against the real sandbox: kept while a confirmation's outcome
//! is open (it may be sent again), gone as soon as that outcome is known.

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
