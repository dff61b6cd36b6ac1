//! The running server and the handle the demo and the tests hold (the tests' extra handles
//! are in `testing::controls`).

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware;
use axum::routing::{delete, get, post, put};
use jiff::{SignedDuration, Timestamp};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::options::FakeOptions;
use crate::state::{PairKind, Shared};
use crate::{api, authorize, gate, lists, oauth_clients, tickets, token};

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
/// held by an injected hang are released then.
pub struct FakeZendesk {
    pub(crate) shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for FakeZendesk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeZendesk")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
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
        .route(
            "/api/v2/oauth/clients.json",
            get(oauth_clients::list).post(oauth_clients::create),
        )
        .route(
            "/api/v2/oauth/clients/{file}",
            get(oauth_clients::show).put(oauth_clients::update),
        )
        .route("/api/v2/users.json", get(lists::users))
        .route("/api/v2/triggers.json", get(lists::triggers))
        .route("/api/v2/search.json", get(lists::search))
        .route("/api/v2/tickets.json", post(tickets::create))
        .route("/api/v2/tickets/{file}", put(tickets::update))
        .route("/api/v2/chat/chats", get(lists::chats))
        .fallback(api::unknown_route)
        .layer(middleware::from_fn_with_state(shared.clone(), gate::gate))
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

    /// Makes the grant's current access token expired now, so tests need not wait for it.
    pub fn expire_access_token(&self, grant_id: &str) {
        if let Some(grant) = self.shared.lock().grants.get_mut(grant_id) {
            grant.pair.access_expires_at = Timestamp::now() - SignedDuration::from_secs(1);
        }
    }
}

impl Drop for FakeZendesk {
    fn drop(&mut self) {
        self.shared.cancel.cancel();
    }
}
