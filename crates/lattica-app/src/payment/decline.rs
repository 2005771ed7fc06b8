//! Why a payment did not go through, in plain words, from the platform's failure codes.

use lattica_client::Payment;
use serde::Serialize;

/// A refused payment: nothing was charged, and the user may try again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decline {
    /// The platform's failure code (`card_declined`…), or `unavailable_card` when the card
    /// itself is unknown to the platform.
    pub code: String,
    /// What happened and what to do, for the user.
    pub message: String,
    /// Trying the same card again may work (a temporary problem).
    pub retryable: bool,
}

impl Decline {
    /// The decline a failed payment reports.
    pub fn of(payment: &Payment) -> Self {
        let code = payment.failure_code.as_deref().unwrap_or("unknown");
        Self::from_code(code, payment.failure_message.as_deref())
    }

    /// The plain-words explanation of `code`; `fallback` is the platform's own message, used
    /// for codes this version does not know.
    pub fn from_code(code: &str, fallback: Option<&str>) -> Self {
        let (message, retryable) = match code {
            "card_declined" => (
                "Your card was declined. Try another card, or ask your bank why.",
                false,
            ),
            "insufficient_funds" => ("Your card has insufficient funds. Try another card.", false),
            "expired_card" => (
                "Your card has expired. Check the expiry date or use another card.",
                false,
            ),
            "incorrect_cvc" => (
                "The security code (CVC) is incorrect. Enter the card again with the code \
                 on its back.",
                false,
            ),
            "processing_error" => (
                "The card could not be charged because of a temporary problem at the card \
                 processor. Nothing was charged; try again in a moment.",
                true,
            ),
            "authentication_failed" => (
                "Your bank did not confirm the payment (3-D Secure). Nothing was charged; \
                 try again, or use another card.",
                false,
            ),
            "unavailable_card" => (
                "This card is no longer available for payments. Enter it again, or use \
                 another card.",
                false,
            ),
            _ => {
                let message = fallback.filter(|m| !m.trim().is_empty()).map_or_else(
                    || "The payment did not go through. Nothing was charged.".to_owned(),
                    |m| format!("The payment did not go through: {}", m.trim()),
                );
                return Self {
                    code: code.to_owned(),
                    message,
                    retryable: false,
                };
            }
        };
        Self {
            code: code.to_owned(),
            message: message.to_owned(),
            retryable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_has_its_own_words() {
        let codes = [
            "card_declined",
            "insufficient_funds",
            "expired_card",
            "incorrect_cvc",
            "processing_error",
            "authentication_failed",
        ];
        let messages: std::collections::BTreeSet<_> = codes
            .iter()
            .map(|code| Decline::from_code(code, Some("raw")).message)
            .collect();
        assert_eq!(messages.len(), codes.len());
        assert!(messages.iter().all(|m| !m.contains("raw")));
        assert!(Decline::from_code("processing_error", None).retryable);
        assert!(!Decline::from_code("card_declined", None).retryable);
    }

    #[test]
    fn unknown_codes_fall_back_to_the_platforms_words() {
        let d = Decline::from_code("do_not_honor", Some("Do not honor."));
        assert_eq!(d.message, "The payment did not go through: Do not honor.");
        let d = Decline::from_code("x", None);
        assert!(d.message.contains("Nothing was charged"));
    }
}
