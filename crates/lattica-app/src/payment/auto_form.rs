//! Auto top-up in the settings window: the rule's form read one way only (the same number
//! rules as every amount), its summary with its price shown for an explicit confirmation, and
//! turning it on only with exactly the summary the user confirmed. Any change to the amount,
//! the card or the caps asks again; on a platform without payments the setting says why it is
//! unavailable.

use chrono::{Datelike, Utc};
use lattica_core::autotopup::{Ledger, Rule, Trigger};
use lattica_core::input::parse_number;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::amount::Purchase;
use super::auto::{Stored, account_of, month_now};
use super::card::CardView;
use super::service::Payments;
use crate::error::AppError;

/// The form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AutoTopUpForm {
    /// `credits` or `hours`.
    pub unit: String,
    pub below: String,
    pub add: String,
    /// The saved card's handle, as the settings window lists it.
    pub card_id: String,
    pub max_count: String,
    /// Dollars per calendar month.
    pub max_spend: String,
}

/// What the settings window and the popover show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoTopUpView {
    /// Why the setting cannot be used here, if it cannot.
    pub unavailable: Option<String>,
    pub enabled: bool,
    /// The rule in one sentence, with its price.
    pub summary: Option<String>,
    /// `1 of 3 top-ups, $200.00 of $600.00 this month`.
    pub spend: Option<String>,
    /// Why the rule turned itself off.
    pub off_reason: Option<String>,
    pub cards: Vec<CardView>,
    /// The popover's row: `On`, `Off` or `Unavailable`.
    pub status: String,
    /// Beside it: this month's spend while on, why it turned off, or why it is unavailable.
    pub detail: String,
    /// No session: the settings say to sign in first.
    pub signed_out: bool,
    /// The settings window's line: `On. <rule> <spend>.`, `Off: <why>`, `Off.` (with where
    /// to save a card when none is), `Unavailable on this platform.`, or to sign in first.
    pub state: String,
}

impl AutoTopUpView {
    /// Fills [`status`](Self::status), [`detail`](Self::detail) and [`state`](Self::state)
    /// from the rest.
    fn worded(mut self) -> Self {
        let (status, detail, state) = if self.signed_out {
            ("Off", SIGN_IN.to_owned(), SIGN_IN.to_owned())
        } else if self.unavailable.is_some() {
            (
                "Unavailable",
                "This platform takes no payments in the app.".to_owned(),
                "Unavailable on this platform.".to_owned(),
            )
        } else if self.enabled {
            let spend = self.spend.clone().unwrap_or_default();
            let summary = self.summary.as_deref().unwrap_or_default();
            let state = format!("On. {summary} {spend}.");
            ("On", spend, state)
        } else {
            let reason = self.off_reason.clone().unwrap_or_default();
            let mut state = match &self.off_reason {
                Some(why) => format!("Off: {why}"),
                None => "Off.".to_owned(),
            };
            if self.cards.is_empty() {
                state.push_str(" Save a card with a payment first (Add credit…).");
            }
            ("Off", reason, state)
        };
        self.status = status.to_owned();
        self.detail = detail;
        self.state = state;
        self
    }

    /// What the setting says without a session.
    fn without_session() -> Self {
        Self {
            signed_out: true,
            ..Self::default()
        }
        .worded()
    }
}

const SIGN_IN: &str = "Sign in to set up auto top-up.";

const UNAVAILABLE: &str = "Auto top-up needs the platform's payments API, which this platform \
                           does not offer (the published Lattica platform adds credit in its web \
                           console only).";

impl Payments {
    /// The setting's state, worded for the settings window and the popover.
    pub async fn auto_top_up(&self) -> Result<AutoTopUpView, AppError> {
        let client = match self.client() {
            Ok(client) => client,
            Err(AppError::NotSignedIn) => return Ok(AutoTopUpView::without_session()),
            Err(error) => return Err(error),
        };
        if !client.offers_payments().await? {
            return Ok(AutoTopUpView {
                unavailable: Some(UNAVAILABLE.to_owned()),
                ..AutoTopUpView::default()
            }
            .worded());
        }
        let now = Utc::now();
        let cards = client
            .list_payment_methods()
            .await?
            .iter()
            .filter(|m| m.valid_in(now.year().unsigned_abs(), now.month()))
            .map(|m| self.card_view(m))
            .collect();
        Ok(self.auto_view(cards))
    }

    fn auto_view(&self, cards: Vec<CardView>) -> AutoTopUpView {
        let stored = self.stored();
        let month = month_now();
        let spend = stored.rule.as_ref().map(|rule| {
            let mut ledger = stored
                .ledger
                .clone()
                .unwrap_or_else(|| Ledger::new(0, &month));
            if ledger.month() != month {
                ledger = Ledger::new(0, &month);
            }
            ledger.spend_text(rule)
        });
        AutoTopUpView {
            unavailable: None,
            enabled: stored.enabled,
            summary: stored.rule.as_ref().map(Rule::summary),
            spend,
            off_reason: stored.off_reason,
            cards,
            ..AutoTopUpView::default()
        }
        .worded()
    }

    /// The rule `form` makes, for the confirmation.
    pub async fn auto_top_up_rule(&self, form: &AutoTopUpForm) -> Result<Rule, AppError> {
        let style = crate::locale::number_style();
        let number = |text: &str, what: &str| {
            parse_number(text, style).map_err(|e| AppError::AutoTopUp(format!("{what}: {e}")))
        };
        let below = number(&form.below, "The limit")?;
        let trigger = match form.unit.as_str() {
            "hours" => Trigger::BelowHours(below),
            _ => Trigger::BelowCredits(below),
        };
        if below <= Decimal::ZERO {
            return Err(AppError::AutoTopUp("The limit must be more than 0.".into()));
        }
        let purchase = Purchase::new(
            number(&form.add, "The amount to add")?,
            &self.pricing().await?,
        )?;
        let count = form.max_count.trim().parse::<u32>().map_err(|_| {
            AppError::AutoTopUp("The number of top-ups per month is a whole number, like 3.".into())
        })?;
        let spend = number(&form.max_spend, "The monthly spend")? * Decimal::ONE_HUNDRED;
        let max_spend = i64::try_from(spend.normalize().mantissa())
            .ok()
            .filter(|_| spend.normalize().scale() == 0)
            .ok_or_else(|| {
                AppError::AutoTopUp("The monthly spend has at most two decimals.".into())
            })?;
        if count == 0 || max_spend < purchase.price.amount {
            return Err(AppError::AutoTopUp(
                "With these caps no top-up could ever be bought: allow at least one top-up and \
                 at least its price per month."
                    .into(),
            ));
        }
        let choose = || AppError::AutoTopUp("Choose one of the saved cards.".into());
        let wanted = self.saved_card(&form.card_id).map_err(|_| choose())?;
        let client = self.client()?;
        let card = client
            .list_payment_methods()
            .await?
            .into_iter()
            .find(|m| m.id == wanted.id)
            .ok_or_else(choose)?;
        Ok(Rule {
            trigger,
            add: purchase.credits,
            price: purchase.price.amount,
            currency: purchase.price.currency,
            card: card.label(),
            max_per_month: count,
            max_spend,
        })
    }

    /// Turns the rule on, if `confirmed` is exactly the summary the user was shown for it.
    pub async fn enable_auto_top_up(
        &self,
        form: &AutoTopUpForm,
        confirmed: &str,
    ) -> Result<AutoTopUpView, AppError> {
        let rule = self.auto_top_up_rule(form).await?;
        if rule.summary() != confirmed {
            return Err(AppError::AutoTopUp(
                "The rule changed since it was shown; check it and confirm again.".into(),
            ));
        }
        let account = account_of(&self.engine().state()).ok_or_else(|| {
            AppError::AutoTopUp(
                "The signed-in account is not known yet; try again in a moment.".into(),
            )
        })?;
        let mut stored: Stored = self.stored();
        stored.rule = Some(rule);
        stored.account = Some(account);
        stored.enabled = true;
        stored.off_reason = None;
        if !self.save_stored(&stored) {
            return Err(AppError::Storage(
                "Auto top-up could not be saved on this computer.".into(),
            ));
        }
        tracing::info!("auto top-up turned on");
        self.auto_top_up().await
    }

    pub async fn disable_auto_top_up(&self) -> Result<AutoTopUpView, AppError> {
        let mut stored = self.stored();
        stored.enabled = false;
        self.save_stored(&stored);
        tracing::info!("auto top-up turned off");
        self.auto_top_up().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> CardView {
        CardView {
            id: "card-1".into(),
            label: "Visa •••• 4242".into(),
            brand: Some("visa".into()),
            last4: Some("4242".into()),
            expiry: Some("04/40".into()),
        }
    }

    /// Every line the settings window and the popover show is worded here, not in the UI.
    #[test]
    fn every_state_is_worded_for_the_windows() {
        let state = |view: AutoTopUpView| {
            let view = view.worded();
            (view.status, view.detail, view.state)
        };
        let on = AutoTopUpView {
            enabled: true,
            summary: Some("When the balance falls below 50.00 credits, add 200.00.".into()),
            spend: Some("1 of 3 top-ups, $200.00 of $600.00 this month".into()),
            cards: vec![card()],
            ..AutoTopUpView::default()
        };
        assert_eq!(
            state(on),
            (
                "On".into(),
                "1 of 3 top-ups, $200.00 of $600.00 this month".into(),
                "On. When the balance falls below 50.00 credits, add 200.00. 1 of 3 top-ups, \
                 $200.00 of $600.00 this month."
                    .into()
            )
        );
        let declined = AutoTopUpView {
            off_reason: Some("Your card was declined.".into()),
            cards: vec![card()],
            ..AutoTopUpView::default()
        };
        assert_eq!(
            state(declined),
            (
                "Off".into(),
                "Your card was declined.".into(),
                "Off: Your card was declined.".into()
            )
        );
        assert_eq!(
            state(AutoTopUpView::default()).2,
            "Off. Save a card with a payment first (Add credit…)."
        );
        let unavailable = AutoTopUpView {
            unavailable: Some(UNAVAILABLE.into()),
            ..AutoTopUpView::default()
        };
        assert_eq!(state(unavailable).2, "Unavailable on this platform.");
        let signed_out = AutoTopUpView::without_session();
        assert_eq!(
            (signed_out.status.as_str(), signed_out.state.as_str()),
            ("Off", "Sign in to set up auto top-up.")
        );
    }
}
