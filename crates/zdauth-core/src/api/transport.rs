//! One page's request: a fresh token from the refresh transaction (a 401 re-reads, refreshes
//! once and retries once), a throttle slot while on the wire, 429 waited out within bounds for
//! every method, 5xx tried again for GET and HEAD only.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::{ApiCaller, ApiError, MAX_BODY};
use crate::config::Connection;
use crate::error::Error;
use crate::manage::API_CALL_MARGIN;
use crate::secret::Secret;
use crate::zendesk::{self, Outgoing, RawAnswer, ZendeskError};

/// Tries of one request that Zendesk answers 429.
const RATE_LIMIT_TRIES: u32 = 4;
/// A Retry-After longer than this is not waited out: the user is told when to come back.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Tries after the first for a GET or HEAD that Zendesk answers 5xx.
const SERVER_ERROR_RETRIES: u32 = 2;

/// What is sent for every page of a walk; only the URL changes. The body is borrowed: it is
/// copied only into a request on the wire, so a fan-out holds at most `jobs` copies at once.
pub(super) struct Prepared<'a> {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Option<&'a [u8]>,
}

/// An answer as handed on: its status and its body, scrubbed of the token sent.
pub(super) struct Answer {
    pub status: u16,
    pub body: Value,
    /// Whether the access token sent was found in the answer and replaced.
    pub redacted: bool,
}

/// Why a request ended without an answer to hand on.
enum Halt {
    Failed(ApiError),
    /// Cancelled before it was sent (or sent again).
    Cancelled,
}

impl ApiCaller {
    /// The answer at `url`, or `None` when cancelled before it was sent. The refresh
    /// transaction inside is never cut short: cancellation is only looked at where no
    /// refresh is running (see `with_retries`).
    pub(super) async fn fetch(
        &self,
        connection: &Connection,
        prepared: &Prepared<'_>,
        url: &Url,
        cancel: &CancellationToken,
    ) -> Result<Option<Answer>, Error> {
        let outgoing = Outgoing {
            method: &prepared.method,
            url,
            headers: &prepared.headers,
            body: prepared.body,
        };
        let outgoing = &outgoing;
        let answer = self
            .refresher
            .call_with_fresh_token(connection, API_CALL_MARGIN, |token| async move {
                match self
                    .with_retries(connection, outgoing, &token, cancel)
                    .await
                {
                    Ok(raw) if raw.status == 401 => Err(ZendeskError::TokenRejected {
                        endpoint: "the API",
                    }),
                    Ok(raw) => {
                        let (body, redacted) = zendesk::api_body(&raw.body, &token);
                        Ok(Ok(Answer {
                            status: raw.status,
                            body,
                            redacted,
                        }))
                    }
                    Err(halt) => Ok(Err(halt)),
                }
            })
            .await?;
        match answer {
            Ok(answer) => Ok(Some(answer)),
            Err(Halt::Cancelled) => Ok(None),
            Err(Halt::Failed(error)) => Err(Error::Api {
                name: connection.name.clone(),
                error,
            }),
        }
    }

    async fn with_retries(
        &self,
        connection: &Connection,
        outgoing: &Outgoing<'_>,
        token: &Secret,
        cancel: &CancellationToken,
    ) -> Result<RawAnswer, Halt> {
        let client = self.refresher.client();
        let idempotent = *outgoing.method == Method::GET || *outgoing.method == Method::HEAD;
        // The client's backoff (0.5 s) for a 5xx; twice that (1, 2, 4 s) for a 429 without
        // Retry-After, which means the account's budget is spent, not a passing fault.
        let mut server_pause = client.timeouts().backoff;
        let mut rate_pause = server_pause * 2;
        let (mut limited, mut failed) = (0, 0);
        loop {
            let answer = {
                let _slot = tokio::select! {
                    biased;
                    () = cancel.cancelled() => return Err(Halt::Cancelled),
                    slot = self.throttle.slot(&connection.subdomain) => slot,
                };
                // Once sent, a request is read to its end: a POST cut off mid-flight would
                // leave the user not knowing whether it was done.
                client
                    .api_once(outgoing, token, MAX_BODY)
                    .await
                    .map_err(Halt::Failed)?
            };
            let wait = if answer.status == 429 {
                limited += 1;
                let wait = answer.retry_after.map_or(rate_pause, Duration::from_secs);
                if limited >= RATE_LIMIT_TRIES || wait > MAX_RETRY_AFTER {
                    return Err(Halt::Failed(ApiError::RateLimited {
                        retry_after: wait.as_secs().max(1),
                    }));
                }
                rate_pause *= 2;
                // The account's limit, not this request's: every request to it waits.
                self.throttle
                    .hold_off(&connection.subdomain, tokio::time::Instant::now() + wait);
                wait
            } else if answer.status >= 500 && idempotent && failed < SERVER_ERROR_RETRIES {
                failed += 1;
                server_pause *= 2;
                server_pause / 2
            } else {
                return Ok(answer);
            };
            tracing::info!(connection = %connection.name, status = answer.status, ?wait, "retrying");
            // The slot is free while this waits: connections of other accounts may go.
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(Halt::Cancelled),
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}
