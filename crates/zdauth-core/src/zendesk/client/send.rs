//! Sending a request to Zendesk and reading its answer: 429 and 5xx retried a bounded number
//! of times, the body read up to a bound, every failure status turned into a [`ZendeskError`]
//! whose text holds nothing the request sent.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use super::{ATTEMPTS, ZendeskClient};
use crate::zendesk::ZendeskError;
use crate::zendesk::redact::Sent;
use crate::zendesk::wire::OAuthErrorBody;

const MAX_BODY: usize = 256 * 1024;
/// A Retry-After longer than this is not waited out: the user is told to come back.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

impl ZendeskClient {
    pub(super) async fn send<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        sent: &Sent<'_>,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<T, ZendeskError> {
        let body = self
            .send_raw(endpoint, Retry::RateLimitAndServerErrors, sent, build)
            .await?;
        parse(endpoint, &body)
    }

    /// Sends, retrying 429 (after Retry-After, bounded) and 5xx; returns a 2xx body.
    pub(super) async fn send_raw(
        &self,
        endpoint: &'static str,
        retry: Retry,
        sent: &Sent<'_>,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Vec<u8>, ZendeskError> {
        let mut pause = self.timeouts.backoff;
        let mut attempt = 1;
        loop {
            let result = match build().send().await {
                Ok(response) => self.read(endpoint, response, sent).await,
                Err(e) => Err(self.transport_error(endpoint, &e, sent)),
            };
            let wait = match &result {
                Err(ZendeskError::RateLimited { retry_after, .. }) => match retry_after {
                    Some(s) if Duration::from_secs(*s) > MAX_RETRY_AFTER => None,
                    Some(s) => Some(Duration::from_secs(*s)),
                    None => Some(pause),
                },
                Err(ZendeskError::Http { status, .. })
                    if *status >= 500 && retry == Retry::RateLimitAndServerErrors =>
                {
                    Some(pause)
                }
                _ => None,
            };
            match wait {
                Some(wait) if attempt < ATTEMPTS => {
                    tracing::info!(endpoint, attempt, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                    pause *= 2;
                    attempt += 1;
                }
                _ => return result,
            }
        }
    }

    async fn read(
        &self,
        endpoint: &'static str,
        response: Response,
        sent: &Sent<'_>,
    ) -> Result<Vec<u8>, ZendeskError> {
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = read_bounded(endpoint, response, self.timeouts.total).await?;
        tracing::debug!(endpoint, status = status.as_u16(), "answer");
        if status.is_success() {
            return Ok(body);
        }
        let status_code = status.as_u16();
        if status.is_redirection() {
            return Err(ZendeskError::Redirected {
                endpoint,
                status: status_code,
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(ZendeskError::RateLimited {
                endpoint,
                retry_after,
            });
        }
        let oauth: Option<OAuthErrorBody> = serde_json::from_slice(&body).ok();
        match oauth {
            Some(body)
                if status_code == 400 || (status_code == 401 && body.error != "invalid_token") =>
            {
                Err(ZendeskError::OAuth {
                    endpoint,
                    status: status_code,
                    error: sent.clean(&body.error),
                    description: body.error_description.as_deref().map(|d| sent.clean(d)),
                })
            }
            _ if status_code == 401 => Err(ZendeskError::TokenRejected { endpoint }),
            other => Err(ZendeskError::Http {
                endpoint,
                status: status_code,
                description: other
                    .and_then(|b| b.error_description)
                    .as_deref()
                    .map(|d| sent.clean(d)),
            }),
        }
    }

    fn transport_error(
        &self,
        endpoint: &'static str,
        e: &reqwest::Error,
        sent: &Sent<'_>,
    ) -> ZendeskError {
        if e.is_timeout() {
            return ZendeskError::TimedOut {
                endpoint,
                after: self.timeouts.total,
            };
        }
        // reqwest's Display names the URL, which never carries a secret here (secrets travel
        // in bodies and headers); the source chain says what actually failed.
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            reason = format!("{reason}: {inner}");
            source = inner.source();
        }
        ZendeskError::Network {
            endpoint,
            reason: sent.clean(&reason),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Retry {
    RateLimitOnly,
    RateLimitAndServerErrors,
}

fn parse<T: DeserializeOwned>(endpoint: &'static str, body: &[u8]) -> Result<T, ZendeskError> {
    serde_json::from_slice(body).map_err(|e| ZendeskError::Malformed {
        endpoint,
        reason: format!("not the JSON expected: {}", e.classify_name()),
    })
}

fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

async fn read_bounded(
    endpoint: &'static str,
    mut response: Response,
    total: Duration,
) -> Result<Vec<u8>, ZendeskError> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(ZendeskError::Malformed {
                        endpoint,
                        reason: format!("the answer is larger than {} KiB", MAX_BODY / 1024),
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => {
                return Err(ZendeskError::TimedOut {
                    endpoint,
                    after: total,
                });
            }
            Err(_) => {
                return Err(ZendeskError::Malformed {
                    endpoint,
                    reason: "the connection broke in the middle of the answer".into(),
                });
            }
        }
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    /// `serde_json` may quote the offending value, which could be a token.
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "missing or unexpected fields",
            serde_json::error::Category::Eof => "cut short",
        }
    }
}
