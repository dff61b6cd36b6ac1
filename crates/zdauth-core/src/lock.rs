//! Advisory file locks between zdauth processes. Every writer of config.toml or vault.age
//! holds the dir lock for the short read-modify-write; a refresh holds its connection's lock
//! from re-reading the vault through the network call to the persisted new pair.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::error::{Error, io_error};

/// Long enough for a slow disk, short enough that a stuck process is reported, not waited on.
pub(crate) const DIR_LOCK_TIMEOUT: Duration = Duration::from_secs(30);
/// A connection lock can span a refresh with retries and backoff.
pub(crate) const CONNECTION_LOCK_TIMEOUT: Duration = Duration::from_secs(120);

/// Held until dropped; the kernel releases it if the process dies.
#[derive(Debug)]
pub(crate) struct FileLock {
    _file: File,
}

impl FileLock {
    pub(crate) fn acquire(path: &Path, timeout: Duration) -> Result<Self, Error> {
        if let Some(parent) = path.parent() {
            crate::paths::create_private_dir(parent)?;
        }
        // Never through a link, never a FIFO (which would hang the open): a lock file is
        // zdauth's own.
        let file = crate::safe_file::open_own(path, false)?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            match file.try_lock() {
                Ok(()) => {
                    return Ok(Self { _file: file });
                }
                Err(TryLockError::WouldBlock) if started.elapsed() < timeout => {
                    thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(25));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(Error::LockTimeout {
                        path: path.to_path_buf(),
                        seconds: timeout.as_secs(),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io_error("lock", path, e)),
            }
        }
    }
}
