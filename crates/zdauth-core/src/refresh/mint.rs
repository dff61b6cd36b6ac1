//! Client credentials connections have no refresh token: when their access token runs low a
//! new one is minted from the client's secret. Under the same single flight and connection
//! lock as a refresh, so N callers at once cost one POST and all get the new token.

use jiff::Timestamp;

use super::store::{keep_note, reserve_room, store_new_pair};
use super::{Fresh, Refresher, Want};
use crate::config::Connection;
use crate::error::Error;
use crate::vault::Tokens;
use crate::vault::{ConnectionLock, Entry};
use crate::zendesk::{self, Salvage, TokenRequest, ZendeskError};

impl Refresher {
    /// The rest of the transaction for a client credentials connection, holding `lock` with
    /// `entry` as re-read under it.
    pub(super) async fn mint(
        &self,
        connection: &Connection,
        want: Want,
        asked_at: Timestamp,
        lock: ConnectionLock,
        mut entry: Entry,
    ) -> Result<Fresh, Error> {
        let name = &connection.name;
        let issuer = zendesk::issuer(connection);
        if let Some(tokens) = entry.tokens.clone().filter(|_| entry.issued_by(&issuer)) {
            // Minted by another caller after we asked: as fresh as Zendesk makes them.
            let minted_since_asked = entry.last_refresh.is_some_and(|at| at >= asked_at);
            let enough = want.met_by(&tokens, Timestamp::now());
            if minted_since_asked || enough {
                return Ok(Fresh {
                    tokens,
                    refreshed: minted_since_asked,
                });
            }
        }
        if entry.last_error_at.is_some_and(|at| at >= asked_at) {
            let message = entry.last_error.clone().unwrap_or_default();
            // A refused secret is as final for the callers that waited as for the one that
            // asked: the same exit 5, not a failure worth trying again.
            if entry.secret_refused {
                return Err(Error::SecretRefusedMeanwhile(message));
            }
            return Err(Error::RefreshFailed(message));
        }
        // A browser login's pair, stored before the grant was switched: a mint would store
        // its token in its place and drop the refresh token unseen and unrevoked.
        if entry.issued_by(&issuer)
            && entry
                .tokens
                .as_ref()
                .is_some_and(|t| t.refresh_token.is_some())
        {
            return Err(Error::Usage(format!(
                "{name} holds a refresh token from a browser login, which a client credentials token would replace: set its grant back to authorization_code and run `zdauth logout {name}` to revoke it, then switch"
            )));
        }
        let Some(secret) = entry.client_secret.clone() else {
            return Err(Error::NoClientSecret { name: name.clone() });
        };
        let request = TokenRequest {
            connection,
            client_secret: Some(&secret),
        };
        // Nothing is spent by a mint, but a token that cannot be stored would be minted again
        // by every caller: prove the room first, as a refresh does.
        let room = reserve_room(&self.vault).await?;
        tracing::info!(connection = %name, "minting a client credentials token");
        match usable_mint(self.client.client_credentials(&request).await) {
            Ok(tokens) => {
                entry.tokens = Some(tokens.clone());
                entry.last_refresh = Some(Timestamp::now());
                entry.last_error = None;
                entry.last_error_at = None;
                entry.secret_refused = false;
                entry.login_required = false;
                entry.issuer = Some(issuer);
                // Stored before anyone sees it, as a refreshed pair is (checklist item 17).
                store_new_pair(lock, room, name, entry).await?;
                // An answer without a usable expiry is asked about as a refresh's is: the
                // assumed default may outlive the token.
                Ok(Fresh {
                    tokens: self.learn(connection, tokens).await,
                    refreshed: true,
                })
            }
            Err(e) => {
                tracing::warn!(connection = %name, error = %e, "minting failed; tokens kept");
                let refused = e.is_client_refused();
                let error = if refused {
                    Error::SecretRefused {
                        name: name.clone(),
                        reason: e.to_string(),
                    }
                } else {
                    e.into()
                };
                entry.last_error = Some(error.to_string());
                entry.last_error_at = Some(Timestamp::now());
                entry.secret_refused = refused;
                keep_note(lock, entry).await;
                Err(error)
            }
        }
    }
}

/// A mint needs no refresh token: an answer whose access token is usable is a good mint
/// whatever its refresh token field holds (an error there would ask for a login this
/// connection cannot have, and throw away a working token).
fn usable_mint(answer: Result<Tokens, ZendeskError>) -> Result<Tokens, ZendeskError> {
    let Err(ZendeskError::PartlyUnusable {
        endpoint,
        part,
        reason,
        salvage,
    }) = answer
    else {
        return answer;
    };
    match *salvage {
        Salvage::AccessToken(mut tokens) => {
            tracing::warn!(
                endpoint,
                part,
                reason,
                "a mint answer with an unusable part: its access token is used"
            );
            tokens.refresh_token = None;
            tokens.refresh_expires_at = None;
            Ok(tokens)
        }
        Salvage::RefreshToken { .. } => Err(ZendeskError::Malformed {
            endpoint,
            reason: format!("the access token is unusable: {reason}"),
        }),
    }
}
