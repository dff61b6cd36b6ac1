//! HTTP to Zendesk (checklist items 22–23): rustls, no redirects followed, connect and total
//! timeouts, a bounded body, 429 and 5xx retried a bounded number of times.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use jiff::Timestamp;
use reqwest::header::{AUTHORIZATION, HeaderMap, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::answer;
use super::endpoints::Endpoints;
use super::error::{ZendeskError, sanitize};
use super::redact::Sent;
use super::wire::{CurrentToken, CurrentTokenEnvelope, OAuthErrorBody, UserEnvelope};
use crate::config::{Connection, Kind};
use crate::secret::Secret;
use crate::vault::{Tokens, User};

const USER_AGENT: &str = concat!("zdauth/", env!("CARGO_PKG_VERSION"));
const MAX_BODY: usize = 256 * 1024;
const ATTEMPTS: u32 = 3;
/// A Retry-After longer than this is not waited out: the user is told to come back.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

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
pub struct TokenRequest<'a> {
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

    fn http(&self) -> Result<&reqwest::Client, ZendeskError> {
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
    pub async fn exchange_code(
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
    pub async fn refresh(
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
            .map(|user| sent.user(user))
            .ok_or(ZendeskError::TokenRejected { endpoint: ENDPOINT })
    }

    pub async fn current_token(
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

    async fn send<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        sent: &Sent<'_>,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<T, ZendeskError> {
        let body = self
            .send_raw(endpoint, Retry::RateLimitAndServerErrors, sent, build)
            .await?;
        parse(endpoint, &body)
    }

    /// Sends, retrying 429 (after Retry-After, bounded) and 5xx; returns a 2xx body.
    async fn send_raw(
        &self,
        endpoint: &'static str,
        retry: Retry,
        sent: &Sent<'_>,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Vec<u8>, ZendeskError> {
        let mut pause = self.timeouts.backoff;
        let mut attempt = 1;
        loop {
            let result = match build().send().await {
                Ok(response) => self.read(endpoint, response, sent).await,
                Err(e) => Err(self.transport_error(endpoint, &e, sent)),
            };
            let wait = match &result {
                Err(ZendeskError::RateLimited { retry_after, .. }) => match retry_after {
                    Some(s) if Duration::from_secs(*s) > MAX_RETRY_AFTER => None,
                    Some(s) => Some(Duration::from_secs(*s)),
                    None => Some(pause),
                },
                Err(ZendeskError::Http { status, .. })
                    if *status >= 500 && retry == Retry::RateLimitAndServerErrors =>
                {
                    Some(pause)
                }
                _ => None,
            };
            match wait {
                Some(wait) if attempt < ATTEMPTS => {
                    tracing::info!(endpoint, attempt, ?wait, "retrying");
                    tokio::time::sleep(wait).await;
                    pause *= 2;
                    attempt += 1;
                }
                _ => return result,
            }
        }
    }

    async fn read(
        &self,
        endpoint: &'static str,
        response: Response,
        sent: &Sent<'_>,
    ) -> Result<Vec<u8>, ZendeskError> {
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = read_bounded(endpoint, response, self.timeouts.total).await?;
        tracing::debug!(endpoint, status = status.as_u16(), "answer");
        if status.is_success() {
            return Ok(body);
        }
        let status_code = status.as_u16();
        if status.is_redirection() {
            return Err(ZendeskError::Redirected {
                endpoint,
                status: status_code,
            });
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(ZendeskError::RateLimited {
                endpoint,
                retry_after,
            });
        }
        let oauth: Option<OAuthErrorBody> = serde_json::from_slice(&body).ok();
        match oauth {
            Some(body)
                if status_code == 400 || (status_code == 401 && body.error != "invalid_token") =>
            {
                Err(ZendeskError::OAuth {
                    endpoint,
                    status: status_code,
                    error: sent.clean(&body.error),
                    description: body.error_description.as_deref().map(|d| sent.clean(d)),
                })
            }
            _ if status_code == 401 => Err(ZendeskError::TokenRejected { endpoint }),
            other => Err(ZendeskError::Http {
                endpoint,
                status: status_code,
                description: other
                    .and_then(|b| b.error_description)
                    .as_deref()
                    .map(|d| sent.clean(d)),
            }),
        }
    }

    fn transport_error(
        &self,
        endpoint: &'static str,
        e: &reqwest::Error,
        sent: &Sent<'_>,
    ) -> ZendeskError {
        if e.is_timeout() {
            return ZendeskError::TimedOut {
                endpoint,
                after: self.timeouts.total,
            };
        }
        // reqwest's Display names the URL, which never carries a secret here (secrets travel
        // in bodies and headers); the source chain says what actually failed.
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            reason = format!("{reason}: {inner}");
            source = inner.source();
        }
        ZendeskError::Network {
            endpoint,
            reason: sent.clean(&reason),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    RateLimitOnly,
    RateLimitAndServerErrors,
}

fn parse<T: DeserializeOwned>(endpoint: &'static str, body: &[u8]) -> Result<T, ZendeskError> {
    serde_json::from_slice(body).map_err(|e| ZendeskError::Malformed {
        endpoint,
        reason: format!("not the JSON expected: {}", e.classify_name()),
    })
}

fn api_url(connection: &Connection, path: &str) -> Result<Url, ZendeskError> {
    Endpoints::for_connection(connection)
        .api_url(path)
        .ok_or_else(|| ZendeskError::Malformed {
            endpoint: "the API",
            reason: format!("{} connections have no {path}", connection.kind.as_str()),
        })
}

fn retry_after(headers: &HeaderMap) -> Option<u64> {
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

async fn read_bounded(
    endpoint: &'static str,
    mut response: Response,
    total: Duration,
) -> Result<Vec<u8>, ZendeskError> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(ZendeskError::Malformed {
                        endpoint,
                        reason: format!("the answer is larger than {} KiB", MAX_BODY / 1024),
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => {
                return Err(ZendeskError::TimedOut {
                    endpoint,
                    after: total,
                });
            }
            Err(_) => {
                return Err(ZendeskError::Malformed {
                    endpoint,
                    reason: "the connection broke in the middle of the answer".into(),
                });
            }
        }
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    /// serde_json may quote the offending value, which could be a token.
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "missing or unexpected fields",
            serde_json::error::Category::Eof => "cut short",
        }
    }
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
