//! Adding, changing and removing connections, and revoking their tokens: config.toml and the
//! vault change together under the same locks, whichever door (CLI or TUI) asks.

use std::time::Duration;

use crate::config::{Config, ConfigEdit, Connection, Kind};
use crate::error::Error;
use crate::paths::Paths;
use crate::refresh::Refresher;
use crate::secret::Secret;
use crate::vault::{DirLock, Entry, Vault};
use crate::zendesk::issuer;

/// What an API call (revoke, users/me) needs left on the access token.
pub const API_CALL_MARGIN: Duration = Duration::from_secs(60);

/// Appends `connection` to config.toml and stores its client secret, if any, in the vault.
/// Unlock the vault before calling: scrypt must not run under the dir lock.
pub fn add(
    paths: &Paths,
    connection: &Connection,
    secret: Option<(&Vault, Secret)>,
) -> Result<Config, Error> {
    let lock = DirLock::acquire(paths)?;
    let mut edit = ConfigEdit::open(&paths.config())?;
    if edit.config().connection(&connection.name).is_some() {
        return Err(Error::DuplicateConnection(connection.name.clone()));
    }
    edit.add_connection(connection);
    if let Some((vault, secret)) = secret {
        vault.update_locked(&lock, |data| {
            data.connections.insert(
                connection.name.clone(),
                Entry {
                    client_secret: Some(secret),
                    ..Entry::default()
                },
            );
        })?;
    }
    edit.save()
}

/// Rewrites the connection of the same name in config.toml (comments kept) and, when a new
/// secret is given, replaces the stored one; `None` keeps it.
///
/// The name never changes here: scripts, lock files and vault entries go by it. Nor may
/// the subdomain or client id change while tokens issued to the old ones are stored, as
/// they would linger unseen and unrevoked.
pub fn update(
    vault: &Vault,
    connection: &Connection,
    secret: Option<Secret>,
) -> Result<Config, Error> {
    let name = connection.name.as_str();
    // The connection's lock first, as a refresh takes them: none can write its entry back.
    let _connection = vault.lock_connection(name)?;
    let paths = vault.paths();
    let lock = DirLock::acquire(paths)?;
    let mut edit = ConfigEdit::open(&paths.config())?;
    let old = edit
        .config()
        .connection(name)
        .cloned()
        .ok_or_else(|| Error::UnknownConnection(name.to_owned()))?;
    let data = vault.load()?;
    let holds_tokens = data
        .connections
        .get(name)
        .is_some_and(|e| e.tokens.is_some() && e.issued_by(&issuer(&old)));
    if holds_tokens && issuer(&old) != issuer(connection) {
        return Err(Error::Usage(format!(
            "{name} holds tokens issued to {} with client {}: log out first (zdauth logout {name}, or delete and add it again), then change the subdomain or client id",
            old.subdomain, old.client_id
        )));
    }
    edit.update_connection(name, connection);
    if let Some(secret) = secret {
        vault.update_locked(&lock, |data| {
            data.connections
                .entry(name.to_owned())
                .or_default()
                .client_secret = Some(secret);
        })?;
    }
    edit.save()
}

/// Takes the connection out of config.toml and its entry out of the vault. Returns the new
/// config and whether tokens were dropped (they stay valid at Zendesk until they expire).
pub fn remove(vault: &Vault, name: &str) -> Result<(Config, bool), Error> {
    // The connection's own lock first (the order a refresh takes them in): a refresh in
    // flight finishes before its entry goes, and cannot write it back afterwards.
    let _connection = vault.lock_connection(name)?;
    let lock = DirLock::acquire(vault.paths())?;
    let mut edit = ConfigEdit::open(&vault.paths().config())?;
    if !edit.remove_connection(name) {
        return Err(Error::UnknownConnection(name.to_owned()));
    }
    // Tokens go first: a connection left in config without tokens just asks for a login,
    // while tokens left without a connection would linger unseen.
    let had_tokens = vault.update_locked(&lock, |data| {
        data.connections
            .remove(name)
            .is_some_and(|entry| entry.tokens.is_some())
    })?;
    Ok((edit.save()?, had_tokens))
}

/// Revokes the connection's current access token at Zendesk (found by id via
/// `oauth/tokens/current.json`), refreshing it first if it is about to run out. Stored
/// tokens stay: [`forget_tokens`] drops them once this succeeded.
pub async fn revoke(refresher: &Refresher, connection: &Connection) -> Result<(), Error> {
    if connection.kind == Kind::Chat {
        return Err(Error::Usage(format!(
            "Zendesk Chat has no revocation endpoint zdauth can call: revoke {}'s access in Zendesk Chat",
            connection.name
        )));
    }
    let client = refresher.client();
    refresher
        .call_with_fresh_token(connection, API_CALL_MARGIN, |token| async move {
            let current = client.current_token(connection, &token).await?;
            client.revoke(connection, &token, &current.id).await
        })
        .await
}

/// Drops the stored pair (and any login-required mark); returns whether there was one.
pub fn forget_tokens(vault: &Vault, name: &str) -> Result<bool, Error> {
    let lock = vault.lock_connection(name)?;
    let mut entry = lock.reload()?.unwrap_or_default();
    let had_tokens = entry.tokens.take().is_some();
    entry.login_required = false;
    entry.last_error = None;
    lock.persist(entry)?;
    Ok(had_tokens)
}
