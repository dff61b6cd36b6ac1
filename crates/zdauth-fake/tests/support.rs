//! What the suites share: the clients every fake knows, an HTTP client with redirects off (so
//! that 302 Location headers are visible), PKCE values, and requests to each endpoint.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use reqwest::{Client, StatusCode, header, redirect};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;
use zdauth_fake::{FakeClient, FakeOptions, FakeZendesk};

pub(crate) const REDIRECT: &str = "http://127.0.0.1:8765/callback";
pub(crate) const PUBLIC: &str = "zdauth_public";
pub(crate) const CONFIDENTIAL: &str = "zdauth_confidential";
pub(crate) const SECRET: &str = "confidential-secret-value";
pub(crate) const CHAT: &str = "zdauth_chat";

pub(crate) fn options() -> FakeOptions {
    FakeOptions {
        clients: vec![
            FakeClient::public(PUBLIC, REDIRECT),
            FakeClient::confidential(CONFIDENTIAL, SECRET, REDIRECT),
            FakeClient::chat(CHAT, REDIRECT),
        ],
        ..FakeOptions::default()
    }
}

pub(crate) async fn start(options: FakeOptions) -> FakeZendesk {
    FakeZendesk::start(options).await.expect("fake starts")
}

pub(crate) fn client_with_timeout(timeout: Duration) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .redirect(redirect::Policy::none())
        // Proxies from the environment would send loopback traffic elsewhere.
        .no_proxy()
        .timeout(timeout)
        .build()
        .expect("client builds")
}

pub(crate) fn http() -> Client {
    client_with_timeout(Duration::from_secs(10))
}

pub(crate) fn verifier() -> String {
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub(crate) async fn get_authorize(
    fake: &FakeZendesk,
    path: &str,
    query: &[(&str, &str)],
) -> reqwest::Response {
    http()
        .get(format!("{}{path}", fake.base_url()))
        .query(query)
        .send()
        .await
        .expect("authorize answers")
}

pub(crate) fn location(response: &reqwest::Response) -> (Url, HashMap<String, String>) {
    let location = response
        .headers()
        .get(header::LOCATION)
        .expect("a Location header")
        .to_str()
        .expect("ASCII Location");
    let url = Url::parse(location).expect("absolute Location");
    let params = url.query_pairs().into_owned().collect();
    (url, params)
}

/// Auto-approved authorization with PKCE; returns the code.
pub(crate) async fn code_for(fake: &FakeZendesk, client_id: &str, verifier: &str) -> String {
    let response = get_authorize(
        fake,
        "/oauth/authorizations/new",
        &[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT),
            ("scope", "read write"),
            ("state", "st&te=1 x"),
            ("code_challenge", &challenge(verifier)),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let (url, params) = location(&response);
    assert_eq!(
        url.as_str().split('?').next(),
        Some(REDIRECT),
        "back to the registered URI"
    );
    assert_eq!(params["state"], "st&te=1 x", "state echoed exactly");
    params["code"].clone()
}

pub(crate) async fn post_form(
    fake: &FakeZendesk,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let response = http()
        .post(format!("{}{path}", fake.base_url()))
        .form(form)
        .send()
        .await
        .expect("token endpoint answers");
    let status = response.status();
    (status, response.json().await.expect("JSON body"))
}

pub(crate) async fn exchange(
    fake: &FakeZendesk,
    code: &str,
    verifier: &str,
) -> (StatusCode, Value) {
    post_form(
        fake,
        "/oauth/tokens",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", PUBLIC),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

pub(crate) async fn refresh(
    fake: &FakeZendesk,
    client_id: &str,
    refresh_token: &str,
) -> (StatusCode, Value) {
    post_form(
        fake,
        "/oauth/tokens",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", client_id),
        ],
    )
    .await
}

pub(crate) async fn get_api(
    fake: &FakeZendesk,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = http().get(format!("{}{path}", fake.base_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("API answers");
    let status = response.status();
    (status, response.json().await.expect("JSON body"))
}

pub(crate) fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {body}"))
}

pub(crate) fn grant_of(fake: &FakeZendesk) -> String {
    let counters = fake.counters();
    assert_eq!(counters.token_posts_per_grant.len(), 1);
    counters
        .token_posts_per_grant
        .keys()
        .next()
        .cloned()
        .unwrap_or_default()
}

/// One answer of the REST API, whole.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: header::HeaderMap,
    pub(crate) text: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|_| panic!("{} answered non-JSON: {}", self.status, self.text))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// A request to `url` (a full URL, or a path on the fake) with an optional bearer token and
/// an optional body of the given content type.
pub(crate) async fn call(
    fake: &FakeZendesk,
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<(&str, &str)>,
) -> Answer {
    let url = if url.starts_with("http") {
        url.to_owned()
    } else {
        format!("{}{url}", fake.base_url())
    };
    let mut request = http().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some((content_type, body)) = body {
        request = request
            .header(header::CONTENT_TYPE, content_type)
            .body(body.to_owned());
    }
    let response = request.send().await.expect("the API answers");
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        text: response.text().await.expect("a body"),
    }
}

pub(crate) async fn get(fake: &FakeZendesk, url: &str, token: &str) -> Answer {
    call(fake, reqwest::Method::GET, url, Some(token), None).await
}
