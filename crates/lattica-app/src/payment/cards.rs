//! The saved cards, as the settings window lists and removes them. A removal also drops the
//! popover's cached quick top-up offer and tells the windows the list that remains, so neither
//! the wizard nor the one-click top-up offers a removed card again.

use chrono::{Datelike, Utc};
use lattica_client::{ClientError, PaymentMethod};
use lattica_core::view::{NO_SAVED_CARDS, RemoveCardTexts, Session};
use serde::Serialize;

use super::card::{self, CardView};
use super::service::Payments;
use crate::error::AppError;

/// Why the list is empty on a platform that keeps no cards for the app.
const NO_PAYMENTS_API: &str = "This platform keeps no cards for the app: credit is added, and \
                               cards are kept, in the Lattica web console.";
const SIGNED_OUT: &str = "Sign in to see the cards saved with your account.";

/// One saved card as the settings window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedCard {
    #[serde(flatten)]
    pub card: CardView,
    /// Past its expiry month: it cannot pay any more.
    pub expired: bool,
    /// `Expires 04/27`, `Expired 01/24`, or `No expiry on record`.
    pub expiry_text: String,
    /// What its row says about removing it.
    pub remove: RemoveCardTexts,
}

impl SavedCard {
    fn of(method: &PaymentMethod, card: CardView, (year, month): (u32, u32)) -> Self {
        let expired = !method.valid_in(year, month);
        let expiry_text = match method.expiry() {
            Some(expiry) if expired => format!("Expired {expiry}"),
            Some(expiry) => format!("Expires {expiry}"),
            None => "No expiry on record".to_owned(),
        };
        Self {
            remove: RemoveCardTexts::of(&card.label),
            card,
            expired,
            expiry_text,
        }
    }
}

/// The settings window's "Saved cards" section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedCards {
    pub cards: Vec<SavedCard>,
    /// Why there can be no cards here (signed out, a platform without payments), if so.
    pub unavailable: Option<String>,
    /// The line under the list: why it is unavailable, or that there are no cards.
    pub note: Option<String>,
}

impl SavedCards {
    fn unavailable(why: &str) -> Self {
        Self {
            cards: Vec::new(),
            unavailable: Some(why.to_owned()),
            note: Some(why.to_owned()),
        }
    }

    /// The cards of `methods`, shown as `view` makes them, marked expired as of `now` (year,
    /// month).
    pub fn of(
        methods: &[PaymentMethod],
        now: (u32, u32),
        mut view: impl FnMut(&PaymentMethod) -> CardView,
    ) -> Self {
        Self {
            cards: methods
                .iter()
                .map(|m| SavedCard::of(m, view(m), now))
                .collect(),
            unavailable: None,
            note: methods.is_empty().then(|| NO_SAVED_CARDS.to_owned()),
        }
    }
}

impl Payments {
    /// The saved cards, read from the platform now; on a platform without the payments API
    /// (or signed out) an empty list that says why.
    pub async fn saved_cards(&self) -> Result<SavedCards, AppError> {
        if self.engine().state().session != Session::SignedIn {
            return Ok(SavedCards::unavailable(SIGNED_OUT));
        }
        let client = self.client()?;
        if client.lacks_payments() {
            return Ok(SavedCards::unavailable(NO_PAYMENTS_API));
        }
        match client.list_payment_methods().await {
            Ok(methods) => Ok(SavedCards::of(&methods, this_month(), |m| {
                self.card_view(m)
            })),
            Err(error) if error.is_unsupported() => Ok(SavedCards::unavailable(NO_PAYMENTS_API)),
            Err(error) => Err(AppError::CardsUnreadable(Box::new(error.into()))),
        }
    }

    /// Removes the saved card of handle `card` on the platform; answers the cards that
    /// remain. The quick top-up offer is dropped and the windows are told the new list at
    /// once, whatever the outcome (a failed removal may still have happened).
    pub async fn remove_card(&self, card: &str) -> Result<SavedCards, AppError> {
        let id = card::check(self.saved_card(card)?)?.id;
        let client = self.client()?;
        let removed = client.delete_payment_method(&id).await;
        {
            let mut shared = self.shared();
            shared.offer = None;
            shared.cards_epoch += 1;
        }
        let remaining = client.list_payment_methods().await;
        if let Ok(methods) = &remaining {
            let views: Vec<CardView> = methods.iter().map(|m| self.card_view(m)).collect();
            self.windows().cards_changed(&views);
        }
        match removed {
            Ok(()) => tracing::info!("saved card removed"),
            // Already gone (removed elsewhere, or a lost answer to a removal that happened).
            Err(ClientError::Server { status: 404, .. }) if !listed(&remaining, &id) => {
                tracing::info!("saved card was already gone");
            }
            Err(error) => return Err(error.into()),
        }
        Ok(SavedCards::of(&remaining?, this_month(), |m| {
            self.card_view(m)
        }))
    }
}

fn listed(methods: &Result<Vec<PaymentMethod>, ClientError>, id: &str) -> bool {
    methods
        .as_ref()
        .map_or(true, |methods| methods.iter().any(|m| m.id == id))
}

fn this_month() -> (u32, u32) {
    let now = Utc::now();
    (now.year().unsigned_abs(), now.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(method: &PaymentMethod) -> CardView {
        CardView::of(method, format!("card-{}", method.id))
    }

    fn card(id: &str, month: u32, year: u32) -> PaymentMethod {
        PaymentMethod {
            id: id.into(),
            brand: Some("visa".into()),
            last4: Some("4242".into()),
            exp_month: Some(month),
            exp_year: Some(year),
        }
    }

    #[test]
    fn an_expired_card_is_marked_and_this_months_is_not() {
        let list = SavedCards::of(
            &[
                card("pm_old", 1, 2024),
                card("pm_now", 6, 2026),
                card("pm_new", 4, 2040),
            ],
            (2026, 6),
            view,
        );
        let shown: Vec<(bool, &str)> = list
            .cards
            .iter()
            .map(|c| (c.expired, c.expiry_text.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                (true, "Expired 01/24"),
                (false, "Expires 06/26"),
                (false, "Expires 04/40")
            ]
        );
        assert_eq!(list.cards[0].card.label, "Visa •••• 4242");
        assert_eq!(list.unavailable, None);
        assert_eq!(list.note, None);
        assert_eq!(
            list.cards[0].remove.question,
            "Remove Visa •••• 4242? It can no longer pay for top-ups."
        );
        let none = SavedCards::of(&[], (2026, 6), view);
        assert_eq!(none.note.as_deref(), Some(NO_SAVED_CARDS));
    }

    #[test]
    fn serialized_flat_for_the_window() {
        let json =
            serde_json::to_value(SavedCards::of(&[card("1", 4, 2040)], (2026, 6), view)).unwrap();
        assert_eq!(json["cards"][0]["id"], "card-1");
        assert_eq!(json["cards"][0]["expired"], false);
        assert_eq!(json["cards"][0]["expiryText"], "Expires 04/40");
    }
}
