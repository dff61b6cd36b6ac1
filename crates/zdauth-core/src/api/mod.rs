//! `zdauth api`: requests to a connection's Zendesk REST API on a fresh token from the
//! refresh transaction, one page after another when asked to paginate. The bearer token goes
//! only to the connection's own host; every answer, whatever its status, is handed on as a
//! [`Page`] so the door can print it; only what is not an HTTP answer is an error.

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::config::Connection;
use crate::error::Error;
use crate::refresh::Refresher;
use crate::throttle::Throttle;

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
    /// What can be refused before any connection or token is touched: the method, headers
    /// (Authorization and the transport's own are not the user's to set), a body on a method
    /// that takes none, `paginate` with anything but GET.
    pub fn check(&self) -> Result<(), Error> {
        Err(Error::Usage("zdauth api is not built yet".into()))
    }
}

/// One answer of one connection: a line of `zdauth api`'s output.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub connection: String,
    pub subdomain: String,
    pub status: u16,
    /// The answer's JSON; an empty body is null, a body that is not JSON is its text as a JSON
    /// string. Any occurrence of the access token sent is replaced by `[redacted]`.
    pub body: serde_json::Value,
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
    pub async fn call(
        &self,
        connection: &Connection,
        request: &ApiRequest,
        pages: &mpsc::Sender<Page>,
    ) -> Result<Outcome, Error> {
        let _ = (connection, request, pages, &self.refresher, &self.throttle);
        tokio::task::yield_now().await;
        Err(Error::Usage("zdauth api is not built yet".into()))
    }
}
