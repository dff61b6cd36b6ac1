//! `grant_type=client_credentials` (RFC 6749 §4.4), as Zendesk has it since 2025-03:
//! confidential clients only, no user consent, no browser and no refresh token. The token acts
//! as the admin who made the client. Every mint is a new token; earlier ones live on until they
//! expire, as separate tokens do at Zendesk.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::errors::OAuthError;
use super::lifetimes;
use super::options::FakeKind;
use super::params::Params;
use super::state::{PairKind, State};

#[derive(Serialize)]
struct MintBody<'a> {
    access_token: &'a str,
    token_type: &'static str,
    scope: String,
    /// Only when the request asked for a lifetime: Zendesk's observed behaviour.
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
}

/// `client_id` is already authenticated (a confidential client proved its secret, a public
/// one proved nothing).
pub(crate) fn mint(
    state: &mut State,
    kind: FakeKind,
    client_id: &str,
    params: &Params,
) -> Result<Response, OAuthError> {
    if kind == FakeKind::Chat {
        return Err(OAuthError::unsupported_grant_type());
    }
    // RFC 6749 §4.4.2: the server MUST authenticate the client. A public client has nothing
    // to authenticate with, which §5.2 names invalid_client ("no client authentication
    // included"); unauthorized_client is for an authenticated client barred from a grant.
    let confidential = state
        .clients
        .get(client_id)
        .is_some_and(|client| client.secret.is_some());
    if !confidential {
        return Err(OAuthError::invalid_client(
            "client_credentials needs a confidential client that authenticates with its secret",
        ));
    }
    let scopes = params.scopes();
    if scopes.is_empty() {
        return Err(OAuthError::invalid_request("scope is missing"));
    }
    let lifetimes = lifetimes::resolve(
        params,
        state.default_lifetimes(),
        state.options.lenient_lifetimes,
    )?;
    let asked_lifetime = params.get("expires_in").is_some();
    let grant_id = state.create_grant(client_id, scopes, lifetimes, PairKind::Rotating);
    let grant = &state.grants[&grant_id];
    // The pair's refresh half is never handed out, so it must not be redeemable either.
    if let Some(unissued) = grant.pair.refresh_token.clone() {
        state.refresh.remove(&unissued);
    }
    state.counters.client_credentials += 1;
    state.counters.count_post_for(&grant_id);

    let grant = &state.grants[&grant_id];
    let body = MintBody {
        access_token: &grant.pair.access_token,
        token_type: "bearer",
        scope: grant.scopes.join(" "),
        expires_in: asked_lifetime.then_some(grant.pair.lifetimes.access_secs),
    };
    let status = StatusCode::from_u16(state.options.success_status).unwrap_or(StatusCode::CREATED);
    Ok((
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response())
}
