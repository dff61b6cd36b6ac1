//! `POST /oauth/tokens` (Support) and `POST /oauth2/token` (Chat): body parsing, client
//! authentication, dispatch by grant type, and the success body.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::crypto::same;
use crate::errors::OAuthError;
use crate::options::FakeKind;
use crate::params::Params;
use crate::state::{Shared, State as FakeState};
use crate::{answer, client_credentials_grant, code_grant, refresh_grant};

pub(crate) async fn support(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    token(&shared, FakeKind::Support, &headers, &body)
}

pub(crate) async fn chat(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    token(&shared, FakeKind::Chat, &headers, &body)
}

fn token(shared: &Shared, kind: FakeKind, headers: &HeaderMap, body: &[u8]) -> Response {
    match handle(shared, kind, headers, body) {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

fn handle(
    shared: &Shared,
    kind: FakeKind,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, OAuthError> {
    let params = parse_body(headers, body)?;
    let basic = basic_credentials(headers)?;
    let mut state = shared.lock();
    let client_id = authenticate(&state, kind, &params, basic)?;
    let grant_id = match params.get("grant_type") {
        Some("authorization_code") => code_grant::exchange(&mut state, &client_id, &params)?,
        Some("refresh_token") => refresh_grant::refresh(&mut state, &client_id, &params)?,
        Some("client_credentials") => {
            return client_credentials_grant::mint(&mut state, kind, &client_id, &params);
        }
        None => return Err(OAuthError::invalid_request("grant_type is missing")),
        Some(_) => return Err(OAuthError::unsupported_grant_type()),
    };
    let asked_expires_in = params.get("expires_in").is_some();
    Ok(answer::success(&state, &grant_id, asked_expires_in))
}

fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let parsed = if content_type.starts_with("application/x-www-form-urlencoded") {
        Params::from_form(body)
    } else if content_type.starts_with("application/json") {
        Params::from_json(body)
    } else {
        Err("Content-Type must be application/x-www-form-urlencoded or application/json".to_owned())
    };
    parsed.map_err(OAuthError::invalid_request)
}

/// RFC 6749 §2.3.1: HTTP Basic with form-encoded id and secret.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = || OAuthError::invalid_client("The Authorization header is not valid Basic auth");
    let text = value.to_str().map_err(|_| bad())?;
    let encoded = match text.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("basic") => rest.trim(),
        _ => return Err(bad()),
    };
    let decoded = STANDARD.decode(encoded).map_err(|_| bad())?;
    let (id, secret) = decoded
        .iter()
        .position(|&b| b == b':')
        .map(|at| (&decoded[..at], &decoded[at + 1..]))
        .ok_or_else(bad)?;
    let unescape = |part: &[u8]| -> String {
        url::form_urlencoded::parse(&[b"x=".as_slice(), part].concat())
            .next()
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

/// Confidential clients must prove their secret; public clients must not claim one. A client of
/// the other Zendesk server (Chat vs Support) is unknown here, as at Zendesk.
fn authenticate(
    state: &FakeState,
    kind: FakeKind,
    params: &Params,
    basic: Option<(String, String)>,
) -> Result<String, OAuthError> {
    let (client_id, secret) = if let Some((id, secret)) = basic {
        if params.get("client_secret").is_some() {
            return Err(OAuthError::invalid_request(
                "use one client authentication method, not two",
            ));
        }
        if params.get("client_id").is_some_and(|body_id| body_id != id) {
            return Err(OAuthError::invalid_client("Client authentication failed"));
        }
        (id, Some(secret))
    } else {
        let id = params
            .get("client_id")
            .ok_or_else(|| OAuthError::invalid_client("client_id is missing"))?;
        (
            id.to_owned(),
            params.get("client_secret").map(str::to_owned),
        )
    };
    let client = state
        .clients
        .get(&client_id)
        .filter(|client| client.kind == kind)
        .ok_or_else(|| OAuthError::invalid_client("Client authentication failed"))?;
    match (&client.secret, secret) {
        (Some(expected), Some(given)) if same(expected, &given) => Ok(client_id),
        (None, None) => Ok(client_id),
        _ => Err(OAuthError::invalid_client("Client authentication failed")),
    }
}

/// A token request may narrow the granted scopes, never widen them.
pub(crate) fn narrowed(granted: &[String], params: &Params) -> Result<Vec<String>, OAuthError> {
    let asked = params.scopes();
    if asked.is_empty() {
        return Ok(granted.to_vec());
    }
    if asked.iter().all(|scope| granted.contains(scope)) {
        Ok(asked)
    } else {
        Err(OAuthError::invalid_scope(
            "The requested scope exceeds the scope granted",
        ))
    }
}
