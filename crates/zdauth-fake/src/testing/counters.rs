//! What the fake saw, for tests to assert on. The handlers record through the methods, which
//! `crate::honest` has as no-ops, so no handler needs to know whether anyone is counting.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::Method;

use crate::gate::RequestKind;
use crate::state::Shared;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Every POST to a token endpoint, including ones answered by an injected fault.
    pub token_posts: u32,
    /// Successful code exchanges.
    pub code_exchanges: u32,
    /// Successful refreshes.
    pub refreshes: u32,
    /// Successful `grant_type=client_credentials` mints.
    pub client_credentials: u32,
    /// Token POSTs that named a code or refresh token of the grant, successful or not.
    pub token_posts_per_grant: BTreeMap<String, u32>,
    /// Replays of an already rotated refresh token, counted in strict rotation mode only.
    pub reuse_detections: u32,
    /// Grants that went from alive to revoked, for any reason.
    pub revoked_grants: u32,
    /// Successful `DELETE /api/v2/oauth/tokens/{id}.json` calls.
    pub revocations: u32,
    pub authorize_requests: u32,
    pub api_requests: u32,
    /// Token POSTs being answered right now (the latency counts), and the most at once.
    pub token_posts_in_flight: u32,
    pub max_token_posts_in_flight: u32,
    /// API requests by `"METHOD /route"`, the route as the fake declares it
    /// (`"GET /api/v2/users.json"`, `"PUT /api/v2/tickets/{file}"`); see [`Counters::api_calls_to`].
    pub api_calls: BTreeMap<String, u32>,
    /// API requests answered with the rate limit's 429.
    pub rate_limited: u32,
    /// API requests being answered right now (the latency counts), and the most at once.
    pub api_in_flight: u32,
    pub max_api_in_flight: u32,
    /// The same per OAuth client id of the bearer token's grant (one client per Zendesk
    /// account, so this is the per-account concurrency). Requests without a known token
    /// are not in these.
    pub api_in_flight_per_client: BTreeMap<String, u32>,
    pub max_api_in_flight_per_client: BTreeMap<String, u32>,
}

impl Counters {
    pub(crate) fn request(&mut self, kind: RequestKind) {
        match kind {
            RequestKind::Authorize => self.authorize_requests += 1,
            RequestKind::Token => self.token_posts += 1,
            RequestKind::Api(_) => self.api_requests += 1,
            RequestKind::Other => {}
        }
    }

    pub(crate) fn post_for(&mut self, grant_id: &str) {
        *self
            .token_posts_per_grant
            .entry(grant_id.to_owned())
            .or_default() += 1;
    }

    pub(crate) fn code_exchanged(&mut self) {
        self.code_exchanges += 1;
    }

    pub(crate) fn refreshed(&mut self) {
        self.refreshes += 1;
    }

    pub(crate) fn minted(&mut self) {
        self.client_credentials += 1;
    }

    pub(crate) fn reuse_detected(&mut self) {
        self.reuse_detections += 1;
    }

    pub(crate) fn grant_revoked(&mut self) {
        self.revoked_grants += 1;
    }

    pub(crate) fn token_revoked(&mut self) {
        self.revocations += 1;
    }

    pub(crate) fn api_call(&mut self, method: &Method, route: &str) {
        *self
            .api_calls
            .entry(format!("{method} {route}"))
            .or_default() += 1;
    }

    pub(crate) fn rate_limited(&mut self) {
        self.rate_limited += 1;
    }

    /// How many `method` requests reached `route` (`api_calls_to("GET", "/api/v2/users.json")`).
    pub fn api_calls_to(&self, method: &str, route: &str) -> u32 {
        self.api_calls
            .get(&format!("{method} {route}"))
            .copied()
            .unwrap_or(0)
    }
}

/// Counts one token POST as in flight until its answer is built, however the gate returns.
pub(crate) struct InFlight(Arc<Shared>);

impl InFlight {
    pub(crate) fn start(shared: &Arc<Shared>) -> Self {
        let mut state = shared.lock();
        let counters = &mut state.counters;
        counters.token_posts_in_flight += 1;
        counters.max_token_posts_in_flight = counters
            .max_token_posts_in_flight
            .max(counters.token_posts_in_flight);
        Self(shared.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.lock().counters.token_posts_in_flight -= 1;
    }
}

/// Counts one API request as in flight, overall and for its OAuth client, until answered.
pub(crate) struct ApiInFlight {
    shared: Arc<Shared>,
    client_id: Option<String>,
}

impl ApiInFlight {
    pub(crate) fn start(shared: &Arc<Shared>, client_id: Option<String>) -> Self {
        let mut state = shared.lock();
        let counters = &mut state.counters;
        counters.api_in_flight += 1;
        counters.max_api_in_flight = counters.max_api_in_flight.max(counters.api_in_flight);
        if let Some(client_id) = &client_id {
            let now = counters
                .api_in_flight_per_client
                .entry(client_id.clone())
                .or_default();
            *now += 1;
            let now = *now;
            let most = counters
                .max_api_in_flight_per_client
                .entry(client_id.clone())
                .or_default();
            *most = (*most).max(now);
        }
        Self {
            shared: shared.clone(),
            client_id,
        }
    }
}

impl Drop for ApiInFlight {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        let counters = &mut state.counters;
        counters.api_in_flight -= 1;
        if let Some(client_id) = &self.client_id
            && let Some(now) = counters.api_in_flight_per_client.get_mut(client_id)
        {
            *now -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::ApiVerb;

    #[test]
    fn requests_count_by_kind_and_posts_by_grant() {
        let mut counters = Counters::default();
        for kind in [
            RequestKind::Authorize,
            RequestKind::Token,
            RequestKind::Token,
            RequestKind::Api(ApiVerb::Get),
            RequestKind::Other,
        ] {
            counters.request(kind);
        }
        counters.post_for("grant-1");
        counters.post_for("grant-1");
        assert_eq!(
            (
                counters.authorize_requests,
                counters.token_posts,
                counters.api_requests
            ),
            (1, 2, 1)
        );
        assert_eq!(counters.token_posts_per_grant["grant-1"], 2);
    }
}
