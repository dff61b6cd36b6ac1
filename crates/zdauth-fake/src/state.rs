//! The fake's memory: clients, codes, grants and their current token pair. Every handler
//! takes the one lock, does its work without awaiting, and lets go.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use tokio_util::sync::CancellationToken;

use crate::crypto::random_token;
use crate::jwt;
use crate::oauth_clients::ClientRecord;
use crate::options::{FakeClient, FakeOptions};
use crate::params::Params;
use crate::rate_limit::RateWindow;
use crate::seams::Counters;
#[cfg(feature = "testing")]
use crate::seams::FaultQueue;

pub(crate) struct Shared {
    state: Mutex<State>,
    pub(crate) cancel: CancellationToken,
    pub(crate) base_url: String,
    /// One permit per request an injected hold may let through.
    #[cfg(feature = "testing")]
    pub(crate) held: tokio::sync::Semaphore,
}

impl Shared {
    pub(crate) fn new(options: FakeOptions, base_url: String) -> Self {
        Self {
            state: Mutex::new(State::new(options, base_url.clone())),
            cancel: CancellationToken::new(),
            base_url,
            #[cfg(feature = "testing")]
            held: tokio::sync::Semaphore::new(0),
        }
    }

    /// A handler that panicked mid-update cannot leave a half-rotated pair (rotation is one
    /// synchronous step), so a poisoned lock is still safe to use.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub(crate) struct Code {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) challenge: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Instant,
    /// Set once exchanged, so a replay can find and revoke what the code produced.
    pub(crate) grant_id: Option<String>,
    pub(crate) used: bool,
}

/// The live access + refresh pair of a grant. Rotation replaces it as a whole.
pub(crate) struct Pair {
    pub(crate) token_id: u64,
    pub(crate) access_token: String,
    /// None for a legacy client's token issued without `expires_in`.
    pub(crate) refresh_token: Option<String>,
    pub(crate) created_at: Timestamp,
    pub(crate) access_expires_at: Timestamp,
    pub(crate) refresh_expires_at: Timestamp,
    pub(crate) used_at: Option<Timestamp>,
    pub(crate) lifetimes: Lifetimes,
}

pub(crate) struct Grant {
    pub(crate) client_id: String,
    pub(crate) user_id: u64,
    pub(crate) scopes: Vec<String>,
    pub(crate) alive: bool,
    pub(crate) pair: Pair,
}

/// Where a token string points: which grant, and which generation of its pair.
#[derive(Clone)]
pub(crate) struct PairRef {
    pub(crate) grant_id: String,
    pub(crate) token_id: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Lifetimes {
    pub(crate) access_secs: u64,
    pub(crate) refresh_secs: u64,
}

/// What kind of pair a token request earns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PairKind {
    /// An access token that expires and a refresh token.
    Rotating,
    /// What an OAuth client made before Zendesk had refresh tokens gets when the request
    /// names no `expires_in`: an access token that never expires, and no refresh token.
    Legacy,
}

pub(crate) struct State {
    pub(crate) options: FakeOptions,
    /// The server's own URL, the `iss` of its JWTs.
    issuer: String,
    pub(crate) clients: HashMap<String, FakeClient>,
    /// What the OAuth clients API shows of each client, in the order they were made.
    pub(crate) client_records: Vec<ClientRecord>,
    pub(crate) codes: HashMap<String, Code>,
    pub(crate) grants: HashMap<String, Grant>,
    pub(crate) access: HashMap<String, PairRef>,
    /// Rotated refresh tokens stay here (pointing at an old generation) so a replay is
    /// recognised as reuse rather than as an unknown token.
    pub(crate) refresh: HashMap<String, PairRef>,
    pub(crate) consents: HashMap<String, crate::authorize::Pending>,
    #[cfg(feature = "testing")]
    pub(crate) faults: FaultQueue,
    pub(crate) counters: Counters,
    pub(crate) rate_window: RateWindow,
    pub(crate) tickets_created: u64,
    next_grant: u64,
    next_token_id: u64,
}

/// Why a bearer token was refused; the API answers 401 for each, with a different description.
pub(crate) enum BearerProblem {
    Unknown,
    Expired,
    Revoked,
}

impl BearerProblem {
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            BearerProblem::Unknown => "The access token provided is invalid.",
            BearerProblem::Expired => "The access token provided is expired.",
            BearerProblem::Revoked => "The access token provided is revoked.",
        }
    }
}

pub(crate) fn whole_seconds(duration: Duration) -> u64 {
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    secs.max(1)
}

fn after(now: Timestamp, secs: u64) -> Timestamp {
    let secs = i64::try_from(secs).unwrap_or(i64::MAX);
    now.saturating_add(SignedDuration::from_secs(secs))
        .unwrap_or(Timestamp::MAX)
}

impl State {
    fn new(options: FakeOptions, issuer: String) -> Self {
        let clients = options
            .clients
            .iter()
            .map(|client| (client.identifier.clone(), client.clone()))
            .collect();
        let client_records = ClientRecord::of_configured(&options.clients);
        Self {
            options,
            issuer,
            clients,
            client_records,
            codes: HashMap::new(),
            grants: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            consents: HashMap::new(),
            #[cfg(feature = "testing")]
            faults: FaultQueue::default(),
            counters: Counters::default(),
            rate_window: RateWindow::default(),
            tickets_created: 0,
            next_grant: 1,
            // Zendesk token ids are plain numbers; starting high keeps them unlike user ids.
            next_token_id: 900_001,
        }
    }

    pub(crate) fn default_lifetimes(&self) -> Lifetimes {
        self.options.default_lifetimes()
    }

    /// An OAuth client made before Zendesk had refresh tokens gets one (and an expiring
    /// token) only when the request names `expires_in`.
    pub(crate) fn pair_kind(&self, client_id: &str, params: &Params) -> PairKind {
        let legacy = self
            .clients
            .get(client_id)
            .is_some_and(FakeClient::is_legacy);
        if legacy && params.get("expires_in").is_none() {
            PairKind::Legacy
        } else {
            PairKind::Rotating
        }
    }

    fn new_pair(
        &mut self,
        client_id: &str,
        scopes: &[String],
        lifetimes: Lifetimes,
        kind: PairKind,
    ) -> Pair {
        let now = Timestamp::now();
        let token_id = self.next_token_id;
        self.next_token_id += 1;
        // A server policy may grant less than was asked; `expires_in` then says so.
        let lifetimes = Lifetimes {
            access_secs: self.options.granted_access_secs(lifetimes.access_secs),
            refresh_secs: self.options.granted_refresh_secs(lifetimes.refresh_secs),
        };
        let legacy = kind == PairKind::Legacy;
        let access_expires_at = if legacy {
            Timestamp::MAX
        } else {
            after(now, lifetimes.access_secs)
        };
        // Zendesk's tokens of the old kind are opaque; the new ones are JWTs.
        let access_token = if legacy || !self.options.issues_jwts() {
            random_token()
        } else {
            let exp = self.options.jwt_exp(access_expires_at);
            jwt::access_token(&jwt::Claims {
                issuer: &self.issuer,
                client_id,
                user_id: self.options.user.id,
                scopes,
                issued_at: now,
                exp,
            })
        };
        Pair {
            token_id,
            access_token,
            refresh_token: (!legacy).then(random_token),
            created_at: now,
            access_expires_at,
            refresh_expires_at: after(now, lifetimes.refresh_secs),
            used_at: None,
            lifetimes,
        }
    }

    fn index_pair(&mut self, grant_id: &str, pair: &Pair) {
        let reference = PairRef {
            grant_id: grant_id.to_owned(),
            token_id: pair.token_id,
        };
        self.access
            .insert(pair.access_token.clone(), reference.clone());
        if let Some(refresh_token) = &pair.refresh_token {
            self.refresh.insert(refresh_token.clone(), reference);
        }
    }

    /// A new grant with its first pair; returns the grant id.
    pub(crate) fn create_grant(
        &mut self,
        client_id: &str,
        scopes: Vec<String>,
        lifetimes: Lifetimes,
        kind: PairKind,
    ) -> String {
        let grant_id = format!("grant-{}", self.next_grant);
        self.next_grant += 1;
        let pair = self.new_pair(client_id, &scopes, lifetimes, kind);
        self.index_pair(&grant_id, &pair);
        self.grants.insert(
            grant_id.clone(),
            Grant {
                client_id: client_id.to_owned(),
                user_id: self.options.user.id,
                scopes,
                alive: true,
                pair,
            },
        );
        grant_id
    }

    /// Replaces the grant's pair: the old access token is forgotten at once (Zendesk deletes
    /// the previous pair), the old refresh token is kept only as a marker of reuse.
    pub(crate) fn rotate(
        &mut self,
        grant_id: &str,
        scopes: Vec<String>,
        lifetimes: Lifetimes,
        kind: PairKind,
    ) -> Option<&Grant> {
        let grant = self.grants.get(grant_id)?;
        let (client_id, spent_expires_at) =
            (grant.client_id.clone(), grant.pair.refresh_expires_at);
        let mut pair = self.new_pair(&client_id, &scopes, lifetimes, kind);
        let chained = self
            .options
            .chained_refresh_expiry(spent_expires_at, pair.refresh_expires_at);
        if chained != pair.refresh_expires_at {
            // `refresh_token_expires_in` then says what is left of the chain.
            let left = chained.duration_since(pair.created_at).as_secs();
            pair.lifetimes.refresh_secs = u64::try_from(left).unwrap_or(0).max(1);
            pair.refresh_expires_at = chained;
        }
        self.index_pair(grant_id, &pair);
        let grant = self.grants.get_mut(grant_id)?;
        grant.scopes = scopes;
        let old = std::mem::replace(&mut grant.pair, pair);
        self.access.remove(&old.access_token);
        self.grants.get(grant_id)
    }

    pub(crate) fn revoke(&mut self, grant_id: &str) {
        if let Some(grant) = self.grants.get_mut(grant_id)
            && grant.alive
        {
            grant.alive = false;
            self.access.remove(&grant.pair.access_token);
            self.counters.grant_revoked();
        }
    }

    /// The grant behind a live access token; marks the token as used.
    pub(crate) fn bearer(&mut self, token: &str) -> Result<&mut Grant, BearerProblem> {
        let reference = self.access.get(token).ok_or(BearerProblem::Unknown)?;
        let grant = self
            .grants
            .get_mut(&reference.grant_id)
            .ok_or(BearerProblem::Unknown)?;
        if !grant.alive {
            return Err(BearerProblem::Revoked);
        }
        if grant.pair.token_id != reference.token_id {
            return Err(BearerProblem::Unknown);
        }
        let now = Timestamp::now();
        if now >= grant.pair.access_expires_at {
            return Err(BearerProblem::Expired);
        }
        grant.pair.used_at = Some(now);
        Ok(grant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State::new(FakeOptions::default(), "http://127.0.0.1:1".into())
    }

    #[test]
    fn rotation_kills_the_old_access_token_and_keeps_the_refresh_marker() {
        let mut state = state();
        let lifetimes = state.default_lifetimes();
        let id = state.create_grant("c", vec![], lifetimes, PairKind::Rotating);
        let old_access = state.grants[&id].pair.access_token.clone();
        let old_refresh = state.grants[&id].pair.refresh_token.clone().unwrap();
        assert!(state.access_token_works(&old_access));
        state.rotate(&id, vec![], lifetimes, PairKind::Rotating);
        assert!(!state.access_token_works(&old_access));
        assert!(state.refresh.contains_key(&old_refresh));
        let new_access = state.grants[&id].pair.access_token.clone();
        assert!(state.access_token_works(&new_access));
    }

    #[test]
    fn revoking_counts_once() {
        let mut state = state();
        let lifetimes = state.default_lifetimes();
        let id = state.create_grant("c", vec![], lifetimes, PairKind::Rotating);
        state.revoke(&id);
        state.revoke(&id);
        assert_eq!(state.counters.revoked_grants, 1);
    }

    #[test]
    fn partial_seconds_round_up() {
        assert_eq!(whole_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(whole_seconds(Duration::ZERO), 1);
    }
}
