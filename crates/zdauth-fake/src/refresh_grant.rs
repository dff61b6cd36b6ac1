//! `grant_type=refresh_token`: rotation that deletes the previous pair, and reuse detection.

use jiff::Timestamp;

use crate::errors::OAuthError;
use crate::lifetimes;
use crate::params::Params;
use crate::state::State;
use crate::token::narrowed;

/// Returns the id of the rotated grant.
pub(crate) fn refresh(
    state: &mut State,
    client_id: &str,
    params: &Params,
) -> Result<String, OAuthError> {
    let token = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
    let lifetimes = lifetimes::resolve(
        params,
        state.default_lifetimes(),
        state.options.lenient_lifetimes,
    )?;
    let invalid = |why: &str| OAuthError::invalid_grant(format!("The refresh token is {why}"));
    let reference = state
        .refresh
        .get(token)
        .cloned()
        .ok_or_else(|| invalid("invalid"))?;
    let grant_id = reference.grant_id;
    state.counters.post_for(&grant_id);
    let grant = state
        .grants
        .get(&grant_id)
        .ok_or_else(|| invalid("invalid"))?;
    if grant.client_id != client_id {
        return Err(invalid("invalid"));
    }
    if !grant.alive {
        return Err(invalid("revoked"));
    }
    if grant.pair.token_id != reference.token_id {
        // RFC 9700 §4.14.2: either the client or an attacker holds a stolen copy; the server
        // cannot tell which, so a strict one ends the whole grant.
        if state.options.revokes_grant_on_reuse() {
            state.counters.reuse_detected();
            state.revoke(&grant_id);
        }
        return Err(invalid("already used"));
    }
    if Timestamp::now() >= grant.pair.refresh_expires_at {
        return Err(invalid("expired"));
    }
    let scopes = narrowed(&grant.scopes, params)?;
    let kind = state.pair_kind(client_id, params);
    state.rotate(&grant_id, scopes, lifetimes, kind);
    state.counters.refreshed();
    Ok(grant_id)
}
