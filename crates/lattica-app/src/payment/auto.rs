//! Auto top-up in the app: after every refresh, the confirmed rule is checked against the
//! balance ([`Ledger::on_reading`]); a crossing reserves its count and spend and saves the
//! ledger **before** the purchase, which goes through the payment service (journal and all)
//! under the key derived from the crossing. A decline turns the rule off and says why once; a
//! retryable `processing_error` is tried again a bounded number of times, waiting longer each
//! time, unless the user turned the rule off meanwhile; a cap says so once a month and buys
//! nothing. Not reaching the platform is "try again at the next reading", never a reason to
//! turn off. Every purchase notifies its outcome with the balance read back (its journal
//! record kept until then), one whose outcome is learned later too (`auto_later.rs`); one the
//! bank must confirm opens the wizard and says so. The rule
//! buys only for the account it was confirmed for, and a sign-out turns it off.

use std::time::Duration;

use chrono::{Datelike, Local, Utc};
use lattica_client::{IdempotencyKey, PaymentMethod};
use lattica_core::alerts::PaymentOutcome;
use lattica_core::autotopup::{self, Decision, Ledger, Reading, Rule};
use lattica_core::view::{Session, SignOutReason, ViewInput};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::amount::Purchase;
use super::flow::Origin;
use super::pin::Pin;
use super::service::{Payments, Step};
use super::view::Step as ViewStep;
use crate::engine::{Command, EngineState};
use crate::error::AppError;

/// Where the rule and its ledger are kept, next to the payment journal.
pub(super) const STORE: &str = "auto_top_up";
/// Sends after a retryable failure, beyond the first.
pub const RETRIES: u32 = 2;
/// The wait before the first retry; each next one waits twice as long.
const RETRY_DELAY: Duration = Duration::from_secs(2);

/// The rule, whether it is on, and its guardrails' memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Stored {
    pub(super) rule: Option<Rule>,
    pub(super) enabled: bool,
    pub(super) ledger: Option<Ledger>,
    /// Why the rule turned itself off, until it is turned on again.
    pub(super) off_reason: Option<String>,
    /// The account (its e-mail, as [`account_of`] writes it) the rule was confirmed for: it
    /// never buys for another one.
    #[serde(default)]
    pub(super) account: Option<String>,
}

/// The signed-in account, as the rule records it: its e-mail, trimmed and in lower case.
pub(super) fn account_of(state: &EngineState) -> Option<String> {
    let email = state.snapshot.as_ref()?.email.as_deref()?.trim();
    (!email.is_empty()).then(|| email.to_lowercase())
}

/// `2026-12`: the local calendar month.
pub(super) fn month_now() -> String {
    let now = Local::now();
    format!("{:04}-{:02}", now.year(), now.month())
}

impl Payments {
    pub(super) fn stored(&self) -> Stored {
        self.pin().stored()
    }

    pub(super) fn save_stored(&self, stored: &Stored) -> bool {
        self.pin().save(stored)
    }

    /// Checks the rule after every refresh, until the app ends. Call it once, at start.
    pub async fn run_auto_top_up(&self) {
        let mut changes = self.engine().subscribe();
        let mut seen = None;
        while changes.changed().await.is_ok() {
            let state = changes.borrow_and_update().clone();
            if state.session
                == (Session::SignedOut {
                    reason: SignOutReason::SignedOut,
                })
            {
                self.turn_off_at_sign_out();
                continue;
            }
            let Some(snapshot) = &state.snapshot else {
                continue;
            };
            if seen == Some(snapshot.fetched_at) || state.session != Session::SignedIn {
                continue;
            }
            seen = Some(snapshot.fetched_at);
            if snapshot.payments_api {
                self.check_unknown_auto_top_up().await;
                self.check_rule(&state).await;
            }
        }
    }

    async fn check_rule(&self, state: &EngineState) {
        let pin = self.pin();
        let mut stored = pin.stored();
        let (Some(rule), true) = (stored.rule.clone(), stored.enabled) else {
            return;
        };
        let Some(reading) = reading(state) else {
            return;
        };
        match (stored.account.as_deref(), account_of(state)) {
            (Some(confirmed), Some(now)) if confirmed == now => {}
            // Not known this time (the account info did not come): nothing bought blind; the
            // ledger is untouched, so the next reading decides this crossing.
            (_, None) => return,
            _ => {
                self.turn_off(
                    &pin,
                    &mut stored,
                    "It was confirmed for another account than the one signed in now.",
                );
                return;
            }
        }
        let month = month_now();
        let mut ledger = stored
            .ledger
            .take()
            .unwrap_or_else(|| Ledger::new(rand::random(), &month));
        let decision = ledger.on_reading(&rule, &reading, &month);
        if let Decision::Buy { .. } = decision {
            // Reserved before buying: a crash never lets a cap be passed.
            ledger.bought(rule.price);
        }
        let before = pin.stored();
        stored.ledger = Some(ledger.clone());
        if stored != before && !pin.save(&stored) {
            // Nothing may be bought that the ledger does not remember.
            return;
        }
        match decision {
            Decision::Nothing => {}
            Decision::CapReached(cap) => {
                tracing::info!(?cap, "auto top-up: monthly cap reached, nothing bought");
                self.tell(PaymentOutcome::AutoTopUpNotice(autotopup::capped_notice(
                    cap, &rule, &ledger,
                )));
            }
            Decision::Buy { crossing } => {
                let key = Uuid::from_u128(ledger.key_for(crossing));
                tracing::info!(crossing, "auto top-up: the balance crossed the limit");
                self.buy(&pin, &rule, key.as_u128()).await;
            }
        }
    }

    /// Buys the rule's credits once, retrying a retryable failure; settles the ledger in the
    /// journal of the platform it was decided on.
    async fn buy(&self, pin: &Pin, rule: &Rule, key: u128) {
        let outcome = self.try_buy(pin, rule, key).await;
        let mut stored = pin.stored();
        match outcome {
            Bought::Yes => {}
            // The next reading on that platform decides again.
            Bought::Busy | Bought::Moved => {
                if let Some(ledger) = &mut stored.ledger {
                    ledger.refund(rule.price);
                    ledger.rearm();
                }
                pin.save(&stored);
            }
            Bought::No(reason) => {
                if let Some(ledger) = &mut stored.ledger {
                    ledger.refund(rule.price);
                }
                self.turn_off(pin, &mut stored, &reason);
            }
            // Turned off or changed by the user meanwhile: nothing more to say.
            Bought::Stopped => {
                if let Some(ledger) = &mut stored.ledger {
                    ledger.refund(rule.price);
                }
                pin.save(&stored);
            }
            // Unknown: the payment journal settles it; the reservation stands.
            Bought::Unknown => {}
        }
    }

    async fn try_buy(&self, pin: &Pin, rule: &Rule, key: u128) -> Bought {
        // Each answer is read only if the app is still on the platform it came from.
        let card = self.rule_card(rule).await;
        if self.moved(pin) {
            return Bought::Moved;
        }
        let card = match card {
            Ok(card) => card,
            Err(not_now) => return not_now,
        };
        let pricing = self.pricing().await;
        if self.moved(pin) {
            return Bought::Moved;
        }
        let purchase = match pricing.map(|p| Purchase::new(rule.add, &p)) {
            Ok(Ok(purchase)) if purchase.price.amount == rule.price => purchase,
            Ok(Ok(_)) => {
                return Bought::No(
                    "The price of the top-up changed since the rule was confirmed; confirm it \
                     again in the settings."
                        .to_owned(),
                );
            }
            Ok(Err(error)) => return Bought::No(error.to_string()),
            Err(error) => {
                tracing::warn!(%error, "auto top-up: no price list");
                return Bought::Busy;
            }
        };
        for attempt in 0..=RETRIES {
            if attempt > 0 {
                tokio::time::sleep(RETRY_DELAY * 2_u32.pow(attempt - 1)).await;
                if self.moved(pin) {
                    tracing::info!("auto top-up: the app moved to another platform");
                    return Bought::Moved;
                }
                // The user may have turned the rule off, or changed it, during the wait.
                let now = pin.stored();
                if !now.enabled || now.rule.as_ref() != Some(rule) {
                    tracing::info!("auto top-up: the rule changed during a retry's wait");
                    let _ = self.run(Step::Release(Origin::AutoTopUp)).await;
                    return Bought::Stopped;
                }
            }
            // A retry is a new decision (the last one was answered): its own derived key.
            let key = IdempotencyKey::from_uuid(Uuid::from_u128(key ^ (u128::from(attempt) << 64)));
            let step = Step::AutoTopUp {
                purchase: purchase.clone(),
                card: card.clone(),
                key,
                generation: pin.generation,
            };
            let view = match self.run(step).await {
                Ok(Some(view)) => view,
                Ok(None) => return Bought::Unknown,
                Err(_) if self.moved(pin) => return Bought::Moved,
                Err(error) => {
                    tracing::warn!(%error, "auto top-up not sent");
                    return Bought::Busy;
                }
            };
            match (view.step, &view.decline) {
                (ViewStep::Succeeded, _) => {
                    let charged = view.charged.unwrap_or_default();
                    self.tell_bought(purchase.credits, &charged, pin.generation)
                        .await;
                    return Bought::Yes;
                }
                (ViewStep::Authenticate, _) => {
                    // Waits for the user in the wizard, which the service opened; the
                    // reservation stands until it is answered there.
                    tracing::info!("auto top-up: the bank asks for a confirmation");
                    self.tell(PaymentOutcome::AutoTopUpNotice(autotopup::bank_notice(
                        purchase.credits,
                        &lattica_core::format::money(
                            purchase.price.amount,
                            &purchase.price.currency,
                        ),
                    )));
                    return Bought::Unknown;
                }
                (ViewStep::Method, Some(decline)) if decline.retryable && attempt < RETRIES => {
                    tracing::info!(code = %decline.code, attempt, "auto top-up: retrying");
                }
                (ViewStep::Method, Some(decline)) => {
                    let _ = self.run(Step::Release(Origin::AutoTopUp)).await;
                    return Bought::No(decline.message.clone());
                }
                _ => return Bought::Unknown,
            }
        }
        Bought::Unknown
    }

    /// The rule's saved card, still saved and not expired. Only a card that is gone or
    /// expired refuses for good; not reaching the platform (or no session) is for later.
    async fn rule_card(&self, rule: &Rule) -> Result<PaymentMethod, Bought> {
        let methods = match self.client() {
            Ok(client) => client.list_payment_methods().await.map_err(AppError::from),
            Err(error) => Err(error),
        };
        let methods = methods.map_err(|error| {
            tracing::warn!(%error, "auto top-up: the saved cards could not be read");
            Bought::Busy
        })?;
        let now = Utc::now();
        let card = methods
            .into_iter()
            .find(|m| m.label() == rule.card)
            .ok_or_else(|| Bought::No(format!("The card {} is no longer saved.", rule.card)))?;
        if !card.valid_in(now.year().unsigned_abs(), now.month()) {
            return Err(Bought::No(format!("The card {} has expired.", rule.card)));
        }
        Ok(card)
    }

    /// Turns the rule off for `reason` in `pin`'s journal, and says so.
    pub(super) fn turn_off(&self, pin: &Pin, stored: &mut Stored, reason: &str) {
        stored.enabled = false;
        stored.off_reason = Some(reason.to_owned());
        pin.save(stored);
        tracing::warn!(%reason, "auto top-up turned off");
        self.tell(PaymentOutcome::AutoTopUpNotice(autotopup::stopped_notice(
            reason,
        )));
    }

    /// The user signed out: the rule stays off until confirmed again, whoever signs in next.
    fn turn_off_at_sign_out(&self) {
        let mut stored = self.stored();
        if stored.enabled {
            stored.enabled = false;
            stored.off_reason = Some("Turned off when you signed out.".to_owned());
            self.save_stored(&stored);
            tracing::info!("auto top-up turned off at sign-out");
        }
    }

    pub(super) fn tell(&self, outcome: PaymentOutcome) {
        self.engine().send(Command::PaymentEnded {
            outcome,
            wizard_in_front: false,
        });
    }
}

enum Bought {
    Yes,
    /// Nothing sent (another payment in the way, the platform not reachable, no price
    /// list): the next reading may try.
    Busy,
    /// Refused for good: the rule turns off, with this reason.
    No(String),
    /// The user turned the rule off or changed it before a retry: nothing more was sent.
    Stopped,
    /// The app moved into or out of the demo before it was sent: nothing was.
    Moved,
    Unknown,
}

/// The balance and runtime left, as the alerts read them.
fn reading(state: &EngineState) -> Option<Reading> {
    let snapshot = state.snapshot.as_ref()?;
    let input = ViewInput::of_snapshot(snapshot, &state.settings, state.observed_burn_per_hour);
    Some(Reading {
        balance: snapshot.balance,
        hours_left: input.estimate().and_then(|e| e.hours_left()),
    })
}

#[cfg(test)]
#[path = "auto_tests.rs"]
mod tests;
