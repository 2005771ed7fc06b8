//! A payment method as the app knows it: the payment service's opaque `pm_…` token with the
//! brand, the last four digits and the expiry. The card number and the security code are
//! never here: they stay inside the payment service's own page.

use lattica_client::PaymentMethod;
use serde::{Deserialize, Serialize};

/// Longest token accepted from a webview; real ones are far shorter.
const MAX_TOKEN_LEN: usize = 100;

/// A tokenised card.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// `pm_…`, the only thing the platform needs to charge it.
    pub id: String,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub last4: Option<String>,
    #[serde(default)]
    pub exp_month: Option<u32>,
    #[serde(default)]
    pub exp_year: Option<u32>,
}

// The token is not card data, but it can charge a saved card: it stays out of logs.
impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Card")
            .field("brand", &self.brand)
            .field("last4", &self.last4)
            .finish_non_exhaustive()
    }
}

impl Card {
    /// Checks what a webview handed over: a well-formed token, and nothing that could be a
    /// card number where the last four digits belong.
    pub fn checked(self) -> Result<Self, String> {
        let token_ok = self.id.len() <= MAX_TOKEN_LEN
            && self.id.strip_prefix("pm_").is_some_and(|rest| {
                !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
        if !token_ok {
            return Err("That is not a payment method of the payment service.".to_owned());
        }
        if let Some(last4) = &self.last4
            && !(last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err("A card is identified by its last four digits only.".to_owned());
        }
        if let Some(brand) = &self.brand
            && !(brand.len() <= 20 && brand.bytes().all(|b| b.is_ascii_lowercase()))
        {
            return Err("Unknown card brand.".to_owned());
        }
        if self.exp_month.is_some_and(|m| !(1..=12).contains(&m)) {
            return Err("Invalid card expiry.".to_owned());
        }
        Ok(self)
    }

    /// "Visa •••• 4242".
    pub fn label(&self) -> String {
        let brand = self.brand.as_deref().map_or("Card", brand_name);
        match &self.last4 {
            Some(last4) => format!("{brand} •••• {last4}"),
            None => brand.to_owned(),
        }
    }

    /// "12/40", when known.
    pub fn expiry(&self) -> Option<String> {
        let (month, year) = (self.exp_month?, self.exp_year?);
        Some(format!("{month:02}/{:02}", year % 100))
    }

    /// The card's view for the webviews; the token goes along so a saved card can be chosen.
    pub fn view(&self) -> CardView {
        CardView {
            id: self.id.clone(),
            label: self.label(),
            brand: self.brand.clone(),
            last4: self.last4.clone(),
            expiry: self.expiry(),
        }
    }
}

impl From<PaymentMethod> for Card {
    fn from(method: PaymentMethod) -> Self {
        Self {
            id: method.id,
            brand: method.brand,
            last4: method.last4,
            exp_month: method.exp_month,
            exp_year: method.exp_year,
        }
    }
}

/// A card as the webviews show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardView {
    pub id: String,
    /// "Visa •••• 4242".
    pub label: String,
    pub brand: Option<String>,
    pub last4: Option<String>,
    /// "12/40".
    pub expiry: Option<String>,
}

/// The brand as people write it; the platform sends lowercase identifiers.
pub fn brand_name(brand: &str) -> &str {
    match brand {
        "visa" => "Visa",
        "mastercard" => "Mastercard",
        "amex" => "American Express",
        "discover" => "Discover",
        "diners" => "Diners Club",
        "jcb" => "JCB",
        "unionpay" => "UnionPay",
        _ => "Card",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str, last4: &str) -> Card {
        Card {
            id: id.into(),
            brand: Some("visa".into()),
            last4: Some(last4.into()),
            exp_month: Some(4),
            exp_year: Some(2040),
        }
    }

    #[test]
    fn tokens_and_last_four_only() {
        let ok = card("pm_0123abcd", "4242").checked().unwrap();
        assert_eq!(ok.label(), "Visa •••• 4242");
        assert_eq!(ok.expiry().as_deref(), Some("04/40"));
        for bad in ["", "pm_", "tok_123", "pm_12 34", "pm_<script>"] {
            assert!(card(bad, "4242").checked().is_err(), "{bad}");
        }
        // A whole card number where the last four belong is refused, not shown or kept.
        assert!(card("pm_1", "4242424242424242").checked().is_err());
        assert!(card("pm_1", "42a2").checked().is_err());
    }

    #[test]
    fn debug_shows_no_token() {
        let shown = format!("{:?}", card("pm_secretish", "4242"));
        assert!(!shown.contains("pm_secretish"), "{shown}");
        assert!(shown.contains("4242"));
    }
}
