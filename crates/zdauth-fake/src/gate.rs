//! The one middleware in front of every route: a request goes on when its client hangs up,
//! waits out the configured latency, is counted, and meets the fault injector (all three of
//! the last are no-ops in a build without the `testing` feature).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::seams::{InFlight, Plan};
use crate::state::Shared;

/// Which endpoint a request is for, as counters and fault targets see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RequestKind {
    Authorize,
    Token,
    Api,
    Other,
}

impl RequestKind {
    fn of(method: &Method, path: &str) -> Self {
        match (method, path) {
            (&Method::GET, "/oauth/authorizations/new" | "/oauth2/authorizations/new") => {
                Self::Authorize
            }
            (&Method::POST, "/oauth/tokens" | "/oauth2/token") => Self::Token,
            (_, path) if path.starts_with("/api/") => Self::Api,
            _ => Self::Other,
        }
    }
}

pub(crate) async fn gate(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    // A server goes on with a request it has received when the client hangs up: a refresh
    // rotates even if the process that sent it was killed while waiting for the answer.
    let answer = tokio::spawn(answer(shared, request, next));
    answer
        .await
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

async fn answer(shared: Arc<Shared>, request: Request, next: Next) -> Response {
    let kind = RequestKind::of(request.method(), request.uri().path());
    let _in_flight = (kind == RequestKind::Token).then(|| InFlight::start(&shared));
    let (latency, plan) = {
        let mut state = shared.lock();
        state.counters.request(kind);
        (state.options.latency, Plan::take(&mut state, kind))
    };
    if !latency.is_zero() {
        tokio::select! {
            () = tokio::time::sleep(latency) => {}
            () = shared.cancel.cancelled() => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    }
    plan.run(&shared, request, next).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_told_apart_by_method_and_path() {
        let kind = |method, path| RequestKind::of(&method, path);
        assert_eq!(
            kind(Method::GET, "/oauth2/authorizations/new"),
            RequestKind::Authorize
        );
        assert_eq!(kind(Method::POST, "/oauth/tokens"), RequestKind::Token);
        assert_eq!(kind(Method::GET, "/oauth/tokens"), RequestKind::Other);
        assert_eq!(
            kind(Method::DELETE, "/api/v2/oauth/tokens/1.json"),
            RequestKind::Api
        );
    }
}
