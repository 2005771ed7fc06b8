//! What the wizard and the popover need around a payment: prices and limits, suggested amounts
//! and what they buy, saved cards, the payment service's origin, and the popover's one-click
//! top-up offer.

use std::time::Duration;

use chrono::{Datelike, Utc};
use lattica_client::{PaymentMethod, Pricing};
use lattica_core::format;
use lattica_core::view::Session;
use tauri::{AppHandle, Manager, Runtime};

use super::amount::{Purchase, Quote};
use super::card::Card;
use super::service::{self, Payments, Step};
use super::view::{AttemptView, QuickOffer, WizardContext, limits_hint};
use crate::engine::EngineHandle;
use crate::error::AppError;

/// How long a quick top-up offer is reused before the saved cards are asked for again. A
/// payment ending forgets it at once (it may have saved a card).
const OFFER_TTL: Duration = Duration::from_secs(120);

/// The wizard's starting point: fresh prices and saved cards, and the attempt to resume.
pub async fn wizard<R: Runtime>(app: &AppHandle<R>) -> Result<WizardContext, AppError> {
    let client = service::client(app).await?;
    let (pricing, methods) = tokio::join!(client.get_pricing(), client.list_payment_methods());
    let pricing = remember(app, pricing?);
    let methods = methods
        .inspect_err(|error| tracing::warn!(%error, "could not list the saved cards"))
        .unwrap_or_default();
    let suggestions: Vec<Quote> = pricing
        .suggested_credits
        .iter()
        .filter_map(|credits| Purchase::new(*credits, &pricing).ok())
        .map(|purchase| quote_now(app, &purchase))
        .collect();
    let payments = pricing.payments_url.as_ref();
    let engine = app.state::<EngineHandle>().state();
    Ok(WizardContext {
        unavailable: payments.is_none().then(|| {
            "The platform does not offer card payments in the app. Add credit in the Lattica \
             web console."
                .to_owned()
        }),
        preselected: suggestions.first().map(|q| q.credits.clone()),
        suggestions,
        limits_hint: pricing
            .limits
            .map(|l| limits_hint(l.min_credits, l.max_credits)),
        payments_origin: payments.map(|u| u.origin().ascii_serialization()),
        card_form_url: payments.map(|u| format!("{}/card-form", u.as_str().trim_end_matches('/'))),
        saved_cards: methods.into_iter().map(|m| Card::from(m).view()).collect(),
        balance: engine.snapshot.as_ref().map(|s| format::credits(s.balance)),
        attempt: service::for_wizard(app),
    })
}

/// Prices what the user typed, or says what is wrong with it.
pub async fn quote<R: Runtime>(app: &AppHandle<R>, credits: &str) -> Result<Quote, AppError> {
    Ok(quote_now(app, &purchase(app, credits).await?))
}

/// `credits` as a valid purchase under the current prices.
pub async fn purchase<R: Runtime>(app: &AppHandle<R>, credits: &str) -> Result<Purchase, AppError> {
    let pricing = pricing(app).await?;
    Purchase::parse(credits, &pricing).map_err(AppError::InvalidAmount)
}

/// The quote of `purchase` against the latest figures.
pub fn quote_now<R: Runtime>(app: &AppHandle<R>, purchase: &Purchase) -> Quote {
    let state = app.state::<EngineHandle>().state();
    purchase.quote(
        state.snapshot.as_ref(),
        state.observed_burn_per_hour,
        Utc::now(),
    )
}

/// The popover's one-click top-up: the smallest suggested amount the limits allow, with the
/// newest saved card that has not expired. `None` without a saved card.
pub async fn quick_offer<R: Runtime>(app: &AppHandle<R>) -> Result<Option<QuickOffer>, AppError> {
    if app.state::<EngineHandle>().state().session != Session::SignedIn {
        return Ok(None);
    }
    let payments = app.state::<Payments>();
    if let Some((at, offer)) = &payments.shared().offer
        && at.elapsed() < OFFER_TTL
    {
        return Ok(offer.clone());
    }
    let client = service::client(app).await?;
    let (pricing, methods) = tokio::join!(client.get_pricing(), client.list_payment_methods());
    let pricing = remember(app, pricing?);
    let card = methods?.into_iter().find(usable).map(Card::from);
    let purchase = pricing
        .suggested_credits
        .iter()
        .filter_map(|credits| Purchase::new(*credits, &pricing).ok())
        .min_by_key(|p| p.credits);
    let offer = card
        .zip(purchase)
        .map(|(card, purchase)| QuickOffer::new(quote_now(app, &purchase), card.view()));
    payments.shared().offer = Some((tokio::time::Instant::now(), offer.clone()));
    Ok(offer)
}

/// Buys `credits` with the saved card `payment_method_id`, as the popover confirmed it.
pub async fn quick_top_up<R: Runtime>(
    app: &AppHandle<R>,
    credits: &str,
    payment_method_id: &str,
) -> Result<Option<AttemptView>, AppError> {
    let purchase = purchase(app, credits).await?;
    let methods = service::client(app).await?.list_payment_methods().await?;
    let card = methods
        .into_iter()
        .find(|m| m.id == payment_method_id)
        .map(Card::from)
        .ok_or_else(|| {
            AppError::Payment(
                "This card is no longer saved. Use “Add credit…” to pay with another.".to_owned(),
            )
        })?;
    service::run(app, Step::QuickTopUp { purchase, card }).await
}

/// A saved card that has not expired (the platform would decline it).
fn usable(method: &PaymentMethod) -> bool {
    let now = Utc::now();
    match (method.exp_year, method.exp_month) {
        (Some(year), Some(month)) => (year, month) >= (now.year().unsigned_abs(), now.month()),
        _ => true,
    }
}

async fn pricing<R: Runtime>(app: &AppHandle<R>) -> Result<Pricing, AppError> {
    let cached = app.state::<Payments>().shared().pricing.clone();
    match cached {
        Some(pricing) => Ok(pricing),
        None => {
            let fetched = service::client(app).await?.get_pricing().await?;
            Ok(remember(app, fetched))
        }
    }
}

fn remember<R: Runtime>(app: &AppHandle<R>, pricing: Pricing) -> Pricing {
    app.state::<Payments>().shared().pricing = Some(pricing.clone());
    pricing
}
