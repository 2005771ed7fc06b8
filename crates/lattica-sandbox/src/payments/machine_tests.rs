//! Tests of the state machine and of prices.

use std::str::FromStr;

use super::*;
use crate::time::from_millis;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn at(ms: i64) -> Instant {
    from_millis(1_790_000_000_000 + ms).unwrap()
}

fn method(outcome: Outcome) -> MethodRecord {
    MethodRecord {
        id: "pm_1".into(),
        account_id: None,
        brand: "visa".into(),
        last4: "4242".into(),
        exp_month: 12,
        exp_year: 2040,
        outcome,
        saved: false,
        created_at: at(0),
        deleted_at: None,
    }
}

fn confirm(payment: &mut PaymentRecord, outcome: Outcome) -> Result<(), ApiError> {
    payment.confirm(
        &method(outcome),
        outcome,
        "http://p/3ds/x".into(),
        false,
        at(5),
    )
}

#[test]
fn prices_are_exact_cents_within_the_limits() {
    assert_eq!(price(dec("10")).unwrap(), 1000);
    assert_eq!(price(dec("25.5")).unwrap(), 2550);
    assert_eq!(price(dec("10.01")).unwrap(), 1001);
    assert_eq!(price(dec("5000")).unwrap(), 500_000);
    assert_eq!(price(dec("25.000000")).unwrap(), 2500);
    for bad in ["9.99", "0", "-10", "5000.01", "10.001", "100000"] {
        let error = price(dec(bad)).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidParameter, "{bad}");
        assert!(error.message.contains("credits"), "{}", error.message);
        assert_eq!(error.extra["minCredits"], 10);
    }
}

#[test]
fn a_new_payment_waits_for_a_card() {
    let p = new_payment("acc", dec("25.50"), 2550, at(0));
    assert!(p.id.starts_with("pay_") && p.id.len() == 28, "{}", p.id);
    assert_eq!(p.status, PaymentStatus::RequiresPaymentMethod);
    assert_eq!(p.credits.to_string(), "25.5");
    assert_eq!((p.amount, p.currency.as_str()), (2550, "usd"));
    assert_ne!(new_payment("acc", dec("10"), 1000, at(0)).id, p.id);
}

#[test]
fn success_is_final() {
    let mut p = new_payment("acc", dec("10"), 1000, at(0));
    confirm(&mut p, Outcome::Succeed).unwrap();
    assert_eq!(p.status, PaymentStatus::Succeeded);
    assert_eq!(p.succeeded_at, Some(at(5)));
    assert_eq!(p.card.as_ref().unwrap().last4, "4242");
    let before = p.clone();
    let refused = confirm(&mut p, Outcome::Succeed).unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidPaymentState);
    assert_eq!(refused.extra["status"], "succeeded");
    assert_eq!(
        p.cancel(at(9)).unwrap_err().code,
        ErrorCode::InvalidPaymentState
    );
    assert_eq!(
        p.authenticate(true, at(9)).unwrap_err().code,
        ErrorCode::InvalidPaymentState
    );
    assert_eq!(p, before, "refusals change nothing");
}

#[test]
fn a_failed_payment_can_be_confirmed_again() {
    let mut p = new_payment("acc", dec("10"), 1000, at(0));
    confirm(&mut p, Outcome::Decline(Decline::InsufficientFunds)).unwrap();
    assert_eq!(p.status, PaymentStatus::Failed);
    assert_eq!(p.failure_code.as_deref(), Some("insufficient_funds"));
    assert!(p.failure_message.is_some());
    confirm(&mut p, Outcome::Succeed).unwrap();
    assert_eq!(p.status, PaymentStatus::Succeeded);
    assert_eq!((p.failure_code, p.failure_message), (None, None));
}

#[test]
fn three_d_secure_approved_or_denied() {
    let mut p = new_payment("acc", dec("10"), 1000, at(0));
    confirm(&mut p, Outcome::Authenticate).unwrap();
    assert_eq!(p.status, PaymentStatus::RequiresAction);
    assert_eq!(p.next_action_url.as_deref(), Some("http://p/3ds/x"));
    assert_eq!(
        confirm(&mut p, Outcome::Succeed).unwrap_err().code,
        ErrorCode::InvalidPaymentState,
        "no second confirmation while authenticating"
    );
    let mut denied = p.clone();
    p.authenticate(true, at(7)).unwrap();
    assert_eq!(p.status, PaymentStatus::Succeeded);
    assert_eq!(p.next_action_url, None);
    denied.authenticate(false, at(7)).unwrap();
    assert_eq!(denied.status, PaymentStatus::Failed);
    assert_eq!(
        denied.failure_code.as_deref(),
        Some("authentication_failed")
    );
}

#[test]
fn canceling() {
    for outcome in [
        None,
        Some(Outcome::Authenticate),
        Some(Outcome::Decline(Decline::CardDeclined)),
    ] {
        let mut p = new_payment("acc", dec("10"), 1000, at(0));
        if let Some(outcome) = outcome {
            confirm(&mut p, outcome).unwrap();
        }
        p.cancel(at(8)).unwrap();
        assert_eq!(p.status, PaymentStatus::Canceled);
        assert_eq!(p.next_action_url, None);
        let canceled = p.clone();
        p.cancel(at(9)).unwrap();
        assert_eq!(p, canceled, "canceling twice changes nothing");
        assert_eq!(
            confirm(&mut p, Outcome::Succeed).unwrap_err().code,
            ErrorCode::InvalidPaymentState
        );
    }
}
