//! What the catcher answers to each request. Only `GET /callback` with the right state can end
//! the wait; everything else gets a page and leaves the login waiting.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::oneshot;

use super::callback::{Callback, parse_callback_query};
use super::page;
use crate::secret::Secret;

pub(super) struct Shared {
    pub expected_state: Secret,
    /// `127.0.0.1:{port}`: a page on another origin that rebinds its DNS name to 127.0.0.1
    /// sends its own name here, and gets nothing.
    pub expected_host: String,
    /// Taken by the first valid callback, from the browser or from a paste, so exactly one wins.
    pub winner: Mutex<Option<oneshot::Sender<Callback>>>,
}

impl Shared {
    pub(crate) fn take_winner(&self) -> Option<oneshot::Sender<Callback>> {
        self.winner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let host_ok = headers
        .get(header::HOST)
        .is_some_and(|host| host.as_bytes() == shared.expected_host.as_bytes());
    if method != Method::GET || uri.path() != "/callback" || !host_ok {
        return html(StatusCode::NOT_FOUND, page::not_found());
    }
    let callback =
        match parse_callback_query(uri.query().unwrap_or(""), shared.expected_state.expose()) {
            Ok(callback) => callback,
            Err(error) => {
                tracing::debug!("rejected a login callback: {error}");
                return rejected(&error.to_string());
            }
        };
    let body = match &callback {
        Callback::Code(_) => page::success(),
        Callback::Denied { error, description } => page::error(
            "Zendesk did not grant access",
            error,
            description.as_deref().unwrap_or(""),
        ),
    };
    let Some(winner) = shared.take_winner() else {
        return rejected("this login has already received its callback; check the terminal");
    };
    if winner.send(callback).is_err() {
        return rejected("this login is no longer waiting; start it again from the terminal");
    }
    html(StatusCode::OK, body)
}

fn rejected(reason: &str) -> Response {
    html(
        StatusCode::BAD_REQUEST,
        page::error(
            "This sign-in response was rejected",
            "invalid_callback",
            reason,
        ),
    )
}

fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The URL that led here carries the code: keep it out of caches and Referer headers.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
