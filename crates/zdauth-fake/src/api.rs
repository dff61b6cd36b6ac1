//! The slice of the Support API zdauth uses: who am I, what is this token, revoke it.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use jiff::{Timestamp, Unit};
use serde::Serialize;
use serde_json::json;

use crate::errors::OAuthError;
use crate::state::{Grant, Shared};

#[derive(Serialize)]
struct UserView<'a> {
    id: Option<u64>,
    name: &'a str,
    email: Option<&'a str>,
    role: &'a str,
}

#[derive(Serialize)]
struct TokenView {
    id: u64,
    client_id: String,
    user_id: u64,
    scopes: Vec<String>,
    token: String,
    created_at: String,
    /// Null for a token that never expires.
    expires_at: Option<String>,
    used_at: Option<String>,
    refresh_token: Option<String>,
    refresh_token_expires_at: Option<String>,
    url: String,
}

pub(crate) enum Caller {
    Anonymous,
    Bearer(String),
}

pub(crate) fn caller(headers: &HeaderMap) -> Result<Caller, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Caller::Anonymous);
    };
    let bad = || OAuthError::invalid_token("The access token provided is invalid.");
    let text = value.to_str().map_err(|_| bad())?;
    match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Caller::Bearer(token.trim().to_owned()))
        }
        _ => Err(bad()),
    }
}

fn rfc3339(at: Timestamp) -> String {
    at.round(Unit::Second).unwrap_or(at).to_string()
}

fn first_ten(token: &str) -> String {
    token.chars().take(10).collect()
}

/// Zendesk answers anonymous callers with 200 and a user without an id, which is why zdauth
/// must treat a missing id as "token not accepted".
pub(crate) async fn users_me(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let token = match caller(&headers) {
        Ok(Caller::Bearer(token)) => token,
        Ok(Caller::Anonymous) => {
            let anonymous = UserView {
                id: None,
                name: "Anonymous user",
                email: None,
                role: "end-user",
            };
            return Json(json!({ "user": anonymous })).into_response();
        }
        Err(error) => return error.into_response(),
    };
    let mut state = shared.lock();
    let scoped = match state.bearer(&token) {
        Ok(grant) => has_read_scope(grant),
        Err(problem) => return OAuthError::invalid_token(problem.describe()).into_response(),
    };
    if !scoped {
        // Zendesk issues tokens for any scope words, then refuses the calls they do not cover.
        return (
            StatusCode::FORBIDDEN,
            Json(json!({
                "error": "Forbidden",
                "description": "You are missing the following required scopes: read"
            })),
        )
            .into_response();
    }
    let user = &state.options.user;
    let view = UserView {
        id: Some(user.id),
        name: &user.name,
        email: Some(&user.email),
        role: &user.role,
    };
    Json(json!({ "user": view })).into_response()
}

fn has_read_scope(grant: &Grant) -> bool {
    grant
        .scopes
        .iter()
        .any(|scope| scope == "read" || scope == "users:read")
}

pub(crate) async fn current(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let token = match caller(&headers) {
        Ok(Caller::Bearer(token)) => token,
        Ok(Caller::Anonymous) => {
            return OAuthError::invalid_token("No access token was provided.").into_response();
        }
        Err(error) => return error.into_response(),
    };
    let mut state = shared.lock();
    let grant = match state.bearer(&token) {
        Ok(grant) => grant,
        Err(problem) => return OAuthError::invalid_token(problem.describe()).into_response(),
    };
    let pair = &grant.pair;
    let view = TokenView {
        id: pair.token_id,
        client_id: grant.client_id.clone(),
        user_id: grant.user_id,
        scopes: grant.scopes.clone(),
        token: first_ten(&pair.access_token),
        created_at: rfc3339(pair.created_at),
        expires_at: (pair.access_expires_at != Timestamp::MAX)
            .then(|| rfc3339(pair.access_expires_at)),
        used_at: pair.used_at.map(rfc3339),
        refresh_token: pair.refresh_token.as_deref().map(first_ten),
        refresh_token_expires_at: pair
            .refresh_token
            .as_ref()
            .map(|_| rfc3339(pair.refresh_expires_at)),
        url: format!(
            "{}/api/v2/oauth/tokens/{}.json",
            shared.base_url, pair.token_id
        ),
    };
    Json(json!({ "token": view })).into_response()
}

/// Reported to answer 204 at Zendesk without revoking anything; the fake does the same so that
/// a client relying on it is caught by the tests.
pub(crate) async fn delete_current(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Response {
    match bearer_user(&shared, &headers) {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

fn bearer_user(shared: &Shared, headers: &HeaderMap) -> Result<u64, OAuthError> {
    let Caller::Bearer(token) = caller(headers)? else {
        return Err(OAuthError::invalid_token("No access token was provided."));
    };
    let mut state = shared.lock();
    state
        .bearer(&token)
        .map(|grant| grant.user_id)
        .map_err(|problem| OAuthError::invalid_token(problem.describe()))
}

/// What Zendesk answers for a path under `/api/` it has no endpoint for: JSON, as its other
/// errors are, whoever asks. Elsewhere the fake has no pages to show, so an empty 404.
pub(crate) async fn unknown_route(uri: Uri) -> Response {
    if !uri.path().starts_with("/api/") {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": "InvalidEndpoint", "description": "Not found" })),
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": "RecordNotFound", "description": "Not found" })),
    )
        .into_response()
}

/// Revokes the grant whose current pair has this id, if it belongs to the caller's user.
pub(crate) async fn delete_by_id(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let user_id = match bearer_user(&shared, &headers) {
        Ok(user_id) => user_id,
        Err(error) => return error.into_response(),
    };
    let Some(token_id) = file
        .strip_suffix(".json")
        .and_then(|id| id.parse::<u64>().ok())
    else {
        return not_found();
    };
    let mut state = shared.lock();
    let target = state
        .grants
        .iter()
        .find(|(_, grant)| {
            grant.alive && grant.pair.token_id == token_id && grant.user_id == user_id
        })
        .map(|(id, _)| id.clone());
    let Some(grant_id) = target else {
        return not_found();
    };
    state.revoke(&grant_id);
    state.counters.token_revoked();
    StatusCode::NO_CONTENT.into_response()
}
