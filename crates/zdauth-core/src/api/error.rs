//! What can end a connection's `zdauth api` walk other than an HTTP answer (which is always
//! handed on as a page). The messages hold nothing the request sent: no token, and no URL the
//! server named (it may be hostile).

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ApiError {
    #[error(
        "rate limited; retry after {retry_after} s (Zendesk answered 429; nothing more was sent)"
    )]
    RateLimited { retry_after: u64 },
    #[error("cannot reach Zendesk ({reason}); check the network and try again")]
    Network { reason: String },
    #[error(
        "Zendesk did not answer within {seconds} s; try again later, or raise settings.http_timeout"
    )]
    TimedOut { seconds: u64 },
    #[error(
        "the answer is larger than {} MiB; ask for less (a smaller page[size] or per_page, or a narrower query)",
        crate::api::MAX_BODY >> 20
    )]
    TooLarge,
    #[error("the connection broke in the middle of the answer; try again")]
    CutShort,
    #[error(
        "page {page} names a next page zdauth will not follow ({reason}); the pages before it were delivered"
    )]
    BadNext { page: u32, reason: String },
    #[error(
        "page {page} names as its next page one already fetched (a loop); the pages before it were delivered"
    )]
    Loop { page: u32 },
}
