//! The vault's entries in the team store (`[store]`): one KV v2 secret per connection, whose
//! payload `{"name", "connection", "entry"}` is age armor to this identity and every
//! `[store].recipients` entry. vault.age is then not read or written for entries; it stays the
//! home of the identity's recipient and of rescue files' format.
//!
//! Every write is a check-and-set on the version read. Reading many secrets is done by a small
//! pool of threads, as each is one round trip to the store.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::keys::Keys;
use super::payload::{Entry, VaultData};
use super::store::{DirLock, Vault};
use crate::error::Error;
use crate::store::{Descriptor, FORMAT, Lease, RecordData, Store, Written};

/// How many secrets are read at once: enough to hide the round trips of a few hundred
/// connections, few enough not to look like an attack on the store.
const READERS: usize = 8;

/// The store and what writing to it needs.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Store,
    /// Each connection's public description, as this machine's config.toml has it.
    pub(crate) descriptors: BTreeMap<String, Descriptor>,
    /// `[store].recipients`, beside the identity's own (never taken from the store).
    recipients: Vec<age::x25519::Recipient>,
    /// This vault's name in leases: `host/pid/random`, so two vaults of one process (tests)
    /// or two processes of one machine never take each other's lease for their own.
    pub(crate) holder: String,
}

/// One secret as read.
#[derive(Debug, Clone)]
pub(crate) struct Fetched {
    pub(crate) version: u64,
    pub(crate) data: RecordData,
    pub(crate) opened: Result<Opened, Unopened>,
}

#[derive(Debug, Clone)]
pub(crate) struct Opened {
    pub(crate) entry: Entry,
    /// The description the payload carries (another machine's, maybe).
    pub(crate) descriptor: Option<Descriptor>,
}

/// Why a payload could not be used; none of them carries a secret.
#[derive(Debug, Clone)]
pub(crate) enum Unopened {
    /// Not encrypted to this identity.
    NotForUs,
    /// The payload names another connection: swapped or tampered with.
    Tampered(String),
    Damaged(String),
}

#[derive(Serialize)]
struct PayloadOut<'a> {
    name: &'a str,
    connection: Option<&'a Descriptor>,
    entry: &'a Entry,
}

#[derive(Deserialize)]
struct PayloadIn {
    name: String,
    connection: Option<Descriptor>,
    entry: Entry,
}

impl Shared {
    pub(super) fn new(
        store: Store,
        descriptors: BTreeMap<String, Descriptor>,
    ) -> Result<Self, Error> {
        let recipients = store
            .settings()
            .recipients
            .iter()
            .map(|text| {
                text.trim().parse::<age::x25519::Recipient>().map_err(|_| {
                    Error::Usage(format!(
                        "[store].recipients holds {text:?}, which is not an age recipient: write each as `age-keygen -y` prints it (age1…)"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let host: String = crate::sys::hostname()
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            .take(64)
            .collect();
        let host = if host.is_empty() { "host".into() } else { host };
        let holder = format!(
            "{host}/{}/{:016x}",
            std::process::id(),
            rand::random::<u64>()
        );
        Ok(Self {
            store,
            descriptors,
            recipients,
            holder,
        })
    }

    /// `name`'s secret, opened as far as this identity can.
    pub(crate) fn fetch(&self, keys: &Keys, name: &str) -> Result<Option<Fetched>, Error> {
        let Some(record) = self.store.read(name)? else {
            return Ok(None);
        };
        let opened = open(keys, name, &record.data.payload);
        Ok(Some(Fetched {
            version: record.version,
            data: record.data,
            opened,
        }))
    }

    /// Every secret under the prefix, read by a few threads at once; sorted by name.
    pub(crate) fn fetch_all(&self, keys: &Keys) -> Result<Vec<(String, Fetched)>, Error> {
        let names = self.store.list()?;
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(name) = names.get(i) else {
                    return done;
                };
                done.push((name.clone(), self.fetch(keys, name)));
            }
        };
        let mut all: Vec<(String, Result<Option<Fetched>, Error>)> = if names.len() < 2 {
            work()
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> = (0..READERS.min(names.len()))
                    .map(|_| scope.spawn(work))
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| {
                        w.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect()
            })
        };
        all.sort_by(|a, b| a.0.cmp(&b.0));
        let mut fetched = Vec::with_capacity(all.len());
        for (name, read) in all {
            // Listed, then deleted before it was read: gone.
            if let Some(one) = read? {
                fetched.push((name, one));
            }
        }
        Ok(fetched)
    }

    /// The payload for `entry`, with this machine's description of `name` or else the one
    /// the store held (`read`), to this identity and every configured member.
    pub(crate) fn seal(
        &self,
        keys: &Keys,
        name: &str,
        entry: &Entry,
        read: Option<&Descriptor>,
    ) -> Result<String, Error> {
        let payload = PayloadOut {
            name,
            connection: self.descriptors.get(name).or(read),
            entry,
        };
        let mut plain = Zeroizing::new(Vec::with_capacity(2048));
        serde_json::to_writer(&mut *plain, &payload).expect("a payload always serializes");
        keys.encrypt_armored(&plain, &self.recipients)
    }

    /// The error a payload that cannot be used gives when it was asked for by name.
    pub(crate) fn unopened_error(&self, keys: &Keys, name: &str, why: &Unopened) -> Error {
        let store = self.store.describe();
        match why {
            Unopened::NotForUs => Error::Locked(format!(
                "{name} in {store} is not encrypted to this identity ({}): ask a member who can read it to add this recipient to [store].recipients and run `zdauth store rekey`",
                keys.recipient()
            )),
            Unopened::Tampered(inside) => self.error(
                format!(
                    "{name}'s secret holds the payload of {inside:?}, so it was swapped or tampered with; nothing in it was used"
                ),
                format!(
                    "check who can write the store, then have a member who holds {name}'s tokens run `zdauth store rekey`, or `zdauth login {name}`"
                ),
            ),
            Unopened::Damaged(reason) => self.error(
                format!("{name}'s payload cannot be read ({reason}); nothing in it was used"),
                format!("log in again with `zdauth login {name}` to replace it"),
            ),
        }
    }

    /// A lost check-and-set that nothing could resolve.
    pub(crate) fn conflict(&self, name: &str) -> Error {
        self.error(
            format!("{name} changed on another machine meanwhile and nothing was written"),
            "run the command again".into(),
        )
    }

    /// Refuses to overwrite what a newer zdauth wrote.
    pub(crate) fn check_format(&self, name: &str, data: Option<&RecordData>) -> Result<(), Error> {
        match data {
            Some(data) if data.format > FORMAT => Err(self.error(
                format!(
                    "{name} was written by a newer zdauth (store format {}, this one knows {FORMAT})",
                    data.format
                ),
                "upgrade zdauth before changing it".into(),
            )),
            _ => Ok(()),
        }
    }

    fn error(&self, problem: String, hint: String) -> Error {
        Error::Store {
            store: self.store.describe().to_owned(),
            problem,
            hint,
        }
    }

    /// The lease a write on `data` keeps: another holder's live lease on the same pair must
    /// survive a note written beside it, or a third machine could spend the pair it is
    /// spending. A new pair ends every lease: they were taken on the pair it replaces.
    pub(crate) fn kept_lease(&self, data: Option<&RecordData>, same_pair: bool) -> Option<Lease> {
        let lease = data?.lease.as_ref()?;
        (same_pair && lease.holder != self.holder && lease.is_live(jiff::Timestamp::now()))
            .then(|| lease.clone())
    }
}

fn open(keys: &Keys, name: &str, payload: &str) -> Result<Opened, Unopened> {
    let plain = keys.decrypt_armored(payload).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => Unopened::NotForUs,
        other => Unopened::Damaged(other.to_string()),
    })?;
    let payload: PayloadIn = serde_json::from_slice(&plain).map_err(|e| {
        // Position and category only: a value here may be a token.
        Unopened::Damaged(format!(
            "not a zdauth payload at line {} column {}",
            e.line(),
            e.column()
        ))
    })?;
    if payload.name != name {
        return Err(Unopened::Tampered(
            crate::text::display(&payload.name)
                .chars()
                .take(64)
                .collect(),
        ));
    }
    Ok(Opened {
        entry: payload.entry,
        descriptor: payload.connection,
    })
}

impl Vault {
    /// Every entry this identity can open; the others are skipped with a warning, so that one
    /// member's unreadable secret does not hide the rest.
    pub(super) fn load_shared(&self, shared: &Shared) -> Result<VaultData, Error> {
        let mut data = VaultData::default();
        for (name, fetched) in shared.fetch_all(self.keys())? {
            match fetched.opened {
                Ok(opened) => {
                    data.connections.insert(name, opened.entry);
                }
                Err(why) => {
                    let error = shared.unopened_error(self.keys(), &name, &why);
                    tracing::warn!(connection = %name, %error, "skipped a secret in the store");
                }
            }
        }
        Ok(data)
    }

    pub(super) fn load_entry_shared(
        &self,
        shared: &Shared,
        name: &str,
    ) -> Result<Option<Entry>, Error> {
        match shared.fetch(self.keys(), name)? {
            None => Ok(None),
            Some(fetched) => fetched
                .opened
                .map(|o| Some(o.entry))
                .map_err(|why| shared.unopened_error(self.keys(), name, &why)),
        }
    }

    /// Reads every secret with its version, applies `change`, and writes back only the
    /// entries it changed (each a check-and-set on the version read) and deletes the ones it
    /// removed, after every write landed. A lost check-and-set stops there with a one-line
    /// error: each write is a whole entry, so what did land loses no pair.
    pub(super) fn update_shared<R>(
        &self,
        shared: &Shared,
        _lock: &DirLock,
        change: impl FnOnce(&mut VaultData) -> R,
    ) -> Result<R, Error> {
        let mut data = VaultData::default();
        let mut read = BTreeMap::new();
        let mut unreadable = BTreeMap::new();
        for (name, fetched) in shared.fetch_all(self.keys())? {
            match fetched.opened.clone() {
                Ok(opened) => {
                    data.connections.insert(name.clone(), opened.entry.clone());
                    read.insert(name, (fetched, opened));
                }
                Err(why) => {
                    unreadable.insert(name, why);
                }
            }
        }
        let result = change(&mut data);
        for (name, entry) in &data.connections {
            if let Some(why) = unreadable.get(name) {
                return Err(shared.unopened_error(self.keys(), name, why));
            }
            let (version, record, descriptor, same_pair) = match read.get(name) {
                Some((_, opened)) if opened.entry == *entry => continue,
                Some((fetched, opened)) => (
                    fetched.version,
                    Some(&fetched.data),
                    opened.descriptor.as_ref(),
                    !super::late::is_new_pair(Some(&opened.entry), entry),
                ),
                None => (0, None, None, true),
            };
            shared.check_format(name, record)?;
            let data = RecordData {
                format: FORMAT,
                payload: shared.seal(self.keys(), name, entry, descriptor)?,
                lease: shared.kept_lease(record, same_pair),
            };
            if shared.store.write(name, &data, version)? == Written::Conflict {
                return Err(shared.conflict(name));
            }
        }
        let removed: BTreeSet<&String> = read
            .keys()
            .filter(|name| !data.connections.contains_key(*name))
            .collect();
        for name in removed {
            shared.store.delete(name)?;
        }
        Ok(result)
    }
}
