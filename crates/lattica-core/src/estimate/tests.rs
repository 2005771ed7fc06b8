//! Tests of the usage-time estimate, including properties over random balances and workers.

use super::*;
use chrono::TimeZone;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

fn prices() -> PriceTable {
    PriceTable {
        default_instance_type: "G4DN_XLARGE".into(),
        credits_per_hour: BTreeMap::from([
            ("G4DN_XLARGE".into(), d("1.2")),
            ("G7E_2XLARGE".into(), d("4.8")),
            ("FREE".into(), d("0")),
        ]),
    }
}

/// Platform prices and an observed burn, without list prices.
fn rates(platform: Option<&PriceTable>, observed: Option<Decimal>) -> Rates<'_> {
    Rates {
        platform,
        observed_per_hour: observed,
        list: None,
    }
}

fn workers(types: &[&str]) -> Vec<RunningWorker> {
    types.iter().map(|t| RunningWorker::new(*t)).collect()
}

#[test]
fn one_worker_lasts_balance_over_its_rate() {
    let e = estimate(
        d("12"),
        &workers(&["G4DN_XLARGE"]),
        rates(Some(&prices()), None),
        now(),
    );
    assert_eq!(
        e,
        Estimate::Running {
            workers: 1,
            credits_per_hour: d("1.2"),
            remaining: TimeDelta::hours(10),
            runs_out_at: now() + TimeDelta::hours(10),
            basis: Basis::Prices,
        }
    );
    assert_eq!(e.hours_left(), Some(d("10")));
}

#[test]
fn parallel_workers_divide_the_time() {
    let one = estimate(
        d("96"),
        &workers(&["G7E_2XLARGE"]),
        rates(Some(&prices()), None),
        now(),
    );
    let four = workers(&["G7E_2XLARGE"; 4]);
    let four = estimate(d("96"), &four, rates(Some(&prices()), None), now());
    assert_eq!(one.remaining(), Some(TimeDelta::hours(20)));
    assert_eq!(four.remaining(), Some(TimeDelta::hours(5)));
    assert_eq!(four.workers(), 4);
}

#[test]
fn mixed_types_add_their_rates() {
    let running = workers(&["G4DN_XLARGE", "G7E_2XLARGE"]);
    let e = estimate(d("18"), &running, rates(Some(&prices()), None), now());
    // 18 / (1.2 + 4.8) = 3 h
    assert_eq!(e.remaining(), Some(TimeDelta::hours(3)));
    assert!(matches!(e, Estimate::Running { credits_per_hour, .. } if credits_per_hour == d("6")));
}

#[test]
fn remaining_rounds_down_to_the_second() {
    // 1 / 1.2 h = 3000 s exactly; 0.000001 credits more buys 0.003 s, which is dropped.
    let e = estimate(
        d("1.000001"),
        &workers(&["G4DN_XLARGE"]),
        rates(Some(&prices()), None),
        now(),
    );
    assert_eq!(e.remaining(), Some(TimeDelta::seconds(3000)));
    // 1 / 4.8 h = 750 s; 10 / 4.8 h = 7500 s; 7 / 4.8 h = 5250 s.
    let e = estimate(
        d("7"),
        &workers(&["G7E_2XLARGE"]),
        rates(Some(&prices()), None),
        now(),
    );
    assert_eq!(e.remaining(), Some(TimeDelta::seconds(5250)));
    let e = estimate(
        d("0.001"),
        &workers(&["G7E_2XLARGE"]),
        rates(Some(&prices()), None),
        now(),
    );
    // 0.001 / 4.8 * 3600 = 0.75 s: less than a second left.
    assert_eq!(e.remaining(), Some(TimeDelta::zero()));
}

#[test]
fn none_running_estimates_one_default_worker() {
    let e = estimate(d("24"), &[], rates(Some(&prices()), Some(d("3"))), now());
    assert_eq!(
        e,
        Estimate::NoneRunning {
            instance_type: "G4DN_XLARGE".into(),
            credits_per_hour: d("1.2"),
            remaining: TimeDelta::hours(20),
            runs_out_at: now() + TimeDelta::hours(20),
            basis: Basis::Prices,
        }
    );
    assert_eq!(e.workers(), 0);
    assert_eq!(e.hours_left(), Some(d("20")));
}

#[test]
fn none_running_without_prices_is_unknown() {
    // An observed burn says nothing about a worker that is not running.
    let e = estimate(d("24"), &[], rates(None, Some(d("3"))), now());
    assert_eq!(e, Estimate::Unknown { workers: 0 });
    assert_eq!(e.hours_left(), None);
    assert_eq!(e.runs_out_at(), None);
}

#[test]
fn no_prices_falls_back_to_observed_burn() {
    let running = workers(&["G4DN_XLARGE", "G4DN_XLARGE"]);
    let e = estimate(d("30"), &running, rates(None, Some(d("2.5"))), now());
    assert_eq!(
        e,
        Estimate::Running {
            workers: 2,
            credits_per_hour: d("2.5"),
            remaining: TimeDelta::hours(12),
            runs_out_at: now() + TimeDelta::hours(12),
            basis: Basis::ObservedBurn,
        }
    );
}

#[test]
fn unknown_or_missing_instance_type_falls_back_to_observed_burn() {
    let mut running = workers(&["G4DN_XLARGE", "H100_SOMETHING_NEW"]);
    let e = estimate(
        d("30"),
        &running,
        rates(Some(&prices()), Some(d("3"))),
        now(),
    );
    assert!(matches!(
        e,
        Estimate::Running {
            basis: Basis::ObservedBurn,
            ..
        }
    ));
    assert_eq!(e.remaining(), Some(TimeDelta::hours(10)));

    running[1] = RunningWorker::default();
    let e = estimate(
        d("30"),
        &running,
        rates(Some(&prices()), Some(d("3"))),
        now(),
    );
    assert!(matches!(
        e,
        Estimate::Running {
            basis: Basis::ObservedBurn,
            ..
        }
    ));
}

#[test]
fn nothing_to_go_on_is_unknown() {
    let running = workers(&["H100_SOMETHING_NEW"]);
    assert_eq!(
        estimate(d("30"), &running, rates(Some(&prices()), None), now()),
        Estimate::Unknown { workers: 1 }
    );
    assert_eq!(
        estimate(d("30"), &running, rates(None, Some(Decimal::ZERO)), now()),
        Estimate::Unknown { workers: 1 }
    );
    assert_eq!(
        estimate(d("30"), &running, rates(None, Some(d("-1"))), now()),
        Estimate::Unknown { workers: 1 }
    );
}

#[test]
fn zero_priced_type_is_treated_as_unpriced() {
    let e = estimate(
        d("30"),
        &workers(&["FREE"]),
        rates(Some(&prices()), None),
        now(),
    );
    assert_eq!(e, Estimate::Unknown { workers: 1 });
}

#[test]
fn zero_or_negative_balance_is_empty() {
    let running = workers(&["G4DN_XLARGE"]);
    let e = estimate(Decimal::ZERO, &running, rates(Some(&prices()), None), now());
    assert_eq!(e, Estimate::Empty { workers: 1 });
    assert_eq!(e.hours_left(), Some(Decimal::ZERO));
    assert_eq!(e.remaining(), Some(TimeDelta::zero()));
    assert_eq!(
        estimate(d("-0.5"), &[], rates(None, None), now()),
        Estimate::Empty { workers: 0 }
    );
}

#[test]
fn huge_balances_are_capped() {
    let mut table = prices();
    table.credits_per_hour.insert("TINY".into(), d("0.000001"));
    let e = estimate(
        d("79228162514264337593543950"),
        &workers(&["TINY"]),
        rates(Some(&table), None),
        now(),
    );
    assert_eq!(e.remaining(), Some(MAX_REMAINING));
    assert_eq!(e.runs_out_at(), Some(now() + MAX_REMAINING));
}

#[test]
fn remaining_at_counts_down_for_running_workers_only() {
    let later = now() + TimeDelta::hours(4);
    let running = estimate(
        d("12"),
        &workers(&["G4DN_XLARGE"]),
        rates(Some(&prices()), None),
        now(),
    );
    assert_eq!(running.remaining_at(later), Some(TimeDelta::hours(6)));
    assert_eq!(
        running.remaining_at(now() + TimeDelta::days(2)),
        Some(TimeDelta::zero())
    );
    // A clock behind the data never adds time.
    assert_eq!(
        running.remaining_at(now() - TimeDelta::hours(1)),
        Some(TimeDelta::hours(10))
    );

    let idle = estimate(d("12"), &[], rates(Some(&prices()), None), now());
    assert_eq!(idle.remaining_at(later), Some(TimeDelta::hours(10)));
}

#[test]
fn the_shipped_list_prices_load_and_name_every_public_instance_type() {
    let list = list_prices();
    for instance_type in [
        "G4DN_XLARGE",
        "G5_2XLARGE",
        "G6E_2XLARGE",
        "G7E_2XLARGE",
        "G7E_12XLARGE",
        "TPU_MEDIUM",
        "CPU_C7G_XLARGE",
        "CPU_C7G_2XLARGE",
    ] {
        assert!(list.rate(instance_type).is_some(), "{instance_type}");
    }
    assert_eq!(list.default_instance_type, "G7E_2XLARGE");
    assert_eq!(list.credits_per_hour.len(), 8);
}

fn with_list<'a>(list: &'a PriceTable, observed: Option<Decimal>) -> Rates<'a> {
    Rates {
        platform: None,
        observed_per_hour: observed,
        list: Some(list),
    }
}

#[test]
fn without_platform_prices_the_list_answers_until_the_burn_is_observed() {
    let running = workers(&["G7E_2XLARGE", "G4DN_XLARGE"]);
    let listed = estimate(d("60"), &running, with_list(list_prices(), None), now());
    // 60 / (4.8 + 1.2) = 10 h
    assert_eq!(
        listed,
        Estimate::Running {
            workers: 2,
            credits_per_hour: d("6"),
            remaining: TimeDelta::hours(10),
            runs_out_at: now() + TimeDelta::hours(10),
            basis: Basis::ListPrices,
        }
    );
    let observed = estimate(
        d("60"),
        &running,
        with_list(list_prices(), Some(d("5"))),
        now(),
    );
    assert_eq!(observed.remaining(), Some(TimeDelta::hours(12)));
    assert!(matches!(
        observed,
        Estimate::Running {
            basis: Basis::ObservedBurn,
            ..
        }
    ));
    // Platform prices still come first.
    let all = Rates {
        platform: Some(&prices()),
        ..with_list(list_prices(), Some(d("5")))
    };
    let priced = estimate(d("60"), &running, all, now());
    assert!(matches!(
        priced,
        Estimate::Running {
            basis: Basis::Prices,
            ..
        }
    ));
}

#[test]
fn at_list_prices_a_running_worker_is_never_unknown() {
    let mut running = workers(&["SOMETHING_NEW"]);
    running.push(RunningWorker::default());
    let e = estimate(d("96"), &running, with_list(list_prices(), None), now());
    // Both count at the default type's 4.8: 96 / 9.6 = 10 h.
    assert_eq!(e.remaining(), Some(TimeDelta::hours(10)));
    assert!(matches!(
        e,
        Estimate::Running {
            basis: Basis::ListPrices,
            ..
        }
    ));
}

#[test]
fn an_idle_account_is_estimated_at_list_prices_without_platform_prices() {
    let e = estimate(d("24"), &[], with_list(list_prices(), Some(d("3"))), now());
    assert_eq!(
        e,
        Estimate::NoneRunning {
            instance_type: "G7E_2XLARGE".into(),
            credits_per_hour: d("4.8"),
            remaining: TimeDelta::hours(5),
            runs_out_at: now() + TimeDelta::hours(5),
            basis: Basis::ListPrices,
        }
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Balances from 0.000001 to 10 million credits, with the platform's 6 decimals.
    fn balance() -> impl Strategy<Value = Decimal> {
        (1i64..10_000_000_000_000).prop_map(|micro| Decimal::new(micro, 6))
    }

    fn running() -> impl Strategy<Value = Vec<RunningWorker>> {
        prop::collection::vec(
            prop::sample::select(vec!["G4DN_XLARGE", "G7E_2XLARGE"]).prop_map(RunningWorker::new),
            1..8,
        )
    }

    proptest! {
        #[test]
        fn the_estimate_never_promises_more_than_the_balance_buys(
            balance in balance(),
            running in running(),
        ) {
            let e = estimate(balance, &running, rates(Some(&prices()), None), now());
            let Estimate::Running { credits_per_hour, remaining, .. } = e else {
                panic!("expected a running estimate, got {e:?}");
            };
            let spent = Decimal::from(remaining.num_seconds()) * credits_per_hour
                / Decimal::from(SECONDS_PER_HOUR);
            prop_assert!(spent <= balance, "{spent} > {balance}");
            // ...and, below the cap, is short by less than one second's worth.
            let one_second = credits_per_hour / Decimal::from(SECONDS_PER_HOUR);
            prop_assert!(
                remaining == MAX_REMAINING || balance - spent < one_second,
                "{balance} - {spent} >= {one_second}"
            );
        }

        #[test]
        fn another_worker_never_lengthens_the_estimate(
            balance in balance(),
            running in running(),
            extra in prop::sample::select(vec!["G4DN_XLARGE", "G7E_2XLARGE"]),
        ) {
            let before = estimate(balance, &running, rates(Some(&prices()), None), now());
            let mut more = running.clone();
            more.push(RunningWorker::new(extra));
            let after = estimate(balance, &more, rates(Some(&prices()), None), now());
            prop_assert!(after.remaining() <= before.remaining());
            prop_assert_eq!(after.workers(), before.workers() + 1);
        }
    }
}
