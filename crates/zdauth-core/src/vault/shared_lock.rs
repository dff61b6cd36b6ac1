//! A connection's lock when its entry lives in the team store. The local file lock is still
//! taken (one process of this machine at a time); beside it the lock remembers what it last
//! read from the store (version, lease, pair), so that every write is a check-and-set on
//! that, the lease is taken on it, and a lost check-and-set is resolved by [`super::late`].

use std::sync::{MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::late::{self, Late};
use super::payload::Entry;
use super::shared::{Fetched, Shared, Unopened};
use super::store::{ConnectionLock, Vault};
use crate::error::Error;
use crate::store::{Descriptor, FORMAT, Lease, RecordData, Written};

/// How often a process waiting for another's lease asks the store again.
const POLL: Duration = Duration::from_millis(250);
/// Tries of one write: each lost check-and-set is re-read and decided again.
const WRITE_TRIES: usize = 4;

/// What the lock last read of its secret.
#[derive(Debug, Clone, Default)]
pub(crate) struct Base {
    /// 0: there was no secret.
    version: u64,
    data: Option<RecordData>,
    entry: Option<Entry>,
    descriptor: Option<Descriptor>,
}

/// The secret as it is now, which this identity must be able to open.
fn read_base(vault: &Vault, shared: &Shared, name: &str) -> Result<Base, Error> {
    base_of(shared.fetch(vault.keys(), name)?)
        .map_err(|why| shared.unopened_error(vault.keys(), name, &why))
}

fn base_of(fetched: Option<Fetched>) -> Result<Base, Unopened> {
    let Some(fetched) = fetched else {
        return Ok(Base::default());
    };
    let opened = fetched.opened?;
    Ok(Base {
        version: fetched.version,
        data: Some(fetched.data),
        entry: Some(opened.entry),
        descriptor: opened.descriptor,
    })
}

impl ConnectionLock {
    fn base(&self) -> MutexGuard<'_, Option<Base>> {
        self.base.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn known_base(&self, shared: &Shared) -> Result<Base, Error> {
        if let Some(base) = self.base().clone() {
            return Ok(base);
        }
        let base = read_base(&self.vault, shared, &self.name)?;
        *self.base() = Some(base.clone());
        Ok(base)
    }

    pub(super) fn reload_shared(
        &self,
        shared: &Shared,
        writable: bool,
    ) -> Result<Option<Entry>, Error> {
        let base = read_base(&self.vault, shared, &self.name)?;
        if writable {
            shared.check_format(&self.name, base.data.as_ref())?;
        }
        let entry = base.entry.clone();
        *self.base() = Some(base);
        Ok(entry)
    }

    /// Writes `entry` on the version last read. A lost check-and-set is re-read and decided
    /// by the late-writer rule: our change on top when the store still holds the pair we
    /// read; else another machine's new pair is kept (Ok: ours still goes to the caller) and
    /// any other change of ours is refused.
    pub(super) fn persist_shared(&self, shared: &Shared, entry: Entry) -> Result<(), Error> {
        let name = &self.name;
        let mut base = self.known_base(shared)?;
        let mut ours = entry;
        for _ in 0..WRITE_TRIES {
            shared.check_format(name, base.data.as_ref())?;
            let same_pair = !late::is_new_pair(base.entry.as_ref(), &ours);
            let data = RecordData {
                format: FORMAT,
                payload: shared.seal(self.vault.keys(), name, &ours, base.descriptor.as_ref())?,
                lease: shared.kept_lease(base.data.as_ref(), same_pair),
            };
            if let Written::Version(version) = shared.store.write(name, &data, base.version)? {
                *self.base() = Some(Base {
                    version,
                    data: Some(data),
                    entry: Some(ours),
                    descriptor: base.descriptor,
                });
                return Ok(());
            }
            let current = read_base(&self.vault, shared, name)?;
            let outcome = late::decide(base.entry.as_ref(), &ours, current.entry.as_ref());
            *self.base() = Some(current.clone());
            match outcome {
                Late::Write(merged) => {
                    tracing::warn!(connection = %name, "the store changed meanwhile, on the pair this change started from: writing on top");
                    ours = *merged;
                    base = current;
                }
                Late::AlreadyThere => return Ok(()),
                Late::KeepStore => {
                    tracing::warn!(connection = %name, "another machine stored a newer pair meanwhile: the store keeps it; ours is used this once");
                    return Ok(());
                }
                Late::Refuse => return Err(shared.conflict(name)),
            }
        }
        Err(shared.conflict(name))
    }

    /// Takes the lease on the version last read: Held when another holder's lease is live,
    /// Moved when the secret changed since.
    pub(super) fn lease_shared(
        &self,
        shared: &Shared,
        until: Timestamp,
    ) -> Result<super::Leasing, Error> {
        let base = self.known_base(shared)?;
        // Nothing stored: nothing to spend, nothing to guard.
        let Some(data) = &base.data else {
            return Ok(super::Leasing::Won);
        };
        if let Some(lease) = &data.lease {
            if lease.holder != shared.holder && lease.is_live(Timestamp::now()) {
                return Ok(super::Leasing::Held(lease.clone()));
            }
            if lease.holder != shared.holder {
                tracing::info!(connection = %self.name, holder = %lease.holder, until = %lease.until, "taking over an expired lease");
            }
        }
        shared.check_format(&self.name, Some(data))?;
        let leased = RecordData {
            format: FORMAT,
            payload: data.payload.clone(),
            lease: Some(Lease {
                holder: shared.holder.clone(),
                until,
            }),
        };
        match shared.store.write(&self.name, &leased, base.version)? {
            Written::Version(version) => {
                *self.base() = Some(Base {
                    version,
                    data: Some(leased),
                    ..base
                });
                Ok(super::Leasing::Won)
            }
            Written::Conflict => Ok(super::Leasing::Moved),
        }
    }

    /// Waits, asking the store every 250 ms, until `held` is cleared, expires or the secret
    /// changes (true), or `longest` has passed with it still live (false).
    pub(crate) fn wait_for_lease(&self, held: &Lease, longest: Duration) -> Result<bool, Error> {
        let Some(shared) = self.vault.shared() else {
            return Ok(true);
        };
        let version = self.base().as_ref().map_or(0, |b| b.version);
        let deadline = Instant::now() + longest;
        loop {
            std::thread::sleep(POLL);
            let Some(record) = shared.store.read(&self.name)? else {
                return Ok(true);
            };
            let still = record.version == version
                && record.data.lease.as_ref() == Some(held)
                && held.is_live(Timestamp::now());
            if !still {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
        }
    }
}

/// What taking back a rescued pair into the store did.
pub(super) enum Pushed {
    /// The store now holds it.
    Merged,
    /// The store held it already: the rescue file can go.
    Same,
    /// The store holds a newer pair (or one this identity cannot open): the file stays.
    Left,
}

/// Pushes a rescued pair into the store when the store's is older (by `obtained_at`), under
/// a check-and-set on the version read.
pub(super) fn push_rescued(
    vault: &Vault,
    shared: &Shared,
    name: &str,
    rescued: &Entry,
) -> Result<Pushed, Error> {
    let Some(ours) = &rescued.tokens else {
        return Ok(Pushed::Left);
    };
    let current = match base_of(shared.fetch(vault.keys(), name)?) {
        Ok(current) => current,
        Err(why) => {
            let error = shared.unopened_error(vault.keys(), name, &why);
            tracing::warn!(connection = %name, %error, "a rescued pair not taken back: the store's secret cannot be opened here");
            return Ok(Pushed::Left);
        }
    };
    if let Some(stored) = current.entry.as_ref().and_then(|e| e.tokens.as_ref()) {
        if late::pair_key(stored) == late::pair_key(ours) {
            return Ok(Pushed::Same);
        }
        if stored.obtained_at >= ours.obtained_at {
            tracing::warn!(connection = %name, "a rescued pair not taken back: the store holds a newer one; the rescue file is left for you to check");
            return Ok(Pushed::Left);
        }
    }
    shared.check_format(name, current.data.as_ref())?;
    // Pushed even over another machine's live lease: that machine is spending the token the
    // rescued pair replaced, which Zendesk refuses; it then re-reads and finds this pair.
    let entry = late::adopt_pair(&current.entry.unwrap_or_default(), rescued);
    let data = RecordData {
        format: FORMAT,
        payload: shared.seal(vault.keys(), name, &entry, current.descriptor.as_ref())?,
        // A new pair: the leases on the one it replaces end with it.
        lease: None,
    };
    match shared.store.write(name, &data, current.version)? {
        Written::Version(_) => Ok(Pushed::Merged),
        Written::Conflict => {
            tracing::warn!(connection = %name, "a rescued pair not taken back yet: the secret changed meanwhile");
            Ok(Pushed::Left)
        }
    }
}
