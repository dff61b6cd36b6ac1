//! The one middleware in front of every route: a request goes on when its client hangs up,
//! is counted, meets the API rate limit (`/api/` routes, as at Zendesk), waits out the
//! configured latency, and meets the fault injector (counting, latency and faults are no-ops
//! in a build without the `testing` feature). Every API answer carries the limit headers.

use std::sync::Arc;

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::access;
use crate::rate_limit::{self, Verdict};
use crate::seams::{ApiInFlight, InFlight, Plan};
use crate::state::Shared;

/// The method of an API request, as fault targets pick them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ApiVerb {
    Get,
    Post,
    Put,
    Delete,
    Other,
}

/// Which endpoint a request is for, as counters and fault targets see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RequestKind {
    Authorize,
    Token,
    Api(ApiVerb),
    Other,
}

impl RequestKind {
    fn of(method: &Method, path: &str) -> Self {
        match (method, path) {
            (&Method::GET, "/oauth/authorizations/new" | "/oauth2/authorizations/new") => {
                Self::Authorize
            }
            (&Method::POST, "/oauth/tokens" | "/oauth2/token") => Self::Token,
            (method, path) if path.starts_with("/api/") => Self::Api(match *method {
                Method::GET => ApiVerb::Get,
                Method::POST => ApiVerb::Post,
                Method::PUT => ApiVerb::Put,
                Method::DELETE => ApiVerb::Delete,
                _ => ApiVerb::Other,
            }),
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
    let api = matches!(kind, RequestKind::Api(_));
    let _in_flight = (kind == RequestKind::Token).then(|| InFlight::start(&shared));
    let (latency, plan, verdict, client_id, sends_retry_after) = {
        let mut state = shared.lock();
        state.counters.request(kind);
        let mut verdict = Verdict::Unlimited;
        let mut client_id = None;
        if api {
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map_or_else(|| request.uri().path(), MatchedPath::as_str);
            state.counters.api_call(request.method(), route);
            let limit = state.options.api_rate_limit();
            verdict = state.rate_window.admit(limit, Instant::now());
            client_id = access::client_of_bearer(&state, request.headers());
        }
        let limited = matches!(verdict, Verdict::Limited { .. });
        if limited {
            state.counters.rate_limited();
        }
        // A request the limit turns away never reaches a handler, so it draws no fault.
        let plan = (!limited).then(|| Plan::take(&mut state, kind));
        let sends = state.options.sends_retry_after();
        (state.options.latency, plan, verdict, client_id, sends)
    };
    let _api_in_flight = api.then(|| ApiInFlight::start(&shared, client_id));
    if !latency.is_zero() {
        tokio::select! {
            () = tokio::time::sleep(latency) => {}
            () = shared.cancel.cancelled() => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    }
    let mut response = match plan {
        Some(plan) => plan.run(&shared, request, next).await,
        None => rate_limit::too_many(verdict, sends_retry_after),
    };
    rate_limit::stamp(&mut response, verdict);
    response
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
            RequestKind::Api(ApiVerb::Delete)
        );
        assert_eq!(
            kind(Method::PUT, "/api/v2/tickets/1.json"),
            RequestKind::Api(ApiVerb::Put)
        );
    }
}
