//! One refresh: every figure the tray shows, fetched concurrently and turned into a
//! [`Snapshot`].

use std::collections::BTreeMap;

use chrono::Utc;
use lattica_client::billing::{PaymentRecord, Pricing};
use lattica_client::{ClientError, LatticaClient, Model, Worker};
use lattica_core::estimate::{PriceTable, RunningWorker};
use lattica_core::view::{LastPayment, Snapshot};

/// Fetches credits, payments, running workers, models and pricing (and the account, for the
/// token's expiry and the e-mail) at once. Endpoints the platform lacks (pricing on the published platform)
/// are asked once an hour by the client, not on every refresh.
///
/// Credits, payments and workers are required: without them the figures would be wrong, so
/// any of them failing fails the refresh. Models, pricing and the account only refine the
/// picture; their failure is logged and the refresh goes on without them. A refused token or a
/// refused client version anywhere wins over every other outcome: it needs the user.
pub async fn snapshot(client: &LatticaClient) -> Result<Snapshot, ClientError> {
    let (credits, payments, workers, models, pricing, account) = tokio::join!(
        client.get_account_credits(),
        client.get_transaction_history(),
        client.running_workers(),
        client.list_models(None),
        client.get_pricing(),
        client.get_account_info(),
    );
    let fetched_at = Utc::now();

    let errors = [
        credits.as_ref().err(),
        payments.as_ref().err(),
        workers.as_ref().err(),
        models.as_ref().err(),
        pricing.as_ref().err(),
        account.as_ref().err(),
    ];
    if let Some(error) = errors.into_iter().flatten().find(|e| needs_user(e)) {
        return Err(error.clone());
    }
    // A platform without any history endpoint has no last payment to show; every other
    // failure of the history fails the refresh.
    let payments = match payments {
        Err(ClientError::Unsupported { .. }) => Vec::new(),
        other => other?,
    };
    let (balance, workers) = (credits?, workers?);
    let models = optional("models", models);
    let pricing = optional("pricing", pricing);
    let account = optional("account info", account);

    Ok(Snapshot {
        fetched_at,
        balance,
        running: running(&workers, models.as_deref().unwrap_or_default()),
        prices: pricing.as_ref().and_then(price_table),
        last_payment: last_payment(&payments),
        token_expires_at: account.as_ref().and_then(|a| a.token_expires_at),
        payments_api: !client.lacks_payments(),
        email: account.and_then(|a| a.email),
    })
}

/// A refused token or client version: retrying cannot help, the user must act.
pub fn needs_user(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Unauthorized { .. } | ClientError::ClientTooOld { .. }
    )
}

/// The value, or `None` with a warning. An endpoint the platform lacks is no news here: the
/// client logged its absence once when it learnt it.
fn optional<T>(what: &str, result: Result<T, ClientError>) -> Option<T> {
    result
        .inspect_err(|error| {
            if !error.is_unsupported() {
                tracing::warn!(%error, "could not fetch {what}; going on without");
            }
        })
        .ok()
}

/// The running workers with their instance types; a worker that does not name its own falls
/// back to its model's.
fn running(workers: &[Worker], models: &[Model]) -> Vec<RunningWorker> {
    let model_types: BTreeMap<&str, &str> = models
        .iter()
        .filter_map(|m| Some((m.model_id.as_str(), m.instance_type_id.as_deref()?)))
        .collect();
    workers
        .iter()
        .filter(|w| w.is_running())
        .map(|w| RunningWorker {
            instance_type: w.instance_type_id.clone().or_else(|| {
                model_types
                    .get(w.model_id.as_str())
                    .map(|t| (*t).to_owned())
            }),
        })
        .collect()
}

fn price_table(pricing: &Pricing) -> Option<PriceTable> {
    let credits_per_hour: BTreeMap<String, _> = pricing
        .instance_types
        .iter()
        .map(|t| (t.instance_type_id.clone(), t.credits_per_hour))
        .collect();
    // Without a named default, the first listed type stands in: the estimate for "no worker
    // running" needs some type, and the list is the platform's own order.
    let default_instance_type = pricing.default_instance_type_id.clone().or_else(|| {
        pricing
            .instance_types
            .first()
            .map(|t| t.instance_type_id.clone())
    })?;
    Some(PriceTable {
        default_instance_type,
        credits_per_hour,
    })
}

/// The newest payment that added credits.
fn last_payment(payments: &[PaymentRecord]) -> Option<LastPayment> {
    payments
        .iter()
        .filter(|p| p.is_success())
        .max_by_key(|p| p.created_at)
        .map(|p| LastPayment {
            at: p.created_at,
            credits: p.credits.unwrap_or_default(),
            amount_minor: p.amount.unwrap_or_default(),
            currency: p.currency.clone().unwrap_or_default(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lattica_client::WorkerStatus;

    fn worker(model: &str, instance: Option<&str>, status: WorkerStatus) -> Worker {
        Worker {
            session_id: format!("w-{model}"),
            model_id: model.to_owned(),
            instance_type_id: instance.map(str::to_owned),
            status,
            started_at: None,
            stopped_at: None,
        }
    }

    fn model(id: &str, instance: &str) -> Model {
        Model {
            model_id: id.to_owned(),
            name: None,
            status: None,
            instance_type_id: Some(instance.to_owned()),
            num_devices: None,
            visibility: None,
        }
    }

    #[test]
    fn workers_fall_back_to_their_models_instance_type() {
        let workers = [
            worker("m1", Some("G7E_2XLARGE"), WorkerStatus::Up),
            worker("m2", None, WorkerStatus::Up),
            worker("m3", None, WorkerStatus::Up),
            worker("m2", None, WorkerStatus::Stopped),
        ];
        let models = [model("m1", "G4DN_XLARGE"), model("m2", "G4DN_XLARGE")];
        let types: Vec<_> = running(&workers, &models)
            .into_iter()
            .map(|w| w.instance_type)
            .collect();
        assert_eq!(
            types,
            [Some("G7E_2XLARGE".into()), Some("G4DN_XLARGE".into()), None]
        );
    }
}
