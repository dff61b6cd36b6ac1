//! `zdauth api`: requests to a connection's Zendesk REST API on a fresh token from the
//! refresh transaction, one page after another when asked to paginate. The bearer token goes
//! only to the connection's own host; every answer, whatever its status, is handed on as a
//! [`Page`] so the door can print it; only what is not an HTTP answer is an error.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::config::Connection;
use crate::error::{Error, quote};
use crate::refresh::Refresher;
use crate::throttle::Throttle;

mod error;
mod request;
mod target;
mod transport;
mod walk;

pub use error::ApiError;
pub use request::{MAX_PAGES, parse_header};
use transport::Prepared;
use walk::Next;

/// The largest answer body read, and the largest request body sent.
pub const MAX_BODY: usize = 32 << 20;
/// `--max-pages` when not given: 100,000 records at Zendesk's 100 a page.
pub const DEFAULT_MAX_PAGES: u32 = 1000;

/// One request as the user asked it, before it meets a connection.
#[derive(Debug, Clone, Default)]
pub struct ApiRequest {
    /// Upper case, e.g. `GET`; empty: GET, or POST when there is a body.
    pub method: String,
    /// As typed: `/api/v2/…` (below the connection's base), `users/me.json` (below its API
    /// base), or a full URL that must be on the connection's own scheme, host and port.
    pub target: String,
    /// `Name: value` pairs, checked by [`ApiRequest::check`].
    pub headers: Vec<(String, String)>,
    /// A JSON body, at most [`MAX_BODY`].
    pub body: Option<Vec<u8>>,
    pub paginate: bool,
    pub max_pages: u32,
}

impl ApiRequest {
    /// Where the first request goes for `connection`, or a usage error: the token goes only
    /// to the connection's own scheme, host and port. Call it for every connection before
    /// any is sent, so that no target is refused after others were asked.
    pub fn url_for(&self, connection: &Connection) -> Result<Url, Error> {
        target::resolve(connection, self.target.trim()).map_err(|reason| {
            Error::Usage(format!(
                "{}: zdauth api will not send to {}: it {reason}",
                connection.name,
                quote(self.target.trim())
            ))
        })
    }
}

/// One answer of one connection: a line of `zdauth api`'s output.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub connection: String,
    pub subdomain: String,
    pub status: u16,
    /// The answer's JSON; an empty body is null, a body that is not JSON is its text as a JSON
    /// string. The access token sent, wherever it occurs whole (as sent or encoded), is
    /// replaced by `[redacted]`; nothing else is touched.
    pub body: serde_json::Value,
    /// Whether `body` held the access token sent (and so was changed): the door says so.
    pub redacted: bool,
    /// 1 for the first page.
    pub number: u32,
}

/// How one connection's walk ended when every answer it got was handed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The last answer was delivered: the walk's end, or a non-2xx status (also delivered).
    Done,
    /// `max_pages` were delivered and the last one named a next page.
    Truncated { pages: u32 },
    /// The caller cancelled before the walk's end: no request was sent after it did (one
    /// already on the wire was read, and a refresh on the wire was stored).
    Cancelled,
}

/// Calls the API of many connections at once, each request holding a slot of the shared
/// throttle (at most 4 per Zendesk account, `jobs` overall).
#[derive(Clone)]
pub struct ApiCaller {
    refresher: Arc<Refresher>,
    throttle: Throttle,
}

impl ApiCaller {
    pub fn new(refresher: Arc<Refresher>, throttle: Throttle) -> Self {
        Self {
            refresher,
            throttle,
        }
    }

    /// Sends `request` to `connection` and every next page (with `paginate`), handing each
    /// answer to `pages` as it arrives; a full channel holds the walk back, so memory stays
    /// flat however many pages there are. A closed channel ends the walk quietly.
    ///
    /// `cancel` is checked before each page is fetched, while waiting for a throttle slot and
    /// while waiting out a 429: once cancelled, nothing more is sent ([`Outcome::Cancelled`]).
    /// A refresh already on the wire is never abandoned: the transaction runs until the
    /// pair it got is stored, so a rotated refresh token is never lost.
    pub async fn call(
        &self,
        connection: &Connection,
        request: &ApiRequest,
        pages: &mpsc::Sender<Page>,
        cancel: &CancellationToken,
    ) -> Result<Outcome, Error> {
        request.check()?;
        // Every refusal of the user's request comes before any token is read.
        let mut url = request.url_for(connection)?;
        let prepared = Prepared {
            method: request.method()?,
            headers: request.header_map()?,
            body: request.body.as_deref(),
        };
        let stop = |error| Error::Api {
            name: connection.name.clone(),
            error,
        };
        let mut fetched = walk::Fetched::new();
        fetched.first_time(&url);
        let mut number = 1;
        loop {
            if cancel.is_cancelled() {
                return Ok(Outcome::Cancelled);
            }
            let Some(answer) = self.fetch(connection, &prepared, &url, cancel).await? else {
                return Ok(Outcome::Cancelled);
            };
            let next = if request.paginate && (200..300).contains(&answer.status) {
                walk::next_page(&answer.body)
            } else {
                Next::End
            };
            let page = Page {
                connection: connection.name.clone(),
                subdomain: connection.subdomain.clone(),
                status: answer.status,
                body: answer.body,
                redacted: answer.redacted,
                number,
            };
            tokio::select! {
                biased;
                sent = pages.send(page) => if sent.is_err() {
                    return Ok(Outcome::Done);
                },
                () = cancel.cancelled() => return Ok(Outcome::Cancelled),
            }
            let next = match next {
                Next::End => return Ok(Outcome::Done),
                Next::Broken(reason) => {
                    return Err(stop(ApiError::BadNext {
                        page: number,
                        reason: reason.into(),
                    }));
                }
                Next::Follow(next) => next,
            };
            if number >= request.max_pages {
                return Ok(Outcome::Truncated { pages: number });
            }
            url = target::next_page(connection, next.trim()).map_err(|reason| {
                stop(ApiError::BadNext {
                    page: number,
                    reason: format!("it {reason}"),
                })
            })?;
            if !fetched.first_time(&url) {
                return Err(stop(ApiError::Loop { page: number }));
            }
            number += 1;
        }
    }
}

#[cfg(test)]
mod tests;
