//! The OAuth clients API (`GET/POST /api/v2/oauth/clients.json`), called with an admin's API
//! token (HTTP Basic `EMAIL/token:TOKEN`) to make the public client a connection logs in with.
//!
//! The API token is a [`Secret`]: sent only in a sensitive header, only to the connection's own
//! API (its endpoints, redirects never followed), scrubbed from every server text shown, never
//! logged, never stored. The secret Zendesk sends back in a create answer is never read.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::ZendeskClient;
use super::endpoints::Endpoints;
use super::error::ZendeskError;
use super::redact::Sent;
use crate::config::Connection;
use crate::error::{Error, quote};
use crate::secret::Secret;

const ENDPOINT: &str = "oauth/clients.json";
/// An account's client list is short; this bounds a server that pages forever.
const MAX_PAGES: usize = 100;
const MAX_BODY: usize = 1024 * 1024;

/// An admin's API token and the email it belongs to.
#[derive(Debug)]
pub struct ApiToken {
    pub email: String,
    pub token: Secret,
}

/// An OAuth client as the API lists it (its secret is never read).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OAuthClient {
    pub id: u64,
    pub identifier: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub redirect_uri: Vec<String>,
}

impl OAuthClient {
    pub fn is_public(&self) -> bool {
        self.kind.as_deref() == Some("public")
    }
}

/// What a create asks for: a public client with one loopback redirect URI.
pub struct NewClient<'a> {
    pub name: &'a str,
    pub identifier: &'a str,
    pub redirect_uri: &'a str,
    pub description: &'a str,
}

/// The answer to a create.
#[derive(Debug)]
pub enum Created {
    Made(OAuthClient),
    /// Zendesk's 422 naming the identifier: a client with it exists (made meanwhile).
    Taken,
}

#[derive(Deserialize)]
struct ClientEnvelope {
    client: OAuthClient,
}

#[derive(Deserialize)]
struct ClientList {
    clients: Vec<OAuthClient>,
    #[serde(default)]
    next_page: Option<String>,
}

struct Answer {
    body: Vec<u8>,
}

impl ZendeskClient {
    /// The client with `identifier` in the account of `connection`, if there is one.
    pub async fn find_oauth_client(
        &self,
        connection: &Connection,
        auth: &ApiToken,
        identifier: &str,
    ) -> Result<Option<OAuthClient>, Error> {
        let api = api_root(connection)?;
        let mut url = join(&api, ENDPOINT);
        for _ in 0..MAX_PAGES {
            let answer = self
                .basic(Method::GET, &url, auth, None)
                .await
                .map_err(|refused| refused.into_error(auth, connection))?;
            let list: ClientList = parse(&answer.body)?;
            if let Some(found) = list
                .clients
                .into_iter()
                .find(|c| c.identifier == identifier)
            {
                return Ok(Some(found));
            }
            let Some(next) = list.next_page else {
                return Ok(None);
            };
            url = own_page(&api, &next)?;
        }
        Err(ZendeskError::Malformed {
            endpoint: ENDPOINT,
            reason: format!("more than {MAX_PAGES} pages of clients"),
        }
        .into())
    }

    /// Makes a public client. A 422 that names the identifier is [`Created::Taken`].
    pub async fn create_oauth_client(
        &self,
        connection: &Connection,
        auth: &ApiToken,
        new: &NewClient<'_>,
    ) -> Result<Created, Error> {
        let url = join(&api_root(connection)?, ENDPOINT);
        let body = json!({ "client": {
            "name": new.name,
            "identifier": new.identifier,
            "kind": "public",
            "redirect_uri": [new.redirect_uri],
            "description": new.description,
        }});
        match self.basic(Method::POST, &url, auth, Some(&body)).await {
            Ok(answer) => Ok(Created::Made(parse::<ClientEnvelope>(&answer.body)?.client)),
            Err(Refused::Invalid(details)) if details.get("identifier").is_some() => {
                Ok(Created::Taken)
            }
            Err(refused) => Err(refused.into_error(auth, connection)),
        }
    }

    /// One request with the API token as HTTP Basic; a non-2xx answer is a [`Refused`].
    async fn basic(
        &self,
        method: Method,
        url: &Url,
        auth: &ApiToken,
        body: Option<&Value>,
    ) -> Result<Answer, Refused> {
        let sent = Sent::of([auth.token.expose()]);
        let http = self.http().map_err(Refused::Other)?;
        let credentials =
            zeroize::Zeroizing::new(format!("{}/token:{}", auth.email, auth.token.expose()));
        let mut header =
            HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(&*credentials))).map_err(
                |_| {
                    Refused::Other(ZendeskError::Malformed {
                        endpoint: ENDPOINT,
                        reason: "the email or API token cannot be sent in a header".into(),
                    })
                },
            )?;
        header.set_sensitive(true);
        let mut request = http
            .request(method, url.clone())
            .header(AUTHORIZATION, header);
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let mut response = request.send().await.map_err(|e| {
            let e = e.without_url();
            Refused::Other(if e.is_timeout() {
                ZendeskError::TimedOut {
                    endpoint: ENDPOINT,
                    after: self.timeouts().total,
                }
            } else {
                ZendeskError::Network {
                    endpoint: ENDPOINT,
                    reason: sent.clean(&chain(&e)),
                }
            })
        })?;
        let status = response.status();
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() <= MAX_BODY => {
                    body.extend_from_slice(&chunk);
                }
                Ok(Some(_)) => {
                    return Err(Refused::Other(ZendeskError::Malformed {
                        endpoint: ENDPOINT,
                        reason: format!("the answer is larger than {} KiB", MAX_BODY / 1024),
                    }));
                }
                Ok(None) => break,
                Err(_) => {
                    return Err(Refused::Other(ZendeskError::Malformed {
                        endpoint: ENDPOINT,
                        reason: "the connection broke in the middle of the answer".into(),
                    }));
                }
            }
        }
        if status.is_success() {
            return Ok(Answer { body });
        }
        Err(Refused::of(status, &body, &sent))
    }
}

/// Why the API said no, read before it becomes an [`Error`].
enum Refused {
    Unauthorized,
    Forbidden,
    /// 422: the fields it names (`details`).
    Invalid(serde_json::Map<String, Value>),
    Status(u16, Option<String>),
    Other(ZendeskError),
}

impl Refused {
    fn of(status: StatusCode, body: &[u8], sent: &Sent<'_>) -> Self {
        let value: Option<Value> = serde_json::from_slice(body).ok();
        match status.as_u16() {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            422 => Self::Invalid(
                value
                    .as_ref()
                    .and_then(|v| v.get("details"))
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            ),
            429 => Self::Other(ZendeskError::RateLimited {
                endpoint: ENDPOINT,
                retry_after: None,
            }),
            code if status.is_redirection() => Self::Other(ZendeskError::Redirected {
                endpoint: ENDPOINT,
                status: code,
            }),
            code => {
                let said = value.as_ref().and_then(|v| {
                    v.get("description")
                        .or_else(|| v.get("error_description"))
                        .or_else(|| v.get("error"))
                        .and_then(Value::as_str)
                        .map(|text| sent.clean(text))
                });
                Self::Status(code, said)
            }
        }
    }

    fn into_error(self, auth: &ApiToken, connection: &Connection) -> Error {
        let sub = &connection.subdomain;
        let email = quote(&crate::text::display(&auth.email));
        match self {
            Self::Unauthorized => Error::Usage(format!(
                "{sub} refused the API token for {email} (401): check --email and that the token is active in Admin Center > Apps and integrations > Zendesk API, then pipe it in again"
            )),
            Self::Forbidden => Error::Usage(format!(
                "{sub} says {email} may not manage OAuth clients (403): use an admin's email and API token"
            )),
            Self::Invalid(details) => {
                // Only fields the clients API has: a key is server text, and one that echoes
                // the request could carry the API token.
                const KNOWN: [&str; 6] = [
                    "identifier",
                    "redirect_uri",
                    "name",
                    "kind",
                    "description",
                    "company",
                ];
                let mut fields: Vec<&str> = KNOWN
                    .into_iter()
                    .filter(|known| details.contains_key(*known))
                    .collect();
                if details.keys().any(|key| !KNOWN.contains(&key.as_str())) {
                    fields.push("another field");
                }
                Error::Usage(format!(
                    "{sub} refused the new client (422, invalid: {}): check --identifier and --port",
                    crate::text::display(&fields.join(", "))
                ))
            }
            Self::Status(status, said) => ZendeskError::Http {
                endpoint: ENDPOINT,
                status,
                description: said,
            }
            .into(),
            Self::Other(error) => error.into(),
        }
    }
}

fn api_root(connection: &Connection) -> Result<Url, Error> {
    Endpoints::for_connection(connection).api.ok_or_else(|| {
        Error::Usage(
            "Chat connections have no OAuth clients API: make the Chat client in Chat's dashboard and `zdauth add` it".into(),
        )
    })
}

fn join(api: &Url, path: &str) -> Url {
    let mut url = api.clone();
    url.set_path(&format!("{}/{path}", api.path().trim_end_matches('/')));
    url
}

/// A next page is followed only below the connection's own API root.
fn own_page(api: &Url, next: &str) -> Result<Url, Error> {
    let url = Url::parse(next).ok().filter(|url| {
        url.scheme() == api.scheme()
            && url.host_str() == api.host_str()
            && url.port_or_known_default() == api.port_or_known_default()
            && url.path().starts_with(api.path())
    });
    url.ok_or_else(|| {
        ZendeskError::Malformed {
            endpoint: ENDPOINT,
            reason: "its next page is not on the account's own API".into(),
        }
        .into()
    })
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|_| {
        ZendeskError::Malformed {
            endpoint: ENDPOINT,
            reason: "not the JSON of an OAuth client".into(),
        }
        .into()
    })
}

fn chain(e: &reqwest::Error) -> String {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        reason = format!("{reason}: {inner}");
        source = inner.source();
    }
    reason
}
