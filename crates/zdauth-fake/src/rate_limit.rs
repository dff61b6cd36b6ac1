//! Zendesk's account-wide API rate limit: so many requests a minute, told in `X-Rate-Limit`
//! and `X-Rate-Limit-Remaining` on every API answer; past it, 429 with `Retry-After` seconds
//! and Zendesk's plain-text body. The fake is one account, so one window covers all its
//! `/api/` routes, whatever the token.

use std::time::{Duration, Instant};

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const WINDOW: Duration = Duration::from_secs(60);
/// What Zendesk sends with a 429 (text/plain, as seen in answers it gave).
pub(crate) const TOO_MANY_BODY: &str = "Number of allowed API requests per minute exceeded";

/// The current minute: when it started (at its first request) and how many it has let in.
#[derive(Default)]
pub(crate) struct RateWindow {
    started: Option<Instant>,
    used: u32,
}

/// What the limiter said about one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// No limit (a test switched it off): no headers either.
    Unlimited,
    Allowed {
        limit: u32,
        remaining: u32,
    },
    Limited {
        limit: u32,
        retry_after: u64,
    },
}

impl RateWindow {
    pub(crate) fn admit(&mut self, limit: Option<u32>, now: Instant) -> Verdict {
        let Some(limit) = limit else {
            return Verdict::Unlimited;
        };
        let started = match self.started {
            Some(started) if now.duration_since(started) < WINDOW => started,
            _ => {
                self.used = 0;
                *self.started.insert(now)
            }
        };
        if self.used < limit {
            self.used += 1;
            return Verdict::Allowed {
                limit,
                remaining: limit - self.used,
            };
        }
        let left = WINDOW.saturating_sub(now.duration_since(started));
        let retry_after = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        Verdict::Limited {
            limit,
            retry_after: retry_after.max(1),
        }
    }

    /// A new window from the next request on (a test changed the limit).
    #[cfg(feature = "testing")]
    pub(crate) fn reset(&mut self) {
        *self = Self::default();
    }
}

const LIMIT: HeaderName = HeaderName::from_static("x-rate-limit");
const REMAINING: HeaderName = HeaderName::from_static("x-rate-limit-remaining");

/// The 429 answer; `Retry-After` is left out when `sends_retry_after` is false.
pub(crate) fn too_many(verdict: Verdict, sends_retry_after: bool) -> Response {
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        TOO_MANY_BODY,
    )
        .into_response();
    if let Verdict::Limited { retry_after, .. } = verdict
        && sends_retry_after
    {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    response
}

/// Puts the limit headers on any API answer, a fault's included.
pub(crate) fn stamp(response: &mut Response, verdict: Verdict) {
    let (limit, remaining) = match verdict {
        Verdict::Unlimited => return,
        Verdict::Allowed { limit, remaining } => (limit, remaining),
        Verdict::Limited { limit, .. } => (limit, 0),
    };
    let headers = response.headers_mut();
    headers.insert(LIMIT, HeaderValue::from(limit));
    headers.insert(REMAINING, HeaderValue::from(remaining));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_lets_the_limit_in_then_says_when_it_ends() {
        let mut window = RateWindow::default();
        let start = Instant::now();
        assert_eq!(
            window.admit(Some(2), start),
            Verdict::Allowed {
                limit: 2,
                remaining: 1
            }
        );
        assert_eq!(
            window.admit(Some(2), start),
            Verdict::Allowed {
                limit: 2,
                remaining: 0
            }
        );
        let later = start + Duration::from_millis(20_500);
        assert_eq!(
            window.admit(Some(2), later),
            Verdict::Limited {
                limit: 2,
                retry_after: 40
            }
        );
        let next_minute = start + WINDOW;
        assert_eq!(
            window.admit(Some(2), next_minute),
            Verdict::Allowed {
                limit: 2,
                remaining: 1
            }
        );
        assert_eq!(window.admit(None, next_minute), Verdict::Unlimited);
    }
}
