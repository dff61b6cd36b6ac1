//! The `token` fast path's answer: config and vault held parsed, and checked against the
//! files on disk (device, inode, size, mtime to the nanosecond) before each answer, so that
//! 1,000 connections cost a stat each time and a decrypt only after a change. With a team
//! store only the config is cached: the entry is read from the store for every answer.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

use super::state::Agent;
use crate::config::{Config, Connection};
use crate::error::Error;
use crate::refresh::Want;
use crate::secret::Secret;
use crate::vault::VaultData;
use crate::zendesk;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: i64,
    mtime_ns: i64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    fs::metadata(path).ok().map(|m| Stamp {
        dev: m.dev(),
        ino: m.ino(),
        size: m.size(),
        mtime: m.mtime(),
        mtime_ns: m.mtime_nsec(),
    })
}

pub(super) struct Cache {
    config_stamp: Option<Stamp>,
    vault_stamp: Option<Stamp>,
    config: Config,
    vault: VaultData,
}

enum Found {
    Token(Secret),
    /// Due, or not held as valid: through the refresh transaction.
    Refresh(Connection, Want),
    /// The entry lives in the team store: read it there (one request), then as above.
    Shared(Connection, Want),
}

impl Agent {
    /// `name`'s access token, refreshed through the agent's refresher when due.
    pub(super) async fn token(
        self: &Arc<Self>,
        name: &str,
        min_valid: Option<Duration>,
    ) -> Result<Secret, Error> {
        self.take_back_rescues().await?;
        let found = self.with_open(|open| {
            let paths = open.refresher.vault().paths().clone();
            let (config_now, vault_now) = (stamp(&paths.config()), stamp(&paths.vault()));
            let fresh = open.cache.as_ref().is_some_and(|c| {
                c.config_stamp == config_now && c.vault_stamp == vault_now && config_now.is_some()
            });
            if !fresh {
                // Stamped before reading: a change during the read shows at the next answer.
                open.cache = None;
                let config = Config::load(&paths.config())?;
                // With a store the entries are read per answer: none is held.
                let vault = if open.refresher.vault().store().is_some() {
                    VaultData::default()
                } else {
                    open.refresher.vault().load()?
                };
                open.cache = Some(Cache {
                    config_stamp: config_now,
                    vault_stamp: vault_now,
                    config,
                    vault,
                });
            }
            let cache = open.cache.as_ref().expect("filled above");
            let connection = cache
                .config
                .connection(name)
                .ok_or_else(|| Error::UnknownConnection(name.to_owned()))?;
            let want = min_valid.map_or(
                Want::Margin(cache.config.settings.refresh_margin),
                Want::ValidFor,
            );
            // With a team store, another machine's refresh kills the access token held here
            // without a file of ours changing: every answer reads the store.
            if open.refresher.vault().store().is_some() {
                return Ok(Found::Shared(connection.clone(), want));
            }
            let issuer = zendesk::issuer(connection);
            let held = cache
                .vault
                .connections
                .get(name)
                .filter(|e| e.issued_by(&issuer) && !e.login_required)
                .and_then(|e| e.tokens.as_ref())
                .filter(|t| want.met_by(t, Timestamp::now()));
            Ok::<_, Error>(match held {
                Some(tokens) => Found::Token(tokens.access_token.clone()),
                None => Found::Refresh(connection.clone(), want),
            })
        })??;
        let found = match found {
            Found::Shared(connection, want) => {
                let vault = self.with_open(|open| open.refresher.vault().clone())?;
                let read = connection.clone();
                let stored = tokio::task::spawn_blocking(move || {
                    crate::refresh::stored_valid(&vault, &read, want)
                })
                .await
                .map_err(|e| {
                    Error::Locked(format!("the agent's read failed ({e}): try again"))
                })??;
                match stored {
                    Some(tokens) => Found::Token(tokens.access_token),
                    None => Found::Refresh(connection, want),
                }
            }
            other => other,
        };
        match found {
            Found::Token(token) => Ok(token),
            // (A shared entry was read above: here it is one not held as valid.)
            Found::Refresh(connection, want) | Found::Shared(connection, want) => {
                let refresher = self.with_open(|open| open.refresher.clone())?;
                let _slot = self.throttle.slot(&connection.subdomain).await;
                let fresh = refresher.ensure(&connection, want).await?;
                Ok(fresh.tokens.access_token)
            }
        }
    }

    /// A pair rescued by a command that could not save it (a full disk) is newer than what
    /// vault.age and so the cache hold; answering from either would hand out a token whose
    /// pair was spent. A readdir of the rescue places when there is none; off the state's
    /// mutex, as a take-back waits for the connection's lock.
    async fn take_back_rescues(&self) -> Result<(), Error> {
        let refresher = self.with_open(|open| open.refresher.clone())?;
        let taken = tokio::task::spawn_blocking(move || refresher.vault().take_back_rescues())
            .await
            .map_err(|e| {
                Error::Locked(format!("the agent's take-back failed ({e}): try again"))
            })??;
        if !taken.is_empty() {
            for taken in &taken {
                tracing::warn!(%taken, "took back a rescued pair");
            }
            self.with_open(|open| open.cache = None)?;
        }
        Ok(())
    }
}
