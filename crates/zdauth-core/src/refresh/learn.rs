//! What tokens/current.json teaches about a pair that was just stored: its access token's
//! expiry when the answer gave none that could be used, and the refresh token's expiry.
//! Asked only after the pair is saved, so that a slow or failing call never stands between
//! a spent refresh token and its successor on disk.

use jiff::Timestamp;

use crate::config::{Connection, Kind};
use crate::expiry::{self, ExpirySource, Which};
use crate::vault::Tokens;
use crate::zendesk::{CurrentToken, ZendeskClient};

/// Whether current.json could tell something the stored pair lacks.
pub(crate) fn worth_asking(connection: &Connection, tokens: &Tokens) -> bool {
    // Chat tokens are not Support tokens: the Support API does not know them.
    connection.kind == Kind::Support
        && (tokens.expiry_source == ExpirySource::Assumed
            || (tokens.refresh_token.is_some() && tokens.refresh_expires_at.is_none()))
}

/// `tokens` with what current.json says; unchanged when it cannot be asked. Best effort.
pub(crate) async fn from_current_json(
    client: &ZendeskClient,
    connection: &Connection,
    tokens: Tokens,
) -> Tokens {
    if !worth_asking(connection, &tokens) {
        return tokens;
    }
    match client.current_token(connection, &tokens.access_token).await {
        Ok(current) => apply(tokens, &current, Timestamp::now()),
        Err(e) => {
            tracing::warn!(error = %e, "tokens/current.json did not answer; the stored expiry stands");
            tokens
        }
    }
}

/// Server times are clamped to Zendesk's bounds like any lifetime; a time already past is
/// no expiry for a token that was just issued, and is ignored.
pub(crate) fn apply(mut tokens: Tokens, current: &CurrentToken, now: Timestamp) -> Tokens {
    let ahead = |at: Timestamp| {
        let left = at.as_second().saturating_sub(now.as_second());
        (left > 0).then_some(left)
    };
    if tokens.expiry_source == ExpirySource::Assumed
        && let Some(left) = current.expires_at.and_then(ahead)
    {
        tokens.expires_at = Some(expiry::after(now, left, Which::AccessToken));
        tokens.expiry_source = ExpirySource::CurrentJson;
    }
    if tokens.refresh_token.is_some()
        && tokens.refresh_expires_at.is_none()
        && let Some(left) = current.refresh_token_expires_at.and_then(ahead)
    {
        tokens.refresh_expires_at = Some(expiry::after(now, left, Which::RefreshToken));
    }
    tokens
}
