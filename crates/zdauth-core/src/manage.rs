//! Adding, changing and removing connections, and revoking their tokens: config.toml and the
//! vault change together under the same locks, whichever door (CLI or TUI) asks.

use std::time::Duration;

use crate::config::{Config, ConfigEdit, Connection, Kind, merge_edit};
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

/// Applies an edit made from a form that opened on `started` and submits `edited` to
/// config.toml as it is now (another writer may have changed it meanwhile): only the fields
/// the user changed are written, and a field changed on disk too, differently, refuses the
/// whole save ([`Error::EditConflict`]). A new secret replaces the stored one; `None` keeps it.
///
/// The name never changes here: scripts, lock files and vault entries go by it. Nor may
/// the subdomain or client id change while tokens issued to the old ones are stored, as
/// they would linger unseen and unrevoked.
pub fn update(
    vault: &Vault,
    started: &Connection,
    edited: &Connection,
    secret: Option<Secret>,
) -> Result<Config, Error> {
    let secret = secret.map_or(SecretChange::Keep, SecretChange::Replace);
    update_with(vault, started, edited, secret)
}

/// [`update`], which can also forget the stored client secret (`zdauth edit --clear-secret`).
pub fn update_with(
    vault: &Vault,
    started: &Connection,
    edited: &Connection,
    secret: SecretChange,
) -> Result<Config, Error> {
    let name = started.name.as_str();
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
    let connection = merge_edit(started, edited, &old).map_err(|conflicts| {
        let changed = conflicts
            .iter()
            .map(|c| format!("{} (now {})", c.field, c.on_disk))
            .collect::<Vec<_>>()
            .join(", ");
        Error::EditConflict {
            name: name.to_owned(),
            changed,
        }
    })?;
    let data = vault.load()?;
    let stored = data
        .connections
        .get(name)
        .filter(|e| e.issued_by(&issuer(&old)))
        .and_then(|e| e.tokens.as_ref());
    let holds_tokens = stored.is_some();
    // A mint stores its token in place of the pair: the refresh token would be dropped.
    let holds_refresh = stored.is_some_and(|t| t.refresh_token.is_some());
    if holds_refresh && connection.grant != old.grant {
        return Err(Error::Usage(format!(
            "{name} holds a refresh token from a browser login: log out first (zdauth logout {name}), then change the grant"
        )));
    }
    if holds_tokens && issuer(&old) != issuer(&connection) {
        return Err(Error::Usage(format!(
            "{name} holds tokens issued to {} with client {}: log out first (zdauth logout {name}, or delete and add it again), then change the subdomain or client id",
            old.subdomain, old.client_id
        )));
    }
    edit.update_connection(name, &connection);
    match secret {
        SecretChange::Keep => {}
        SecretChange::Replace(secret) => vault.update_locked(&lock, |data| {
            data.connections
                .entry(name.to_owned())
                .or_default()
                .client_secret = Some(secret);
        })?,
        SecretChange::Forget => vault.update_locked(&lock, |data| {
            if let Some(entry) = data.connections.get_mut(name) {
                entry.client_secret = None;
            }
        })?,
    }
    edit.save()
}

/// What [`remove`] did.
#[derive(Debug)]
pub struct Removed {
    /// config.toml as it is now.
    pub config: Config,
    /// Tokens were stored for it (they stay valid at Zendesk until they expire).
    pub had_tokens: bool,
    /// The name was no longer in config.toml: only its entry, left by an earlier remove
    /// whose vault step failed, was taken out.
    pub was_left_over: bool,
    /// config.toml was saved but the vault step failed: the entry, tokens and all, is still
    /// in vault.age, and a later `remove` of the same name deletes it.
    pub vault_kept: Option<Error>,
}

/// Takes the connection out of config.toml, then its entry out of the vault: two steps, in
/// that order, so that a failure at either loses nothing. A failed config save changes
/// nothing; a failed vault step leaves an entry no connection names, which is harmless (no
/// command reads it) and which `remove` of that name deletes later. A name found only in
/// the vault is such a leftover.
pub fn remove(vault: &Vault, name: &str) -> Result<Removed, Error> {
    // The connection's own lock first (the order a refresh takes them in): a refresh in
    // flight finishes before its entry goes, and cannot write it back afterwards.
    let _connection = vault.lock_connection(name)?;
    let lock = DirLock::acquire(vault.paths())?;
    let mut edit = ConfigEdit::open(&vault.paths().config())?;
    let in_config = edit.remove_connection(name);
    // A vault this zdauth cannot read or write (damaged, newer) is refused before either
    // file changes.
    let data = vault.load()?;
    Vault::check_writable(&data, &vault.paths().vault())?;
    let entry = data.connections.get(name);
    let had_tokens = entry.is_some_and(|e| e.tokens.is_some());
    if !in_config && entry.is_none() {
        return Err(Error::UnknownConnection(name.to_owned()));
    }
    let config = if in_config {
        edit.save()?
    } else {
        edit.config().clone()
    };
    let vault_kept = match entry {
        Some(_) => vault
            .update_locked(&lock, |data| {
                data.connections.remove(name);
            })
            .err(),
        None => None,
    };
    if let Some(error) = &vault_kept {
        tracing::warn!(%error, connection = name, "removed from config.toml, entry kept in the vault");
    }
    Ok(Removed {
        config,
        had_tokens,
        was_left_over: !in_config,
        vault_kept,
    })
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

/// Adds every imported connection to config.toml in one save, or none: a name config.toml
/// already has refuses the whole import, naming the row. With `write` false nothing is saved
/// and the config as it would be is returned (`--dry-run`).
pub fn import(
    paths: &Paths,
    file: &std::path::Path,
    rows: &[crate::config::import::Imported],
    write: bool,
) -> Result<Config, Error> {
    let _lock = DirLock::acquire(paths)?;
    let mut edit = ConfigEdit::open(&paths.config())?;
    for row in rows {
        let name = &row.connection.name;
        if edit.config().connection(name).is_some() {
            return Err(Error::Usage(format!(
                "{}:{}: {} is already in config.toml: rename this row, or drop it (`zdauth edit {name}` changes the one there); nothing was imported",
                file.display(),
                row.at,
                crate::error::quote(name)
            )));
        }
    }
    for row in rows {
        edit.add_connection(&row.connection);
    }
    if write { edit.save() } else { edit.preview() }
}

/// What [`update_with`] does with the stored client secret.
#[derive(Debug)]
pub enum SecretChange {
    Keep,
    Replace(Secret),
    Forget,
}
