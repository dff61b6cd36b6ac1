//! Where the agent of a config dir listens: one socket per user and config dir, in a
//! directory only this user can enter (checklist item 34).

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorClass};
use crate::paths::Paths;
use crate::sys;

/// `sun_path` holds 108 bytes with the terminating NUL on Linux (104 on the BSDs).
const SOCKET_PATH_MAX: usize = 103;

#[derive(Debug, Clone)]
pub struct Place {
    dir: PathBuf,
    socket: PathBuf,
    lock: PathBuf,
}

impl Place {
    /// `$XDG_RUNTIME_DIR/zdauth/agent-<hash>.sock`, else `/tmp/zdauth-<uid>/…`; the hash is
    /// of the canonical config dir, so two spellings of one dir meet one agent and two dirs
    /// never share one.
    pub fn of(paths: &Paths) -> Result<Self, Error> {
        let dir = match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
            Some(runtime) if runtime.is_absolute() => runtime.join("zdauth"),
            _ => PathBuf::from(format!("/tmp/zdauth-{}", sys::euid())),
        };
        let canonical = fs::canonicalize(paths.dir()).unwrap_or_else(|_| paths.dir().into());
        let hash = dir_id(&canonical);
        let place = Self {
            socket: dir.join(format!("agent-{hash}.sock")),
            lock: dir.join(format!("agent-{hash}.lock")),
            dir,
        };
        if place.socket.as_os_str().len() > SOCKET_PATH_MAX {
            return Err(refused(format!(
                "the agent's socket path {} is longer than a socket path may be ({SOCKET_PATH_MAX} bytes): set XDG_RUNTIME_DIR to a shorter directory",
                place.socket.display()
            )));
        }
        Ok(place)
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    pub(crate) fn lock(&self) -> &Path {
        &self.lock
    }

    /// Creates the directory 0700 if it is missing, then checks it as [`Self::check_dir`].
    pub(crate) fn ensure_dir(&self) -> Result<(), Error> {
        match fs::DirBuilder::new().mode(0o700).create(&self.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(refused(format!(
                    "cannot create the agent's directory {} ({e}): check that its parent exists and is yours",
                    self.dir.display()
                )));
            }
        }
        self.check_dir().map(drop)
    }

    /// Whether the directory exists; refused if it is a link, not a directory, another
    /// user's, or open to anyone else: a socket there could be someone else's.
    pub(crate) fn check_dir(&self) -> Result<bool, Error> {
        let meta = match fs::symlink_metadata(&self.dir) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => {
                return Err(refused(format!(
                    "cannot inspect the agent's directory {} ({e}): check its permissions",
                    self.dir.display()
                )));
            }
        };
        let shown = self.dir.display();
        let why = if meta.file_type().is_symlink() {
            Some("is a link".to_owned())
        } else if !meta.is_dir() {
            Some("is not a directory".to_owned())
        } else if meta.uid() != sys::euid() {
            Some(format!("belongs to another user (uid {})", meta.uid()))
        } else if meta.mode() & 0o077 != 0 {
            Some(format!(
                "is mode {:o}, open to other users",
                meta.mode() & 0o777
            ))
        } else {
            None
        };
        match why {
            Some(why) => Err(refused(format!(
                "the agent's directory {shown} {why}: remove it (zdauth makes its own, mode 0700) or set XDG_RUNTIME_DIR to a directory of yours"
            ))),
            None => Ok(true),
        }
    }
}

/// 16 hex digits of SHA-256 over the config dir's canonical path: short, a valid socket,
/// unit and label name whatever the path holds, and the same for every spelling of one dir.
/// The agent's socket and `agent install`'s service are both named by it.
pub fn dir_id(canonical: &Path) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(canonical.as_os_str().as_bytes());
    digest[..8]
        .iter()
        .fold(String::with_capacity(16), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

fn refused(message: String) -> Error {
    Error::Agent {
        class: ErrorClass::Other,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_config_dirs_have_two_sockets_and_one_dir_has_one() {
        let temp = tempfile::tempdir().unwrap();
        let a = temp.path().join("a");
        fs::create_dir(&a).unwrap();
        let b = temp.path().join("b");
        let one = Place::of(&Paths::at(&a)).unwrap();
        let again = Place::of(&Paths::at(a.join("."))).unwrap();
        let other = Place::of(&Paths::at(&b)).unwrap();
        assert_eq!(one.socket, again.socket);
        assert_ne!(one.socket, other.socket);
        assert_eq!(one.lock.extension().unwrap(), "lock");
    }
}
