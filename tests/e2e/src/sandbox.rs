//! The sandbox platform as a separate process, the way a user's backend is one: spawned from the
//! built binary with the control API on, stopped and restarted on the same data and port.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use rust_decimal::Decimal;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::{Context, Result, built_binary, ensure};

/// Which platform a sandbox plays: the suites of the core flows run on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Every endpoint, ours (pricing, payments) included.
    Full,
    /// Only what Lattica publishes (`--published-only`).
    Published,
}

impl Profile {
    /// What the menu and the popover call "Add credit" there.
    pub fn add_credit(self) -> &'static str {
        match self {
            Self::Full => "Add credit…",
            Self::Published => "Add credit in the web console…",
        }
    }

    /// A name for screenshots and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Published => "published",
        }
    }
}

#[derive(Debug)]
pub struct Sandbox {
    data: TempDir,
    child: Option<Child>,
    pub url: String,
    pub payments_url: String,
    pub token: String,
    http: reqwest::Client,
    /// Flags beyond the defaults (`--published-only`), kept for a restart.
    flags: Vec<String>,
}

impl Sandbox {
    /// A fresh sandbox with the seeded demo account, on a port of its own.
    pub fn spawn() -> Result<Self> {
        Self::spawn_with(&[])
    }

    /// The same, playing the platform as Lattica publishes it: no pricing, no payments API.
    pub fn spawn_published() -> Result<Self> {
        Self::spawn_on(Profile::Published)
    }

    /// A fresh sandbox playing `profile`.
    pub fn spawn_on(profile: Profile) -> Result<Self> {
        match profile {
            Profile::Full => Self::spawn_with(&[]),
            Profile::Published => Self::spawn_with(&["--published-only"]),
        }
    }

    fn spawn_with(flags: &[&str]) -> Result<Self> {
        let data = tempfile::tempdir()?;
        let mut sandbox = Self {
            data,
            child: None,
            url: String::new(),
            payments_url: String::new(),
            token: String::new(),
            http: reqwest::Client::new(),
            flags: flags.iter().map(|f| (*f).to_owned()).collect(),
        };
        sandbox.start("127.0.0.1:0")?;
        Ok(sandbox)
    }

    fn start(&mut self, listen: &str) -> Result<()> {
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(self.data.path().join("sandbox.log"))?;
        let mut child = Command::new(built_binary("lattica-sandbox")?)
            .args(["--listen", listen, "--control", "--data"])
            .arg(self.data.path())
            .args(&self.flags)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("starting lattica-sandbox")?;
        let stdout = child.stdout.take().context("sandbox stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let started: Value = serde_json::from_str(&line)
            .with_context(|| format!("sandbox start line is not JSON: {line:?}"))?;
        self.url = started["url"].as_str().context("url")?.to_owned();
        self.payments_url = started["payments_url"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        self.token = started["token"].as_str().context("token")?.to_owned();
        self.child = Some(child);
        Ok(())
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.path().to_owned()
    }

    /// Stops the process (SIGTERM, then waits): the app now sees a dead server.
    pub fn stop(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            let status = Command::new("kill").arg(child.id().to_string()).status()?;
            ensure!(status.success(), "kill failed");
            child.wait()?;
        }
        Ok(())
    }

    /// Starts again on the same data and the same address, as a recovered server would.
    pub fn restart(&mut self) -> Result<()> {
        self.stop()?;
        let listen = self.url.trim_start_matches("http://").to_owned();
        self.start(&listen)
    }

    /// Ends the process with SIGKILL, as a crash would (nothing is flushed or closed), and
    /// starts it again on the same data and address.
    pub fn crash_and_restart(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        let listen = self.url.trim_start_matches("http://").to_owned();
        self.start(&listen)
    }

    /// Everything the sandbox wrote to its standard error since it was first spawned.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.data.path().join("sandbox.log")).unwrap_or_default()
    }

    pub async fn control(&self, action: &str, body: Value) -> Result<Value> {
        let response: Value = self
            .http
            .post(format!("{}/control/{action}", self.url))
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        ensure!(
            response.get("error").is_none(),
            "control {action}: {response}"
        );
        Ok(response["result"].clone())
    }

    /// Calls a platform endpoint with the demo token, as any client would.
    pub async fn api(&self, endpoint: &str, params: Value) -> Result<Value> {
        let mut body = params;
        body["client_info"] = json!({"module": "lattica-e2e", "version": "0.1.0"});
        let response: Value = self
            .http
            .post(format!("{}/{endpoint}", self.url))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        ensure!(response.get("error").is_none(), "{endpoint}: {response}");
        Ok(response["result"].clone())
    }

    pub async fn credits(&self) -> Result<Decimal> {
        let value = self
            .api("api/finance/get_account_credits", json!({}))
            .await?;
        Ok(value.to_string().trim_matches('"').parse()?)
    }

    pub async fn set_balance(&self, credits: &str) -> Result<()> {
        let credits: Value = serde_json::from_str(credits)?;
        self.control("set_balance", json!({ "credits": credits }))
            .await
            .map(drop)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
