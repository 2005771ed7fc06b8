//! A card as the app accepts it from a webview: the payment service's [`PaymentMethod`] (its
//! opaque `pm_…` token with the brand, the last four digits and the expiry), checked before it
//! is used, and the [`CardView`] the windows show, which names a saved card by an opaque
//! handle (see `handles.rs`), never by its token. The card number and the security code are
//! never here: they stay inside the payment service's own page.

use lattica_client::PaymentMethod;
use serde::Serialize;

/// Longest payment-method token accepted; the payment service's are far shorter.
const MAX_TOKEN_LEN: usize = 100;

/// Why a card handed over by a webview is refused. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("That is not a payment method of the payment service.")]
    NotAToken,
    /// A whole card number (or anything but four digits) where the last four belong.
    #[error("A card is identified by its last four digits only.")]
    NotLastFour,
    #[error("Unknown card brand.")]
    UnknownBrand,
    #[error("Invalid card expiry.")]
    InvalidExpiry,
    #[error("This card is no longer saved. Use “Add credit…” to pay with another.")]
    NoLongerSaved,
    /// A handle this run never gave out (a window from before a restart, or made up).
    #[error("This card is not known any more: close this window, open it again and choose again.")]
    UnknownCard,
}

/// Accepts `method` if it is a payment service token with plausible display data: a webview
/// cannot smuggle a card number or markup through it.
pub fn check(method: PaymentMethod) -> Result<PaymentMethod, CardError> {
    let token_ok = method.id.len() <= MAX_TOKEN_LEN
        && method.id.strip_prefix("pm_").is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
    if !token_ok {
        return Err(CardError::NotAToken);
    }
    if let Some(last4) = &method.last4
        && !(last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(CardError::NotLastFour);
    }
    if let Some(brand) = &method.brand
        && !(brand.len() <= 20 && brand.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return Err(CardError::UnknownBrand);
    }
    if method.exp_month.is_some_and(|m| !(1..=12).contains(&m)) {
        return Err(CardError::InvalidExpiry);
    }
    Ok(method)
}

/// A card as the windows show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardView {
    /// The card's handle for this run (`card-3`), which a window hands back to pay with it
    /// or remove it; never the payment service's token.
    pub id: String,
    /// `Visa •••• 4242`.
    pub label: String,
    pub brand: Option<String>,
    pub last4: Option<String>,
    /// `04/27`.
    pub expiry: Option<String>,
}

impl CardView {
    /// `method` as shown, named by `handle`.
    pub(super) fn of(method: &PaymentMethod, handle: String) -> Self {
        Self {
            id: handle,
            label: method.label(),
            brand: method.brand.clone(),
            last4: method.last4.clone(),
            expiry: method.expiry(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str, last4: &str) -> PaymentMethod {
        PaymentMethod {
            id: id.into(),
            brand: Some("visa".into()),
            last4: Some(last4.into()),
            exp_month: Some(4),
            exp_year: Some(2040),
        }
    }

    #[test]
    fn tokens_and_last_four_only() {
        let ok = check(card("pm_0123abcd", "4242")).unwrap();
        assert_eq!(ok.label(), "Visa •••• 4242");
        assert_eq!(ok.expiry().as_deref(), Some("04/40"));
        for bad in ["", "pm_", "tok_123", "pm_12 34", "pm_<script>"] {
            assert_eq!(check(card(bad, "4242")), Err(CardError::NotAToken), "{bad}");
        }
        // A whole card number where the last four belong is refused, not shown or kept.
        assert_eq!(
            check(card("pm_1", "4242424242424242")),
            Err(CardError::NotLastFour)
        );
        assert_eq!(check(card("pm_1", "42a2")), Err(CardError::NotLastFour));
    }

    #[test]
    fn debug_shows_no_token() {
        let shown = format!("{:?}", card("pm_secretish", "4242"));
        assert!(!shown.contains("pm_secretish"), "{shown}");
        assert!(shown.contains("4242"));
    }
}
