//! The engine of `zdauth store list | rekey | migrate`: what the store holds, re-encrypting it
//! to the members now listed, and moving entries between the local vault and the store.
//!
//! `migrate` moves, it does not copy: once the destination holds an entry, the source's is
//! removed, so that a refresh token is never in two places (one of which would be spent by a
//! refresh while the other, stale, is replayed later). There is no "keep a copy" mode on
//! purpose.

use jiff::Timestamp;

use super::{Descriptor, FORMAT, Lease, RecordData, Written};
use crate::error::Error;
use crate::vault::shared::{Fetched, Shared};
use crate::vault::{Entry, Vault, late_pair_key};

/// How long `migrate --to-local` holds the store's lease while it moves an entry: other
/// machines wait instead of spending the pair that is leaving.
const MOVE_LEASE: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

/// One secret under the prefix, as this machine can read it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub version: u64,
    /// `None` when the payload is not encrypted to this machine's identity.
    pub descriptor: Option<Descriptor>,
    pub readable: bool,
    pub has_tokens: bool,
    pub login_required: bool,
    pub last_refresh: Option<Timestamp>,
    pub lease: Option<Lease>,
}

fn shared_of(vault: &Vault) -> Result<&Shared, Error> {
    vault.shared().ok_or_else(|| {
        Error::Usage(
            "no team store is configured: add a [store] table to config.toml (see config.example.toml)"
                .into(),
        )
    })
}

/// Every secret under the prefix. `vault` must have a store.
pub fn list(vault: &Vault) -> Result<Vec<Listed>, Error> {
    let shared = shared_of(vault)?;
    Ok(shared
        .fetch_all(vault.keys())?
        .into_iter()
        .map(|(name, fetched)| {
            let opened = fetched.opened.ok();
            let entry = opened.as_ref().map(|o| &o.entry);
            Listed {
                version: fetched.version,
                descriptor: opened.as_ref().and_then(|o| o.descriptor.clone()),
                readable: opened.is_some(),
                has_tokens: entry.is_some_and(|e| e.tokens.is_some()),
                login_required: entry.is_some_and(|e| e.login_required),
                last_refresh: entry.and_then(|e| e.last_refresh),
                lease: fetched.data.lease,
                name,
            }
        })
        .collect())
}

/// What `rekey` did to one secret.
#[derive(Debug)]
pub enum Rekeyed {
    /// Re-encrypted to this machine and every `[store].recipients` entry.
    Done,
    /// This machine cannot read it: a member who can must run rekey.
    Unreadable,
    /// Changed by another machine while rekeying; run rekey again.
    Moved,
}

/// Re-encrypts every readable secret to the recipients configured now, each under CAS. The
/// entry is not changed, nor a live lease of another holder.
pub fn rekey(vault: &Vault) -> Result<Vec<(String, Rekeyed)>, Error> {
    let shared = shared_of(vault)?;
    let mut done = Vec::new();
    for (name, fetched) in shared.fetch_all(vault.keys())? {
        let Ok(opened) = &fetched.opened else {
            done.push((name, Rekeyed::Unreadable));
            continue;
        };
        shared.check_format(&name, Some(&fetched.data))?;
        let data = RecordData {
            format: FORMAT,
            payload: shared.seal(
                vault.keys(),
                &name,
                &opened.entry,
                opened.descriptor.as_ref(),
            )?,
            lease: shared.kept_lease(Some(&fetched.data), true),
        };
        let outcome = match shared.store.write(&name, &data, fetched.version)? {
            Written::Version(_) => Rekeyed::Done,
            Written::Conflict => Rekeyed::Moved,
        };
        done.push((name, outcome));
    }
    Ok(done)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The local vault's entries into the store.
    ToStore,
    /// The store's entries into the local vault (`--to-local`).
    ToLocal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Migrated {
    /// Moved: the destination holds it, the source no longer does.
    Copied,
    /// The destination holds the same pair already (the source's copy was removed).
    AlreadyThere,
    /// The destination holds a newer pair (or one changed meanwhile): left as it is, and the
    /// source too.
    RefusedNewer,
    /// Nothing to copy for this name.
    Missing,
    /// The store's secret is not encrypted to this identity: nothing compared, nothing moved.
    Unreadable,
    /// Another machine is refreshing it right now: run migrate again in a minute.
    Leased,
}

/// Moves `names` (every entry of the source when empty) between `local` (a vault without a
/// store) and `shared` (the same paths and keys, with the store), each under the connection's
/// lock and a check-and-set, never overwriting a newer pair; the source's entry is removed
/// once the destination's write is confirmed, so that no refresh token is ever held in two
/// places. Store errors stop the run; the names done before it stay done.
pub fn migrate(
    local: &Vault,
    shared: &Vault,
    direction: Direction,
    names: &[String],
) -> Result<Vec<(String, Migrated)>, Error> {
    let store = shared_of(shared)?;
    let names = if names.is_empty() {
        match direction {
            Direction::ToStore => local.load()?.connections.into_keys().collect(),
            Direction::ToLocal => store.store.list()?,
        }
    } else {
        names.to_vec()
    };
    let mut done = Vec::with_capacity(names.len());
    for name in names {
        // The same lock file a refresh of either vault takes: none runs while it moves.
        let lock = local.lock_connection(&name)?;
        let fetched = store.fetch(shared.keys(), &name)?;
        let here = lock.reload()?;
        let outcome = match direction {
            Direction::ToStore => to_store(local, shared, store, &name, here, fetched.as_ref())?,
            Direction::ToLocal => to_local(local, store, &name, here.as_ref(), fetched)?,
        };
        drop(lock);
        done.push((name, outcome));
    }
    Ok(done)
}

/// Whether `from` may replace `to`: same pair (nothing to write), an older pair (or none) in
/// `to`, or a newer one there.
enum Compare {
    Same,
    Replace(Box<Entry>),
    Newer,
}

fn compare(from: &Entry, to: Option<&Entry>) -> Compare {
    let Some(to) = to else {
        return Compare::Replace(Box::new(from.clone()));
    };
    let replaced = || {
        let mut entry = from.clone();
        // A secret only the destination has is kept.
        if entry.client_secret.is_none() {
            entry.client_secret.clone_from(&to.client_secret);
        }
        Compare::Replace(Box::new(entry))
    };
    match (&from.tokens, &to.tokens) {
        _ if from == to => Compare::Same,
        (Some(f), Some(t)) if late_pair_key(f) == late_pair_key(t) => Compare::Same,
        (Some(f), Some(t)) if t.obtained_at < f.obtained_at => replaced(),
        (Some(_), None) => replaced(),
        _ => Compare::Newer,
    }
}

fn live_foreign_lease(store: &Shared, fetched: &Fetched) -> bool {
    fetched
        .data
        .lease
        .as_ref()
        .is_some_and(|l| l.holder != store.holder && l.is_live(Timestamp::now()))
}

fn to_store(
    local: &Vault,
    shared: &Vault,
    store: &Shared,
    name: &str,
    here: Option<Entry>,
    fetched: Option<&Fetched>,
) -> Result<Migrated, Error> {
    let Some(here) = here else {
        return Ok(Migrated::Missing);
    };
    let (version, there, descriptor) = match fetched {
        None => (0, None, None),
        Some(f) if live_foreign_lease(store, f) => return Ok(Migrated::Leased),
        Some(f) => match &f.opened {
            Ok(o) => (f.version, Some(&o.entry), o.descriptor.as_ref()),
            Err(_) => return Ok(Migrated::Unreadable),
        },
    };
    let outcome = match compare(&here, there) {
        Compare::Newer => return Ok(Migrated::RefusedNewer),
        Compare::Same => Migrated::AlreadyThere,
        Compare::Replace(entry) => {
            store.check_format(name, fetched.map(|f| &f.data))?;
            let data = RecordData {
                format: FORMAT,
                payload: store.seal(shared.keys(), name, &entry, descriptor)?,
                lease: None,
            };
            if store.store.write(name, &data, version)? == Written::Conflict {
                return Ok(Migrated::RefusedNewer);
            }
            Migrated::Copied
        }
    };
    // Confirmed in the store: out of vault.age, whole (the store is now its one home).
    local.update(|data| {
        data.connections.remove(name);
    })?;
    Ok(outcome)
}

fn to_local(
    local: &Vault,
    store: &Shared,
    name: &str,
    here: Option<&Entry>,
    fetched: Option<Fetched>,
) -> Result<Migrated, Error> {
    let Some(fetched) = fetched else {
        return Ok(Migrated::Missing);
    };
    if live_foreign_lease(store, &fetched) {
        return Ok(Migrated::Leased);
    }
    let Ok(opened) = &fetched.opened else {
        return Ok(Migrated::Unreadable);
    };
    let write = match compare(&opened.entry, here) {
        Compare::Newer => return Ok(Migrated::RefusedNewer),
        Compare::Same => None,
        Compare::Replace(entry) => Some(entry),
    };
    // Other machines wait on this lease instead of spending the pair that is leaving; the
    // delete below is not a check-and-set, the lease is what makes it safe.
    store.check_format(name, Some(&fetched.data))?;
    let leased = RecordData {
        format: FORMAT,
        payload: fetched.data.payload.clone(),
        lease: Some(Lease {
            holder: store.holder.clone(),
            until: Timestamp::now() + MOVE_LEASE,
        }),
    };
    if store.store.write(name, &leased, fetched.version)? == Written::Conflict {
        return Ok(Migrated::RefusedNewer);
    }
    let outcome = match write {
        Some(entry) => {
            local.update(|data| {
                data.connections.insert(name.to_owned(), *entry);
            })?;
            Migrated::Copied
        }
        None => Migrated::AlreadyThere,
    };
    // Only now that vault.age holds it.
    store.store.delete(name)?;
    Ok(outcome)
}
