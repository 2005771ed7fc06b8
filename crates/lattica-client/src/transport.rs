//! Sending one call: the HTTP request, the per-attempt timeout, and the retry loop with capped
//! exponential backoff, full jitter, `Retry-After` and an overall time budget.

use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use serde_json::value::RawValue;

use crate::config::{ClientConfig, RetryPolicy};
use crate::envelope::{self, Body, Params};
use crate::error::ClientError;
use crate::token::SessionToken;

/// Largest answer read; the platform's answers are a few kilobytes.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// An attempt with less time than this left in the budget is not started: it could only end
/// in a timeout that hides the real error of the previous attempt.
const MIN_ATTEMPT_WINDOW: Duration = Duration::from_millis(100);
/// Longest `Retry-After` taken literally; the budget bounds it further.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// What may be retried after the request may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// Reads, and money-moving calls carrying an idempotency key: repeating them cannot do
    /// anything twice.
    Idempotent,
    /// Calls that change something without a key (start a worker…): retried only when the
    /// connection failed before anything was sent.
    Unsafe,
}

/// The HTTP side of a client: shared by every clone of a `LatticaClient`.
pub(crate) struct Transport {
    http: reqwest::Client,
    config: ClientConfig,
    token: SessionToken,
    authorization: HeaderValue,
}

/// One failed attempt.
struct Failure {
    /// HTTP status, when an answer arrived.
    status: Option<u16>,
    error: ClientError,
    retry_after: Option<Duration>,
    /// False when the connection failed before the request left: always safe to repeat.
    maybe_sent: bool,
}

impl Transport {
    pub(crate) fn new(config: ClientConfig, token: SessionToken) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout())
            // A POST API never redirects; following one could carry the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(format!(
                "{}/{}",
                config.client_info().module,
                config.client_info().version
            ));
        if config.is_loopback() {
            // A system proxy must not see (or break) traffic to the local sandbox.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::InvalidConfig(describe(e)))?;
        Self::with_http(http, config, token)
    }

    /// A transport for another token reusing `http` (and its connection pool).
    pub(crate) fn with_http(
        http: reqwest::Client,
        config: ClientConfig,
        token: SessionToken,
    ) -> Result<Self, ClientError> {
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| {
                ClientError::InvalidConfig("the token cannot be sent in a header".into())
            })?;
        // Keeps the value out of hyper's and reqwest's debug output.
        authorization.set_sensitive(true);
        Ok(Self {
            http,
            config,
            token,
            authorization,
        })
    }

    pub(crate) fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Removes the token from an error's text, whatever produced it.
    pub(crate) fn scrub(&self, error: ClientError) -> ClientError {
        error.scrubbed(self.token.expose_secret())
    }

    /// Sends `endpoint` with `params`, retrying as `kind` and the policy allow; returns the
    /// raw `result` of the answer.
    pub(crate) async fn call(
        &self,
        endpoint: &'static str,
        params: &Params,
        kind: CallKind,
    ) -> Result<Box<RawValue>, ClientError> {
        let body = serde_json::to_vec(&Body {
            params,
            client_info: self.config.client_info(),
        })
        .map_err(|e| ClientError::Malformed(format!("cannot encode the request: {e}")))?;
        let url =
            self.config.base_url().join(endpoint).map_err(|e| {
                ClientError::InvalidConfig(format!("bad endpoint `{endpoint}`: {e}"))
            })?;
        let policy = self.config.retry_policy();
        let started = Instant::now();
        let deadline = started.checked_add(policy.budget);
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let mut timeout = self.config.request_timeout();
            if let Some(deadline) = deadline {
                timeout = timeout.min(deadline.saturating_duration_since(Instant::now()));
            }
            let attempt_started = Instant::now();
            let outcome = self.attempt(url.clone(), body.clone(), timeout).await;
            let status = match &outcome {
                Ok((status, _)) => Some(*status),
                Err(failure) => failure.status,
            };
            tracing::debug!(
                endpoint,
                attempt,
                status,
                elapsed_ms = millis(attempt_started.elapsed()),
                total_ms = millis(started.elapsed()),
                "platform call"
            );
            let failure = match outcome {
                Ok((_, result)) => return Ok(result),
                Err(failure) => failure,
            };
            let error = self.scrub(failure.error);
            let may_retry = error.is_retryable()
                && (kind == CallKind::Idempotent || !failure.maybe_sent)
                && attempt < policy.max_attempts;
            if !may_retry {
                return Err(error);
            }
            let delay = failure
                .retry_after
                .unwrap_or_else(|| jittered(backoff_ceiling(&policy, attempt)));
            if let Some(deadline) = deadline {
                let next_start = Instant::now().checked_add(delay);
                let fits = next_start
                    .and_then(|at| at.checked_add(MIN_ATTEMPT_WINDOW))
                    .is_some_and(|end| end <= deadline);
                if !fits {
                    tracing::debug!(endpoint, attempt, "retry budget exhausted");
                    return Err(error);
                }
            }
            tracing::debug!(endpoint, attempt, delay_ms = millis(delay), %error, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(
        &self,
        url: url::Url,
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<(u16, Box<RawValue>), Failure> {
        let exchange = async {
            let response = self
                .http
                .post(url)
                .header(AUTHORIZATION, self.authorization.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .map_err(transport_failure)?;
            let status = response.status().as_u16();
            let retry_after = retry_after(response.headers());
            let bytes = read_body(response).await.map_err(|mut failure| {
                failure.status = Some(status);
                failure
            })?;
            match envelope::decode(status, &bytes) {
                Ok(result) => Ok((status, result)),
                Err(error) => Err(Failure {
                    status: Some(status),
                    error,
                    retry_after,
                    maybe_sent: true,
                }),
            }
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(outcome) => outcome,
            Err(_elapsed) => Err(Failure {
                status: None,
                error: ClientError::Timeout,
                retry_after: None,
                maybe_sent: true,
            }),
        }
    }
}

async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_failure)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(Failure {
                status: None,
                error: ClientError::Malformed(format!(
                    "the answer is larger than {} MiB",
                    MAX_BODY_BYTES / (1024 * 1024)
                )),
                retry_after: None,
                maybe_sent: true,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn transport_failure(error: reqwest::Error) -> Failure {
    let maybe_sent = !error.is_connect();
    let error = if error.is_timeout() {
        ClientError::Timeout
    } else {
        ClientError::Network(describe(error))
    };
    Failure {
        status: None,
        error,
        retry_after: None,
        maybe_sent,
    }
}

/// A reqwest error as one line: its own message without the URL, then its causes
/// ("error sending request: client error (Connect): tcp connect error: Connection refused").
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// `Retry-After` in seconds (the HTTP-date form is not used by the platform).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
}

/// Upper bound of the wait after failed attempt `attempt` (1-based): `base · 2^(attempt-1)`,
/// capped at `max_delay`.
pub(crate) fn backoff_ceiling(policy: &RetryPolicy, attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(31);
    policy
        .base_delay
        .saturating_mul(1u32 << doublings)
        .min(policy.max_delay)
}

/// Full jitter: uniformly anywhere in `[0, ceiling]`, so that clients that failed together do
/// not retry together.
pub(crate) fn jittered(ceiling: Duration) -> Duration {
    let micros = u64::try_from(ceiling.as_micros()).unwrap_or(u64::MAX);
    Duration::from_micros(rand::thread_rng().gen_range(0..=micros))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(base_ms: u64, max_ms: u64) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(base_ms),
            max_delay: Duration::from_millis(max_ms),
            budget: Duration::from_secs(60),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = policy(100, 1000);
        let ceilings: Vec<u64> = (1..=6).map(|n| millis(backoff_ceiling(&p, n))).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff_ceiling(&p, u32::MAX), Duration::from_millis(1000));
        assert_eq!(backoff_ceiling(&p, 0), Duration::from_millis(100));
        let huge = RetryPolicy {
            max_delay: Duration::MAX,
            ..policy(u64::MAX / 2, 0)
        };
        assert_eq!(backoff_ceiling(&huge, 40), Duration::MAX);
    }

    #[test]
    fn jitter_stays_within_the_ceiling_and_spreads() {
        let ceiling = Duration::from_millis(500);
        let samples: Vec<Duration> = (0..200).map(|_| jittered(ceiling)).collect();
        assert!(samples.iter().all(|d| *d <= ceiling));
        let low = samples.iter().filter(|d| **d < ceiling / 2).count();
        assert!((20..=180).contains(&low), "{low} of 200 below the middle");
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
        assert!(jittered(Duration::MAX) <= Duration::MAX);
    }

    #[test]
    fn retry_after_in_seconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static(" 3 "));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("99999999"));
        assert_eq!(retry_after(&headers), Some(MAX_RETRY_AFTER));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&headers), None);
    }
}
