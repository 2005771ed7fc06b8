//! Starting: binding both listeners (served by [`crate::connections`]), the background
//! settler, graceful shutdown, and the guard that turns a panic into a JSON 500.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use futures::FutureExt;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::envelope::ApiError;
use crate::state::AppState;
use crate::{SandboxConfig, SandboxError, connections, hosted, settler};

/// How long shutdown waits for in-flight requests before cutting them off.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Wraps `router` so that a panicking handler answers `500 INTERNAL` in the JSON envelope
/// instead of dropping the connection.
pub fn guard<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(from_fn(catch_panic))
}

async fn catch_panic(request: Request, next: Next) -> Response {
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => ApiError::internal("a request handler panicked").into_response(),
    }
}

/// A sandbox serving on its two listeners until [`RunningSandbox::shutdown`] (or until it is
/// dropped, which also stops it, without waiting).
#[derive(Debug)]
pub struct RunningSandbox {
    state: AppState,
    addr: SocketAddr,
    data_dir: PathBuf,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
    settler: JoinHandle<()>,
}

/// Opens (or seeds) the data directory, binds both listeners and starts serving.
pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
    for origin in &config.payments_allowed_origins {
        crate::payments::check_origin(origin).map_err(SandboxError::Config)?;
    }
    for endpoint in &config.hidden_endpoints {
        if crate::api::route(&crate::api::canonical_endpoint(endpoint)).is_none() {
            return Err(SandboxError::Config(format!(
                "cannot hide {endpoint:?}: the sandbox has no such endpoint"
            )));
        }
    }
    let (api, addr) = bind(config.listen).await?;
    let (payments, payments_addr) = bind(config.payments_listen).await?;
    let opened = config.clone();
    let payments_url = format!("http://{payments_addr}");
    let state = tokio::task::spawn_blocking(move || AppState::open(&opened, payments_url))
        .await
        .map_err(|e| SandboxError::Task(e.to_string()))??;
    let (stop, stopped) = watch::channel(false);
    let limits = config.limits;
    let servers = vec![
        connections::serve(api, crate::router(state.clone()), limits, stopped.clone()),
        connections::serve(
            payments,
            hosted::router(state.clone()),
            limits,
            stopped.clone(),
        ),
    ];
    let settler = tokio::spawn(settler::run(state.clone(), stopped));
    tracing::info!(%addr, %payments_addr, "sandbox listening");
    Ok(RunningSandbox {
        state,
        addr,
        data_dir: config.data_dir,
        stop,
        servers,
        settler,
    })
}

async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), SandboxError> {
    let fail = |source| SandboxError::Bind { addr, source };
    let listener = TcpListener::bind(addr).await.map_err(fail)?;
    let bound = listener.local_addr().map_err(fail)?;
    Ok((listener, bound))
}

impl RunningSandbox {
    /// Base URL of the platform API, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of the payment service (its own origin), without a trailing slash.
    pub fn payments_url(&self) -> String {
        self.state.payments().url().to_owned()
    }

    /// The demo account's current token (it changes when the control API issues a new one).
    pub fn demo_token(&self) -> String {
        self.state
            .read(|ledger| ledger.demo_token.expose().to_owned())
    }

    /// Which endpoints it serves.
    pub fn profile(&self) -> crate::ApiProfile {
        self.state.profile()
    }

    /// The data directory in use.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Stops accepting, drains in-flight requests (for a few seconds at most), stops the
    /// settler and persists the balance settled to this instant.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for server in self.servers {
            let abort = server.abort_handle();
            if tokio::time::timeout(DRAIN_TIMEOUT, server).await.is_err() {
                abort.abort();
            }
        }
        let _ = self.settler.await;
        if self.state.query(|store| store.settle_all()).await.is_err() {
            tracing::error!("could not persist the final balance");
        }
        tracing::info!("sandbox stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_answers_a_json_500() {
        async fn boom() -> &'static str {
            panic!("boom")
        }
        let app = guard(Router::new().route("/boom", axum::routing::post(boom)));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let response = reqwest::Client::new()
            .post(format!("http://{addr}/boom"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 500);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error_code"], "INTERNAL");
        server.abort();
    }
}
