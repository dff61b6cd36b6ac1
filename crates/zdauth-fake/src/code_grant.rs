//! `grant_type=authorization_code`: single-use codes bound to client, redirect URI and PKCE.

use std::time::Instant;

use crate::crypto::{is_valid_verifier, s256, same};
use crate::errors::OAuthError;
use crate::lifetimes;
use crate::params::Params;
use crate::state::State;
use crate::token::narrowed;

/// Returns the id of the new grant.
pub(crate) fn exchange(
    state: &mut State,
    client_id: &str,
    params: &Params,
) -> Result<String, OAuthError> {
    let code_text = params
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
    // Checked before the code is touched, so a bad lifetime does not burn a good code.
    let lifetimes = lifetimes::resolve(
        params,
        state.default_lifetimes(),
        state.options.lenient_lifetimes,
    )?;
    let invalid =
        || OAuthError::invalid_grant("The authorization code is invalid, expired or revoked");
    let code = state.codes.get_mut(code_text).ok_or_else(invalid)?;
    // Another client must not be able to burn someone's code by presenting it.
    if code.client_id != client_id {
        return Err(invalid());
    }
    if code.used {
        // RFC 6749 §4.1.2: a replayed code revokes what it produced.
        if let Some(grant_id) = code.grant_id.clone() {
            state.counters.post_for(&grant_id);
            state.revoke(&grant_id);
        }
        return Err(OAuthError::invalid_grant(
            "The authorization code was already used",
        ));
    }
    // One attempt per code, right or wrong, so a verifier cannot be guessed at leisure.
    code.used = true;
    if Instant::now() >= code.expires_at {
        return Err(invalid());
    }
    if params.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "The redirect_uri does not match the one of the authorization request",
        ));
    }
    match (&code.challenge, params.get("code_verifier")) {
        (Some(challenge), Some(verifier))
            if is_valid_verifier(verifier) && same(&s256(verifier), challenge) => {}
        (Some(_), _) => {
            return Err(OAuthError::invalid_grant(
                "The code_verifier does not match the code_challenge",
            ));
        }
        // RFC 9700 §2.1.1: a verifier without a challenge hints at a PKCE downgrade.
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "A code_verifier was sent but the authorization request had no code_challenge",
            ));
        }
        (None, None) => {}
    }
    let scopes = narrowed(&code.scopes, params)?;
    let kind = state.pair_kind(client_id, params);
    let grant_id = state.create_grant(client_id, scopes, lifetimes, kind);
    if let Some(code) = state.codes.get_mut(code_text) {
        code.grant_id = Some(grant_id.clone());
    }
    state.counters.code_exchanged();
    state.counters.post_for(&grant_id);
    Ok(grant_id)
}
