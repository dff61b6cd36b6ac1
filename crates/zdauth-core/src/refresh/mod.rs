//! The refresh transaction: the one way any door gets a fresh access token
//! (checklist items 15–19).
//!
//! Zendesk refresh tokens are single-use and a strict server revokes the whole grant when a
//! used one comes back, so a refresh must never start from a stale copy of the vault: the
//! connection's cross-process lock is held from re-reading the vault, through the POST, to the
//! persisted new pair. Inside one process a per-connection async mutex makes concurrent
//! callers share one refresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;

use crate::config::{Connection, Grant};
use crate::error::Error;
use crate::expiry::{self, valid_for};
use crate::secret::Secret;
use crate::vault::{ConnectionLock, Entry, Tokens, Vault};
use crate::zendesk::{self, TokenRequest, ZendeskClient, ZendeskError};

mod api_call;
mod fresh_text;
mod learn;
mod lease;
mod mint;
mod salvage;
mod store;

pub use fresh_text::fresh_text;
pub(crate) use learn::from_current_json;
use lease::Leased;
pub(crate) use store::{
    Owner, blocking, lock_and_reload, record_details, reserve_room, store_new_pair,
};
use store::{keep_note, reload};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// An access token with at least this long left, taken literally (`--min-valid`);
    /// refreshed only if needed.
    ValidFor(Duration),
    /// An access token that is not due by [`expiry::schedule`] with this refresh margin: the
    /// rule of `token`, `export`, `copy`, `exec` and the TUI.
    Margin(Duration),
    /// A new pair now (`zdauth refresh`), unless another caller rotated after we asked.
    Rotate,
}

#[derive(Debug, Clone)]
pub struct Fresh {
    pub tokens: Tokens,
    /// Whether this call (or one it waited for) spent the refresh token.
    pub refreshed: bool,
}

pub struct Refresher {
    vault: Vault,
    client: ZendeskClient,
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Refresher {
    pub fn new(vault: Vault, client: ZendeskClient) -> Self {
        Self {
            vault,
            client,
            flights: Mutex::new(HashMap::new()),
        }
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    pub fn client(&self) -> &ZendeskClient {
        &self.client
    }

    pub async fn ensure(&self, connection: &Connection, want: Want) -> Result<Fresh, Error> {
        self.ensure_since(connection, want, Timestamp::now()).await
    }

    /// [`Self::ensure`], taking a rotation stored at or after `asked_at` as the answer.
    pub(crate) async fn ensure_since(
        &self,
        connection: &Connection,
        want: Want,
        asked_at: Timestamp,
    ) -> Result<Fresh, Error> {
        let issuer = zendesk::issuer(connection);
        if want != Want::Rotate {
            let vault = self.vault.clone();
            let connection = connection.clone();
            let stored = blocking(move || stored_valid(&vault, &connection, want)).await?;
            if let Some(tokens) = stored {
                return Ok(Fresh {
                    tokens,
                    refreshed: false,
                });
            }
        }

        let flight = self.flight(&connection.name);
        let _one_in_this_process = flight.lock().await;
        let (mut lock, mut entry) = lock_and_reload(&self.vault, &connection.name).await?;
        if connection.grant == Grant::ClientCredentials {
            let entry = entry.unwrap_or_default();
            return self.mint(connection, want, asked_at, lock, entry).await;
        }
        // The refresh token we were about to spend when the store said wait: a pair without
        // it, read after the wait, is another machine's rotation, whatever its clock says.
        let mut waited_on: Option<Secret> = None;
        for _ in 0..lease::REDECIDE {
            let entry_now = entry.take().unwrap_or_default();
            let moved_on = waited_on.as_ref().is_some_and(|spent| {
                entry_now
                    .tokens
                    .as_ref()
                    .and_then(|t| t.refresh_token.as_ref())
                    != Some(spent)
            });
            let refresh_token = match due(connection, want, asked_at, &entry_now, moved_on)? {
                Due::Done(fresh) => return Ok(fresh),
                Due::Spend(refresh_token) => refresh_token,
            };
            match lease::take(&self.vault, lock, &connection.name).await? {
                Leased::Won(lock) => {
                    return self
                        .spend(connection, lock, entry_now, refresh_token, issuer)
                        .await;
                }
                Leased::Reread(again, reread) => {
                    (lock, entry) = (again, *reread);
                    waited_on = Some(refresh_token);
                }
            }
        }
        Err(lease::kept_moving(&self.vault, &connection.name))
    }

    /// The rest of a due refresh, holding `lock` with `entry` as re-read under it: spend
    /// `refresh_token` (single-use) and store what comes back before anyone sees it.
    async fn spend(
        &self,
        connection: &Connection,
        lock: ConnectionLock,
        entry: Entry,
        refresh_token: Secret,
        issuer: String,
    ) -> Result<Fresh, Error> {
        let spent_expires_at = entry.tokens.as_ref().and_then(|t| t.refresh_expires_at);
        let room = reserve_room(&self.vault).await?;
        // From here to the stored pair a signal waits (item 32).
        let spending = crate::shield::spending(&connection.name)?;
        let request = TokenRequest {
            connection,
            client_secret: entry.client_secret.as_ref(),
        };
        tracing::info!(connection = %connection.name, "refreshing");
        match self.client.refresh(&request, &refresh_token).await {
            Ok(mut new) => {
                if new.refresh_token.is_none() {
                    // RFC 6749 §6: a server that does not rotate leaves the old one valid.
                    new.refresh_token = Some(refresh_token);
                    new.refresh_expires_at = spent_expires_at;
                }
                let mut entry = entry;
                entry.tokens = Some(new.clone());
                entry.last_refresh = Some(Timestamp::now());
                entry.last_error = None;
                entry.last_error_at = None;
                entry.secret_refused = false;
                entry.issuer = Some(issuer);
                // Stored before anyone sees the new access token (checklist item 17); the
                // old refresh token is spent, so this pair must not be lost.
                let stored = store_new_pair(lock, room, &connection.name, entry).await;
                drop(spending);
                stored?;
                let new = self.learn(connection, new).await;
                Ok(Fresh {
                    tokens: new,
                    refreshed: true,
                })
            }
            Err(error @ ZendeskError::PartlyUnusable { .. }) => {
                let kept = salvage::keep(lock, room, &connection.name, entry, issuer, error).await;
                drop(spending);
                let fresh = kept?;
                Ok(Fresh {
                    tokens: self.learn(connection, fresh.tokens).await,
                    ..fresh
                })
            }
            Err(e) if e.is_invalid_grant() => {
                let (lock, current) = reload(lock).await?;
                let mut current = current.unwrap_or_default();
                if let Some(newer) = current.tokens.clone().filter(|t| {
                    t.refresh_token.as_ref() != Some(&refresh_token)
                        && valid_for(t, Timestamp::now(), Duration::ZERO)
                }) {
                    tracing::warn!(connection = %connection.name, "refresh refused, but a newer pair is stored: using it");
                    return Ok(Fresh {
                        tokens: newer,
                        refreshed: false,
                    });
                }
                // Another machine rotated past the token we spent: its pair is not the refused
                // one, so no machine may be told to log in again because of it.
                let rotated_past = current
                    .tokens
                    .as_ref()
                    .is_some_and(|t| t.refresh_token.as_ref() != Some(&refresh_token));
                if rotated_past {
                    tracing::warn!(connection = %connection.name, "refresh refused: another process stored a newer pair meanwhile");
                    return Err(Error::RefreshFailed(
                        "the refresh token was refused because another process rotated it meanwhile; the newer pair is stored: run the command again".into(),
                    ));
                }
                tracing::warn!(connection = %connection.name, "refresh token refused");
                current.login_required = true;
                current.last_error = Some(e.to_string());
                current.last_error_at = Some(Timestamp::now());
                current.secret_refused = false;
                keep_note(lock, current).await;
                Err(login_required(
                    connection,
                    &format!("Zendesk refused the refresh token: {e}"),
                ))
            }
            Err(e) => {
                tracing::warn!(connection = %connection.name, error = %e, "refresh failed; tokens kept");
                let mut entry = entry;
                entry.last_error = Some(e.to_string());
                entry.last_error_at = Some(Timestamp::now());
                entry.secret_refused = false;
                keep_note(lock, entry).await;
                Err(e.into())
            }
        }
    }

    /// What tokens/current.json adds to a stored pair: best effort, after the pair is stored
    /// and the lock released, so that waiting processes are not held up by one more call.
    async fn learn(&self, connection: &Connection, tokens: Tokens) -> Tokens {
        if !learn::worth_asking(connection, &tokens) {
            return tokens;
        }
        let learned = from_current_json(&self.client, connection, tokens.clone()).await;
        if learned != tokens
            && let Err(e) =
                record_details(&self.vault, &connection.name, &learned, Owner::Unchanged).await
        {
            tracing::warn!(error = %e, "could not store what tokens/current.json said");
        }
        learned
    }

    fn flight(&self, name: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self
            .flights
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        flights.entry(name.to_owned()).or_default().clone()
    }
}

/// What the entry as re-read under the lock asks for.
enum Due {
    Done(Fresh),
    /// Spend this refresh token.
    Spend(Secret),
}

/// The decision of a refresh transaction on `entry` (re-read under the lock); `moved_on`: it
/// holds a pair another machine rotated to while we waited for its lease.
fn due(
    connection: &Connection,
    want: Want,
    asked_at: Timestamp,
    entry: &Entry,
    moved_on: bool,
) -> Result<Due, Error> {
    let issuer = zendesk::issuer(connection);
    let now = Timestamp::now();
    let login = |reason: &str| login_required(connection, reason);
    if !entry.issued_by(&issuer) {
        return Err(login(
            "the stored tokens were issued for another server or client than the connection now names",
        ));
    }
    let Some(tokens) = entry.tokens.clone() else {
        return Err(login("no token stored"));
    };
    // Zendesk refused this grant: its access token is dead too, whatever its expiry says.
    if entry.login_required {
        return Err(login("Zendesk refused the stored refresh token"));
    }
    // A pair rotated after we asked is as fresh as Zendesk makes them: N callers waiting
    // together cost one POST even when they ask for more than a token's lifetime.
    let rotated_since_asked = moved_on || entry.last_refresh.is_some_and(|at| at >= asked_at);
    if rotated_since_asked || want.met_by(&tokens, now) {
        return Ok(Due::Done(Fresh {
            tokens,
            refreshed: rotated_since_asked,
        }));
    }
    // The attempt we waited for failed: report it rather than hammer Zendesk again.
    if entry.last_error_at.is_some_and(|at| at >= asked_at) {
        return Err(Error::RefreshFailed(
            entry.last_error.clone().unwrap_or_default(),
        ));
    }
    let Some(refresh_token) = tokens.refresh_token.clone() else {
        // Nothing can renew it: while it lasts, it is the best there is.
        if matches!(want, Want::Margin(_)) && valid_for(&tokens, now, Duration::ZERO) {
            return Ok(Due::Done(Fresh {
                tokens,
                refreshed: false,
            }));
        }
        return Err(login("no refresh token stored"));
    };
    if tokens.refresh_expires_at.is_some_and(|at| at <= now) {
        return Err(login("the refresh token has expired"));
    }
    Ok(Due::Spend(refresh_token))
}

fn login_required(connection: &Connection, reason: &str) -> Error {
    Error::LoginRequired {
        name: connection.name.clone(),
        reason: reason.to_owned(),
    }
}

impl Want {
    /// Whether `tokens` are good enough as they are.
    pub(crate) fn met_by(self, tokens: &Tokens, now: Timestamp) -> bool {
        // A vault written before zdauth checked token answers may hold an access token with
        // an escape sequence or a line break in it: refreshed, never handed out.
        if !zendesk::is_plain_token(tokens.access_token.expose()) {
            return false;
        }
        match self {
            Want::ValidFor(needed) => valid_for(tokens, now, needed),
            Want::Margin(margin) => !expiry::is_due(tokens, now, margin),
            Want::Rotate => false,
        }
    }
}

/// The stored tokens if they are `connection`'s own and meet `want`: the common case, which
/// takes no lock at all (writers replace the vault atomically) and needs no runtime, so
/// `zdauth token` can answer from it directly.
pub fn stored_valid(
    vault: &Vault,
    connection: &Connection,
    want: Want,
) -> Result<Option<Tokens>, Error> {
    let issuer = zendesk::issuer(connection);
    Ok(vault
        .load_entry(&connection.name)?
        // A refused grant hands out nothing, however long its access token seems to live.
        .filter(|e| e.issued_by(&issuer) && !e.login_required)
        .and_then(|e| e.tokens)
        .filter(|t| want.met_by(t, Timestamp::now())))
}
