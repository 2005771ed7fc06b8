//! `api/finance/get_pricing` (sandbox design): what a credit costs and what each instance type
//! burns per hour.

use rust_decimal::Decimal;
use serde::Deserialize;
use url::Url;

use super::money::Money;
use crate::config::is_loopback_host;
use crate::model::credits;

/// The price list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "PricingWire")]
pub struct Pricing {
    pub currency: String,
    /// The price of one credit.
    pub credit_price: Money,
    pub default_instance_type_id: Option<String>,
    pub instance_types: Vec<InstanceType>,
    pub limits: Option<CreditLimits>,
    /// Amounts offered as one-click choices.
    pub suggested_credits: Vec<Decimal>,
    /// The payment service's origin, which serves the hosted card form (`{url}/card-form`)
    /// and the 3-D Secure pages. Only `https`, or plain `http` to a loopback host (the
    /// sandbox), is kept: card details must never travel in clear text.
    pub payments_url: Option<Url>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceType {
    pub instance_type_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(deserialize_with = "credits::required")]
    pub credits_per_hour: Decimal,
}

/// Bounds of one purchase, in credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditLimits {
    #[serde(deserialize_with = "credits::required")]
    pub min_credits: Decimal,
    #[serde(deserialize_with = "credits::required")]
    pub max_credits: Decimal,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PricingWire {
    #[serde(default)]
    currency: Option<String>,
    credit_price: Money,
    #[serde(default)]
    default_instance_type_id: Option<String>,
    #[serde(default)]
    instance_types: Vec<InstanceType>,
    #[serde(default)]
    limits: Option<CreditLimits>,
    #[serde(default, deserialize_with = "credits::list")]
    suggested_credits: Vec<Decimal>,
    #[serde(default)]
    payments_url: Option<String>,
}

impl TryFrom<PricingWire> for Pricing {
    type Error = String;

    fn try_from(wire: PricingWire) -> Result<Self, String> {
        let currency = wire
            .currency
            .unwrap_or_else(|| wire.credit_price.currency.clone());
        if !currency.eq_ignore_ascii_case(&wire.credit_price.currency) {
            return Err(format!(
                "pricing: `creditPrice` is in {} but the price list in {currency}",
                wire.credit_price.currency
            ));
        }
        Ok(Self {
            currency,
            credit_price: wire.credit_price,
            default_instance_type_id: wire.default_instance_type_id,
            instance_types: wire.instance_types,
            limits: wire.limits,
            suggested_credits: wire.suggested_credits,
            payments_url: wire.payments_url.as_deref().and_then(payments_url),
        })
    }
}

/// `raw` as the payment service's URL, if it is one the app may send a card form to. A
/// refused one is dropped rather than failing the whole price list, which the estimates need.
fn payments_url(raw: &str) -> Option<Url> {
    let url = Url::parse(raw.trim())
        .inspect_err(|error| tracing::warn!(%error, "pricing: `paymentsUrl` is not a URL"))
        .ok()?;
    let secure = match url.scheme() {
        "https" => true,
        "http" => is_loopback_host(&url),
        _ => false,
    };
    let plain = url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    if secure && plain {
        Some(url)
    } else {
        tracing::warn!(url = %url, "pricing: `paymentsUrl` refused (https only, http to loopback)");
        None
    }
}

impl Pricing {
    pub fn instance_type(&self, id: &str) -> Option<&InstanceType> {
        self.instance_types
            .iter()
            .find(|t| t.instance_type_id == id)
    }

    /// What `instance_type_id` burns per hour; `None` falls back to the default type.
    pub fn credits_per_hour(&self, instance_type_id: Option<&str>) -> Option<Decimal> {
        let id = instance_type_id.or(self.default_instance_type_id.as_deref())?;
        self.instance_type(id).map(|t| t.credits_per_hour)
    }

    /// The price of `credits`, when it is a whole number of minor units (the platform charges
    /// nothing fractional) and fits.
    pub fn price_of(&self, credits: Decimal) -> Option<Money> {
        let minor = credits.checked_mul(Decimal::from(self.credit_price.amount))?;
        if minor.fract() != Decimal::ZERO {
            return None;
        }
        let amount = i64::try_from(minor).ok()?;
        Some(Money {
            amount,
            currency: self.currency.clone(),
        })
    }

    /// Whether `credits` may be bought in one payment.
    pub fn allows(&self, credits: Decimal) -> bool {
        credits > Decimal::ZERO
            && self
                .limits
                .is_none_or(|l| credits >= l.min_credits && credits <= l.max_credits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::read;

    const DOC: &str = r#"{
      "currency": "usd",
      "creditPrice": {"amount": 100, "currency": "usd"},
      "defaultInstanceTypeId": "G4DN_XLARGE",
      "instanceTypes": [
        {"instanceTypeId": "G4DN_XLARGE", "name": "NVIDIA T4", "creditsPerHour": 1.2},
        {"instanceTypeId": "G7E_2XLARGE", "name": "NVIDIA L4", "creditsPerHour": 4.8}],
      "limits": {"minCredits": 10, "maxCredits": 5000},
      "suggestedCredits": [25, 50, 100, 250],
      "paymentsUrl": "https://pay.lattica.ai"
    }"#;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn reads_the_documented_example() {
        let pricing: Pricing = read(DOC, "pricing").unwrap();
        assert_eq!(pricing.currency, "usd");
        assert_eq!(pricing.credit_price.amount, 100);
        assert_eq!(pricing.credits_per_hour(None), Some(dec("1.2")));
        assert_eq!(
            pricing.credits_per_hour(Some("G7E_2XLARGE")),
            Some(dec("4.8"))
        );
        assert_eq!(pricing.credits_per_hour(Some("NOPE")), None);
        assert_eq!(pricing.suggested_credits.len(), 4);
        assert_eq!(pricing.limits.unwrap().max_credits, dec("5000"));
        assert_eq!(
            pricing.payments_url.unwrap().origin().ascii_serialization(),
            "https://pay.lattica.ai"
        );
    }

    #[test]
    fn payments_url_only_over_https_or_to_loopback() {
        let with = |url: &str| {
            let doc = format!(
                r#"{{"creditPrice": {{"amount": 100, "currency": "usd"}}, "paymentsUrl": "{url}"}}"#
            );
            read::<Pricing>(&doc, "pricing")
                .unwrap()
                .payments_url
                .map(|u| u.to_string())
        };
        assert_eq!(
            with("http://127.0.0.1:4321").as_deref(),
            Some("http://127.0.0.1:4321/")
        );
        assert!(with("https://pay.example").is_some());
        for refused in [
            "http://pay.example",
            "javascript:alert(1)",
            "not a url",
            "https://user:pw@pay.example",
            "https://pay.example/?x=1",
        ] {
            assert_eq!(with(refused), None, "{refused}");
        }
    }

    #[test]
    fn prices_and_limits() {
        let pricing: Pricing = read(DOC, "pricing").unwrap();
        assert_eq!(pricing.price_of(dec("25")).unwrap().amount, 2500);
        assert_eq!(pricing.price_of(dec("10.25")).unwrap().amount, 1025);
        assert_eq!(pricing.price_of(dec("10.255")), None);
        assert_eq!(pricing.price_of(Decimal::MAX), None);
        assert!(pricing.allows(dec("10")));
        assert!(pricing.allows(dec("5000")));
        assert!(!pricing.allows(dec("9.99")));
        assert!(!pricing.allows(dec("5000.01")));
    }

    #[test]
    fn tolerates_missing_optional_parts_but_not_the_price() {
        let pricing: Pricing = read(
            r#"{"creditPrice": {"amount": 90, "currency": "eur"}}"#,
            "pricing",
        )
        .unwrap();
        assert_eq!(pricing.currency, "eur");
        assert!(pricing.instance_types.is_empty());
        assert_eq!(pricing.payments_url, None);
        assert!(pricing.allows(dec("1")));
        let err = read::<Pricing>(r#"{"currency": "usd"}"#, "pricing").unwrap_err();
        assert!(err.to_string().contains("creditPrice"), "{err}");
        let mixed = r#"{"currency": "usd", "creditPrice": {"amount": 1, "currency": "eur"}}"#;
        assert!(read::<Pricing>(mixed, "pricing").is_err());
    }
}
