//! What the fake saw, for tests to assert on.

use std::collections::BTreeMap;

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
}

impl Counters {
    pub(crate) fn count_post_for(&mut self, grant_id: &str) {
        *self
            .token_posts_per_grant
            .entry(grant_id.to_owned())
            .or_default() += 1;
    }
}
