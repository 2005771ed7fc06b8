//! Auto top-up's decisions, without any I/O: the rule the user confirmed ("when the balance
//! falls below X credits, or N hours of runtime, add Y credits with a saved card; at most K
//! top-ups and $Z per calendar month") and the [`Ledger`] that keeps its guardrails.
//!
//! Exactly once per crossing: the ledger is *armed* while the balance is above the threshold,
//! and a reading below it disarms it and yields one [`Decision::Buy`] numbered by the
//! crossing. The caller saves the ledger before it buys, and derives the purchase's
//! idempotency key from that number ([`Ledger::key_for`]), so a restart, a second refresh or a
//! lost answer can never buy twice for one crossing. Caps are checked before buying, per
//! calendar month (the caller names the month), and "cap reached" is said once a month.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::alerts::{Action, ActionId, AlertKind, Notification, Urgency};
use crate::format;

/// What starts a top-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Trigger {
    /// The balance is below this many credits.
    BelowCredits(Decimal),
    /// The estimated runtime left is below this many hours.
    BelowHours(Decimal),
}

/// A reading of the account: the balance and, when workers run, the runtime it leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub balance: Decimal,
    pub hours_left: Option<Decimal>,
}

impl Trigger {
    /// Whether `reading` is below the line; `None` when it cannot tell (the hours trigger
    /// without an estimate, as while no worker runs): such a reading neither buys nor re-arms.
    pub fn crossed(&self, reading: &Reading) -> Option<bool> {
        match self {
            Self::BelowCredits(limit) => Some(reading.balance < *limit),
            Self::BelowHours(limit) => reading.hours_left.map(|h| h < *limit),
        }
    }
}

/// The rule as the user confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub trigger: Trigger,
    /// Credits each top-up adds.
    pub add: Decimal,
    /// What one top-up costs, in minor units of `currency`.
    pub price: i64,
    pub currency: String,
    /// The saved card, as shown (`Visa •••• 4242`): never its token.
    pub card: String,
    pub max_per_month: u32,
    /// Minor units per calendar month.
    pub max_spend: i64,
}

impl Rule {
    /// The rule in one sentence, with its price: what the confirmation shows.
    pub fn summary(&self) -> String {
        let when = match &self.trigger {
            Trigger::BelowCredits(limit) => {
                format!(
                    "the balance falls below {} credits",
                    format::credits(*limit)
                )
            }
            Trigger::BelowHours(limit) => format!("less than {limit} hours of runtime are left"),
        };
        format!(
            "When {when}, add {} credits ({}) with {}; at most {} top-up{} and {} per calendar \
             month.",
            format::credits(self.add),
            format::money(self.price, &self.currency),
            self.card,
            self.max_per_month,
            if self.max_per_month == 1 { "" } else { "s" },
            format::money(self.max_spend, &self.currency),
        )
    }

    /// Whether `other` may run on this rule's confirmation: the same amount, card and caps.
    /// (The trigger may change without asking again: it spends nothing by itself.)
    pub fn same_commitment(&self, other: &Self) -> bool {
        self.add == other.add
            && self.price == other.price
            && self.currency == other.currency
            && self.card == other.card
            && self.max_per_month == other.max_per_month
            && self.max_spend == other.max_spend
    }
}

/// Which cap stopped a top-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Cap {
    Count,
    Spend,
}

/// What to do after a reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Nothing,
    /// Buy once for crossing number `crossing` (save the ledger first).
    Buy {
        crossing: u64,
    },
    /// A cap stops this crossing's top-up: say so (once a month), buy nothing.
    CapReached(Cap),
}

/// The guardrails' memory, saved across restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
    /// Random, fixed when the rule is confirmed: keys of different rules never meet.
    seed: u128,
    /// `2026-12`: the calendar month `count` and `spent` belong to.
    month: String,
    pub count: u32,
    /// Minor units spent this month.
    pub spent: i64,
    /// Above the threshold since the last crossing (or never crossed).
    armed: bool,
    /// Crossings so far.
    crossing: u64,
    /// The month "cap reached" was last said in.
    cap_said: Option<String>,
}

impl Ledger {
    pub fn new(seed: u128, month: &str) -> Self {
        Self {
            seed,
            month: month.to_owned(),
            count: 0,
            spent: 0,
            armed: true,
            crossing: 0,
            cap_said: None,
        }
    }

    /// Decides on `reading`, taken in calendar month `month`.
    pub fn on_reading(&mut self, rule: &Rule, reading: &Reading, month: &str) -> Decision {
        if self.month != month {
            self.month = month.to_owned();
            self.count = 0;
            self.spent = 0;
        }
        match rule.trigger.crossed(reading) {
            Some(true) => {}
            Some(false) => {
                self.armed = true;
                return Decision::Nothing;
            }
            // Unknown says nothing about this crossing: it stays as it was.
            None => return Decision::Nothing,
        }
        if !self.armed {
            // Still the same crossing: it had its one chance.
            return Decision::Nothing;
        }
        self.armed = false;
        self.crossing += 1;
        let cap = if self.count >= rule.max_per_month {
            Some(Cap::Count)
        } else if self.spent.saturating_add(rule.price) > rule.max_spend {
            Some(Cap::Spend)
        } else {
            None
        };
        match cap {
            None => Decision::Buy {
                crossing: self.crossing,
            },
            Some(_) if self.cap_said.as_deref() == Some(month) => Decision::Nothing,
            Some(cap) => {
                self.cap_said = Some(month.to_owned());
                Decision::CapReached(cap)
            }
        }
    }

    /// A top-up of `price` minor units went through.
    pub fn bought(&mut self, price: i64) {
        self.count += 1;
        self.spent = self.spent.saturating_add(price);
    }

    /// The calendar month `count` and `spent` belong to.
    pub fn month(&self) -> &str {
        &self.month
    }

    /// A reserved top-up that did not go through: its count and spend are given back.
    pub fn refund(&mut self, price: i64) {
        self.count = self.count.saturating_sub(1);
        self.spent = (self.spent - price).max(0);
    }

    /// The crossing could not be acted on (another payment in the way): the next reading
    /// below the line may try again.
    pub fn rearm(&mut self) {
        self.armed = true;
    }

    /// The idempotency key (as a UUID's 128 bits) of crossing number `crossing`'s purchase.
    pub fn key_for(&self, crossing: u64) -> u128 {
        self.seed ^ u128::from(crossing)
    }

    /// `2 of 3 top-ups, $400.00 of $600.00 this month`.
    pub fn spend_text(&self, rule: &Rule) -> String {
        format!(
            "{} of {} top-ups, {} of {} this month",
            self.count,
            rule.max_per_month,
            format::money(self.spent, &rule.currency),
            format::money(rule.max_spend, &rule.currency)
        )
    }
}

/// `Auto top-up: +200 credits, $200.00, balance 214`.
pub fn bought_notice(credits: Decimal, charged: &str, balance: Option<Decimal>) -> Notification {
    let mut body = format!(
        "Auto top-up: +{} credits, {charged}",
        format::credits(credits)
    );
    if let Some(balance) = balance {
        body.push_str(&format!(", balance {}", format::credits(balance)));
    }
    Notification {
        kind: AlertKind::AutoTopUp,
        title: "Auto top-up".to_owned(),
        body,
        actions: Vec::new(),
        urgency: Urgency::Normal,
    }
}

/// The bank asks to confirm the purchase (3-D Secure): the add-credit window shows its page,
/// and nothing more is paid until it is answered there.
pub fn bank_notice(credits: Decimal, price: &str) -> Notification {
    Notification {
        kind: AlertKind::AutoTopUp,
        title: "Auto top-up needs your bank".to_owned(),
        body: format!(
            "Your bank asks you to confirm the auto top-up of +{} credits ({price}) in the \
             add-credit window. Nothing is charged until you do.",
            format::credits(credits)
        ),
        actions: vec![Action {
            id: ActionId::AddCredit,
            label: "Open".to_owned(),
        }],
        urgency: Urgency::Critical,
    }
}

/// The rule turned itself off: why, and where to add credit instead.
pub fn stopped_notice(reason: &str) -> Notification {
    Notification {
        kind: AlertKind::AutoTopUpStopped,
        title: "Auto top-up is off".to_owned(),
        body: format!("{reason} Auto top-up was turned off; nothing was charged."),
        actions: vec![Action {
            id: ActionId::AddCredit,
            label: "Add credit".to_owned(),
        }],
        urgency: Urgency::Critical,
    }
}

/// A cap stopped this month's next top-up.
pub fn capped_notice(cap: Cap, rule: &Rule, ledger: &Ledger) -> Notification {
    let which = match cap {
        Cap::Count => format!("at most {} top-ups", rule.max_per_month),
        Cap::Spend => format!("at most {}", format::money(rule.max_spend, &rule.currency)),
    };
    Notification {
        kind: AlertKind::AutoTopUpCapped,
        title: "Auto top-up reached its monthly cap".to_owned(),
        body: format!(
            "The balance fell below the limit, but this month's cap ({which}) is reached: \
             nothing was bought ({}).",
            ledger.spend_text(rule)
        ),
        actions: vec![Action {
            id: ActionId::AddCredit,
            label: "Add credit".to_owned(),
        }],
        urgency: Urgency::Normal,
    }
}

#[cfg(test)]
#[path = "autotopup_tests.rs"]
mod tests;
