//! Client credentials connections have no refresh token: when their access token runs low a
//! new one is minted from the client's secret. Under the same single flight and connection
//! lock as a refresh, so N callers at once cost one POST and all get the new token.

use jiff::Timestamp;

use super::lease::Leased;
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
        mut lock: ConnectionLock,
        mut entry: Entry,
    ) -> Result<Fresh, Error> {
        let name = &connection.name;
        let issuer = zendesk::issuer(connection);
        // With a store, a machine minting right now holds the lease: its token is waited for
        // and taken. A mint spends nothing single-use; this only saves N machines minting N
        // tokens at once. The access token seen before such a wait: another after it is
        // that machine's mint, whatever its clock says.
        let mut waited_on: Option<crate::secret::Secret> = None;
        let mut rounds = 0;
        loop {
            if let Some(fresh) = adoptable(&entry, &issuer, want, asked_at, waited_on.as_ref()) {
                return Ok(fresh);
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
            if entry.client_secret.is_none() {
                return Err(Error::NoClientSecret { name: name.clone() });
            }
            if rounds == super::lease::REDECIDE {
                return Err(super::lease::kept_moving(&self.vault, name));
            }
            rounds += 1;
            match super::lease::take(&self.vault, lock).await? {
                Leased::Won(won) => {
                    lock = won;
                    break;
                }
                Leased::Reread(again, reread) => {
                    waited_on = entry.tokens.as_ref().map(|t| t.access_token.clone());
                    (lock, entry) = (again, reread.unwrap_or_default());
                }
            }
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

/// The stored token, if it is this connection's and good enough: minted by another caller
/// after we asked (or by the machine whose lease we waited for), or meeting `want`.
fn adoptable(
    entry: &Entry,
    issuer: &str,
    want: Want,
    asked_at: Timestamp,
    waited_on: Option<&crate::secret::Secret>,
) -> Option<Fresh> {
    let tokens = entry.tokens.clone().filter(|_| entry.issued_by(issuer))?;
    let minted_since_asked = entry.last_refresh.is_some_and(|at| at >= asked_at)
        || waited_on.is_some_and(|seen| *seen != tokens.access_token);
    let enough = want.met_by(&tokens, Timestamp::now());
    (minted_since_asked || enough).then_some(Fresh {
        tokens,
        refreshed: minted_since_asked,
    })
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
