//! Serving a listener: one task per connection, at most `max_connections` of them, each
//! request head, body and idle wait bounded in time ([`ConnectionLimits`]), and the answers
//! hyper makes itself (a head too large, a malformed one) given in the JSON envelope.
//!
//! hyper's own `header_read_timeout` starts when a connection begins to wait for a request,
//! so it would also end kept-alive connections at the head's timeout. The timers here are
//! those of Go's `net/http` instead: a fresh connection has the head's timeout from its
//! accept; a kept-alive one waits up to the idle timeout for the first byte of its next
//! request, which then has the head's timeout; a body has its own; a handler has none. They
//! run in the connection's stream ([`stream`]), which knows from the service ([`body`]) what
//! the connection is doing.
//!
//! At the connection cap, or out of file descriptors, idle connections are closed to make
//! room (as nginx does with its kept-alive ones), so idle connections never lock others out.

mod body;
mod stream;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Response, header};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};
use tower::Service;

use crate::api::envelope::{ApiError, ErrorCode};
use crate::config::ConnectionLimits;
use body::{GuardedBody, TimedBody};
use stream::{ConnState, Guarded};

/// The address of the listener a request came in on, in the request's extensions next to
/// the peer's [`ConnectInfo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalAddr(pub SocketAddr);

/// Largest request head (request line and headers) read, and most headers; beyond them hyper
/// answers 431, which [`stream`] gives in the envelope.
const MAX_HEAD_BYTES: usize = 64 * 1024;
const MAX_HEADERS: usize = 100;

/// How long an accept that failed for lack of resources waits for a connection to end before
/// it tries again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `app` on `listener` until `stop` turns true (or its sender is dropped); then every
/// connection finishes the request it is handling, if any, and closes.
pub fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(accept_loop(listener, app, limits, stop))
}

async fn accept_loop(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) {
    let registry = Arc::new(Registry::default());
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = http1::Builder::new();
    http.header_read_timeout(None)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_header_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .keep_alive(true);
    let mut tasks = JoinSet::new();
    // Whether the last accept failed for lack of resources (told once per such spell).
    let mut starved = false;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|stopped| *stopped) => break,
        };
        while tasks.try_join_next().is_some() {}
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                starved = false;
                accepted
            }
            Err(error) if is_transient(&error) => continue,
            Err(error) => {
                // Out of file descriptors (or memory): idle connections make room.
                if !starved {
                    tracing::warn!(%error, "cannot accept a connection; closing idle ones");
                }
                starved = true;
                let closed = registry.closed.notified();
                registry.shed_idle();
                tokio::select! {
                    () = closed => {}
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                    _ = stop.wait_for(|stopped| *stopped) => break,
                }
                continue;
            }
        };
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                registry.shed_idle();
                tokio::select! {
                    permit = Arc::clone(&permits).acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    _ = stop.wait_for(|stopped| *stopped) => break,
                }
            }
        };
        let Ok(local) = stream.local_addr() else {
            continue;
        };
        let connection = Connection {
            peer,
            local,
            app: app.clone(),
            limits,
            registry: Arc::clone(&registry),
        };
        tasks.spawn(connection.run(stream, http.clone(), permit, stop.clone()));
    }
    drop(listener);
    while tasks.join_next().await.is_some() {}
}

/// Errors of one incoming connection, not of the listener: the next accept may well work.
fn is_transient(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset, Interrupted};
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted
    )
}

/// The live connections of a listener, so that idle ones can be closed to make room.
#[derive(Debug, Default)]
struct Registry {
    next_id: AtomicU64,
    live: Mutex<HashMap<u64, Arc<ConnState>>>,
    /// Notified whenever a connection ends.
    closed: Notify,
}

impl Registry {
    fn live(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<ConnState>>> {
        // The map stays consistent whatever panicked while holding it (inserts and removes).
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn register(&self, state: Arc<ConnState>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.live().insert(id, state);
        id
    }

    fn remove(&self, id: u64) {
        self.live().remove(&id);
        self.closed.notify_waiters();
    }

    /// Asks every idle connection (nothing of a request received) to close.
    fn shed_idle(&self) {
        for state in self.live().values() {
            state.shed();
        }
    }
}

/// One accepted connection.
struct Connection {
    peer: SocketAddr,
    local: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    registry: Arc<Registry>,
}

/// Removes a connection from its registry when its task ends, however it ends.
struct Registered(Arc<Registry>, u64);

impl Drop for Registered {
    fn drop(&mut self) {
        self.0.remove(self.1);
    }
}

impl Connection {
    async fn run(
        self,
        stream: TcpStream,
        http: http1::Builder,
        permit: OwnedSemaphorePermit,
        mut stop: watch::Receiver<bool>,
    ) {
        let state = Arc::new(ConnState::new());
        let _registered = Registered(
            Arc::clone(&self.registry),
            self.registry.register(Arc::clone(&state)),
        );
        let io = TokioIo::new(Guarded::new(stream, Arc::clone(&state), self.limits));
        let peer = self.peer;
        let service = hyper::service::service_fn(move |request| {
            // Synchronously, as hyper hands the request over: from here the connection is busy.
            let busy = ConnState::begin_request(&state);
            let app = self.app.clone();
            let (local, body_timeout) = (self.local, self.limits.body_timeout);
            async move {
                let response = handle(app, request, peer, local, body_timeout).await;
                Ok::<_, Infallible>(response.map(|body| GuardedBody::new(body, busy)))
            }
        });
        let connection = http.serve_connection(io, service);
        tokio::pin!(connection);
        let mut stopping = false;
        let ended = loop {
            tokio::select! {
                ended = connection.as_mut() => break ended,
                _ = stop.wait_for(|stopped| *stopped), if !stopping => {
                    stopping = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        };
        if let Err(error) = ended {
            tracing::debug!(%error, %peer, "connection ended with an error");
        }
        drop(permit);
    }
}

/// Runs one request through `app`, its body bounded by `body_timeout`; a body that took longer
/// is answered `408` (whatever the handler made of the cut body) and the connection closed.
async fn handle(
    mut app: Router,
    request: Request<Incoming>,
    peer: SocketAddr,
    local: SocketAddr,
    body_timeout: Duration,
) -> Response<axum::body::Body> {
    let timed_out = Arc::new(AtomicBool::new(false));
    let (mut parts, body) = request.into_parts();
    parts.extensions.insert(ConnectInfo(peer));
    parts.extensions.insert(LocalAddr(local));
    let body = axum::body::Body::new(TimedBody::new(body, body_timeout, Arc::clone(&timed_out)));
    // A router is always ready.
    let Ok(response) = app.call(Request::from_parts(parts, body)).await;
    if !timed_out.load(Ordering::Acquire) {
        return response;
    }
    let mut response = ApiError::new(
        ErrorCode::RequestTimeout,
        format!(
            "the request body did not arrive within {} s",
            body_timeout.as_secs_f32()
        ),
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
