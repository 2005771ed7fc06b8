//! Service-level payments beside the app's, as another client of the platform would make
//! them: a saved card (`add_credits`) and a 3-D Secure card (`create_payment`,
//! `confirm_payment`, then the bank's answer through the control API's `complete_3ds`). Every
//! request is sent again with its key until it is answered, through faults and restarts.

use std::time::{Duration, Instant};

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use crate::{Result, bail};

/// What the payer was told about one payment.
#[derive(Debug, Clone)]
pub struct Paid {
    pub id: String,
    pub status: String,
    pub credits: String,
}

/// A client of the platform with its own retries.
#[derive(Debug, Clone)]
pub struct Payer {
    http: reqwest::Client,
    url: String,
    token: String,
    /// Requests this payer sent, and those that got no usable answer.
    pub sent: u64,
    pub unanswered: u64,
}

/// How an answer reads: a result, a refusal (an error the platform stands by), or nothing
/// usable (no connection, a cut body, 5xx, 429, a key still in flight).
enum Answer {
    Result(Value),
    Refused(String),
    Lost,
}

impl Payer {
    pub fn new(url: &str, token: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_default(),
            url: url.to_owned(),
            token: token.to_owned(),
            sent: 0,
            unanswered: 0,
        }
    }

    async fn once(&mut self, path: &str, body: &Value, control: bool) -> Answer {
        self.sent += 1;
        let mut request = self.http.post(format!("{}/{path}", self.url)).json(body);
        if !control {
            request = request.bearer_auth(&self.token);
        }
        let Ok(response) = request.send().await else {
            return Answer::Lost;
        };
        let status = response.status();
        let Ok(value) = response.json::<Value>().await else {
            return Answer::Lost;
        };
        let code = value["error_code"].as_str().unwrap_or_default().to_owned();
        if status.is_server_error() || status.as_u16() == 429 || code == "IDEMPOTENCY_KEY_IN_FLIGHT"
        {
            return Answer::Lost;
        }
        match value.get("error") {
            Some(error) => Answer::Refused(format!("{code}: {error}")),
            None => Answer::Result(value["result"].clone()),
        }
    }

    /// Sends `body` to `path` until it is answered (the same body, so the same key), for up to
    /// `patience`.
    pub async fn until_answered(
        &mut self,
        path: &str,
        body: Value,
        control: bool,
        patience: Duration,
    ) -> Result<std::result::Result<Value, String>> {
        let deadline = Instant::now() + patience;
        loop {
            match self.once(path, &body, control).await {
                Answer::Result(value) => return Ok(Ok(value)),
                Answer::Refused(error) => return Ok(Err(error)),
                Answer::Lost => self.unanswered += 1,
            }
            if Instant::now() >= deadline {
                bail!("{path}: no answer for {patience:?}");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    async fn api(&mut self, endpoint: &str, mut body: Value) -> Result<Value> {
        body["client_info"] = json!({"module": "lattica-soak", "version": "0.1.0"});
        match self
            .until_answered(&format!("api/finance/{endpoint}"), body, false, PATIENCE)
            .await?
        {
            Ok(value) => Ok(value),
            Err(refusal) => bail!("{endpoint} refused: {refusal}"),
        }
    }

    /// One payment of random credits with the saved card `card`, or the 3-D Secure card
    /// `three_ds` approved or denied at random; answers what the platform said at the end.
    pub async fn pay(&mut self, rng: &mut StdRng, card: &str, three_ds: &str) -> Result<Paid> {
        let credits = format!("{}.{:02}", rng.gen_range(10..60), rng.gen_range(0..100));
        let amount: Value = serde_json::from_str(&credits)?;
        let payment = if rng.gen_bool(0.5) {
            self.api(
                "add_credits",
                json!({"credits": amount, "paymentMethodId": card, "idempotencyKey": key()}),
            )
            .await?
        } else {
            let created = self
                .api(
                    "create_payment",
                    json!({"credits": amount, "idempotencyKey": key()}),
                )
                .await?;
            let id = created["id"].as_str().unwrap_or_default().to_owned();
            let asked = self
                .api(
                    "confirm_payment",
                    json!({"paymentId": id, "paymentMethodId": three_ds, "idempotencyKey": key()}),
                )
                .await?;
            if asked["status"] != "requires_action" {
                bail!("a 3-D Secure card answered {}", asked["status"]);
            }
            let approve = rng.gen_bool(0.7);
            let body = json!({"paymentId": id, "approve": approve});
            match self
                .until_answered("control/complete_3ds", body, true, PATIENCE)
                .await?
            {
                Ok(payment) => payment,
                Err(refusal) => bail!("complete_3ds refused: {refusal}"),
            }
        };
        Ok(Paid {
            id: payment["id"].as_str().unwrap_or_default().to_owned(),
            status: payment["status"].as_str().unwrap_or_default().to_owned(),
            credits,
        })
    }
}

/// How long one request is sent again before the soak gives up on it (a sandbox restart
/// takes a second or two; faults a few seconds each).
const PATIENCE: Duration = Duration::from_secs(90);

fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A card token from the payment service (as its hosted form gets one).
pub async fn card_token(payments_url: &str, number: &str) -> Result<String> {
    let answer: Value = reqwest::Client::new()
        .post(format!("{payments_url}/v1/payment_methods"))
        .json(
            &json!({"number": number, "expMonth": 12, "expYear": 2040, "cvc": "123",
                      "name": "Soak Test", "postalCode": ""}),
        )
        .send()
        .await?
        .json()
        .await?;
    match answer["id"].as_str() {
        Some(id) => Ok(id.to_owned()),
        None => bail!("no card token: {answer}"),
    }
}
