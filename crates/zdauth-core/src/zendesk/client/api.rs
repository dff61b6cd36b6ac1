//! One request of `zdauth api`, sent as given and read up to a bound. Every status is an
//! answer here; what to retry and what to hand on is the caller's choice.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, Response};
use url::Url;

use super::ZendeskClient;
use crate::api::ApiError;
use crate::secret::Secret;
use crate::zendesk::redact::Sent;

/// An HTTP answer, of any status.
pub(crate) struct RawAnswer {
    pub status: u16,
    /// `Retry-After` in seconds, when it is a number.
    pub retry_after: Option<u64>,
    pub body: Vec<u8>,
}

/// One request's parts; the body is cloned into each try.
pub(crate) struct Outgoing<'a> {
    pub method: &'a Method,
    pub url: &'a Url,
    pub headers: &'a HeaderMap,
    pub body: Option<&'a [u8]>,
}

impl ZendeskClient {
    /// Sends `request` with `token` as its bearer and reads the answer, at most `limit`
    /// bytes of it. No redirect is followed (the client has none), so the bearer header
    /// only ever reaches `request.url`, which the caller checked.
    pub(crate) async fn api_once(
        &self,
        request: &Outgoing<'_>,
        token: &Secret,
        limit: usize,
    ) -> Result<RawAnswer, ApiError> {
        let sent = Sent::of([token.expose()]);
        let http = self.http().map_err(|e| ApiError::Network {
            reason: sent.clean(&e.to_string()),
        })?;
        let mut bearer =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                ApiError::Network {
                    reason: "the stored access token cannot be sent in a header".into(),
                }
            })?;
        bearer.set_sensitive(true);
        let mut builder = http
            .request(request.method.clone(), request.url.clone())
            .headers(request.headers.clone())
            .header(AUTHORIZATION, bearer);
        if let Some(body) = request.body {
            builder = builder.body(body.to_vec());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| self.api_transport_error(e, &sent))?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body = read_bounded(response, limit, self.timeouts.total).await?;
        tracing::debug!(status, bytes = body.len(), "api answer");
        Ok(RawAnswer {
            status,
            retry_after,
            body,
        })
    }

    fn api_transport_error(&self, e: reqwest::Error, sent: &Sent<'_>) -> ApiError {
        if e.is_timeout() {
            return ApiError::TimedOut {
                seconds: self.timeouts.total.as_secs(),
            };
        }
        // Without reqwest's "for url (…)": the URL may be a next page the server chose.
        let e = e.without_url();
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(inner) = source {
            reason = format!("{reason}: {inner}");
            source = inner.source();
        }
        ApiError::Network {
            reason: sent.clean(&reason),
        }
    }
}

fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

/// Chunk by chunk, so an answer past `limit` is dropped at `limit`, never held whole.
async fn read_bounded(
    mut response: Response,
    limit: usize,
    total: Duration,
) -> Result<Vec<u8>, ApiError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(ApiError::TooLarge);
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => {
                return Err(ApiError::TimedOut {
                    seconds: total.as_secs(),
                });
            }
            Err(_) => return Err(ApiError::CutShort),
        }
    }
}
