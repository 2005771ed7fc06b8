//! What the webviews are told about payments: the attempt in progress (sent with every change
//! as `payment://updated`), the wizard's starting point and the popover's quick top-up offer.
//! Nothing here carries card data: cards are handles with a brand and last four digits.

use lattica_core::format;
use rust_decimal::Decimal;
use serde::Serialize;
use url::Url;

use super::amount::{Quote, credits_text};
use super::card::CardView;
use super::decline::Decline;
use super::flow::{Attempt, Origin, Stage};

/// The wizard step an attempt is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// Choose (or enter) a card; after a decline, with its reason.
    Method,
    Confirming,
    /// The outcome of a confirmation is not known yet.
    Unknown,
    /// 3-D Secure on the payment service's page.
    Authenticate,
    Succeeded,
    Canceled,
}

/// The balance after a success, as read back from the platform.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReadBack {
    #[default]
    Pending,
    Read(Decimal),
    /// The platform could not be asked in time; the popover shows it once it can.
    Unavailable,
}

/// An attempt as the wizard and the popover show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptView {
    /// Grows with every change sent: a view that arrives late (a command's answer after a
    /// newer event) is recognised as older and ignored.
    pub revision: u64,
    pub step: Step,
    pub origin: Origin,
    pub quote: Quote,
    /// The card of the latest confirmation.
    pub card: Option<CardView>,
    pub saves_card: bool,
    pub decline: Option<Decline>,
    /// Why the outcome is unknown, or why the next step cannot be shown.
    pub problem: Option<String>,
    /// The 3-D Secure page, only if it is on the payment service's origin.
    pub auth_url: Option<String>,
    pub payment_id: Option<String>,
    pub receipt: Option<String>,
    /// `$25.00` as charged.
    pub charged: Option<String>,
    /// The balance read back after a success (`1,259.56`).
    pub new_balance: Option<String>,
    /// A success whose balance is still being read back.
    pub balance_pending: bool,
    /// Canceling now is possible and charges nothing.
    pub can_cancel: bool,
    /// The outcome in one line, as the popover's quick top-up tells it; none while it runs
    /// or once canceled.
    pub outcome: Option<String>,
}

impl AttemptView {
    /// `payments` is the payment service's origin, the only one a 3-D Secure page may come
    /// from.
    pub fn of(
        attempt: &Attempt,
        card: Option<CardView>,
        quote: Quote,
        read_back: &ReadBack,
        payments: Option<&Url>,
    ) -> Self {
        let payment = attempt.payment();
        let mut problem = None;
        let (step, decline, auth_url) = match attempt.stage() {
            Stage::AwaitingMethod { declined } => (Step::Method, declined.clone(), None),
            Stage::Confirming { .. } => (Step::Confirming, None, None),
            Stage::Unknown { problem: p } => {
                problem = Some(p.clone());
                (Step::Unknown, None, None)
            }
            Stage::Authenticating { url } => {
                let trusted = same_origin(url, payments);
                if !trusted {
                    problem = Some(
                        "The platform asked to confirm the payment on a page outside its \
                         payment service; it is not shown. Cancel the payment and try again."
                            .to_owned(),
                    );
                }
                (Step::Authenticate, None, trusted.then(|| url.clone()))
            }
            Stage::Succeeded => (Step::Succeeded, None, None),
            Stage::Canceled => (Step::Canceled, None, None),
        };
        let succeeded = step == Step::Succeeded;
        let receipt = payment.and_then(|p| p.receipt_number.clone());
        AttemptView {
            outcome: outcome_line(step, &quote, receipt.as_deref(), decline.as_ref()),
            revision: 0,
            step,
            origin: attempt.origin(),
            quote,
            card,
            saves_card: attempt.saves_card(),
            decline,
            problem,
            auth_url,
            payment_id: payment.map(|p| p.id.clone()),
            receipt,
            charged: payment
                .filter(|_| succeeded)
                .map(|p| format::money(p.amount.amount, &p.amount.currency)),
            new_balance: match read_back {
                ReadBack::Read(balance) if succeeded => Some(format::credits(*balance)),
                _ => None,
            },
            balance_pending: succeeded && *read_back == ReadBack::Pending,
            can_cancel: match attempt.stage() {
                Stage::AwaitingMethod { .. } | Stage::Authenticating { .. } => true,
                // Only with a payment id: canceling then either stops it or shows its success;
                // without one, once it is too old to be sent again (it is let go).
                Stage::Unknown { .. } => payment.is_some() || attempt.keys_may_be_gone(),
                Stage::Confirming { .. } | Stage::Succeeded | Stage::Canceled => false,
            },
        }
    }
}

/// `Added 25 credits · receipt R.`, a decline's reason, the bank's question, or that the
/// outcome is not known yet.
fn outcome_line(
    step: Step,
    quote: &Quote,
    receipt: Option<&str>,
    decline: Option<&Decline>,
) -> Option<String> {
    match step {
        Step::Succeeded => Some(match receipt {
            Some(receipt) => format!("Added {} credits · receipt {receipt}.", quote.credits_text),
            None => format!("Added {} credits.", quote.credits_text),
        }),
        Step::Method => Some(decline.map_or_else(
            || "The payment did not go through.".to_owned(),
            |d| d.message.clone(),
        )),
        Step::Authenticate => Some(
            "Your bank asks you to confirm the payment: continue in the Add credit window."
                .to_owned(),
        ),
        Step::Unknown => Some(
            "The payment’s outcome is not known yet. Open “Add credit…” to check again; it \
             is never charged twice."
                .to_owned(),
        ),
        Step::Confirming | Step::Canceled => None,
    }
}

fn same_origin(url: &str, payments: Option<&Url>) -> bool {
    match (Url::parse(url), payments) {
        (Ok(url), Some(payments)) => url.origin() == payments.origin(),
        _ => false,
    }
}

/// The wizard's starting point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WizardContext {
    /// Why the wizard cannot take a payment here, if it cannot.
    pub unavailable: Option<String>,
    pub suggestions: Vec<Quote>,
    /// The suggestion selected at first.
    pub preselected: Option<String>,
    /// `Between 10 and 5,000 credits, in steps of 0.01.`
    pub limits_hint: Option<String>,
    /// The payment service's origin (`scheme://host:port`): the wizard accepts messages
    /// from its frames only when they come from exactly this origin.
    pub payments_origin: Option<String>,
    /// The hosted card form, without `parent` (the wizard adds its own origin).
    pub card_form_url: Option<String>,
    pub saved_cards: Vec<CardView>,
    /// The balance now (`1,234.56`).
    pub balance: Option<String>,
    /// The attempt in progress or just finished, to resume where it is.
    pub attempt: Option<AttemptView>,
    /// The demo's label while the app runs on the demo account (its cards are test cards).
    pub demo: Option<String>,
}

impl WizardContext {
    /// A wizard that cannot take a payment here, and says why.
    pub fn unavailable(why: &str, balance: Option<String>) -> Self {
        Self {
            unavailable: Some(why.to_owned()),
            suggestions: Vec::new(),
            preselected: None,
            limits_hint: None,
            payments_origin: None,
            card_form_url: None,
            saved_cards: Vec::new(),
            balance,
            attempt: None,
            demo: None,
        }
    }
}

/// The popover's one-click top-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuickOffer {
    pub quote: Quote,
    pub card: CardView,
    /// `Add 25 credits · Visa •••• 4242`.
    pub label: String,
    /// `Pay $25.00?`, asked next to the card's label.
    pub question: String,
    /// `Paying $25.00…`, while it runs.
    pub paying: String,
}

impl QuickOffer {
    pub fn new(quote: Quote, card: CardView) -> Self {
        Self {
            label: format!("Add {} credits · {}", quote.credits_text, card.label),
            question: format!("Pay {}?", quote.price),
            paying: format!("Paying {}…", quote.price),
            quote,
            card,
        }
    }
}

/// `Between 10 and 5,000 credits.`
pub fn limits_hint(min: Decimal, max: Decimal) -> String {
    format!(
        "Between {} and {} credits, up to two decimals.",
        credits_text(min),
        credits_text(max)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote() -> Quote {
        Quote {
            credits: "25".into(),
            credits_text: "25".into(),
            price: "$25.00".into(),
            runtime: None,
            balance_after: None,
        }
    }

    #[test]
    fn each_outcome_is_told_in_one_line_and_a_running_one_not_at_all() {
        let q = quote();
        let line = |step, receipt, decline| outcome_line(step, &q, receipt, decline);
        assert_eq!(
            line(Step::Succeeded, Some("1234-5678"), None).as_deref(),
            Some("Added 25 credits · receipt 1234-5678.")
        );
        assert_eq!(
            line(Step::Succeeded, None, None).as_deref(),
            Some("Added 25 credits.")
        );
        let declined = Decline {
            code: "card_declined".into(),
            message: "Your card was declined.".into(),
            retryable: false,
        };
        assert_eq!(
            line(Step::Method, None, Some(&declined)).as_deref(),
            Some("Your card was declined.")
        );
        assert_eq!(
            line(Step::Method, None, None).as_deref(),
            Some("The payment did not go through.")
        );
        assert!(line(Step::Authenticate, None, None).is_some_and(|l| l.contains("bank")));
        assert!(line(Step::Unknown, None, None).is_some_and(|l| l.contains("not known yet")));
        assert_eq!(line(Step::Confirming, None, None), None);
        assert_eq!(line(Step::Canceled, None, None), None);
        let card = CardView {
            id: "card-1".into(),
            label: "Visa •••• 4242".into(),
            brand: Some("visa".into()),
            last4: Some("4242".into()),
            expiry: None,
        };
        let offer = QuickOffer::new(q.clone(), card);
        assert_eq!(offer.paying, "Paying $25.00…");
    }
}
