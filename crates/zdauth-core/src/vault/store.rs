//! vault.age on disk: load, and read-modify-write under the dir lock so that processes
//! changing different connections never drop each other's changes.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::atomic_file;
use crate::error::{Error, io_error};
use crate::lock::{CONNECTION_LOCK_TIMEOUT, DIR_LOCK_TIMEOUT, FileLock};
use crate::paths::Paths;
use crate::safe_file::{self, FileError, Links, VAULT_LIMIT};

use super::commit::GroupCommit;
use super::keys::Keys;
use super::payload::{Entry, VERSION, VaultData};
use super::shared::Shared;
use super::shared_lock::Base;

/// Serializes every writer of the config dir (config.toml and vault.age). Hold it only for
/// a read-modify-write, never across a network call.
#[derive(Debug)]
pub struct DirLock {
    _held: FileLock,
}

impl DirLock {
    pub fn acquire(paths: &Paths) -> Result<Self, Error> {
        FileLock::acquire(&paths.lock(), DIR_LOCK_TIMEOUT).map(|held| Self { _held: held })
    }
}

/// An unlocked vault: cheap to clone, safe to share between threads.
#[derive(Debug, Clone)]
pub struct Vault {
    paths: Paths,
    pub(super) keys: Arc<Keys>,
    connection_lock_timeout: Duration,
    commits: Arc<GroupCommit>,
    /// Where a pair that vault.age cannot take goes, in order (see `rescue`).
    rescue_places: Arc<Vec<PathBuf>>,
    /// The team store, when `[store]` is configured: it holds the entries instead of
    /// vault.age.
    shared: Option<Arc<Shared>>,
}

impl Vault {
    pub fn new(paths: Paths, keys: Keys) -> Self {
        Self {
            keys: Arc::new(keys),
            connection_lock_timeout: CONNECTION_LOCK_TIMEOUT,
            commits: Arc::default(),
            rescue_places: Arc::new(vec![paths.dir().to_path_buf()]),
            shared: None,
            paths,
        }
    }

    /// The places a rescue tries, in order; the doors pass [`super::rescue::user_places`].
    #[must_use]
    pub fn with_rescue_places(mut self, places: Vec<PathBuf>) -> Self {
        self.rescue_places = Arc::new(places);
        self
    }

    /// Keeps the entries in `store` instead of vault.age (payloads encrypted to this vault's
    /// recipient and `[store].recipients`, which must all be age recipients). `descriptors`:
    /// each connection's public description, as this machine's config.toml has it.
    pub fn with_store(
        mut self,
        store: crate::store::Store,
        descriptors: std::collections::BTreeMap<String, crate::store::Descriptor>,
    ) -> Result<Self, Error> {
        self.shared = Some(Arc::new(Shared::new(store, descriptors)?));
        Ok(self)
    }

    /// The team store, if the entries live there.
    pub fn store(&self) -> Option<&crate::store::Store> {
        self.shared.as_ref().map(|s| &s.store)
    }

    pub(crate) fn shared(&self) -> Option<&Shared> {
        self.shared.as_deref()
    }

    pub(crate) fn rescue_places(&self) -> &[PathBuf] {
        &self.rescue_places
    }

    /// Merges back every pair an earlier run had to rescue (see `rescue`).
    pub fn take_back_rescues(&self) -> Result<Vec<super::rescue::TakenBack>, Error> {
        super::rescue::take_back_all(self)
    }

    /// How long this process waits for another's refresh of one connection: it must cover
    /// the longest refresh that process can make (its HTTP timeouts and retries), so it is
    /// also the longest one refresh of ours may take. The doors set it from the settings
    /// through [`crate::session::refresher`].
    pub fn connection_lock_timeout(&self) -> Duration {
        self.connection_lock_timeout
    }

    #[must_use]
    pub fn with_connection_lock_timeout(mut self, timeout: Duration) -> Self {
        self.connection_lock_timeout = timeout.max(CONNECTION_LOCK_TIMEOUT);
        self
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The current content. No lock is needed: writers replace the file by rename, so a
    /// reader sees one whole generation. A missing vault is an empty one.
    pub fn load(&self) -> Result<VaultData, Error> {
        if let Some(shared) = self.shared() {
            return self.load_shared(shared);
        }
        match self.plaintext()? {
            Some(plaintext) => {
                VaultData::from_plaintext(&plaintext).map_err(|reason| self.corrupt(reason))
            }
            None => Ok(VaultData::default()),
        }
    }

    /// One connection's entry, without building the others: the `token` fast path, which
    /// must not cost more with 1,000 connections than with 10. The rest of the document is
    /// still checked to be JSON.
    pub(crate) fn load_entry(&self, name: &str) -> Result<Option<Entry>, Error> {
        if let Some(shared) = self.shared() {
            return self.load_entry_shared(shared, name);
        }
        match self.plaintext()? {
            Some(plaintext) => VaultData::entry_from_plaintext(&plaintext, name)
                .map_err(|reason| self.corrupt(reason)),
            None => Ok(None),
        }
    }

    /// The decrypted vault, or None when there is none yet.
    fn plaintext(&self) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let path = self.paths.vault();
        let opened = safe_file::open_regular(&path, Links::Follow)?;
        let (file, meta) = match opened {
            Some(opened) => opened,
            // recipient.txt is written after the first vault, so with it a missing vault was
            // lost, not never made: starting an empty one would hide the loss of every token.
            None if self.paths.recipient().exists() => {
                let backup = self.paths.vault_backup();
                let restore = if backup.exists() {
                    format!(
                        "restore it from {} (the generation before the last save)",
                        backup.display()
                    )
                } else {
                    "restore it from a backup".to_owned()
                };
                return Err(Error::MissingVault { path, restore });
            }
            None => return Ok(None),
        };
        let size = meta.len();
        if size > VAULT_LIMIT.bytes {
            return Err(FileError::TooLarge {
                path,
                size,
                limit: VAULT_LIMIT,
            }
            .into());
        }
        // Bounded even if the file grows while it is read: the cut shows as a damaged vault.
        let reader = io::BufReader::new(io::Read::take(file, VAULT_LIMIT.bytes));
        let plaintext = self
            .keys
            .decrypt_from(
                reader,
                usize::try_from(size).expect("at most VAULT_LIMIT, which fits a usize"),
            )
            .map_err(|e| match e {
                age::DecryptError::NoMatchingKeys => Error::Locked(format!(
                    "{} is not encrypted to this identity ({}): use the identity it was made with",
                    path.display(),
                    self.keys.recipient()
                )),
                // The agent's identity could not answer: its own error (a locked agent: 6).
                age::DecryptError::Io(e) if crate::agent::AgentLost::within(&e).is_some() => {
                    crate::agent::AgentLost::within(&e).expect("just checked")
                }
                // Damaged chunks and a cut-short file come as InvalidData and UnexpectedEof.
                age::DecryptError::Io(e)
                    if !matches!(
                        e.kind(),
                        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
                    ) =>
                {
                    io_error("read", &path, e)
                }
                other => self.corrupt(other.to_string()),
            })?;
        Ok(Some(plaintext))
    }

    fn corrupt(&self, reason: String) -> Error {
        let backup = self.paths.vault_backup();
        let hint = if backup.exists() {
            format!(
                "the previous generation is in {}; check it with `age -d -i IDENTITY {}` and copy it over vault.age",
                backup.display(),
                backup.display()
            )
        } else {
            "restore vault.age from a backup, or move it and recipient.txt aside and log in again"
                .to_owned()
        };
        Error::CorruptVault {
            path: self.paths.vault(),
            reason,
            hint,
        }
    }

    /// Re-reads the vault under the dir lock, applies `change`, and saves the result.
    pub fn update<R>(&self, change: impl FnOnce(&mut VaultData) -> R) -> Result<R, Error> {
        let lock = DirLock::acquire(&self.paths)?;
        self.update_locked(&lock, change)
    }

    /// [`Self::update`] for a caller that already holds the dir lock (e.g. to change
    /// config.toml in the same step).
    pub(crate) fn update_locked<R>(
        &self,
        lock: &DirLock,
        change: impl FnOnce(&mut VaultData) -> R,
    ) -> Result<R, Error> {
        if let Some(shared) = self.shared() {
            return self.update_shared(shared, lock, change);
        }
        let mut data = self.load()?;
        Self::check_writable(&data, &self.paths.vault())?;
        let result = change(&mut data);
        self.write(&data)?;
        Ok(result)
    }

    /// Refuses early what `update` would refuse late: a refresh must know it can store the
    /// new pair before it spends the old one.
    pub(crate) fn check_writable(data: &VaultData, path: &Path) -> Result<(), Error> {
        if data.version > VERSION {
            return Err(Error::NewerVault {
                path: path.to_path_buf(),
                found: data.version,
                known: VERSION,
            });
        }
        Ok(())
    }

    /// Last resort when a new token pair cannot be saved into vault.age: the pair goes into a
    /// file of its own, a standard vault holding just that connection, in the first of the
    /// rescue places that takes it. The next run takes it back.
    pub fn write_rescue(&self, name: &str, entry: &Entry) -> Result<PathBuf, Error> {
        super::rescue::write(self, name, entry)
    }

    fn write(&self, data: &VaultData) -> Result<(), Error> {
        let ciphertext = self.keys.encrypt(&data.to_plaintext())?;
        let backup = self.paths.vault_backup();
        atomic_file::replace(&self.paths.vault(), &ciphertext, Some(&backup))?;
        tracing::debug!(connections = data.connections.len(), "vault saved");
        Ok(())
    }

    /// Takes `name`'s own lock, which a refresh holds from re-reading the vault through the
    /// network call to the persisted new pair, so that only one process at a time spends a
    /// single-use refresh token.
    pub fn lock_connection(&self, name: &str) -> Result<ConnectionLock, Error> {
        self.paths.ensure_locks_dir()?;
        let lock = FileLock::acquire(
            &self.paths.connection_lock(name),
            self.connection_lock_timeout,
        )?;
        Ok(ConnectionLock {
            vault: self.clone(),
            name: name.to_owned(),
            _lock: lock,
            base: std::sync::Mutex::default(),
        })
    }
}

/// "Lock connection X, reload, let me change X, persist."
#[derive(Debug)]
pub struct ConnectionLock {
    pub(super) vault: Vault,
    pub(super) name: String,
    _lock: FileLock,
    /// With a store: what the last reload read, which writes and the lease are based on.
    pub(super) base: std::sync::Mutex<Option<Base>>,
}

impl ConnectionLock {
    /// Merges back a pair of this connection that an earlier run had to rescue; run before
    /// reading the entry to spend its refresh token, which the rescue may have replaced.
    pub(crate) fn take_back_rescues(&self) -> Result<Vec<super::rescue::TakenBack>, Error> {
        super::rescue::take_back_locked(&self.vault, &self.name)
    }

    /// The entry as it is on disk now (another process may have changed it before we got the
    /// lock).
    pub fn reload(&self) -> Result<Option<Entry>, Error> {
        if let Some(shared) = self.vault.shared() {
            return self.reload_shared(shared, false);
        }
        Ok(self.vault.load()?.connections.remove(&self.name))
    }

    /// [`Self::reload`], refusing a vault this zdauth could not write back.
    pub(crate) fn reload_writable(&self) -> Result<Option<Entry>, Error> {
        if let Some(shared) = self.vault.shared() {
            return self.reload_shared(shared, true);
        }
        let mut data = self.vault.load()?;
        Vault::check_writable(&data, &self.vault.paths.vault())?;
        Ok(data.connections.remove(&self.name))
    }

    pub(crate) fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Takes this connection's lease in the store until `until`, on the version last
    /// reloaded, before its refresh token is spent. Without a store the file lock is the
    /// lease.
    pub(crate) fn lease(&self, until: jiff::Timestamp) -> Result<super::Leasing, Error> {
        match self.vault.shared() {
            Some(shared) => self.lease_shared(shared, until),
            None => Ok(super::Leasing::Won),
        }
    }

    /// Writes `entry` for this connection, merged into the vault as re-read under the dir
    /// lock; other connections' entries are kept as they are on disk. Returns once it is on
    /// disk. Threads of this process persisting at the same time share one save (group
    /// commit): `refresh --all` would otherwise pay a whole-vault save, with its fsyncs, per
    /// connection, one after another.
    ///
    /// With a store: one check-and-set on the version last reloaded; see `shared_lock`.
    pub fn persist(&self, entry: Entry) -> Result<(), Error> {
        if let Some(shared) = self.vault.shared() {
            return self.persist_shared(shared, entry);
        }
        self.vault.commits.persist(&self.vault, &self.name, entry)
    }
}
