//! The handles a test holds on a running fake beyond what the demo needs: counters, faults,
//! hostile answers, and reaching into grants and tokens as no client of Zendesk can.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::counters::Counters;
use super::faults::{Fault, FaultTarget};
use super::hostile::Hostile;
use crate::options::FakeClient;
use crate::server::FakeZendesk;
use crate::state::State;

impl FakeZendesk {
    pub fn counters(&self) -> Counters {
        self.shared.lock().counters.clone()
    }

    /// The next `times` requests matching `target` get `fault`, after earlier pushed faults.
    pub fn push_fault(&self, target: FaultTarget, fault: Fault, times: usize) {
        self.shared.lock().faults.push(target, fault, times);
    }

    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Lets one request held by `Fault::Hold` go on (now, or when it arrives).
    pub fn release_held(&self) {
        self.shared.held.add_permits(1);
    }

    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().options.latency = latency;
    }

    /// API requests let in per minute from now on (`None`: no limit); starts a new window.
    pub fn set_rate_limit(&self, per_minute: Option<u32>) {
        let mut state = self.shared.lock();
        state.options.rate_limit_per_minute = per_minute;
        state.rate_window.reset();
    }

    /// `true`: the rate limit's 429s come without `Retry-After`.
    pub fn set_omit_retry_after(&self, omit: bool) {
        self.shared.lock().options.omit_retry_after = omit;
    }

    /// How many records each list endpoint holds from now on.
    pub fn set_api_records(&self, count: usize) {
        self.shared.lock().options.api_records = count;
    }

    /// Token answers from now on, until `None`: see [`Hostile`].
    pub fn set_hostile(&self, hostile: Option<Hostile>) {
        self.shared.lock().options.hostile = hostile;
    }

    /// Registers a client, replacing one with the same identifier.
    pub fn add_client(&self, client: FakeClient) {
        self.shared
            .lock()
            .clients
            .insert(client.identifier.clone(), client);
    }

    pub fn grant_alive(&self, grant_id: &str) -> bool {
        self.shared
            .lock()
            .grants
            .get(grant_id)
            .is_some_and(|grant| grant.alive)
    }

    pub fn access_token_works(&self, access_token: &str) -> bool {
        self.shared.lock().access_token_works(access_token)
    }

    /// Whether the token is its grant's current one and its time has run out: what a client
    /// that hands out tokens past their expiry shows (a rotated one is dead, not expired).
    pub fn access_token_expired(&self, access_token: &str) -> bool {
        let state = self.shared.lock();
        state.access.get(access_token).is_some_and(|reference| {
            state.grants.get(&reference.grant_id).is_some_and(|grant| {
                grant.pair.token_id == reference.token_id
                    && Timestamp::now() >= grant.pair.access_expires_at
            })
        })
    }

    /// Makes the grant's current refresh token expired now.
    pub fn expire_refresh_token(&self, grant_id: &str) {
        if let Some(grant) = self.shared.lock().grants.get_mut(grant_id) {
            grant.pair.refresh_expires_at = Timestamp::now() - SignedDuration::from_secs(1);
        }
    }

    /// The grant's current access token stops working (401) while its refresh token still
    /// does: a token zdauth thinks valid that Zendesk no longer takes.
    pub fn forget_access_token(&self, grant_id: &str) {
        let mut state = self.shared.lock();
        if let Some(token) = state
            .grants
            .get(grant_id)
            .map(|g| g.pair.access_token.clone())
        {
            state.access.remove(&token);
        }
    }

    /// Revokes a grant as an admin would in Zendesk's UI.
    pub fn revoke_grant(&self, grant_id: &str) {
        self.shared.lock().revoke(grant_id);
    }
}

impl State {
    pub(crate) fn access_token_works(&self, token: &str) -> bool {
        let Some(reference) = self.access.get(token) else {
            return false;
        };
        self.grants.get(&reference.grant_id).is_some_and(|grant| {
            grant.alive
                && grant.pair.token_id == reference.token_id
                && Timestamp::now() < grant.pair.access_expires_at
        })
    }
}
