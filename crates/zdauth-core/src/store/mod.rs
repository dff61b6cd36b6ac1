//! The team store: OpenBao or HashiCorp Vault KV version 2, holding one secret per connection
//! (`<mount>/data/<prefix>/<name>`) whose payload is age-encrypted to every member, beside a
//! lease in the clear. Every write is a check-and-set on the version read, which is what makes
//! a refresh token spent by one machine never be spent again by another (checklist item 35).
//!
//! This module is the store's HTTP API only: the vault ([`crate::vault`]) decides what to
//! write, and the refresh transaction when to take a lease.

mod record;
pub mod team;

use std::sync::Arc;

pub use record::{Descriptor, FORMAT, Lease, Record, RecordData};

use crate::config::StoreSettings;
use crate::error::Error;

/// What a check-and-set write came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Stored; the secret's new version.
    Version(u64),
    /// The secret is no longer at the version the write was based on: nothing was written.
    Conflict,
}

/// Where a process finds its store token (or AppRole secret id): the environment as the doors
/// read it, so that tests and the agent can pass their own.
#[derive(Debug, Clone, Default)]
pub struct StoreEnv {
    /// `BAO_ADDR`, else `VAULT_ADDR`.
    pub address: Option<String>,
    /// `BAO_TOKEN`, else `VAULT_TOKEN`.
    pub token: Option<String>,
    /// The CLI's token file (`~/.vault-token`, which `bao login` also writes).
    pub token_file: Option<std::path::PathBuf>,
    /// The AppRole secret id, from stdin or the variable `[store].secret_id_env` names.
    pub secret_id: Option<String>,
}

impl StoreEnv {
    /// As this process's environment has them; the secret id only from the variable.
    pub fn from_process(settings: &StoreSettings) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            address: var("BAO_ADDR").or_else(|| var("VAULT_ADDR")),
            token: var("BAO_TOKEN").or_else(|| var("VAULT_TOKEN")),
            token_file: directories::BaseDirs::new().map(|b| b.home_dir().join(".vault-token")),
            secret_id: var(&settings.secret_id_env),
        }
    }
}

/// A connection to the store: cheap to clone, safe to share between threads. Every call
/// blocks (the vault's API is synchronous); none takes longer than
/// [`crate::config::STORE_TIMEOUT`].
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: StoreSettings,
    described: String,
}

impl Store {
    /// Checks the settings and finds the address and credentials; the network is first used
    /// by the first call.
    pub fn open(settings: &StoreSettings, env: &StoreEnv) -> Result<Self, Error> {
        let address = settings
            .address
            .clone()
            .or_else(|| env.address.clone())
            .unwrap_or_default();
        Ok(Self {
            inner: Arc::new(Inner {
                described: format!("{} at {}", settings.kind.as_str(), address),
                settings: settings.clone(),
            }),
        })
    }

    /// `openbao at https://bao.example.com:8200`, for messages and the TUI's header.
    pub fn describe(&self) -> &str {
        &self.inner.described
    }

    pub fn settings(&self) -> &StoreSettings {
        &self.inner.settings
    }

    /// `name`'s secret as it is now; `None` when there is none (or it was deleted).
    pub fn read(&self, name: &str) -> Result<Option<Record>, Error> {
        let _ = name;
        Err(self.not_built())
    }

    /// Writes `data` as `name`'s next version if the secret is still at version `cas` (0: it
    /// must not exist yet).
    pub fn write(&self, name: &str, data: &RecordData, cas: u64) -> Result<Written, Error> {
        let _ = (name, data, cas);
        Err(self.not_built())
    }

    /// The names under the prefix.
    pub fn list(&self) -> Result<Vec<String>, Error> {
        Err(self.not_built())
    }

    /// Removes `name`'s secret, every version of it.
    pub fn delete(&self, name: &str) -> Result<(), Error> {
        let _ = name;
        Err(self.not_built())
    }

    /// Renews the store token when less than a third of its lifetime is left (long-running
    /// processes call it periodically).
    pub fn renew_if_due(&self) -> Result<(), Error> {
        Err(self.not_built())
    }

    fn not_built(&self) -> Error {
        Error::Store {
            store: self.describe().to_owned(),
            problem: "the store client is not built yet".into(),
            hint: "remove [store] from config.toml".into(),
        }
    }
}
