//! What the wizard and the popover need around a payment: prices and limits, suggested amounts
//! and what they buy, saved cards, the payment service's origin, and the popover's one-click
//! top-up offer.

use std::time::Duration;

use chrono::{Datelike, Utc};
use lattica_client::{ClientError, PaymentMethod, Pricing};
use lattica_core::format;
use lattica_core::view::Session;

use super::amount::{Purchase, Quote};
use super::card::CardError;
use super::service::{Payments, Step};
use super::view::{AttemptView, QuickOffer, WizardContext, limits_hint};
use crate::error::AppError;

/// How long the popover's quick top-up offer is kept before the saved cards are read again.
const OFFER_TTL: Duration = Duration::from_secs(120);

impl Payments {
    /// The wizard's starting point: suggestions with their prices, saved cards, the payment
    /// service, the balance, and the attempt to resume.
    pub async fn wizard(&self) -> Result<WizardContext, AppError> {
        let demo = self
            .engine()
            .state()
            .demo
            .then(|| lattica_core::view::DEMO_LABEL.to_owned());
        Ok(WizardContext {
            demo,
            ..self.wizard_here().await?
        })
    }

    async fn wizard_here(&self) -> Result<WizardContext, AppError> {
        let client = self.client()?;
        let (pricing, methods) = tokio::join!(client.get_pricing(), client.list_payment_methods());
        let unsupported = [pricing.as_ref().err(), methods.as_ref().err()]
            .into_iter()
            .flatten()
            .any(ClientError::is_unsupported);
        if client.lacks_payments() || unsupported {
            // Reached some other way than "Add credit" (which opens the web console there):
            // say where credit is added, with the balance known.
            return Ok(WizardContext::unavailable(
                "This platform takes no payments in the app: add credit in the Lattica web \
                 console (Add credit in the tray menu opens it).",
                self.engine()
                    .state()
                    .snapshot
                    .as_ref()
                    .map(|s| format::credits(s.balance)),
            ));
        }
        let pricing = self.remember(pricing?);
        let methods = methods
            .inspect_err(|error| tracing::warn!(%error, "could not list the saved cards"))
            .unwrap_or_default();
        let suggestions: Vec<Quote> = pricing
            .suggested_credits
            .iter()
            .filter_map(|credits| Purchase::new(*credits, &pricing).ok())
            .map(|purchase| self.quote_now(&purchase))
            .collect();
        let payments = pricing.payments_url.as_ref();
        let engine = self.engine().state();
        Ok(WizardContext {
            unavailable: payments.is_none().then(|| {
                "The platform does not offer card payments in the app. Add credit in the \
                 Lattica web console."
                    .to_owned()
            }),
            preselected: suggestions.first().map(|q| q.credits.clone()),
            suggestions,
            limits_hint: pricing
                .limits
                .map(|l| limits_hint(l.min_credits, l.max_credits)),
            payments_origin: payments.map(|u| u.origin().ascii_serialization()),
            card_form_url: payments
                .map(|u| format!("{}/card-form", u.as_str().trim_end_matches('/'))),
            saved_cards: methods.iter().map(|m| self.card_view(m)).collect(),
            balance: engine.snapshot.as_ref().map(|s| format::credits(s.balance)),
            attempt: self.for_wizard(),
            demo: None,
        })
    }

    /// The price of `credits` (as typed) and what it buys.
    pub async fn quote(&self, credits: &str) -> Result<Quote, AppError> {
        Ok(self.quote_now(&self.purchase(credits).await?))
    }

    /// `credits` (as typed) checked against the platform's limits, with its price.
    pub async fn purchase(&self, credits: &str) -> Result<Purchase, AppError> {
        let pricing = self.pricing().await?;
        Ok(Purchase::parse(
            credits,
            crate::locale::number_style(),
            &pricing,
        )?)
    }

    /// The quote of `purchase` at the figures the refresh loop last published.
    pub(super) fn quote_now(&self, purchase: &Purchase) -> Quote {
        let state = self.engine().state();
        purchase.quote(
            state.snapshot.as_ref(),
            state.observed_burn_per_hour,
            &state.settings.list_prices(),
            Utc::now(),
        )
    }

    /// The popover's one-click top-up: the smallest suggestion with the newest usable saved
    /// card, if there is one. Cached for [`OFFER_TTL`] and dropped after every payment.
    pub async fn quick_offer(&self) -> Result<Option<QuickOffer>, AppError> {
        if self.engine().state().session != Session::SignedIn {
            return Ok(None);
        }
        if let Some((at, offer)) = &self.shared().offer
            && at.elapsed() < OFFER_TTL
        {
            return Ok(offer.clone());
        }
        let client = self.client()?;
        if client.lacks_payments() {
            // The published platform: credit is added in the web console, no offer here.
            return Ok(None);
        }
        let epoch = self.shared().cards_epoch;
        let (pricing, methods) = tokio::join!(client.get_pricing(), client.list_payment_methods());
        if [pricing.as_ref().err(), methods.as_ref().err()]
            .into_iter()
            .flatten()
            .any(ClientError::is_unsupported)
        {
            return Ok(None);
        }
        let pricing = self.remember(pricing?);
        let now = Utc::now();
        let card = methods?
            .into_iter()
            .find(|m| m.valid_in(now.year().unsigned_abs(), now.month()));
        let purchase = pricing
            .suggested_credits
            .iter()
            .filter_map(|credits| Purchase::new(*credits, &pricing).ok())
            .min_by_key(|p| p.credits);
        let offer = card.zip(purchase).map(|(card, purchase)| {
            QuickOffer::new(self.quote_now(&purchase), self.card_view(&card))
        });
        let kept = {
            let mut shared = self.shared();
            let current = shared.cards_epoch == epoch;
            if current {
                shared.offer = Some((tokio::time::Instant::now(), offer.clone()));
            }
            current
        };
        if !kept {
            // A card was removed meanwhile: the list read may still hold it.
            return Box::pin(self.quick_offer()).await;
        }
        Ok(offer)
    }

    /// Pays `credits` with the saved card of handle `card`, without the wizard.
    pub async fn quick_top_up(
        &self,
        credits: &str,
        card: &str,
    ) -> Result<Option<AttemptView>, AppError> {
        let wanted = self.saved_card(card)?;
        let purchase = self.purchase(credits).await?;
        let methods: Vec<PaymentMethod> = self.client()?.list_payment_methods().await?;
        let card = methods
            .into_iter()
            .find(|m| m.id == wanted.id)
            .ok_or(CardError::NoLongerSaved)?;
        self.run(Step::QuickTopUp { purchase, card }).await
    }

    /// The pricing as last read, read now if it never was.
    pub(super) async fn pricing(&self) -> Result<Pricing, AppError> {
        let cached = self.shared().pricing.clone();
        match cached {
            Some(pricing) => Ok(pricing),
            None => {
                let fetched = self.client()?.get_pricing().await?;
                Ok(self.remember(fetched))
            }
        }
    }

    fn remember(&self, pricing: Pricing) -> Pricing {
        self.shared().pricing = Some(pricing.clone());
        pricing
    }
}
