//! The team store: OpenBao or HashiCorp Vault KV version 2, holding one secret per connection
//! (`<mount>/data/<prefix>/<name>`) whose payload is age-encrypted to every member, beside a
//! lease in the clear. Every write is a check-and-set on the version read, which is what makes
//! a refresh token spent by one machine never be spent again by another (checklist item 35).
//!
//! This module is the store's HTTP API only: the vault ([`crate::vault`]) decides what to
//! write, and the refresh transaction when to take a lease.
//!
//! - `client`: the transport (timeouts, the answer cap, no redirects, TLS roots).
//! - `tls`: `[store].ca_cert` read and parsed.
//! - `auth`: which token, the AppRole login, renewal.
//! - `words`: what each failure says, with the store's own words sanitized.

mod auth;
mod client;
mod record;
pub mod team;
#[cfg(test)]
mod tests;
mod tls;
mod words;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ureq::http::Method;

pub use record::{Descriptor, FORMAT, Lease, Record, RecordData};

use crate::config::{StoreSettings, check_connection_name};
use crate::error::Error;
use auth::Auth;
use client::{ANSWER_CAP, Answer, Client, LIST_CAP};
use words::Action;

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
/// [`crate::config::STORE_TIMEOUT`] (twice, when a refused token is looked up or an AppRole
/// token is replaced first).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    settings: StoreSettings,
    client: Client,
    auth: Auth,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("store", &self.describe())
            .finish_non_exhaustive()
    }
}

/// KV version 2's write body: the check-and-set version and the record.
#[derive(Serialize)]
struct WriteBody<'a> {
    options: WriteOptions,
    data: &'a RecordData,
}

#[derive(Serialize)]
struct WriteOptions {
    cas: u64,
}

impl Store {
    /// Checks the settings and finds the address and credentials; the network is first used
    /// by the first call.
    pub fn open(settings: &StoreSettings, env: &StoreEnv) -> Result<Self, Error> {
        let address = settings
            .address
            .as_deref()
            .or(env.address.as_deref())
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| {
                Error::Usage(
                    "no store address: set [store].address in config.toml or BAO_ADDR".into(),
                )
            })?;
        let mut url = crate::config::check_address(address).map_err(|why| {
            Error::Usage(format!(
                "the store address {} {why}",
                words::shorten(address)
            ))
        })?;
        url.set_query(None);
        url.set_fragment(None);
        let described = format!(
            "{} at {}",
            settings.kind.as_str(),
            url.as_str().trim_end_matches('/')
        );
        let roots = settings.ca_cert.as_deref().map(tls::roots).transpose()?;
        let client = Client::new(&url, roots, described);
        let auth = Auth::find(settings, env)?;
        Ok(Self {
            inner: Arc::new(Inner {
                settings: settings.clone(),
                client,
                auth,
            }),
        })
    }

    /// `openbao at https://bao.example.com:8200`, for messages and the TUI's header: the
    /// address actually used.
    pub fn describe(&self) -> &str {
        &self.inner.client.described
    }

    pub fn settings(&self) -> &StoreSettings {
        &self.inner.settings
    }

    /// `name`'s secret as it is now; `None` when there is none (or its latest version was
    /// deleted or destroyed).
    pub fn read(&self, name: &str) -> Result<Option<Record>, Error> {
        let path = self.data_path(name)?;
        let answer = self.call(Action::Read, &Method::GET, &path, None, ANSWER_CAP)?;
        match answer.status {
            200 => self.record(&path, &answer),
            404 if words::errors_of(&answer).is_empty() => Ok(None),
            404 => Err(words::no_mount(
                self.describe(),
                &self.inner.settings.mount,
                &answer,
            )),
            _ => Err(words::unexpected(
                self.describe(),
                Action::Read,
                shown(&path),
                &answer,
            )),
        }
    }

    /// Writes `data` as `name`'s next version if the secret is still at version `cas` (0: it
    /// must not exist yet, or its latest version is deleted or destroyed).
    pub fn write(&self, name: &str, data: &RecordData, cas: u64) -> Result<Written, Error> {
        let path = self.data_path(name)?;
        match self.write_at(&path, data, cas)? {
            Written::Conflict if cas == 0 => {
                // A secret whose latest version was deleted reads as none, but its versions
                // go on: write after that version, still under check-and-set.
                match self.deleted_version(&path)? {
                    Some(version) => self.write_at(&path, data, version),
                    None => Ok(Written::Conflict),
                }
            }
            written => Ok(written),
        }
    }

    /// The names under the prefix (those that are connection names), sorted.
    pub fn list(&self) -> Result<Vec<String>, Error> {
        let settings = &self.inner.settings;
        let path = format!(
            "/v1/{}/metadata/{}/?list=true",
            settings.mount, settings.prefix
        );
        let answer = self.call(Action::List, &Method::GET, &path, None, LIST_CAP)?;
        match answer.status {
            200 => {}
            404 if words::errors_of(&answer).is_empty() => return Ok(Vec::new()),
            404 => return Err(words::no_mount(self.describe(), &settings.mount, &answer)),
            _ => {
                let shown = format!("{}/metadata/{}/", settings.mount, settings.prefix);
                return Err(words::unexpected(
                    self.describe(),
                    Action::List,
                    &shown,
                    &answer,
                ));
            }
        }
        let json = answer.json();
        let keys = json["data"]["keys"].as_array().cloned().unwrap_or_default();
        let mut names: Vec<String> = keys
            .iter()
            .filter_map(|k| k.as_str())
            .filter(|k| {
                let plain = check_connection_name(k).is_ok();
                if !plain {
                    tracing::debug!(store = %self.describe(), key = %words::shorten(k), "not a connection name: skipped");
                }
                plain
            })
            .map(str::to_owned)
            .collect();
        names.sort();
        Ok(names)
    }

    /// Removes `name`'s secret, every version of it (nothing there: nothing to do).
    pub fn delete(&self, name: &str) -> Result<(), Error> {
        let path = self.metadata_path(name)?;
        let answer = self.call(Action::Delete, &Method::DELETE, &path, None, ANSWER_CAP)?;
        match answer.status {
            200 | 204 => Ok(()),
            404 if words::errors_of(&answer).is_empty() => Ok(()),
            _ => Err(words::unexpected(
                self.describe(),
                Action::Delete,
                shown(&path),
                &answer,
            )),
        }
    }

    /// Renews the store token when less than a third of its lifetime is left (long-running
    /// processes call it periodically); an AppRole token that cannot be renewed is replaced
    /// by a new login.
    pub fn renew_if_due(&self) -> Result<(), Error> {
        self.inner.auth.renew_if_due(&self.inner.client)
    }

    fn write_at(&self, path: &str, data: &RecordData, cas: u64) -> Result<Written, Error> {
        let body = WriteBody {
            options: WriteOptions { cas },
            data,
        };
        let body = serde_json::to_vec(&body).expect("a record serializes");
        let answer = self.call(Action::Write, &Method::POST, path, Some(&body), ANSWER_CAP)?;
        match answer.status {
            200 => answer.json()["data"]["version"]
                .as_u64()
                .map(Written::Version)
                .ok_or_else(|| words::not_kv2(self.describe(), &self.inner.settings.mount)),
            204 => Err(words::not_kv2(self.describe(), &self.inner.settings.mount)),
            400 if words::errors_of(&answer).contains("check-and-set") => Ok(Written::Conflict),
            404 => Err(words::no_mount(
                self.describe(),
                &self.inner.settings.mount,
                &answer,
            )),
            _ => Err(words::unexpected(
                self.describe(),
                Action::Write,
                shown(path),
                &answer,
            )),
        }
    }

    /// The version of a secret whose latest version is deleted or destroyed (its 404 still
    /// carries the metadata); `None`: there is a live version, or no secret.
    fn deleted_version(&self, path: &str) -> Result<Option<u64>, Error> {
        let answer = self.call(Action::Read, &Method::GET, path, None, ANSWER_CAP)?;
        if answer.status != 404 {
            return Ok(None);
        }
        let json = answer.json();
        let metadata = &json["data"]["metadata"];
        let gone = metadata["destroyed"].as_bool() == Some(true)
            || metadata["deletion_time"]
                .as_str()
                .is_some_and(|t| !t.is_empty());
        Ok(metadata["version"].as_u64().filter(|v| gone && *v > 0))
    }

    fn record(&self, path: &str, answer: &Answer) -> Result<Option<Record>, Error> {
        let json = answer.json();
        let data = &json["data"];
        if data["data"].is_null() {
            return Ok(None);
        }
        let Some(version) = data["metadata"]["version"].as_u64() else {
            return Err(words::not_kv2(self.describe(), &self.inner.settings.mount));
        };
        let parsed = RecordData::deserialize(&data["data"])
            .map_err(|e| words::not_a_record(self.describe(), shown(path), &e.to_string()))?;
        Ok(Some(Record {
            version,
            data: parsed,
        }))
    }

    /// One call with the token; a 403 is told apart: a refused token (AppRole logs in again
    /// and tries once more) or a policy that lacks the action's capability.
    fn call(
        &self,
        action: Action,
        method: &Method,
        path: &str,
        body: Option<&[u8]>,
        cap: u64,
    ) -> Result<Answer, Error> {
        let inner = &self.inner;
        let token = inner.auth.token(&inner.client)?;
        let answer = inner.client.call(method, path, Some(&token), body, cap)?;
        if !matches!(answer.status, 401 | 403) {
            return Ok(answer);
        }
        if auth::is_valid(&inner.client, &token)? {
            return Err(self.denied(action, path));
        }
        let Some(fresh) = inner.auth.after_refusal(&inner.client, &token)? else {
            return Err(words::token_refused(
                self.describe(),
                &inner.auth.source_name(),
            ));
        };
        let again = inner.client.call(method, path, Some(&fresh), body, cap)?;
        match again.status {
            401 | 403 if auth::is_valid(&inner.client, &fresh)? => Err(self.denied(action, path)),
            401 | 403 => Err(words::token_refused(
                self.describe(),
                &inner.auth.source_name(),
            )),
            _ => Ok(again),
        }
    }

    fn denied(&self, action: Action, path: &str) -> Error {
        let settings = &self.inner.settings;
        let area = if action.on_metadata() {
            "metadata"
        } else {
            "data"
        };
        let policy_path = format!("{}/{area}/{}/*", settings.mount, settings.prefix);
        let shown = shown(path).trim_end_matches("?list=true");
        words::denied(self.describe(), action, shown, &policy_path)
    }

    fn data_path(&self, name: &str) -> Result<String, Error> {
        self.path("data", name)
    }

    fn metadata_path(&self, name: &str) -> Result<String, Error> {
        self.path("metadata", name)
    }

    /// `/v1/<mount>/<area>/<prefix>/<name>`: every part is plain (config checked the mount
    /// and prefix; the name is checked here), so nothing needs escaping.
    fn path(&self, area: &str, name: &str) -> Result<String, Error> {
        check_connection_name(name).map_err(Error::Usage)?;
        let settings = &self.inner.settings;
        Ok(format!(
            "/v1/{}/{area}/{}/{name}",
            settings.mount, settings.prefix
        ))
    }
}

/// A request path as messages show it (the policy's view): without `/v1/`.
fn shown(path: &str) -> &str {
    path.strip_prefix("/v1/").unwrap_or(path)
}
