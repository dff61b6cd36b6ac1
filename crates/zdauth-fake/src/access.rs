//! Who may call the REST API: a live bearer token, of the right server (Chat tokens only on
//! the Chat API and the other way round, as at Zendesk), with a scope that covers the call.

use axum::http::{HeaderMap, StatusCode};
use serde_json::json;

use crate::api::{Caller, caller};
use crate::errors::{ApiError, OAuthError};
use crate::options::FakeKind;
use crate::state::State;

/// The grant's client id, for counting calls per OAuth client (one per Zendesk account).
pub(crate) fn client_of_bearer(state: &State, headers: &HeaderMap) -> Option<String> {
    let Ok(Caller::Bearer(token)) = caller(headers) else {
        return None;
    };
    let reference = state.access.get(&token)?;
    state
        .grants
        .get(&reference.grant_id)
        .map(|grant| grant.client_id.clone())
}

/// Lets the call through, or answers 401 (no, unknown, expired, revoked token, or one of the
/// other server) or 403 (none of `scopes`; the first is the one the error names).
pub(crate) fn check(
    state: &mut State,
    headers: &HeaderMap,
    server: FakeKind,
    scopes: &[&str],
) -> Result<(), ApiError> {
    let token = match caller(headers) {
        Ok(Caller::Bearer(token)) => token,
        Ok(Caller::Anonymous) => {
            return Err(OAuthError::invalid_token("No access token was provided.").into());
        }
        Err(error) => return Err(error.into()),
    };
    let grant = match state.bearer(&token) {
        Ok(grant) => grant,
        Err(problem) => return Err(OAuthError::invalid_token(problem.describe()).into()),
    };
    let (client_id, granted) = (grant.client_id.clone(), grant.scopes.clone());
    let kind = state
        .clients
        .get(&client_id)
        .map_or(FakeKind::Support, |client| client.kind);
    if kind != server {
        // Support and Chat are separate OAuth servers: neither knows the other's tokens.
        return Err(OAuthError::invalid_token("The access token provided is invalid.").into());
    }
    if granted.iter().any(|scope| scopes.contains(&scope.as_str())) {
        return Ok(());
    }
    let named = scopes.first().copied().unwrap_or("read");
    Err(ApiError::Body(
        StatusCode::FORBIDDEN,
        json!({
            "error": "Forbidden",
            "description": format!("You are missing the following required scopes: {named}"),
        }),
    ))
}
