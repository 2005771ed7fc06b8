//! `lattica-tray status --watch --format waybar`, the real binary against a real sandbox: a
//! line per change within a refresh, through sign-in and an outage, and a clean exit on
//! SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lattica_e2e::app::AppEnv;
use lattica_e2e::{Context, Result, bail, ensure, eventually};
use serde_json::Value;

use crate::support::{WAIT, steady_sandbox};

/// The refresh interval the watch runs with here.
const REFRESH: Duration = Duration::from_secs(1);

/// A running `status --watch --format waybar` and what it printed so far.
struct Watch {
    child: Child,
    /// Each read of a line as it arrived, its line break included (a partial line has none).
    chunks: mpsc::Receiver<String>,
    printed: Vec<String>,
    stderr: std::path::PathBuf,
}

impl Watch {
    fn start(env: &AppEnv) -> Result<Self> {
        let stderr = env.root().join("watch.stderr");
        let mut child = env
            .app_command()?
            .args(["status", "--watch", "--format", "waybar"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr)?)
            .spawn()?;
        let stdout = child.stdout.take().context("stdout")?;
        let (tx, chunks) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut chunk = String::new();
                match reader.read_line(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send(chunk).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Ok(Self {
            child,
            chunks,
            printed: Vec::new(),
            stderr,
        })
    }

    fn drain(&mut self) {
        while let Ok(chunk) = self.chunks.try_recv() {
            self.printed.push(chunk);
        }
    }

    /// Waits until a line printed after the first `skip` ones satisfies `matches`; returns it
    /// parsed and how many lines there were up to it.
    async fn line_after(
        &mut self,
        skip: usize,
        what: &str,
        timeout: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Result<(Value, usize)> {
        eventually(what, timeout, || {
            self.drain();
            let found = self
                .printed
                .iter()
                .enumerate()
                .skip(skip)
                .find_map(|(i, raw)| {
                    let value: Value = serde_json::from_str(raw).ok()?;
                    matches(&value).then_some((value, i + 1))
                });
            let printed = self.printed.clone();
            async move {
                match found {
                    Some(found) => Ok(Some(found)),
                    None => bail!("printed so far: {printed:?}"),
                }
            }
        })
        .await
    }

    /// Sends SIGTERM and waits for the exit.
    async fn terminate(&mut self) -> Result<ExitStatus> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        ensure!(status.success(), "kill -TERM failed");
        let child = &mut self.child;
        eventually(
            "the watch to exit after SIGTERM",
            Duration::from_secs(5),
            || {
                let exited = child.try_wait();
                async move { Ok(exited?) }
            },
        )
        .await
    }

    /// Every line printed, each checked to be whole and one line of JSON.
    fn check_lines(&mut self) -> Result<()> {
        self.drain();
        for raw in &self.printed {
            ensure!(raw.ends_with('\n'), "a partial line: {raw:?}");
            ensure!(raw.trim_end().lines().count() == 1, "not one line: {raw:?}");
            serde_json::from_str::<Value>(raw).with_context(|| format!("not JSON: {raw:?}"))?;
        }
        for pair in self.printed.windows(2) {
            ensure!(
                pair[0] != pair[1],
                "the same line twice in a row: {:?}",
                pair[0]
            );
        }
        let stderr = std::fs::read_to_string(&self.stderr)?;
        ensure!(!stderr.contains("panicked"), "{stderr}");
        Ok(())
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn watch_env(url: &str) -> Result<AppEnv> {
    Ok(AppEnv::new(url)?.with_var("LATTICA_TRAY_REFRESH_SECS", &REFRESH.as_secs().to_string()))
}

#[tokio::test]
async fn a_balance_change_prints_a_new_line_and_sigterm_ends_it() -> Result<()> {
    let sandbox = steady_sandbox("42").await?;
    let env = watch_env(&sandbox.url)?;
    env.login(&sandbox.token)?;
    let mut watch = Watch::start(&env)?;

    let (first, n) = watch
        .line_after(0, "the first line", WAIT, |v| v["text"] == "42 cr")
        .await?;
    let tooltip = first["tooltip"].as_str().unwrap_or_default();
    assert!(tooltip.starts_with("Balance: 42.00 credits\n"), "{first}");
    assert!(tooltip.contains("Estimated usage time: "), "{first}");
    assert_eq!(first["class"], first["alt"]);
    assert!(
        ["ok", "low", "critical"].contains(&first["class"].as_str().unwrap_or_default()),
        "{first}"
    );

    sandbox.set_balance("17").await?;
    let changed = Instant::now();
    // The functional check waits as long as any other; how long it took (about one refresh)
    // is printed as a measurement, not asserted: a busy shared runner is no regression.
    let (next, _) = watch
        .line_after(n, "a line with the new balance", WAIT, |v| {
            v["text"] == "17 cr"
        })
        .await?;
    let took = changed.elapsed();
    assert!(
        next["tooltip"]
            .as_str()
            .is_some_and(|t| t.starts_with("Balance: 17.00 credits")),
        "{next}"
    );

    let status = watch.terminate().await?;
    assert_eq!(status.code(), Some(0), "{status:?}");
    watch.check_lines()?;
    eprintln!("new balance printed {took:?} after the change (refresh {REFRESH:?})");
    Ok(())
}

#[tokio::test]
async fn the_watch_waits_for_sign_in_and_keeps_the_figures_through_an_outage() -> Result<()> {
    let mut sandbox = steady_sandbox("42").await?;
    let env = watch_env(&sandbox.url)?;
    let mut watch = Watch::start(&env)?;

    let (out, n) = watch
        .line_after(0, "a signed-out line", WAIT, |v| v["class"] == "signed-out")
        .await?;
    assert_eq!(out["text"], "signed out", "{out}");

    env.login(&sandbox.token)?;
    let (_, n) = watch
        .line_after(n, "the balance after sign-in", WAIT, |v| {
            v["text"] == "42 cr"
        })
        .await?;

    sandbox.stop()?;
    let (stale, n) = watch
        .line_after(n, "a stale line", WAIT, |v| v["class"] == "stale")
        .await?;
    assert_eq!(stale["text"], "42 cr", "the last figures stay: {stale}");
    let tooltip = stale["tooltip"].as_str().unwrap_or_default();
    assert!(tooltip.contains("Figures from"), "says since when: {stale}");
    assert!(watch.child.try_wait()?.is_none(), "still running");

    sandbox.restart()?;
    watch
        .line_after(n, "fresh figures after the outage", WAIT, |v| {
            v["class"] != "stale" && v["text"] == "42 cr"
        })
        .await?;

    let status = watch.terminate().await?;
    assert_eq!(status.code(), Some(0), "{status:?}");
    watch.check_lines()
}
