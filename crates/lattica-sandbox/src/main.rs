//! The `lattica-sandbox` binary: parses flags, starts the library's sandbox, prints one JSON
//! line (`{"url", "payments_url", "token", "data", "profile"}`) to stdout, logs to stderr, and
//! shuts down gracefully on SIGINT or SIGTERM (and, with `--exit-with-stdin`, when its
//! standard input closes: how the tray app's demo stops it, even if the app itself dies).

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use lattica_sandbox::{ApiProfile, ConnectionLimits, SandboxConfig, start};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// A local implementation of the Lattica platform.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address of the platform API.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Address of the payment service (its own origin).
    #[arg(long, default_value = "127.0.0.1:0")]
    payments_listen: SocketAddr,
    /// Data directory (created when missing; reused across restarts).
    #[arg(long)]
    data: PathBuf,
    /// Burn speed multiplier (60: one real second burns a minute of worker time).
    #[arg(long, default_value = "1")]
    time_scale: Decimal,
    /// Serve the control API to loopback peers.
    #[arg(long)]
    control: bool,
    /// Oldest accepted `client_info.version`.
    #[arg(long)]
    min_client_version: Option<semver::Version>,
    /// An origin (`scheme://host[:port]`) allowed to embed the hosted payment pages and
    /// receive their results; repeat for several. Given, it replaces the defaults.
    #[arg(
        long = "payments-allow-origin",
        value_name = "ORIGIN",
        default_values = lattica_sandbox::payments::DEFAULT_ALLOWED_ORIGINS
    )]
    payments_allow_origins: Vec<String>,
    /// Serve only the endpoints Lattica publishes, as the real platform does: prices and
    /// payments answer as unknown endpoints.
    #[arg(long)]
    published_only: bool,
    /// Answer this endpoint (e.g. `api/finance/get_pricing`) as an unknown one, to test a
    /// client's fallback; repeat for several.
    #[arg(long = "without-endpoint", value_name = "ENDPOINT")]
    without_endpoints: Vec<String>,
    /// Seconds a connection has to send a request head (from its accept, or from the first
    /// byte of its next request).
    #[arg(long, value_name = "SECONDS", value_parser = seconds, default_value = "10")]
    header_timeout: Duration,
    /// Seconds a request body has to arrive, from the end of its head.
    #[arg(long, value_name = "SECONDS", value_parser = seconds, default_value = "30")]
    body_timeout: Duration,
    /// Seconds a kept-alive connection may wait for its next request.
    #[arg(long, value_name = "SECONDS", value_parser = seconds, default_value = "60")]
    idle_timeout: Duration,
    /// Connections each listener holds at once (idle ones make room for new ones).
    #[arg(long, value_name = "N", default_value = "256", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// Shut down when standard input reaches its end (a parent holding a pipe to it exited
    /// or closed it).
    #[arg(long)]
    exit_with_stdin: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    if args.time_scale < Decimal::ZERO {
        tracing::error!("--time-scale must be ≥ 0");
        return ExitCode::from(2);
    }
    let mut config = SandboxConfig::new(&args.data);
    config.listen = args.listen;
    config.payments_listen = args.payments_listen;
    config.time_scale = args.time_scale;
    config.control = args.control;
    config.min_client_version = args.min_client_version;
    config.payments_allowed_origins = args.payments_allow_origins;
    if args.published_only {
        config.profile = ApiProfile::Published;
    }
    config.hidden_endpoints = args.without_endpoints.into_iter().collect();
    config.limits = ConnectionLimits {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
    };

    let sandbox = match start(config).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            tracing::error!(%error, "could not start");
            return ExitCode::FAILURE;
        }
    };
    let data = std::fs::canonicalize(sandbox.data_dir())
        .unwrap_or_else(|_| sandbox.data_dir().to_path_buf());
    let line = serde_json::json!({
        "url": sandbox.url(),
        "payments_url": sandbox.payments_url(),
        "token": sandbox.demo_token(),
        "data": data,
        "profile": sandbox.profile().as_str(),
    });
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        tracing::warn!("could not write the start line to stdout");
    }
    drop(stdout);

    if args.exit_with_stdin {
        tokio::select! {
            () = wait_for_signal() => {}
            () = stdin_closed() => tracing::info!("standard input closed"),
        }
    } else {
        wait_for_signal().await;
    }
    tracing::info!("shutting down");
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

/// A number of seconds (`1.5`), from a millisecond to a day.
fn seconds(text: &str) -> Result<Duration, String> {
    let millis = text
        .trim()
        .parse::<Decimal>()
        .ok()
        .and_then(|seconds| seconds.checked_mul(Decimal::ONE_THOUSAND))
        .and_then(|millis| millis.round().to_u64())
        .filter(|millis| (1..=86_400_000).contains(millis))
        .ok_or_else(|| format!("{text:?} is not a number of seconds from 0.001 to 86400"))?;
    Ok(Duration::from_millis(millis))
}

/// Resolves once standard input reaches its end (or fails). Read on a thread of its own, not
/// the runtime's blocking pool: a read cannot be cancelled, and the runtime would wait for it at
/// exit after a signal.
async fn stdin_closed() {
    let (closed, on_close) = tokio::sync::oneshot::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("stdin-watch".into())
        .spawn(move || {
            use std::io::Read;
            let mut stdin = std::io::stdin().lock();
            let mut buffer = [0_u8; 256];
            while matches!(stdin.read(&mut buffer), Ok(n) if n > 0) {}
            let _ = closed.send(());
        });
    match spawned {
        Ok(_) => {
            let _ = on_close.await;
        }
        Err(error) => {
            tracing::warn!(%error, "cannot watch standard input; only signals stop the sandbox");
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        Err(error) => {
            tracing::warn!(%error, "no SIGTERM handler; only Ctrl-C stops the sandbox");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
