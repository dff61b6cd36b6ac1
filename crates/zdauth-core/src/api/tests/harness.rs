//! A scripted Zendesk on 127.0.0.1 (the API as each test says, the token endpoint as Zendesk
//! answers a refresh) and connections whose valid tokens sit in a real vault.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::api::{ApiCaller, ApiRequest, Outcome, Page};
use crate::config::{Config, Connection};
use crate::error::Error;
use crate::paths::Paths;
use crate::refresh::Refresher;
use crate::secret::Secret;
use crate::throttle::Throttle;
use crate::vault::{Entry, Keys, Tokens, Vault};
use crate::zendesk::{Timeouts, ZendeskClient, issuer};

/// One API request as the server saw it.
#[derive(Debug, Clone)]
pub(super) struct Seen {
    pub method: Method,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// When it arrived.
    pub at: std::time::Instant,
}

impl Seen {
    pub(super) fn bearer(&self) -> &str {
        self.headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// How the API answers: the request, and how many API requests came before it.
type Script = dyn Fn(&Seen, usize) -> Response + Send + Sync;

pub(super) struct ServerState {
    script: Box<Script>,
    pub seen: Mutex<Vec<Seen>>,
    pub token_posts: AtomicUsize,
    in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    /// How long each API answer is held back, so that concurrent requests overlap.
    hold: Duration,
}

pub(super) struct Server {
    pub base: String,
    pub state: Arc<ServerState>,
}

impl Server {
    pub(super) async fn start(
        hold: Duration,
        script: impl Fn(&Seen, usize) -> Response + Send + Sync + 'static,
    ) -> Self {
        let state = Arc::new(ServerState {
            script: Box::new(script),
            seen: Mutex::default(),
            token_posts: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            hold,
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, state }
    }

    pub(super) fn seen(&self) -> Vec<Seen> {
        self.state
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn requests(&self) -> usize {
        self.seen().len()
    }

    pub(super) fn token_posts(&self) -> usize {
        self.state.token_posts.load(Ordering::SeqCst)
    }
}

async fn answer(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method == Method::POST && uri.path() == "/oauth/tokens" {
        let n = state.token_posts.fetch_add(1, Ordering::SeqCst) + 1;
        let fresh = serde_json::json!({
            "access_token": format!("renewed{n}AccessToken0123456789"),
            "refresh_token": format!("renewed{n}RefreshToken0123456789"),
            "token_type": "bearer",
            "scope": "read",
            "expires_in": 7200,
            "refresh_token_expires_in": 2_592_000,
        });
        return axum::Json(fresh).into_response();
    }
    let seen = Seen {
        method,
        uri: uri.to_string(),
        headers,
        body: body.to_vec(),
        at: std::time::Instant::now(),
    };
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    if !state.hold.is_zero() {
        tokio::time::sleep(state.hold).await;
    }
    let before = {
        let mut all = state.seen.lock().unwrap_or_else(PoisonError::into_inner);
        all.push(seen.clone());
        all.len() - 1
    };
    let response = (state.script)(&seen, before);
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

pub(super) fn json(status: u16, body: &serde_json::Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub(super) fn with_header(status: u16, name: &'static str, value: &str) -> Response {
    Response::builder()
        .status(status)
        .header(name, value)
        .body(Body::from("{}"))
        .unwrap()
}

pub(super) struct Harness {
    _dir: tempfile::TempDir,
    pub caller: ApiCaller,
    pub connections: Vec<Connection>,
    pub server: Server,
}

pub(super) fn access_token(name: &str) -> String {
    format!("{name}StoredAccessToken0123456789")
}

pub(super) fn connections(base: &str, count: usize) -> Vec<Connection> {
    let text: Vec<String> = (0..count)
        .map(|n| {
            format!(
                "[[connection]]\nname = \"c{n}\"\nsubdomain = \"acme\"\nclient_id = \"cid\"\nbase_url = \"{base}\"\n"
            )
        })
        .collect();
    let text = text.concat();
    Config::parse(&text, std::path::Path::new("t.toml"))
        .unwrap()
        .connections
}

impl Harness {
    /// `count` connections of one account, each with a valid stored token, `jobs` overall.
    pub(super) fn new(count: usize, jobs: u16, server: Server) -> Self {
        Self::with_tokens(count, jobs, server, true)
    }

    pub(super) fn with_tokens(count: usize, jobs: u16, server: Server, stored: bool) -> Self {
        Self::build(count, jobs, server, stored, Duration::from_secs(60))
    }

    /// Any harness: `total` is the HTTP timeout (`settings.http_timeout`).
    pub(super) fn build(
        count: usize,
        jobs: u16,
        server: Server,
        stored: bool,
        total: Duration,
    ) -> Self {
        Self::with_timeouts(
            count,
            jobs,
            server,
            stored,
            Timeouts {
                connect: Duration::from_secs(10),
                total,
                backoff: Duration::from_millis(1),
            },
        )
    }

    /// Any harness, on the client timeouts given.
    pub(super) fn with_timeouts(
        count: usize,
        jobs: u16,
        server: Server,
        stored: bool,
        timeouts: Timeouts,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::new(Paths::at(dir.path()), Keys::generate());
        let connections = connections(&server.base, count);
        if stored {
            vault
                .update(|data| {
                    for connection in &connections {
                        data.connections
                            .insert(connection.name.clone(), entry(connection));
                    }
                })
                .unwrap();
        }
        let client = ZendeskClient::new(timeouts);
        let refresher = Arc::new(Refresher::new(vault, client));
        Self {
            _dir: dir,
            caller: ApiCaller::new(refresher, Throttle::new(jobs)),
            connections,
            server,
        }
    }

    /// Runs `request` on the first connection; every page it delivered.
    pub(super) async fn run(&self, request: &ApiRequest) -> (Result<Outcome, Error>, Vec<Page>) {
        run_on(&self.caller, &self.connections[0], request).await
    }
}

pub(super) async fn run_on(
    caller: &ApiCaller,
    connection: &Connection,
    request: &ApiRequest,
) -> (Result<Outcome, Error>, Vec<Page>) {
    run_until(caller, connection, request, &CancellationToken::new()).await
}

/// As [`run_on`], until `cancel` is cancelled.
pub(super) async fn run_until(
    caller: &ApiCaller,
    connection: &Connection,
    request: &ApiRequest,
    cancel: &CancellationToken,
) -> (Result<Outcome, Error>, Vec<Page>) {
    let (sender, mut receiver) = mpsc::channel(2);
    let collect = tokio::spawn(async move {
        let mut pages = Vec::new();
        while let Some(page) = receiver.recv().await {
            pages.push(page);
        }
        pages
    });
    let outcome = caller.call(connection, request, &sender, cancel).await;
    drop(sender);
    (outcome, collect.await.unwrap())
}

fn entry(connection: &Connection) -> Entry {
    let now = Timestamp::now();
    Entry {
        tokens: Some(Tokens {
            access_token: Secret::new(access_token(&connection.name)),
            refresh_token: Some(Secret::new(format!(
                "{}StoredRefreshToken0123",
                connection.name
            ))),
            token_type: "bearer".into(),
            scopes: vec!["read".into()],
            obtained_at: now,
            expires_at: Some(now + SignedDuration::from_hours(2)),
            expiry_source: crate::expiry::ExpirySource::Server,
            refresh_expires_at: Some(now + SignedDuration::from_hours(24 * 30)),
        }),
        issuer: Some(issuer(connection)),
        ..Entry::default()
    }
}

pub(super) fn get(target: &str) -> ApiRequest {
    ApiRequest {
        target: target.into(),
        max_pages: crate::api::DEFAULT_MAX_PAGES,
        ..ApiRequest::default()
    }
}
