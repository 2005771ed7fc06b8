//! The client against the platform as Lattica publishes it (the sandbox's published-only
//! profile): absent endpoints are learnt once and not asked again, the history falls back to
//! its older name, and the published endpoints work as before.

use std::time::Duration;

use lattica_client::ClientError;
use lattica_sandbox::ApiProfile;

use crate::harness::Harness;

const PRICING: &str = "api/finance/get_pricing";

async fn published() -> Harness {
    Harness::start_with(|config| lattica_sandbox::SandboxConfig {
        profile: ApiProfile::Published,
        ..config
    })
    .await
}

#[tokio::test]
async fn an_absent_endpoint_is_learnt_once_and_not_asked_again() {
    let h = published().await;
    let client = h.client();
    let rechecking = h.client_with(h.config().with_absence_recheck(Duration::ZERO));
    assert!(!client.lacks_payments(), "nothing is known before asking");
    assert_eq!(
        client.get_pricing().await.unwrap_err(),
        ClientError::Unsupported { endpoint: PRICING }
    );
    assert!(client.lacks_payments());
    assert!(!client.offers_payments().await.unwrap());
    assert!(matches!(
        rechecking.get_pricing().await,
        Err(ClientError::Unsupported { .. })
    ));
    let clone = client.clone();

    // With the platform gone, a remembered absence still answers at once (no request is
    // sent), while a real call, and an absence past its recheck time, meet the dead port.
    h.shutdown().await;
    assert_eq!(
        clone.get_pricing().await.unwrap_err(),
        ClientError::Unsupported { endpoint: PRICING },
        "clones share what was learnt"
    );
    assert!(matches!(
        client.get_account_credits().await,
        Err(ClientError::Network(_) | ClientError::Timeout)
    ));
    assert!(matches!(
        rechecking.get_pricing().await,
        Err(ClientError::Network(_) | ClientError::Timeout)
    ));
}

#[tokio::test]
async fn the_published_endpoints_answer_and_payments_are_absent() {
    let h = published().await;
    let client = h.client();
    assert!(client.get_account_credits().await.unwrap() > rust_decimal::Decimal::ZERO);
    assert!(!client.get_transaction_history().await.unwrap().is_empty());
    assert_eq!(client.running_workers().await.unwrap().len(), 1);
    assert!(client.get_account_info().await.unwrap().email.is_some());
    assert!(matches!(
        client.list_payment_methods().await,
        Err(ClientError::Unsupported { .. })
    ));
    // A new client (a sign-in) asks again.
    let fresh = client.with_token(h.token()).unwrap();
    assert!(!fresh.lacks_payments());
    assert!(!fresh.offers_payments().await.unwrap());
}

#[tokio::test]
async fn the_full_sandbox_offers_payments() {
    let h = Harness::start().await;
    let client = h.client();
    assert!(client.offers_payments().await.unwrap());
    assert!(!client.lacks_payments());
}

#[tokio::test]
async fn the_history_falls_back_to_its_older_name() {
    let full = Harness::start().await;
    let expected = full.client().get_transaction_history().await.unwrap();
    let older_only = Harness::start_with(|mut config| {
        config
            .hidden_endpoints
            .insert("api/finance/get_transaction_history".into());
        config
    })
    .await;
    let payments = older_only.client().get_transaction_history().await.unwrap();
    assert_eq!(payments.len(), expected.len());
    assert!(!payments.is_empty());

    let neither = Harness::start_with(|mut config| {
        for endpoint in [
            "api/finance/get_transaction_history",
            "api/account/retrieve_payment_transaction",
        ] {
            config.hidden_endpoints.insert(endpoint.into());
        }
        config
    })
    .await;
    assert!(matches!(
        neither.client().get_transaction_history().await,
        Err(ClientError::Unsupported { .. })
    ));
}
