//! The soak under faults (issue 13): the real app refreshing every second and paying with its
//! one-click top-up, a second client paying beside it (saved card, 3-D Secure), faults that
//! change every few seconds, and the app and the sandbox each killed with SIGKILL at seeded
//! moments; then the invariants, read from the sandbox's own database. About a minute in
//! `make test`; `scripts/soak.sh --minutes N` runs it longer and prints the figures.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde_json::json;

use lattica_e2e::app::AppEnv;
use lattica_e2e::sandbox::Sandbox;
use lattica_e2e::soak::figures::Figures;
use lattica_e2e::soak::payer::{Paid, Payer, card_token};
use lattica_e2e::soak::records::{Records, Told};
use lattica_e2e::soak::{FaultSchedule, Plan, rss_kib};
use lattica_e2e::{Context, Result, ensure, eventually};

use crate::soak_app::{Outcome, Running, resolve_unknown, shown_balance, top_up, unix_millis};
use crate::support::steady_sandbox;

const PAYS: &str = "4242424242424242";
const THREE_DS: &str = "4000002760003184";
const START_BALANCE: &str = "1000";
/// How much the app's resident memory may grow from a minute into its last run to the end.
const MEMORY_BOUND_KIB: u64 = 24 * 1024;

/// Sets a new fault configuration every few seconds until `stop`; answers how many it set.
async fn change_faults(url: String, seed: u64, stop: Arc<AtomicBool>) -> u64 {
    let (http, mut schedule, mut changes) = (reqwest::Client::new(), FaultSchedule::new(seed), 0);
    while !stop.load(Ordering::Relaxed) {
        let (faults, hold) = schedule.step();
        let sent = http
            .post(format!("{url}/control/set_faults"))
            .json(&faults)
            .send()
            .await;
        if sent.is_ok_and(|r| r.status().is_success()) {
            changes += 1;
        }
        // Pacing, not synchronization: the faults hold this long.
        tokio::time::sleep(hold).await;
    }
    changes
}

/// Pays with the second client until `stop`; answers what it was told.
async fn pay_beside(
    mut payer: Payer,
    seed: u64,
    cards: (String, String),
    stop: Arc<AtomicBool>,
) -> Result<(Vec<Paid>, Payer)> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0xba5e);
    let mut paid = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        paid.push(payer.pay(&mut rng, &cards.0, &cards.1).await?);
        // Pacing between payments.
        tokio::time::sleep(Duration::from_millis(rng.gen_range(500..2500))).await;
    }
    Ok((paid, payer))
}

/// SIGKILL to the sandbox and a start on the same data and port (retried while the port is
/// still being released); its traffic counts are read first, as they die with it.
async fn crash_sandbox(sandbox: &mut Sandbox, figures: &mut Figures) -> Result<()> {
    figures.add_traffic(&sandbox.control("state", json!({})).await?);
    let mut tries = 0;
    while let Err(error) = sandbox.crash_and_restart() {
        tries += 1;
        ensure!(tries < 20, "the sandbox does not start again: {error:#}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    figures.sandbox_kills += 1;
    Ok(())
}

/// Kills the sandbox at each of `moments` after `started`, whatever the app is doing then
/// (a top-up in flight included); answers it with its traffic counts and kills.
#[expect(
    clippy::print_stdout,
    reason = "the soak's progress, shown live by scripts/soak.sh"
)]
async fn kill_sandbox_at(
    mut sandbox: Sandbox,
    moments: Vec<Duration>,
    started: Instant,
) -> Result<(Sandbox, Figures)> {
    let mut figures = Figures::default();
    for moment in moments {
        tokio::time::sleep_until((started + moment).into()).await;
        println!(
            "soak: {:>6.1} s kill -9 sandbox",
            started.elapsed().as_secs_f64()
        );
        crash_sandbox(&mut sandbox, &mut figures).await?;
    }
    Ok((sandbox, figures))
}

/// A sandbox with `START_BALANCE` that does not burn, and a saved card (saved by a first
/// payment, so the app offers its one-click top-up); answers the payments there before, the
/// card tokens (saved, 3-D Secure) and that first payment.
async fn prepare() -> Result<(Sandbox, BTreeSet<String>, (String, String), Paid)> {
    let sandbox = steady_sandbox(START_BALANCE).await?;
    sandbox
        .control("set_time_scale", json!({"timeScale": 0}))
        .await?;
    let seeded = Records::read(&sandbox.data_dir())?
        .payments
        .into_iter()
        .map(|p| p.id)
        .collect();
    let card = card_token(&sandbox.payments_url, PAYS).await?;
    let three_ds = card_token(&sandbox.payments_url, THREE_DS).await?;
    let key = || uuid::Uuid::new_v4().to_string();
    let first = sandbox
        .api(
            "api/finance/create_payment",
            json!({"credits": 25, "idempotencyKey": key()}),
        )
        .await?;
    let saved = sandbox
        .api(
            "api/finance/confirm_payment",
            json!({"paymentId": first["id"], "paymentMethodId": card,
                   "savePaymentMethod": true, "idempotencyKey": key()}),
        )
        .await?;
    ensure!(saved["status"] == "succeeded", "saving the card: {saved}");
    let first = Paid {
        id: saved["id"].as_str().context("payment id")?.to_owned(),
        status: "succeeded".into(),
        credits: "25".into(),
    };
    Ok((sandbox, seeded, (card, three_ds), first))
}

#[tokio::test]
async fn a_soak_under_faults_loses_and_doubles_nothing() -> Result<()> {
    let plan = Plan::from_env()?;
    println!(
        "soak: seed {seed} (LATTICA_SOAK_SEED={seed} repeats the plan), {:?}; app killed at \
         {:?}, sandbox at {:?}",
        plan.length,
        plan.app_kills,
        plan.sandbox_kills,
        seed = plan.seed
    );
    let mut figures = Figures {
        seed: plan.seed,
        length: plan.length,
        memory_bound_kib: MEMORY_BOUND_KIB,
        ..Figures::default()
    };
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let (sandbox, seeded, cards, first) = prepare().await?;
    let env = AppEnv::new(&sandbox.url)?.with_var("LATTICA_TRAY_REFRESH_SECS", "1");
    env.login(&sandbox.token)?;
    let mut app = Running::start(&env, None).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let faults = tokio::spawn(change_faults(sandbox.url.clone(), plan.seed, stop.clone()));
    let payer = Payer::new(&sandbox.url, &sandbox.token);
    let beside = tokio::spawn(pay_beside(payer, plan.seed, cards, stop.clone()));

    let mut app_kills = plan.app_kills.iter().peekable();
    let (mut receipts, mut cut, mut baseline) = (Vec::new(), Vec::new(), None);
    let mut cut_began = None;
    let started = Instant::now();
    let killer = tokio::spawn(kill_sandbox_at(
        sandbox,
        plan.sandbox_kills.clone(),
        started,
    ));
    let at = || format!("soak: {:>6.1} s", started.elapsed().as_secs_f64());
    while started.elapsed() < plan.length {
        let kill_at = app_kills.peek().map(|k| started + **k);
        let outcome = match top_up(&app, kill_at).await? {
            // As a user would: "Add credit…" shows the attempt and checks again.
            Outcome::Unknown => {
                *figures.app_outcomes.entry("unknown at first").or_default() += 1;
                resolve_unknown(&app).await?
            }
            outcome => outcome,
        };
        if outcome != Outcome::NoOffer {
            figures.top_ups_started += 1;
        }
        *figures.app_outcomes.entry(outcome.name()).or_default() += 1;
        match outcome {
            Outcome::Succeeded(receipt) => receipts.push(receipt),
            Outcome::Failed(text) => *figures.app_failures.entry(text).or_default() += 1,
            Outcome::Cut(began) => cut_began = Some(began),
            _ => {}
        }
        if app_kills.next_if(|k| started.elapsed() >= **k).is_some() {
            println!("{} kill -9 app", at());
            let killed = unix_millis();
            app = app.crash_and_restart(&env).await?;
            // A request already sent is still processed: latency of up to 4 s, then the work.
            if let Some(began) = cut_began.take() {
                cut.push((began, killed + 10_000));
            }
            figures.app_kills += 1;
        }
        let last_run = app_kills.peek().is_none();
        if baseline.is_none() && last_run && app.age() >= baseline_after(&plan) {
            baseline = Some(rss_kib(app.pid)?);
            println!("{} app memory baseline {baseline:?} KiB", at());
        }
        // Pacing between payments, not synchronization.
        tokio::time::sleep(Duration::from_millis(rng.gen_range(1000..3000))).await;
    }

    stop.store(true, Ordering::Relaxed);
    figures.fault_changes = faults.await?;
    let (paid, payer) = beside.await??;
    let (sandbox, crashes) = killer.await??;
    figures.add_crashes(&crashes);
    sandbox.control("clear_faults", json!({})).await?;
    let baseline = baseline.context("no memory baseline was taken")?;
    figures.memory_kib = (baseline, rss_kib(app.pid)?);

    // The app's shown balance is the server's after one refresh, asked for from the menu (the
    // app may be waiting out a backoff of minutes after the faults).
    let server: Decimal = sandbox.credits().await?;
    let asked = Instant::now();
    app.tray.click("Refresh now")?;
    let shown = eventually("the server's balance in the popover", WAIT, || async {
        let shown = shown_balance(&app).await?;
        Ok((shown == server).then_some(shown))
    })
    .await;
    figures.shown_after = asked.elapsed();
    figures.balance = (
        server.to_string(),
        shown.as_ref().map_or("-".to_owned(), ToString::to_string),
    );
    figures.add_traffic(&sandbox.control("state", json!({})).await?);
    let app_log = format!("{}{}", app.earlier_logs, app.app.log_text());
    figures.app_calls = app_log.matches("platform call").count();
    figures.app_balance_reads = app_log
        .lines()
        .filter(|l| l.contains("platform call") && l.contains("get_account_credits"))
        .count();
    (figures.other_requests, figures.other_unanswered) = (payer.sent, payer.unanswered);
    for p in &paid {
        *figures.other_payments.entry(p.status.clone()).or_default() += 1;
    }
    let records = Records::read(&sandbox.data_dir())?;
    figures.sandbox_payments = records.by_status(&seeded);
    println!("{figures}");

    let others = paid
        .iter()
        .chain([&first])
        .map(|p| Ok((p.id.clone(), p.status.clone(), p.credits.parse()?)))
        .collect::<Result<Vec<_>>>()?;
    records.check(&Told {
        start: START_BALANCE.parse()?,
        seeded: &seeded,
        others,
        receipts: &receipts,
        cut,
    })?;
    ensure!(
        records.balance == server,
        "the database has {}, the API {server}",
        records.balance
    );
    ensure!(!receipts.is_empty(), "the app's top-ups never succeeded");
    for (name, log) in [("app", &app_log), ("sandbox", &sandbox.log_text())] {
        ensure!(!log.contains("panicked"), "a panic in the {name}'s log");
    }
    ensure!(shown.is_ok(), "{shown:?}");
    ensure!(
        figures.memory_kib.1 <= baseline + MEMORY_BOUND_KIB,
        "the app grew from {baseline} KiB to {} KiB",
        figures.memory_kib.1
    );
    app.quit().await
}

const WAIT: Duration = Duration::from_secs(15);

/// When the memory baseline is taken in the app's last run: a minute in, or a fifth of the
/// run in a short soak.
fn baseline_after(plan: &Plan) -> Duration {
    Duration::from_secs(60).min(plan.length / 5)
}
