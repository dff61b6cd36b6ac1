//! HTTP to Zendesk (checklist items 22–23): rustls, no redirects followed, connect and total
//! timeouts; the endpoints zdauth calls. Sending, retrying and reading answers is in `send`.

mod api;
mod send;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use jiff::Timestamp;
use reqwest::header::AUTHORIZATION;
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use url::Url;

use super::answer;
use super::endpoints::Endpoints;
use super::error::{ZendeskError, sanitize};
use super::redact::Sent;
use super::wire::{CurrentToken, CurrentTokenEnvelope, UserEnvelope};
use crate::config::{Connection, Kind};
use crate::secret::Secret;
use crate::vault::{Tokens, User};
pub(crate) use api::{Outgoing, RawAnswer};
use send::Retry;

const USER_AGENT: &str = concat!("zdauth/", env!("CARGO_PKG_VERSION"));
/// How many times one request may be sent: the first try and its retries.
pub(crate) const ATTEMPTS: u32 = 3;

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub total: Duration,
    /// The first pause before a retry; doubled each time.
    pub backoff: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            total: Duration::from_secs(30),
            backoff: Duration::from_millis(500),
        }
    }
}

#[derive(Clone)]
pub struct ZendeskClient {
    /// Shared by clones, so one process builds one client.
    http: Arc<OnceLock<reqwest::Client>>,
    timeouts: Timeouts,
}

/// What a token request carries besides the grant itself.
pub(crate) struct TokenRequest<'a> {
    pub connection: &'a Connection,
    pub client_secret: Option<&'a Secret>,
}

impl ZendeskClient {
    /// Cheap: the HTTP client (which reads the system's root certificates) is built on the
    /// first request, so `zdauth token` with a valid stored token never pays for it.
    pub fn new(timeouts: Timeouts) -> Self {
        Self {
            http: Arc::new(OnceLock::new()),
            timeouts,
        }
    }

    pub(crate) fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    pub(super) fn http(&self) -> Result<&reqwest::Client, ZendeskError> {
        if let Some(http) = self.http.get() {
            return Ok(http);
        }
        // reqwest is built without a bundled crypto provider; ring is the lighter one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let built = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.timeouts.connect)
            .timeout(self.timeouts.total)
            .build()
            .map_err(|e| ZendeskError::Network {
                endpoint: "the HTTP client",
                reason: sanitize(&e.to_string()),
            })?;
        // Two tasks may race to build it; either client is as good as the other.
        Ok(self.http.get_or_init(|| built))
    }

    /// Exchanges an authorization code (with its PKCE verifier) for a token pair.
    pub(crate) async fn exchange_code(
        &self,
        request: &TokenRequest<'_>,
        code: &Secret,
        verifier: &Secret,
        redirect_uri: &str,
    ) -> Result<Tokens, ZendeskError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("redirect_uri", redirect_uri),
        ];
        if request.connection.kind == Kind::Support {
            form.push(("code_verifier", verifier.expose()));
        }
        self.token_post(request, form).await
    }

    /// Spends `refresh_token` (single-use) for a new pair.
    pub(crate) async fn refresh(
        &self,
        request: &TokenRequest<'_>,
        refresh_token: &Secret,
    ) -> Result<Tokens, ZendeskError> {
        let form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ];
        self.token_post(request, form).await
    }

    pub(super) async fn token_post(
        &self,
        request: &TokenRequest<'_>,
        mut form: Vec<(&str, &str)>,
    ) -> Result<Tokens, ZendeskError> {
        let connection = request.connection;
        let endpoints = Endpoints::for_connection(connection);
        form.push(("client_id", &connection.client_id));
        if let Some(secret) = request.client_secret {
            form.push(("client_secret", secret.expose()));
        }
        let scope = connection.scopes.join(" ");
        if connection.kind == Kind::Chat {
            form.push(("scope", &scope));
        }
        let (expires_in, refresh_expires_in) = crate::expiry::lifetimes_to_ask(connection);
        if let Some(seconds) = &expires_in {
            form.push(("expires_in", seconds));
        }
        if let Some(seconds) = &refresh_expires_in {
            form.push(("refresh_token_expires_in", seconds));
        }
        let now = Timestamp::now();
        // A token request is not repeated after a 5xx: the server may have spent the code or
        // refresh token before failing, and sending it again would be a replay that a strict
        // server punishes by revoking the grant. 429 means it was not processed.
        let http = self.http()?;
        let sent = Sent::of_form(&form);
        let body = self
            .send_raw("the token endpoint", Retry::RateLimitOnly, &sent, || {
                http.post(endpoints.token.clone()).form(&form)
            })
            .await?;
        answer::read("the token endpoint", &body, now, &connection.scopes)
    }

    /// Who the token belongs to. Zendesk answers an unaccepted token with an anonymous user
    /// (no id), which counts as a rejection.
    pub async fn users_me(
        &self,
        connection: &Connection,
        access_token: &Secret,
    ) -> Result<User, ZendeskError> {
        const ENDPOINT: &str = "users/me.json";
        let envelope: UserEnvelope = self.api_get(connection, access_token, ENDPOINT).await?;
        // Shown and stored, so it must not carry back the bearer token either.
        let sent = Sent::of([access_token.expose()]);
        envelope
            .user
            .into_user()
            .map(|user| sent.user(&user))
            .ok_or(ZendeskError::TokenRejected { endpoint: ENDPOINT })
    }

    pub(crate) async fn current_token(
        &self,
        connection: &Connection,
        access_token: &Secret,
    ) -> Result<CurrentToken, ZendeskError> {
        const ENDPOINT: &str = "oauth/tokens/current.json";
        let envelope: CurrentTokenEnvelope =
            self.api_get(connection, access_token, ENDPOINT).await?;
        Ok(envelope.token)
    }

    async fn api_get<T: DeserializeOwned>(
        &self,
        connection: &Connection,
        access_token: &Secret,
        endpoint: &'static str,
    ) -> Result<T, ZendeskError> {
        let url = api_url(connection, endpoint)?;
        let http = self.http()?;
        let sent = Sent::of([access_token.expose()]);
        self.send(endpoint, &sent, || {
            bearer(http, Method::GET, &url, access_token)
        })
        .await
    }

    /// Revokes by id: `DELETE …/current.json` is reported to answer 204 without revoking.
    pub async fn revoke(
        &self,
        connection: &Connection,
        access_token: &Secret,
        token_id: &str,
    ) -> Result<(), ZendeskError> {
        const ENDPOINT: &str = "oauth/tokens/{id}.json";
        if !token_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(ZendeskError::Malformed {
                endpoint: "oauth/tokens/current.json",
                reason: "the token id is not alphanumeric".into(),
            });
        }
        let url = api_url(connection, &format!("oauth/tokens/{token_id}.json"))?;
        let http = self.http()?;
        let sent = Sent::of([access_token.expose()]);
        self.send_raw(ENDPOINT, Retry::RateLimitAndServerErrors, &sent, || {
            bearer(http, Method::DELETE, &url, access_token)
        })
        .await
        .map(drop)
    }
}

fn api_url(connection: &Connection, path: &str) -> Result<Url, ZendeskError> {
    Endpoints::for_connection(connection)
        .api_url(path)
        .ok_or_else(|| ZendeskError::Malformed {
            endpoint: "the API",
            reason: format!("{} connections have no {path}", connection.kind.as_str()),
        })
}

/// The bearer header goes only to the connection's own host: `url` comes from its endpoints
/// and redirects are never followed (checklist item 22).
fn bearer(
    http: &reqwest::Client,
    method: Method,
    url: &Url,
    access_token: &Secret,
) -> RequestBuilder {
    http.request(method, url.clone())
        .header(AUTHORIZATION, format!("Bearer {}", access_token.expose()))
}
