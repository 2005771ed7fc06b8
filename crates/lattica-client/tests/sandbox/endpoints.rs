//! Every published endpoint against the sandbox's demo account.

use chrono::{Duration, Utc};
use lattica_client::{LatticaClient, Model, PaymentStatus, WorkerSessionFilter, WorkerStatus};
use rust_decimal::Decimal;
use serde_json::json;

use crate::harness::Harness;

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

async fn models_by_visibility(client: &LatticaClient) -> (Model, Model) {
    let models = client.list_models(None).await.unwrap();
    assert_eq!(models.len(), 2, "{models:?}");
    let private = models
        .iter()
        .find(|m| m.visibility.as_deref() == Some("private"));
    let public = models
        .iter()
        .find(|m| m.visibility.as_deref() == Some("public"));
    (private.unwrap().clone(), public.unwrap().clone())
}

#[tokio::test]
async fn credits_are_exact() {
    let h = Harness::start().await;
    let client = h.client();
    // Burning at time scale 1 would change the last digits while we look; stop it first.
    h.control("stop_worker", json!({"all": true})).await;
    h.control("set_balance", json!({"credits": 123.456789}))
        .await;
    assert_eq!(
        client.get_account_credits().await.unwrap(),
        dec("123.456789")
    );
    h.control("set_balance", json!({"credits": "0.000001"}))
        .await;
    assert_eq!(client.get_account_credits().await.unwrap(), dec("0.000001"));
    h.shutdown().await;
}

#[tokio::test]
async fn account_info_and_token_validation() {
    let h = Harness::start().await;
    let info = h.client().get_account_info().await.unwrap();
    assert!(!info.account_id.is_empty());
    assert_eq!(info.email.as_deref(), Some("demo@lattica.ai"));
    assert!(info.credits.unwrap() <= Decimal::from(250));
    let expires = info.token_expires_at.unwrap();
    let days = (expires - Utc::now()).num_days();
    assert!((29..=30).contains(&days), "token valid for {days} days");
    assert!(info.created_at.unwrap() < Utc::now());

    let validated = LatticaClient::new(h.config(), h.token())
        .unwrap()
        .get_account_info()
        .await
        .unwrap();
    assert_eq!(validated.account_id, info.account_id);
    h.shutdown().await;
}

#[tokio::test]
async fn transaction_history_newest_first() {
    let h = Harness::start().await;
    let history = h.client().get_transaction_history().await.unwrap();
    assert_eq!(history.len(), 3, "{history:?}");
    assert!(
        history
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at)
    );
    for entry in &history {
        assert_eq!(entry.status, Some(PaymentStatus::Succeeded));
        assert!(entry.credits.unwrap() > Decimal::ZERO);
        let money = entry.money().unwrap();
        assert!(money.amount > 0);
        assert_eq!(money.currency, "usd");
        assert_eq!(entry.card_last4.as_ref().map(String::len), Some(4));
        assert!(entry.receipt_number.is_some());
    }
    h.shutdown().await;
}

#[tokio::test]
async fn models_and_visibility() {
    let h = Harness::start().await;
    let client = h.client();
    let (private, public) = models_by_visibility(&client).await;
    assert_eq!(private.instance_type_id.as_deref(), Some("G4DN_XLARGE"));
    assert_eq!(public.instance_type_id.as_deref(), Some("G7E_2XLARGE"));
    assert!(public.name.is_some());
    let only_public = client.list_models(Some("public")).await.unwrap();
    assert_eq!(only_public, vec![public]);
    h.shutdown().await;
}

#[tokio::test]
async fn worker_lifecycle() {
    let h = Harness::start().await;
    let client = h.client();
    let (private, public) = models_by_visibility(&client).await;

    // The demo account starts with one worker running on the private model.
    let running = client.running_workers().await.unwrap();
    assert_eq!(running.len(), 1, "{running:?}");
    let seeded = &running[0];
    assert_eq!(seeded.model_id, private.model_id);
    assert!(seeded.is_running());
    let active = client.get_active_workers(&private.model_id).await.unwrap();
    assert_eq!(active, running);
    let polled = client
        .poll_worker_status(&private.model_id, &seeded.session_id)
        .await
        .unwrap();
    assert_eq!(&polled, seeded);

    let started = client.start_worker(&public.model_id).await.unwrap();
    assert_eq!(started.status, WorkerStatus::Up);
    assert_eq!(started.model_id, public.model_id);
    assert!(started.started_at.is_some());
    assert_eq!(client.running_workers().await.unwrap().len(), 2);

    let stopped = client
        .stop_worker(&public.model_id, Some(&started.session_id))
        .await
        .unwrap();
    assert_eq!(stopped.session_id, started.session_id);
    assert_eq!(stopped.status, WorkerStatus::Stopped);
    assert!(stopped.stopped_at.is_some());
    assert!(
        client
            .get_active_workers(&public.model_id)
            .await
            .unwrap()
            .is_empty()
    );

    // Without a session id every worker of the model stops.
    client.start_worker(&private.model_id).await.unwrap();
    let last = client.stop_worker(&private.model_id, None).await.unwrap();
    assert_eq!(last.status, WorkerStatus::Stopped);
    assert!(client.running_workers().await.unwrap().is_empty());
    h.shutdown().await;
}

#[tokio::test]
async fn worker_sessions_filters() {
    let h = Harness::start().await;
    let client = h.client();
    let (private, public) = models_by_visibility(&client).await;
    let started = client.start_worker(&public.model_id).await.unwrap();

    let all = client
        .list_worker_sessions(&WorkerSessionFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let of_public = client
        .list_worker_sessions(&WorkerSessionFilter {
            model_id: Some(public.model_id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(of_public.len(), 1);
    assert_eq!(of_public[0].session_id, started.session_id);

    // Sessions overlapping a window that ended before anything started: none.
    let long_ago = Utc::now() - Duration::days(30);
    let none = client
        .list_worker_sessions(&WorkerSessionFilter {
            from: Some(long_ago - Duration::days(1)),
            to: Some(long_ago),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");
    let recent = client
        .list_worker_sessions(&WorkerSessionFilter {
            model_id: Some(private.model_id.clone()),
            from: Some(Utc::now() - Duration::minutes(1)),
            to: None,
        })
        .await
        .unwrap();
    assert_eq!(recent.len(), 1, "the seeded worker still runs: {recent:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn a_renewed_token_replaces_the_old_one() {
    let h = Harness::start().await;
    let client = h.client();
    let issued = h.control("issue_token", json!({"validDays": 7})).await;
    let renewed = client
        .with_token(lattica_client::SessionToken::parse(issued["token"].as_str().unwrap()).unwrap())
        .unwrap();
    let info = renewed.get_account_info().await.unwrap();
    let days = (info.token_expires_at.unwrap() - Utc::now()).num_days();
    assert!((6..=7).contains(&days), "{days}");
    h.shutdown().await;
}
