//! A refresh answer with one unusable token (checklist item 28). The refresh token sent is
//! spent either way, so whatever the answer still holds is stored as carefully as a whole
//! new pair.

use jiff::Timestamp;

use super::Fresh;
use super::store::store_new_pair;
use crate::error::Error;
use crate::vault::preflight::Reserved;
use crate::vault::{ConnectionLock, Entry};
use crate::zendesk::{Salvage, ZendeskError};

pub(super) async fn keep(
    lock: ConnectionLock,
    room: Reserved,
    name: &str,
    mut entry: Entry,
    issuer: String,
    error: ZendeskError,
) -> Result<Fresh, Error> {
    let (message, salvage) = error.into_salvage()?;
    let now = Timestamp::now();
    entry.issuer = Some(issuer);
    match salvage {
        Salvage::RefreshToken {
            refresh_token,
            refresh_expires_at,
        } => {
            // The old access token went with the rotation: marked expired, it is never handed
            // out again, and the next call refreshes with the new refresh token.
            let Some(tokens) = entry.tokens.as_mut() else {
                return Err(Error::RefreshFailed(message));
            };
            tokens.expires_at = Some(now.min(tokens.expires_at.unwrap_or(now)));
            tokens.refresh_token = Some(refresh_token);
            tokens.refresh_expires_at = refresh_expires_at;
            let message = format!(
                "{message}; its new refresh token was stored, so the next try gets a new pair"
            );
            entry.last_error = Some(message.clone());
            // Callers waiting on this refresh get its error, not the dead access token.
            entry.last_error_at = Some(now);
            entry.secret_refused = false;
            store_new_pair(lock, room, name, entry).await?;
            Err(Error::RefreshFailed(message))
        }
        Salvage::AccessToken(tokens) => {
            entry.tokens = Some(tokens.clone());
            entry.last_refresh = Some(now);
            entry.last_error = Some(format!(
                "{message}; the new access token works, but without a refresh token: log in again when it expires"
            ));
            entry.last_error_at = None;
            store_new_pair(lock, room, name, entry).await?;
            Ok(Fresh {
                tokens,
                refreshed: true,
            })
        }
    }
}
