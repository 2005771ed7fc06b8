//! The demo account an empty data directory starts with: a profile, a 30-day token, 250
//! credits, two models, one running worker and three past payments.

use chrono::Duration;
use rusqlite::Connection;
use rust_decimal::Decimal;

use crate::db::{self, payments};
use crate::domain::{Account, Model, Profile, Worker, WorkerStatus};
use crate::error::SandboxError;
use crate::pricing::{self, CREDIT_PRICE_MINOR};
use crate::time::Instant;
use crate::tokens;

/// Credits the demo account starts with.
pub const STARTING_CREDITS: i64 = 250;
/// The demo account's login.
pub const DEMO_EMAIL: &str = "demo@lattica.ai";

/// Writes the demo account in one transaction. `now` is the settlement instant.
pub fn seed(conn: &mut Connection, now: Instant, time_scale: Decimal) -> Result<(), SandboxError> {
    let account_id = new_id();
    let t4_model = Model {
        model_id: new_id(),
        model_name: "llama-3.1-8b-instruct-fhe".into(),
        status: "READY".into(),
        instance_type_id: "G4DN_XLARGE".into(),
        num_devices: 1,
        visibility: "private".into(),
    };
    let l4_model = Model {
        model_id: new_id(),
        model_name: "resnet-50-fhe".into(),
        status: "READY".into(),
        instance_type_id: "G7E_2XLARGE".into(),
        num_devices: 2,
        visibility: "public".into(),
    };
    let worker = Worker {
        worker_session_id: new_id(),
        model_id: t4_model.model_id.clone(),
        instance_type_id: t4_model.instance_type_id.clone(),
        status: WorkerStatus::Up,
        started_at: now - Duration::hours(2),
        stopped_at: None,
    };
    let account = Account {
        profile: Profile {
            account_id: account_id.clone(),
            created_at: now - Duration::days(90),
            email: DEMO_EMAIL.into(),
            company_name: "Demo Labs Inc.".into(),
            contact_name: "Dana Demo".into(),
            phone_number: "+1 555 0100".into(),
        },
        balance: Decimal::from(STARTING_CREDITS),
        settled_at: now,
        models: vec![t4_model, l4_model],
        workers: vec![worker],
    };
    let token = tokens::generate();
    let token_record = tokens::record(
        &token,
        &account_id,
        now,
        Duration::days(tokens::DEFAULT_VALID_DAYS),
    );

    let tx = conn.transaction()?;
    db::sync_account(&tx, None, &account)?;
    db::insert_token(&tx, &token_record)?;
    let past = [
        (58, 100, "visa", "4242", 1001),
        (31, 50, "mastercard", "4444", 1002),
        (6, 100, "visa", "4242", 1003),
    ];
    for (days_ago, credits, brand, last4, receipt) in past {
        payments::upsert(
            &tx,
            &past_payment(
                &account_id,
                now - Duration::days(days_ago),
                credits,
                brand,
                last4,
                receipt,
            ),
        )?;
    }
    db::set_meta(&tx, db::META_DEMO_ACCOUNT, &account_id)?;
    db::set_meta(&tx, db::META_DEMO_TOKEN, token.expose())?;
    db::set_meta(&tx, db::META_TIME_SCALE, &time_scale.to_string())?;
    tx.commit()?;
    Ok(())
}

fn past_payment(
    account_id: &str,
    at: Instant,
    credits: i64,
    brand: &str,
    last4: &str,
    receipt: u32,
) -> payments::PaymentRecord {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let succeeded_at = at + Duration::seconds(3);
    payments::PaymentRecord {
        id: format!("pay_{}", &id[..24]),
        account_id: account_id.to_owned(),
        created_at: at,
        updated_at: succeeded_at,
        status: payments::PaymentStatus::Succeeded,
        credits: Decimal::from(credits),
        amount: credits * CREDIT_PRICE_MINOR,
        currency: pricing::CURRENCY.into(),
        card: Some(payments::CardOnPayment {
            payment_method_id: format!("pm_{}", &id[..24]),
            brand: brand.into(),
            last4: last4.into(),
            exp_month: 12,
            exp_year: 2030,
        }),
        failure_code: None,
        failure_message: None,
        next_action_url: None,
        receipt_number: Some(format!("{}-{receipt}", payments::RECEIPT_PREFIX)),
        succeeded_at: Some(succeeded_at),
        save_method: false,
    }
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
