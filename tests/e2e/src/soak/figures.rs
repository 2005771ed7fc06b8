//! The counts a soak prints at the end (and BENCHMARKS.md quotes).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

/// Everything counted during one run.
#[derive(Debug, Default)]
pub struct Figures {
    pub seed: u64,
    pub length: Duration,
    /// The sandbox's `/api/*` requests and the faults injected, summed over its runs.
    pub requests: u64,
    pub delayed: u64,
    pub errors: u64,
    pub drops: u64,
    pub malformed: u64,
    pub fault_changes: u64,
    pub app_kills: u64,
    pub sandbox_kills: u64,
    /// The app's platform calls and balance reads (one per refresh), from its debug log.
    pub app_calls: usize,
    pub app_balance_reads: usize,
    pub top_ups_started: u64,
    pub app_outcomes: BTreeMap<&'static str, u64>,
    /// What the app said when a top-up failed, and how often.
    pub app_failures: BTreeMap<String, u64>,
    pub other_requests: u64,
    pub other_unanswered: u64,
    pub other_payments: BTreeMap<String, u64>,
    pub sandbox_payments: BTreeMap<String, u64>,
    pub memory_kib: (u64, u64),
    pub memory_bound_kib: u64,
    pub balance: (String, String),
    pub shown_after: Duration,
}

impl Figures {
    /// Adds one sandbox run's `traffic` (from the control API's `state`).
    pub fn add_traffic(&mut self, state: &Value) {
        let n = |k: &str| state["traffic"][k].as_u64().unwrap_or(0);
        self.requests += n("requests");
        self.delayed += n("delayed");
        self.errors += n("errors");
        self.drops += n("drops");
        self.malformed += n("malformed");
    }

    /// Adds the counts of the task that killed the sandbox (its traffic and kills).
    pub fn add_crashes(&mut self, other: &Figures) {
        self.requests += other.requests;
        self.delayed += other.delayed;
        self.errors += other.errors;
        self.drops += other.drops;
        self.malformed += other.malformed;
        self.sandbox_kills += other.sandbox_kills;
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "soak figures (seed {}, {} s):",
            self.seed,
            self.length.as_secs()
        )?;
        writeln!(
            f,
            "  sandbox /api requests {}; faults injected: {} delayed, {} error statuses \
             (5xx/429), {} dropped connections, {} cut bodies; fault settings changed {} times",
            self.requests,
            self.delayed,
            self.errors,
            self.drops,
            self.malformed,
            self.fault_changes
        )?;
        writeln!(
            f,
            "  kills (SIGKILL, then restart): app {}, sandbox {}",
            self.app_kills, self.sandbox_kills
        )?;
        writeln!(
            f,
            "  app: {} platform calls, {} balance reads; {} one-click top-ups started, by \
             outcome {:?}; failures shown {:?}",
            self.app_calls,
            self.app_balance_reads,
            self.top_ups_started,
            self.app_outcomes,
            self.app_failures
        )?;
        writeln!(
            f,
            "  other client: {} requests ({} unanswered, sent again with the same key); \
             payments {:?}",
            self.other_requests, self.other_unanswered, self.other_payments
        )?;
        writeln!(
            f,
            "  sandbox's payments by status: {:?}",
            self.sandbox_payments
        )?;
        writeln!(
            f,
            "  app memory (RSS): {} KiB a minute into its last run, {} KiB at the end \
             (bound: +{} KiB)",
            self.memory_kib.0, self.memory_kib.1, self.memory_bound_kib
        )?;
        writeln!(
            f,
            "  balance at the end: server {}, app shows {} ({} ms after \"Refresh now\")",
            self.balance.0,
            self.balance.1,
            self.shown_after.as_millis()
        )?;
        Ok(())
    }
}
