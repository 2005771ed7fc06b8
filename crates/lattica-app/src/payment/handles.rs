//! The windows' names for saved cards: an opaque handle per card for this run (`card-1`, …),
//! mapped here to the payment service's `pm_…` id, which never reaches a webview. A window
//! hands a handle back to pay with, or remove, its card; one this run never gave out is
//! refused with [`CardError::UnknownCard`].

use std::collections::HashMap;

use lattica_client::PaymentMethod;

use super::card::{self, CardError, CardView};
use super::service::Payments;

/// What every handle starts with: a webview's card that does not is a token of the payment
/// service's own form (a new card).
const PREFIX: &str = "card-";

#[derive(Debug, Default)]
pub(super) struct CardHandles {
    /// Each handle with the card as last listed.
    methods: HashMap<String, PaymentMethod>,
    last: u64,
}

impl CardHandles {
    /// The handle of `method`: the same for the same card all run long.
    fn handle(&mut self, method: &PaymentMethod) -> String {
        if let Some((handle, known)) = self.methods.iter_mut().find(|(_, m)| m.id == method.id) {
            known.clone_from(method);
            return handle.clone();
        }
        self.last += 1;
        let handle = format!("{PREFIX}{}", self.last);
        self.methods.insert(handle.clone(), method.clone());
        handle
    }
}

impl Payments {
    /// `method` as the windows show it, named by its handle.
    pub(super) fn card_view(&self, method: &PaymentMethod) -> CardView {
        let handle = self.shared().cards.handle(method);
        CardView::of(method, handle)
    }

    /// The saved card a window named by `handle`.
    pub(super) fn saved_card(&self, handle: &str) -> Result<PaymentMethod, CardError> {
        self.shared()
            .cards
            .methods
            .get(handle)
            .cloned()
            .ok_or(CardError::UnknownCard)
    }

    /// The card a wizard pays with: a saved card by its handle, or a new card as the payment
    /// service's form handed it over (checked: a webview cannot smuggle a card number in).
    pub fn card_to_pay(&self, card: PaymentMethod) -> Result<PaymentMethod, CardError> {
        if card.id.starts_with(PREFIX) {
            self.saved_card(&card.id)
        } else {
            card::check(card)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(id: &str) -> PaymentMethod {
        PaymentMethod {
            id: id.into(),
            brand: Some("visa".into()),
            last4: Some("4242".into()),
            exp_month: Some(4),
            exp_year: Some(2040),
        }
    }

    #[test]
    fn one_opaque_handle_per_card_all_run_long() {
        let mut handles = CardHandles::default();
        let first = handles.handle(&method("pm_first"));
        let second = handles.handle(&method("pm_second"));
        assert_eq!((first.as_str(), second.as_str()), ("card-1", "card-2"));
        assert_eq!(handles.handle(&method("pm_first")), first);
        assert_eq!(handles.methods[&second].id, "pm_second");
    }
}
