use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;

fn rule(max_per_month: u32, max_spend: i64) -> Rule {
    Rule {
        trigger: Trigger::BelowCredits(Decimal::from(50)),
        add: Decimal::from(200),
        price: 20_000,
        currency: "usd".into(),
        card: "Visa •••• 4242".into(),
        max_per_month,
        max_spend,
    }
}

fn at(balance: i64) -> Reading {
    Reading {
        balance: Decimal::from(balance),
        hours_left: None,
    }
}

#[test]
fn one_purchase_per_crossing() {
    let rule = rule(5, 100_000);
    let mut ledger = Ledger::new(7, "2026-12");
    assert_eq!(
        ledger.on_reading(&rule, &at(80), "2026-12"),
        Decision::Nothing
    );
    let bought = ledger.on_reading(&rule, &at(49), "2026-12");
    assert_eq!(bought, Decision::Buy { crossing: 1 });
    ledger.bought(rule.price);
    // Further refreshes below the line, before the credits land: nothing more.
    for balance in [49, 30, 0] {
        assert_eq!(
            ledger.on_reading(&rule, &at(balance), "2026-12"),
            Decision::Nothing
        );
    }
    assert_eq!(
        ledger.on_reading(&rule, &at(249), "2026-12"),
        Decision::Nothing
    );
    assert_eq!(
        ledger.on_reading(&rule, &at(10), "2026-12"),
        Decision::Buy { crossing: 2 }
    );
    assert_ne!(ledger.key_for(1), ledger.key_for(2));
}

#[test]
fn a_saved_ledger_does_not_buy_again_after_a_restart() {
    let rule = rule(5, 100_000);
    let mut ledger = Ledger::new(7, "2026-12");
    assert!(matches!(
        ledger.on_reading(&rule, &at(10), "2026-12"),
        Decision::Buy { .. }
    ));
    // Saved before buying; the app is killed before the answer; read back at start.
    let saved = serde_json::to_string(&ledger).unwrap();
    let mut restarted: Ledger = serde_json::from_str(&saved).unwrap();
    assert_eq!(
        restarted.on_reading(&rule, &at(10), "2026-12"),
        Decision::Nothing
    );
}

#[test]
fn the_caps_stop_the_next_top_up_and_say_so_once_a_month() {
    let rule = rule(2, 100_000);
    let mut ledger = Ledger::new(1, "2026-12");
    for _ in 0..2 {
        assert!(matches!(
            ledger.on_reading(&rule, &at(10), "2026-12"),
            Decision::Buy { .. }
        ));
        ledger.bought(rule.price);
        ledger.on_reading(&rule, &at(210), "2026-12");
    }
    assert_eq!(
        ledger.on_reading(&rule, &at(10), "2026-12"),
        Decision::CapReached(Cap::Count)
    );
    ledger.on_reading(&rule, &at(210), "2026-12");
    assert_eq!(
        ledger.on_reading(&rule, &at(10), "2026-12"),
        Decision::Nothing
    );
    // A new month starts from nothing spent.
    ledger.on_reading(&rule, &at(210), "2027-01");
    assert!(matches!(
        ledger.on_reading(&rule, &at(10), "2027-01"),
        Decision::Buy { .. }
    ));

    let spend = super::Rule {
        max_spend: 30_000,
        ..rule
    };
    let mut ledger = Ledger::new(1, "2026-12");
    ledger.on_reading(&spend, &at(10), "2026-12");
    ledger.bought(spend.price);
    ledger.on_reading(&spend, &at(210), "2026-12");
    assert_eq!(
        ledger.on_reading(&spend, &at(10), "2026-12"),
        Decision::CapReached(Cap::Spend)
    );
}

#[test]
fn hours_trigger_only_with_an_estimate() {
    let rule = Rule {
        trigger: Trigger::BelowHours(Decimal::from(2)),
        ..rule(5, 100_000)
    };
    let mut ledger = Ledger::new(1, "2026-12");
    let idle = Reading {
        balance: Decimal::ONE,
        hours_left: None,
    };
    assert_eq!(
        ledger.on_reading(&rule, &idle, "2026-12"),
        Decision::Nothing
    );
    let burning = Reading {
        hours_left: Some(Decimal::ONE),
        ..idle
    };
    assert!(matches!(
        ledger.on_reading(&rule, &burning, "2026-12"),
        Decision::Buy { .. }
    ));
}

#[test]
fn a_reading_without_an_estimate_neither_crosses_nor_rearms_the_hours_trigger() {
    let rule = Rule {
        trigger: Trigger::BelowHours(Decimal::from(2)),
        ..rule(5, 100_000)
    };
    let mut ledger = Ledger::new(1, "2026-12");
    let low = Reading {
        balance: Decimal::ONE,
        hours_left: Some(Decimal::ONE),
    };
    let unknown = Reading {
        hours_left: None,
        ..low
    };
    assert_eq!(
        ledger.on_reading(&rule, &low, "2026-12"),
        Decision::Buy { crossing: 1 }
    );
    ledger.bought(rule.price);
    // The workers paused for one refresh: no estimate says nothing about the crossing.
    assert_eq!(
        ledger.on_reading(&rule, &unknown, "2026-12"),
        Decision::Nothing
    );
    assert_eq!(
        ledger.on_reading(&rule, &low, "2026-12"),
        Decision::Nothing,
        "the same crossing bought twice"
    );
    // Only a reading above the line re-arms it.
    let high = Reading {
        hours_left: Some(Decimal::TEN),
        ..low
    };
    assert_eq!(
        ledger.on_reading(&rule, &high, "2026-12"),
        Decision::Nothing
    );
    assert_eq!(
        ledger.on_reading(&rule, &low, "2026-12"),
        Decision::Buy { crossing: 2 }
    );
}

#[test]
fn the_summary_names_the_price_the_card_and_the_caps() {
    let text = rule(3, 60_000).summary();
    assert_eq!(
        text,
        "When the balance falls below 50.00 credits, add 200.00 credits ($200.00) with Visa \
         •••• 4242; at most 3 top-ups and $600.00 per calendar month."
    );
    let (a, b) = (rule(3, 60_000), rule(3, 60_000));
    assert!(a.same_commitment(&b));
    assert!(!a.same_commitment(&rule(4, 60_000)));
    assert!(!a.same_commitment(&Rule {
        card: "Visa •••• 1111".into(),
        ..b.clone()
    }));
    assert!(a.same_commitment(&Rule {
        trigger: Trigger::BelowCredits(Decimal::from(10)),
        ..b
    }));
}

proptest! {
    /// Whatever the readings and months: at most one purchase between two readings above the
    /// line, never more than K purchases nor more than $Z in one month, and "cap reached" at
    /// most once a month.
    #[test]
    fn guardrails_hold_for_any_readings(
        readings in proptest::collection::vec((0_i64..400, 0_usize..3), 1..120),
        max_per_month in 0_u32..6,
        max_spend in 0_i64..150_000,
    ) {
        let rule = rule(max_per_month, max_spend);
        let months = ["2026-11", "2026-12", "2027-01"];
        let mut ledger = Ledger::new(3, months[0]);
        let mut month_index = 0;
        let (mut count, mut spent, mut caps) = (0_u32, 0_i64, 0);
        let mut bought_since_above = false;
        for (balance, step) in readings {
            // Months only move forward.
            if step == 2 && month_index + 1 < months.len() {
                month_index += 1;
                count = 0;
                spent = 0;
                caps = 0;
            }
            let month = months[month_index];
            let reading = at(balance);
            match ledger.on_reading(&rule, &reading, month) {
                Decision::Buy { .. } => {
                    prop_assert!(!bought_since_above, "two purchases in one crossing");
                    bought_since_above = true;
                    ledger.bought(rule.price);
                    count += 1;
                    spent += rule.price;
                }
                Decision::CapReached(_) => caps += 1,
                Decision::Nothing => {}
            }
            if rule.trigger.crossed(&reading) == Some(false) {
                bought_since_above = false;
            }
            prop_assert!(count <= max_per_month);
            prop_assert!(spent <= max_spend);
            prop_assert!(caps <= 1);
        }
    }
}

proptest! {
    /// The hours trigger, with readings that sometimes have no estimate (workers paused): still
    /// at most one purchase between two readings known to be above the line.
    #[test]
    fn the_hours_trigger_buys_once_per_crossing_across_missing_estimates(
        hours in proptest::collection::vec(proptest::option::of(0_i64..6), 1..80),
    ) {
        let rule = Rule {
            trigger: Trigger::BelowHours(Decimal::from(2)),
            ..rule(1000, i64::MAX)
        };
        let mut ledger = Ledger::new(5, "2026-12");
        let mut bought_since_above = false;
        for hours_left in hours {
            let reading = Reading {
                balance: Decimal::ONE,
                hours_left: hours_left.map(Decimal::from),
            };
            if let Decision::Buy { .. } = ledger.on_reading(&rule, &reading, "2026-12") {
                prop_assert!(!bought_since_above, "two purchases in one crossing");
                bought_since_above = true;
                ledger.bought(rule.price);
            }
            if hours_left.is_some_and(|h| h >= 2) {
                bought_since_above = false;
            }
        }
    }
}
