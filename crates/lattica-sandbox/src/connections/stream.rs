//! A connection's socket as hyper sees it, with the connection's timers, its shedding, and
//! the envelope for the answers hyper makes itself.
//!
//! [`ConnState`] says what the connection is doing: waiting for a request, receiving a head,
//! busy with requests (set by the service), or handing an answer to the client (from the end
//! of its body until hyper flushed it). Only while it waits for or receives a head does hyper
//! write anything of its own, and then only its answer to a request it could not parse: that
//! answer is replaced with the same status in the JSON envelope. A head that times out is
//! answered `408` likewise. Each such answer is followed by a lingering close (the rest of the
//! request is read and dropped for a moment), so the client reads the answer instead of a
//! reset.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::http::StatusCode;
use futures::task::AtomicWaker;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use crate::api::envelope::{ApiError, ErrorCode};
use crate::config::ConnectionLimits;

/// How long, and how many bytes at most, the rest of a refused request is read and dropped
/// before the connection closes.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 1 << 20;

/// What a connection is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Accepted; nothing received yet.
    Fresh { since: Instant },
    /// Answered everything; waiting for the next request.
    Idle { since: Instant },
    /// Receiving a request head, timed from `since` (the first byte, or a fresh connection's
    /// accept).
    Head { since: Instant },
    /// Requests are being handled or their answers produced.
    Busy { requests: usize },
    /// The last answer is produced; hyper is handing it to the client.
    Draining { since: Instant },
}

/// What ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    /// Nothing of a request came: close quietly.
    Quiet,
    /// A head was still arriving: answer `408`.
    Head,
    /// The client did not take its answer: give up.
    Draining,
}

/// What a connection is doing, shared by its stream and its service.
#[derive(Debug)]
pub struct ConnState {
    phase: Mutex<Phase>,
    shed: AtomicBool,
    waker: AtomicWaker,
}

impl ConnState {
    /// A connection accepted now.
    pub fn new() -> Self {
        Self {
            phase: Mutex::new(Phase::Fresh {
                since: Instant::now(),
            }),
            shed: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        }
    }

    fn phase(&self) -> MutexGuard<'_, Phase> {
        // Every change writes a whole, valid phase: nothing is half-done after a panic.
        self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A request was handed to the service; the connection is busy until the returned guard
    /// (kept with the answer's body) is dropped.
    pub fn begin_request(this: &Arc<Self>) -> Busy {
        let mut phase = this.phase();
        *phase = match *phase {
            Phase::Busy { requests } => Phase::Busy {
                requests: requests + 1,
            },
            _ => Phase::Busy { requests: 1 },
        };
        Busy(Arc::clone(this))
    }

    fn received(&self) {
        let mut phase = self.phase();
        *phase = match *phase {
            Phase::Fresh { since } => Phase::Head { since },
            Phase::Idle { .. } => Phase::Head {
                since: Instant::now(),
            },
            other => other,
        };
    }

    fn flushed(&self) {
        let mut phase = self.phase();
        if let Phase::Draining { .. } = *phase {
            *phase = Phase::Idle {
                since: Instant::now(),
            };
        }
    }

    /// Whether the connection waits for a request and has received nothing of it.
    fn is_idle(&self) -> bool {
        matches!(*self.phase(), Phase::Fresh { .. } | Phase::Idle { .. })
    }

    /// Whether hyper is waiting for a request head (so anything it writes is its own answer).
    fn awaits_head(&self) -> bool {
        matches!(
            *self.phase(),
            Phase::Fresh { .. } | Phase::Idle { .. } | Phase::Head { .. }
        )
    }

    fn deadline(&self, limits: &ConnectionLimits) -> Option<(Instant, Expiry)> {
        match *self.phase() {
            Phase::Fresh { since } => Some((since + limits.header_timeout, Expiry::Quiet)),
            Phase::Idle { since } => Some((since + limits.idle_timeout, Expiry::Quiet)),
            Phase::Head { since } => Some((since + limits.header_timeout, Expiry::Head)),
            Phase::Draining { since } => Some((since + limits.idle_timeout, Expiry::Draining)),
            Phase::Busy { .. } => None,
        }
    }

    /// Asks the connection to close if it is idle (and stays so until it notices).
    pub fn shed(&self) {
        if self.is_idle() {
            self.shed.store(true, Ordering::Release);
            self.waker.wake();
        }
    }
}

/// Keeps its connection busy while it lives.
#[derive(Debug)]
pub struct Busy(Arc<ConnState>);

impl Drop for Busy {
    fn drop(&mut self) {
        let mut phase = self.0.phase();
        *phase = match *phase {
            Phase::Busy { requests } if requests > 1 => Phase::Busy {
                requests: requests - 1,
            },
            _ => Phase::Draining {
                since: Instant::now(),
            },
        };
    }
}

/// An answer this stream writes itself, then closes after a linger.
#[derive(Debug)]
struct Reply {
    bytes: Vec<u8>,
    written: usize,
    stage: Stage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Writing,
    ShuttingDown,
    Lingering { read: usize },
    Done,
}

impl Reply {
    /// `error` as a complete HTTP/1.1 answer that closes the connection.
    fn new(error: &ApiError) -> Self {
        let body = error.body_text();
        let head = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n",
            error.status.as_u16(),
            error.status.canonical_reason().unwrap_or_default(),
            body.len()
        );
        Self {
            bytes: [head.into_bytes(), body.into_bytes()].concat(),
            written: 0,
            stage: Stage::Writing,
        }
    }
}

/// The envelope for hyper's own answer whose first bytes are `written`, if it is one.
fn envelope_for(written: &[u8]) -> Option<ApiError> {
    let status = written
        .strip_prefix(b"HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| std::str::from_utf8(code).ok())
        .and_then(|code| code.parse::<u16>().ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .filter(|status| status.is_client_error() || status.is_server_error())?;
    let mut error = if status == StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE {
        ApiError::new(
            ErrorCode::HeadersTooLarge,
            "the request head is too large (at most 64 KiB and 100 headers)",
        )
    } else {
        ApiError::new(ErrorCode::MalformedRequest, "the request is not valid HTTP")
    };
    error.status = status;
    Some(error)
}

/// A connection's socket with its timers (see the module docs).
#[derive(Debug)]
pub struct Guarded {
    inner: TcpStream,
    state: Arc<ConnState>,
    limits: ConnectionLimits,
    timer: Option<(Instant, Pin<Box<Sleep>>)>,
    /// An answer of this stream's own; while it is given (and after), what hyper writes goes
    /// nowhere.
    reply: Option<Reply>,
}

impl Guarded {
    /// Wraps an accepted socket.
    pub fn new(inner: TcpStream, state: Arc<ConnState>, limits: ConnectionLimits) -> Self {
        Self {
            inner,
            state,
            limits,
            timer: None,
            reply: None,
        }
    }

    /// Whether `deadline` has passed, registering for a wake-up at it otherwise.
    fn elapsed(&mut self, deadline: Instant, cx: &mut Context<'_>) -> bool {
        match &mut self.timer {
            Some((armed, _)) if *armed == deadline => {}
            Some((armed, sleep)) => {
                sleep.as_mut().reset(deadline);
                *armed = deadline;
            }
            None => self.timer = Some((deadline, Box::pin(tokio::time::sleep_until(deadline)))),
        }
        self.timer
            .as_mut()
            .is_some_and(|(_, sleep)| sleep.as_mut().poll(cx).is_ready())
    }

    /// What ran out for the connection's current phase, if anything.
    fn expired(&mut self, cx: &mut Context<'_>) -> Option<Expiry> {
        let (deadline, expiry) = self.state.deadline(&self.limits)?;
        self.elapsed(deadline, cx).then_some(expiry)
    }

    /// Writes the reply, half-closes, and lingers; `Ready` once the connection can close.
    fn poll_reply(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let Some(reply) = &mut self.reply else {
                return Poll::Ready(Ok(()));
            };
            match reply.stage {
                Stage::Writing => {
                    while reply.written < reply.bytes.len() {
                        let rest = &reply.bytes[reply.written..];
                        let n = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
                        if n == 0 {
                            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                        }
                        reply.written += n;
                    }
                    reply.stage = Stage::ShuttingDown;
                }
                Stage::ShuttingDown => {
                    ready!(Pin::new(&mut self.inner).poll_shutdown(cx))?;
                    reply.stage = Stage::Lingering { read: 0 };
                    let until = Instant::now() + LINGER;
                    self.timer = Some((until, Box::pin(tokio::time::sleep_until(until))));
                }
                Stage::Lingering { read } => {
                    let mut scratch = [0_u8; 4096];
                    let mut buf = ReadBuf::new(&mut scratch);
                    reply.stage = match Pin::new(&mut self.inner).poll_read(cx, &mut buf) {
                        Poll::Ready(Ok(())) if buf.filled().is_empty() => Stage::Done,
                        Poll::Ready(Ok(())) if read + buf.filled().len() > LINGER_BYTES => {
                            Stage::Done
                        }
                        Poll::Ready(Ok(())) => Stage::Lingering {
                            read: read + buf.filled().len(),
                        },
                        Poll::Ready(Err(_)) => Stage::Done,
                        Poll::Pending => {
                            let done = self
                                .timer
                                .as_mut()
                                .is_none_or(|(_, sleep)| sleep.as_mut().poll(cx).is_ready());
                            if !done {
                                return Poll::Pending;
                            }
                            Stage::Done
                        }
                    };
                }
                Stage::Done => return Poll::Ready(Ok(())),
            }
        }
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, what.to_owned())
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.reply.is_some() {
            ready!(this.poll_reply(cx))?;
            return Poll::Ready(Err(timed_out("the answer was given; closing")));
        }
        this.state.waker.register(cx.waker());
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.state.received();
                }
                return Poll::Ready(Ok(()));
            }
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Pending => {}
        }
        if this.state.shed.swap(false, Ordering::AcqRel) && this.state.is_idle() {
            // The end of the stream: hyper closes an idle connection without a word.
            return Poll::Ready(Ok(()));
        }
        match this.expired(cx) {
            None => Poll::Pending,
            Some(Expiry::Quiet) => Poll::Ready(Ok(())),
            Some(Expiry::Draining) => Poll::Ready(Err(timed_out("the client took no answer"))),
            Some(Expiry::Head) => {
                let error = ApiError::new(
                    ErrorCode::RequestTimeout,
                    format!(
                        "the request head did not arrive within {:?}",
                        this.limits.header_timeout
                    ),
                );
                this.reply = Some(Reply::new(&error));
                ready!(this.poll_reply(cx))?;
                Poll::Ready(Err(timed_out("the request head timed out")))
            }
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.reply.is_none() && this.state.awaits_head() {
            this.reply = envelope_for(buf).map(|error| Reply::new(&error));
        }
        if this.reply.is_some() {
            ready!(this.poll_reply(cx))?;
            return Poll::Ready(Ok(buf.len()));
        }
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Pending if this.expired(cx) == Some(Expiry::Draining) => {
                Poll::Ready(Err(timed_out("the client took no answer")))
            }
            other => other,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.reply.is_some() {
            return this.poll_reply(cx);
        }
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Ready(Ok(())) => {
                this.state.flushed();
                Poll::Ready(Ok(()))
            }
            Poll::Pending if this.expired(cx) == Some(Expiry::Draining) => {
                Poll::Ready(Err(timed_out("the client took no answer")))
            }
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.reply.is_some() {
            return this.poll_reply(cx);
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_own_answers_are_recognised() {
        let too_large = envelope_for(b"HTTP/1.1 431 Request Header Fields Too Large\r\n").unwrap();
        assert_eq!(too_large.code, ErrorCode::HeadersTooLarge);
        assert_eq!(
            too_large.status,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        );
        let bad = envelope_for(b"HTTP/1.1 400 Bad Request\r\n").unwrap();
        assert_eq!(bad.code, ErrorCode::MalformedRequest);
        let long = envelope_for(b"HTTP/1.1 414 URI Too Long\r\n").unwrap();
        assert_eq!(long.status, StatusCode::URI_TOO_LONG);
        assert!(envelope_for(b"HTTP/1.1 200 OK\r\n").is_none());
        assert!(envelope_for(b"{\"result\": 1}").is_none());
        assert!(envelope_for(b"HTTP/1.1 4").is_none());
    }

    #[test]
    fn a_reply_is_a_whole_answer_in_the_envelope() {
        let reply = Reply::new(&ApiError::new(ErrorCode::RequestTimeout, "late"));
        let text = String::from_utf8(reply.bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{head}"
        );
        assert!(head.contains("connection: close"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error_code"], "REQUEST_TIMEOUT");
    }

    #[tokio::test]
    async fn phases_move_with_requests_and_flushes() {
        let limits = ConnectionLimits::default();
        let state = Arc::new(ConnState::new());
        let (_, expiry) = state.deadline(&limits).unwrap();
        assert_eq!(expiry, Expiry::Quiet, "fresh");
        assert!(state.is_idle());
        state.received();
        assert_eq!(state.deadline(&limits).unwrap().1, Expiry::Head);
        assert!(!state.is_idle() && state.awaits_head());
        let busy = ConnState::begin_request(&state);
        assert_eq!(state.deadline(&limits), None, "a handler has no timeout");
        state.flushed();
        assert_eq!(
            state.deadline(&limits),
            None,
            "a flush mid-answer changes nothing"
        );
        drop(busy);
        assert_eq!(state.deadline(&limits).unwrap().1, Expiry::Draining);
        assert!(!state.awaits_head());
        state.flushed();
        assert!(state.is_idle());
        state.shed();
        assert!(state.shed.load(Ordering::Acquire));
    }
}
