//! A local implementation of the Lattica platform (skeleton: the API arrives next).

mod config;
mod error;

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::SandboxConfig;
pub use error::SandboxError;

/// Shared state of a running sandbox.
#[derive(Debug, Clone, Default)]
pub struct AppState {}

/// The platform API router.
pub fn router(_state: AppState) -> Router {
    Router::new()
}

/// A sandbox serving on its two listeners until [`RunningSandbox::shutdown`].
#[derive(Debug)]
pub struct RunningSandbox {
    addr: SocketAddr,
    payments_addr: SocketAddr,
    token: String,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Starts the sandbox.
pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
    let bind = |addr| async move {
        TcpListener::bind(addr)
            .await
            .map_err(|source| SandboxError::Bind { addr, source })
    };
    let api = bind(config.listen).await?;
    let payments = bind(config.payments_listen).await?;
    let addr = api.local_addr().map_err(|source| SandboxError::Bind {
        addr: config.listen,
        source,
    })?;
    let payments_addr = payments.local_addr().map_err(|source| SandboxError::Bind {
        addr: config.payments_listen,
        source,
    })?;
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    for (listener, app) in [(api, router(AppState {})), (payments, Router::new())] {
        let mut stopped = stopped.clone();
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|s| *s).await;
                })
                .await;
        }));
    }
    Ok(RunningSandbox {
        addr,
        payments_addr,
        token: "skeleton".to_owned(),
        stop,
        tasks,
    })
}

impl RunningSandbox {
    /// Base URL of the platform API, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of the payment service (its own origin).
    pub fn payments_url(&self) -> String {
        format!("http://{}", self.payments_addr)
    }

    /// The demo account's current token.
    pub fn demo_token(&self) -> String {
        self.token.clone()
    }

    /// Stops serving and persists everything.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}
