//! `grant_type=client_credentials` (RFC 6749 §4.4), as Zendesk has it since 2025-03:
//! confidential clients only, no user consent, no browser and no refresh token. The token acts
//! as the admin who made the client. Every mint is a new token; earlier ones live on until they
//! expire, as separate tokens do at Zendesk.

use axum::response::Response;

use crate::answer;
use crate::errors::OAuthError;
use crate::lifetimes;
use crate::options::FakeKind;
use crate::params::Params;
use crate::state::{PairKind, State};

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
    // The pair's refresh half is never handed out, so it must not be redeemable either, and
    // the answer (the same one every grant gives, knobs and all) must not carry it.
    let unissued = state
        .grants
        .get_mut(&grant_id)
        .and_then(|grant| grant.pair.refresh_token.take());
    if let Some(unissued) = unissued {
        state.refresh.remove(&unissued);
    }
    state.counters.minted();
    state.counters.post_for(&grant_id);
    Ok(answer::success(state, &grant_id, asked_lifetime))
}
