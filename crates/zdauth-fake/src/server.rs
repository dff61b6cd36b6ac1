//! The running server and the handle tests hold.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware;
use axum::routing::{delete, get, post};
use jiff::{SignedDuration, Timestamp};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::counters::Counters;
use super::faults::{self, Fault, FaultTarget};
use super::hostile::Hostile;
use super::options::{FakeClient, FakeOptions};
use super::state::{PairKind, Shared};
use super::{api, authorize, token};

/// Tokens of a grant made without the browser.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub refresh_expires_in: u64,
    pub grant_id: String,
}

// Hand-written so tokens never reach a log through `{:?}`.
impl fmt::Debug for IssuedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedTokens")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("expires_in", &self.expires_in)
            .field("refresh_expires_in", &self.refresh_expires_in)
            .field("grant_id", &self.grant_id)
            .finish()
    }
}

/// The handle to a running fake. Dropping it (or `shutdown().await`) stops the server; requests
/// held by `Fault::Hang` are released then.
pub struct FakeZendesk {
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for FakeZendesk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeZendesk")
            .field("base_url", &self.shared.base_url)
            .finish()
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/oauth/authorizations/new", get(authorize::support))
        .route(authorize::DECISION_PATH, post(authorize::decision))
        .route("/oauth/tokens", post(token::support))
        .route("/oauth2/authorizations/new", get(authorize::chat))
        .route("/oauth2/token", post(token::chat))
        .route("/api/v2/users/me.json", get(api::users_me))
        .route(
            "/api/v2/oauth/tokens/current.json",
            get(api::current).delete(api::delete_current),
        )
        .route("/api/v2/oauth/tokens/{file}", delete(api::delete_by_id))
        .layer(middleware::from_fn_with_state(shared.clone(), faults::gate))
        .with_state(shared)
}

impl FakeZendesk {
    pub async fn start(options: FakeOptions) -> io::Result<FakeZendesk> {
        // Loopback only: the fake hands out real-looking tokens and must not be reachable.
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared::new(options, base_url));
        let app = router(shared.clone());
        let stop = shared.cancel.clone();
        let task = tokio::spawn(async move {
            // A serve error can only come from the listener; the tests then see refused
            // connections, which says more than a panic in a detached task would.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
        });
        Ok(FakeZendesk {
            shared,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// Stops accepting, releases hung requests, and waits (bounded) for open connections.
    pub async fn shutdown(mut self) {
        self.shared.cancel.cancel();
        if let Some(task) = self.task.take() {
            // Bounded: a client that keeps a connection open must not stall the caller's teardown.
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

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

    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().options.latency = latency;
    }

    /// Token answers from now on, until `None`: see [`Hostile`].
    pub fn set_hostile(&self, hostile: Option<Hostile>) {
        self.shared.lock().options.hostile = hostile;
    }

    /// A grant made without the browser, with the default lifetimes. The client need not be
    /// registered, but a refresh only works for a registered one.
    pub fn issue_grant(&self, client_id: &str, scopes: &[&str]) -> IssuedTokens {
        let mut state = self.shared.lock();
        let lifetimes = state.default_lifetimes();
        let scopes = scopes.iter().map(|scope| (*scope).to_owned()).collect();
        let grant_id = state.create_grant(client_id, scopes, lifetimes, PairKind::Rotating);
        let pair = &state.grants[&grant_id].pair;
        IssuedTokens {
            access_token: pair.access_token.clone(),
            refresh_token: pair.refresh_token.clone().unwrap_or_default(),
            expires_in: pair.lifetimes.access_secs,
            refresh_expires_in: pair.lifetimes.refresh_secs,
            grant_id,
        }
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

    /// Registers a client, replacing one with the same identifier.
    pub fn add_client(&self, client: FakeClient) {
        self.shared
            .lock()
            .clients
            .insert(client.identifier.clone(), client);
    }

    /// Makes the grant's current access token expired now, so tests need not wait for it.
    pub fn expire_access_token(&self, grant_id: &str) {
        if let Some(grant) = self.shared.lock().grants.get_mut(grant_id) {
            grant.pair.access_expires_at = Timestamp::now() - SignedDuration::from_secs(1);
        }
    }

    /// Makes the grant's current refresh token expired now.
    pub fn expire_refresh_token(&self, grant_id: &str) {
        if let Some(grant) = self.shared.lock().grants.get_mut(grant_id) {
            grant.pair.refresh_expires_at = Timestamp::now() - SignedDuration::from_secs(1);
        }
    }

    /// Lets one request held by `Fault::Hold` go on (now, or when it arrives).
    pub fn release_held(&self) {
        self.shared.held.add_permits(1);
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

impl Drop for FakeZendesk {
    fn drop(&mut self) {
        self.shared.cancel.cancel();
    }
}
