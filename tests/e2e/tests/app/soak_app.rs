//! The soak's side of the app: starting it under WebDriver (and again after a SIGKILL),
//! paying with the popover's one-click top-up, finishing an unknown outcome in the wizard as a
//! user would, and reading the balance the popover shows.

use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use thirtyfour::error::WebDriverErrorInner;
use thirtyfour::prelude::*;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::soak::{descendant_named, sigkill};
use lattica_e2e::tray::TrayItem;
use lattica_e2e::{Context, Result, eventually};

use crate::signin::switch_to_window as switch_to;

/// How one top-up ended, as the app showed it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// "Added N credits · receipt R."
    Succeeded(String),
    /// A decline or a refusal, in the app's words.
    Failed(String),
    /// "The payment's outcome is not known yet…"
    Unknown,
    /// The app was killed while the payment ran, which began at this many Unix milliseconds.
    Cut(i64),
    /// The popover offered no top-up in time (its saved cards could not be read).
    NoOffer,
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Succeeded(_) => "succeeded",
            Self::Failed(_) => "failed or refused",
            Self::Unknown => "unknown, then checked again",
            Self::Cut(_) => "cut by a kill",
            Self::NoOffer => "no offer shown",
        }
    }
}

/// The app as the soak runs it.
#[derive(Debug)]
pub struct Running {
    pub app: App,
    pub tray: TrayItem,
    /// The app's process, `lattica-tray-app` (the `lattica-tray` launcher `exec`s it), under
    /// tauri-driver and WebKitWebDriver.
    pub pid: u32,
    started: Instant,
    /// The logs of the runs before this one.
    pub earlier_logs: String,
}

impl Running {
    /// Starts the app; `killed` is the bus name of a killed run's tray item, not to be taken
    /// for this one's.
    pub async fn start(env: &AppEnv, killed: Option<&str>) -> Result<Self> {
        let (app, _) = App::with_webdriver(env).await?;
        let driver_pid = app.pid().context("tauri-driver's pid")?;
        let pid = eventually("the lattica-tray-app process", WAIT, || async {
            Ok(descendant_named(driver_pid, "lattica-tray-app"))
        })
        .await?;
        let tray = eventually("this run's tray item", WAIT, || async {
            Ok(TrayItem::registered()?
                .into_iter()
                .find(|t| Some(t.service.as_str()) != killed && t.label().is_ok()))
        })
        .await?;
        Ok(Self {
            app,
            tray,
            pid,
            started: Instant::now(),
            earlier_logs: String::new(),
        })
    }

    pub fn age(&self) -> Duration {
        self.started.elapsed()
    }

    /// SIGKILL to the app itself, then a new run on the same folders and keychain.
    pub async fn crash_and_restart(self, env: &AppEnv) -> Result<Self> {
        sigkill(self.pid)?;
        let logs = format!("{}{}", self.earlier_logs, self.app.log_text());
        let killed = self.tray.service.clone();
        // Ends the broken WebDriver session's tauri-driver.
        drop(self.app);
        let mut next = Self::start(env, Some(&killed)).await?;
        next.earlier_logs = logs;
        Ok(next)
    }

    pub async fn quit(self) -> Result<()> {
        self.app.quit(&self.tray).await
    }
}

const WAIT: Duration = Duration::from_secs(30);
/// The longest a top-up may take: the client's retries and the attempt's resends through
/// several seconds of latency each, then the reconciliation.
const PAYMENT_WAIT: Duration = Duration::from_secs(180);

async fn displayed(driver: &WebDriver, id: &str) -> Result<Option<WebElement>> {
    let element = driver.find(By::Id(id)).await?;
    Ok(element.is_displayed().await?.then_some(element))
}

async fn shown(driver: &WebDriver, id: &str, wait: Duration) -> Result<WebElement> {
    eventually(&format!("#{id} on screen"), wait, || displayed(driver, id)).await
}

/// One quick top-up from the popover. When `kill_at` passes while the payment runs, answers
/// [`Outcome::Cut`] at once (the caller kills the app then).
pub async fn top_up(run: &Running, kill_at: Option<Instant>) -> Result<Outcome> {
    let driver = run.app.driver()?;
    run.tray.click("Open")?;
    switch_to(driver, "Lattica balance").await?;
    if shown(driver, "quick-top-up", Duration::from_secs(15))
        .await
        .is_err()
    {
        return Ok(Outcome::NoOffer);
    }
    let began = match start_paying(run).await {
        Ok(began) => began,
        Err(error) => return Err(explained(run, error).await),
    };
    let deadline = Instant::now() + PAYMENT_WAIT;
    loop {
        if kill_at.is_some_and(|at| Instant::now() >= at) {
            return Ok(Outcome::Cut(began));
        }
        let status = driver.find(By::Id("quick-status")).await?.text().await?;
        let status = status.trim();
        if status.starts_with("Added") {
            let receipt = status
                .split("receipt ")
                .nth(1)
                .map(|r| r.trim_end_matches('.').to_owned())
                .with_context(|| format!("a success without a receipt: {status}"))?;
            return Ok(Outcome::Succeeded(receipt));
        }
        if status.contains("not known yet") {
            return Ok(Outcome::Unknown);
        }
        if !status.is_empty() && !status.starts_with("Paying") {
            return Ok(Outcome::Failed(status.to_owned()));
        }
        if Instant::now() >= deadline {
            let error = anyhow::anyhow!("no outcome after {PAYMENT_WAIT:?}");
            return Err(explained(run, error).await);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Clicks the offer, then Confirm, until the payment is under way; answers when Confirm was
/// first clicked. Each look and click is retried: between a look and a click the popover may
/// re-render a row, hide (and forget the question), or still be painting.
async fn start_paying(run: &Running) -> Result<i64> {
    let driver = run.app.driver()?;
    let began = std::cell::Cell::new(None);
    eventually("the quick top-up under way", WAIT, || async {
        if began.get().is_none() && visibility(driver).await? == "hidden" {
            // Hidden on a lost focus, the popover forgot its question: open it again.
            run.tray.click("Open")?;
            return Ok(None);
        }
        if let Some(confirm) = displayed(driver, "quick-confirm").await? {
            if !confirm.is_enabled().await? {
                // Disabled only while paying.
                return Ok(began.get().or(Some(unix_millis())));
            }
            began.set(began.get().or(Some(unix_millis())));
            confirm.click().await?;
            return Ok(None);
        }
        let status = driver.find(By::Id("quick-status")).await?.text().await?;
        if let Some(at) = began.get()
            && !status.trim().is_empty()
        {
            return Ok(Some(at)); // paid already, or refused in the app's words
        }
        if let Some(offer) = displayed(driver, "quick-top-up").await? {
            offer.click().await?;
        }
        Ok(None)
    })
    .await
}

/// The popover page's `document.visibilityState`: `visible` or `hidden`.
async fn visibility(driver: &WebDriver) -> Result<String> {
    let answer = driver
        .execute("return document.visibilityState", Vec::new())
        .await?;
    Ok(answer.json().as_str().unwrap_or_default().to_owned())
}

/// `error` with what the popover and the app were doing: whether the popover was visible
/// (a hidden one forgets its question) and the app's log.
async fn explained(run: &Running, error: anyhow::Error) -> anyhow::Error {
    let visibility = match run.app.driver() {
        Ok(driver) => visibility(driver)
            .await
            .unwrap_or_else(|error| format!("unknown ({error:#})")),
        Err(error) => format!("unknown ({error:#})"),
    };
    error.context(format!(
        "popover visibility {visibility}; the app's log:\n{}{}",
        run.earlier_logs,
        run.app.log_text()
    ))
}

/// Now, in milliseconds since the Unix epoch (the sandbox's clock for `created_at`).
pub fn unix_millis() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// Opens "Add credit…", which shows the attempt whose outcome is unknown, and checks again
/// until it is known; closes the wizard.
pub async fn resolve_unknown(run: &Running) -> Result<Outcome> {
    let driver = run.app.driver()?;
    run.tray.click("Add credit…")?;
    switch_to(driver, "Add credit").await?;
    let outcome = eventually(
        "the payment's outcome in the wizard",
        PAYMENT_WAIT,
        || async {
            if displayed(driver, "step-result").await?.is_some() {
                let receipt = driver.find(By::Id("receipt")).await?.text().await?;
                return Ok(Some(Outcome::Succeeded(receipt.trim().to_owned())));
            }
            if displayed(driver, "step-method").await?.is_some() {
                let decline = driver.find(By::Id("decline")).await?.text().await?;
                return Ok(Some(Outcome::Failed(decline)));
            }
            if let Some(button) = displayed(driver, "check-again").await?
                && button.is_enabled().await?
            {
                button.click().await?;
                // Pacing: one check a second at most, as a patient user.
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Ok(None)
        },
    )
    .await?;
    let close = if matches!(outcome, Outcome::Succeeded(_)) {
        "done"
    } else {
        "method-cancel"
    };
    match shown(driver, close, WAIT).await?.click().await {
        Err(error) if !matches!(error.as_inner(), WebDriverErrorInner::NoSuchWindow(_)) => {
            return Err(error.into());
        }
        _ => {}
    }
    switch_to(driver, "Lattica balance").await?;
    Ok(outcome)
}

/// The balance the popover shows (`1,234.56` read as a decimal).
pub async fn shown_balance(run: &Running) -> Result<Decimal> {
    let driver = run.app.driver()?;
    switch_to(driver, "Lattica balance").await?;
    let text = driver.find(By::Id("balance")).await?.text().await?;
    text.replace(',', "")
        .trim()
        .parse()
        .with_context(|| format!("the popover's balance {text:?}"))
}
