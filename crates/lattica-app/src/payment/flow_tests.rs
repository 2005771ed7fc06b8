//! The payment flow against the real sandbox over real HTTP: cards that pay, decline or ask
//! for 3-D Secure; answers lost on the way (same key, one charge); unknown outcomes that block
//! a new attempt until they are known; cancellations; quick top-ups with a saved card.

use lattica_client::PaymentMethod;
use rust_decimal::Decimal;
use serde_json::json;

pub(super) use super::fixture::{DECLINED, Fixture, PAYS, THREE_DS, new_attempt, quiet, start};
use super::flow::{Attempt, FlowError, Origin, Stage};

#[tokio::test]
async fn a_card_pays_once() {
    let f = start().await;
    let (before, charges) = (f.balance().await, f.charges().await);
    let mut attempt = new_attempt(Origin::Wizard, f.purchase("25").await);
    attempt.open(&f.client).await.unwrap();
    let id = attempt.payment().unwrap().id.clone();
    attempt
        .confirm(&f.client, f.card(PAYS).await, false, &quiet)
        .await
        .unwrap();
    assert_eq!(attempt.stage(), &Stage::Succeeded);
    let payment = attempt.payment().unwrap();
    assert_eq!(
        payment.id, id,
        "the payment opened for the amount is the one paid"
    );
    assert!(payment.receipt_number.is_some());
    assert_eq!(f.balance().await, before + Decimal::from(25));
    assert_eq!(f.charges().await, charges + 1);
    // Over is over: no second confirmation of a paid attempt.
    let again = attempt
        .confirm(&f.client, f.card(PAYS).await, false, &quiet)
        .await;
    assert!(matches!(again, Err(FlowError::NotNow(_))), "{again:?}");
    attempt.check_again(&f.client, &quiet).await.unwrap();
    assert_eq!(f.balance().await, before + Decimal::from(25));
}

#[tokio::test]
async fn a_decline_keeps_the_amount_and_another_card_pays() {
    let f = start().await;
    let (before, charges) = (f.balance().await, f.charges().await);
    let mut attempt = new_attempt(Origin::Wizard, f.purchase("40").await);
    attempt
        .confirm(&f.client, f.card(DECLINED).await, false, &quiet)
        .await
        .unwrap();
    let Stage::AwaitingMethod {
        declined: Some(decline),
    } = attempt.stage()
    else {
        panic!("not declined: {:?}", attempt.stage());
    };
    assert_eq!(decline.code, "card_declined");
    assert_eq!(f.balance().await, before, "a decline charges nothing");
    assert_eq!(attempt.purchase().credits, Decimal::from(40));

    attempt
        .confirm(&f.client, f.card(PAYS).await, false, &quiet)
        .await
        .unwrap();
    assert_eq!(attempt.stage(), &Stage::Succeeded);
    assert_eq!(f.balance().await, before + Decimal::from(40));
    assert_eq!(f.charges().await, charges + 1);
}

#[tokio::test]
async fn a_lost_answer_is_sent_again_with_the_same_key() {
    let f = start().await;
    let (before, charges) = (f.balance().await, f.charges().await);
    // More drops than the client retries: the flow's own resends get the stored answer.
    f.faults(2, &["api/finance/confirm_payment"]).await;
    let stages = std::sync::Mutex::new(Vec::new());
    let progress = |a: &Attempt| stages.lock().unwrap().push(a.stage().clone());
    let mut attempt = new_attempt(Origin::Wizard, f.purchase("30").await);
    attempt
        .confirm(&f.client, f.card(PAYS).await, false, &progress)
        .await
        .unwrap();
    assert_eq!(attempt.stage(), &Stage::Succeeded);
    assert_eq!(
        stages.into_inner().unwrap(),
        [
            Stage::Confirming { sends: 1 },
            Stage::Confirming { sends: 2 }
        ]
    );
    assert_eq!(f.balance().await, before + Decimal::from(30));
    assert_eq!(f.charges().await, charges + 1, "exactly one charge");
}

#[tokio::test]
async fn no_answer_at_all_is_settled_by_reading_the_payment() {
    let f = start().await;
    let before = f.balance().await;
    f.faults(50, &["api/finance/confirm_payment"]).await;
    let mut attempt = new_attempt(Origin::Wizard, f.purchase("35").await);
    attempt
        .confirm(&f.client, f.card(PAYS).await, false, &quiet)
        .await
        .unwrap();
    // Every answer was dropped, but the first send was processed: get_payment says so.
    assert_eq!(attempt.stage(), &Stage::Succeeded);
    assert_eq!(f.balance().await, before + Decimal::from(35));
}

#[tokio::test]
async fn an_unknown_outcome_blocks_a_new_attempt_until_it_is_known() {
    let f = start().await;
    let (before, charges) = (f.balance().await, f.charges().await);
    let mut attempt = new_attempt(Origin::Wizard, f.purchase("45").await);
    attempt.open(&f.client).await.unwrap();
    f.faults(
        50,
        &["api/finance/confirm_payment", "api/finance/get_payment"],
    )
    .await;
    attempt
        .confirm(&f.client, f.card(PAYS).await, false, &quiet)
        .await
        .unwrap();
    assert!(
        matches!(attempt.stage(), Stage::Unknown { .. }),
        "{:?}",
        attempt.stage()
    );
    assert!(attempt.in_flight());
    let other = attempt
        .confirm(&f.client, f.card(PAYS).await, false, &quiet)
        .await;
    assert!(matches!(other, Err(FlowError::OutcomeUnknown)), "{other:?}");

    f.control("clear_faults", json!({})).await;
    attempt.check_again(&f.client, &quiet).await.unwrap();
    assert_eq!(attempt.stage(), &Stage::Succeeded);
    assert_eq!(f.balance().await, before + Decimal::from(45));
    assert_eq!(f.charges().await, charges + 1);
}

#[tokio::test]
async fn three_d_secure_approved_pays_and_denied_does_not() {
    let f = start().await;
    let before = f.balance().await;
    for (approve, credits) in [(false, "20"), (true, "60")] {
        let mut attempt = new_attempt(Origin::Wizard, f.purchase(credits).await);
        attempt
            .confirm(&f.client, f.card(THREE_DS).await, false, &quiet)
            .await
            .unwrap();
        let id = attempt.payment().unwrap().id.clone();
        let Stage::Authenticating { url } = attempt.stage() else {
            panic!("no 3-D Secure: {:?}", attempt.stage());
        };
        assert_eq!(*url, format!("{}/3ds/{id}", f.sandbox.payments_url()));
        // A message about another payment changes nothing.
        attempt.authenticated(&f.client, "pay_other").await.unwrap();
        assert!(matches!(attempt.stage(), Stage::Authenticating { .. }));
        f.control("complete_3ds", json!({"paymentId": id, "approve": approve}))
            .await;
        attempt.authenticated(&f.client, &id).await.unwrap();
        if approve {
            assert_eq!(attempt.stage(), &Stage::Succeeded);
        } else {
            let Stage::AwaitingMethod {
                declined: Some(decline),
            } = attempt.stage()
            else {
                panic!("{:?}", attempt.stage());
            };
            assert_eq!(decline.code, "authentication_failed");
        }
    }
    assert_eq!(f.balance().await, before + Decimal::from(60));
}

#[tokio::test]
async fn canceling_before_paying_charges_nothing() {
    let f = start().await;
    let before = f.balance().await;
    let mut opened = new_attempt(Origin::Wizard, f.purchase("25").await);
    opened.open(&f.client).await.unwrap();
    opened.cancel(&f.client).await.unwrap();
    assert_eq!(opened.stage(), &Stage::Canceled);
    let id = &opened.payment().unwrap().id;
    let read = f.client.get_payment(id).await.unwrap();
    assert_eq!(read.status.as_str(), "canceled");

    // At the 3-D Secure step too.
    let mut waiting = new_attempt(Origin::Wizard, f.purchase("25").await);
    waiting
        .confirm(&f.client, f.card(THREE_DS).await, false, &quiet)
        .await
        .unwrap();
    waiting.cancel(&f.client).await.unwrap();
    assert_eq!(waiting.stage(), &Stage::Canceled);
    assert_eq!(f.balance().await, before);

    // Never opened: nothing to tell the platform.
    let mut draft = new_attempt(Origin::Wizard, f.purchase("25").await);
    draft.cancel(&f.client).await.unwrap();
    assert_eq!(draft.stage(), &Stage::Canceled);
    assert!(draft.payment().is_none());
}

#[tokio::test]
async fn quick_top_up_with_a_saved_card_even_when_its_answer_is_lost() {
    let f = start().await;
    let mut first = new_attempt(Origin::Wizard, f.purchase("25").await);
    first
        .confirm(&f.client, f.card(PAYS).await, true, &quiet)
        .await
        .unwrap();
    let saved = f.client.list_payment_methods().await.unwrap();
    assert_eq!(saved.len(), 1, "the card was saved on request");
    let card = saved[0].clone();
    let (before, charges) = (f.balance().await, f.charges().await);

    let mut quick = new_attempt(Origin::QuickTopUp, f.purchase("25").await);
    quick
        .confirm(&f.client, card.clone(), false, &quiet)
        .await
        .unwrap();
    assert_eq!(quick.stage(), &Stage::Succeeded);
    assert_eq!(f.balance().await, before + Decimal::from(25));

    // No answer at all to add_credits: the history shows the one charge it made.
    f.faults(50, &["api/finance/add_credits"]).await;
    let mut lost = new_attempt(Origin::QuickTopUp, f.purchase("26").await);
    lost.confirm(&f.client, card, false, &quiet).await.unwrap();
    assert_eq!(lost.stage(), &Stage::Succeeded);
    assert_eq!(lost.payment().unwrap().credits, Decimal::from(26));
    assert_eq!(f.balance().await, before + Decimal::from(51));
    assert_eq!(f.charges().await, charges + 2);
}

#[tokio::test]
async fn an_unknown_card_is_a_decline_not_a_failure() {
    let f = start().await;
    let mut attempt = new_attempt(Origin::Wizard, f.purchase("25").await);
    let unknown = PaymentMethod {
        id: "pm_doesnotexist".into(),
        brand: Some("visa".into()),
        last4: Some("4242".into()),
        exp_month: None,
        exp_year: None,
    };
    attempt
        .confirm(&f.client, unknown, false, &quiet)
        .await
        .unwrap();
    let Stage::AwaitingMethod {
        declined: Some(decline),
    } = attempt.stage()
    else {
        panic!("{:?}", attempt.stage());
    };
    assert_eq!(decline.code, "unavailable_card");
}

/// A cut body comes after the platform processed the request (found by the soak): the answer
/// is lost, not a refusal, so the same key is sent again and gets the stored answer.
#[tokio::test]
async fn an_unreadable_answer_is_sent_again_not_shown_as_a_failure() {
    let f = start().await;
    let (before, charges) = (f.balance().await, f.charges().await);
    for (endpoint, origin) in [
        ("api/finance/confirm_payment", Origin::Wizard),
        ("api/finance/add_credits", Origin::QuickTopUp),
    ] {
        let card = match f.client.list_payment_methods().await.unwrap().first() {
            Some(saved) if origin == Origin::QuickTopUp => saved.clone(),
            _ => f.card(PAYS).await,
        };
        let cut = json!({"malformedNext": 1, "endpoints": [endpoint]});
        f.control("set_faults", cut).await;
        let mut attempt = new_attempt(origin, f.purchase("25").await);
        if origin == Origin::Wizard {
            attempt.open(&f.client).await.unwrap();
        }
        attempt
            .confirm(&f.client, card, true, &quiet)
            .await
            .unwrap();
        assert_eq!(attempt.stage(), &Stage::Succeeded, "{endpoint}");
    }
    assert_eq!(f.balance().await, before + Decimal::from(50));
    assert_eq!(f.charges().await, charges + 2, "one charge each");
}
