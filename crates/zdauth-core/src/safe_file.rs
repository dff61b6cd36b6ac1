//! The one place zdauth opens its files (checklist item 30). A file is read only when it is a
//! regular file, within a size cap that fits its kind: a FIFO must not hang the open, and
//! `/dev/zero` must not fill memory. zdauth's own housekeeping files (locks, the log, the
//! backup) are never opened through a symbolic link.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rustix::fs::OFlags;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::error::clean_cause;

/// How much of one kind of file zdauth reads, at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub(crate) bytes: u64,
    pub(crate) what: &'static str,
}

/// An age identity is ~200 bytes; this holds dozens of keys with their comments.
pub(crate) const IDENTITY_LIMIT: Limit = Limit {
    bytes: 16 * 1024,
    what: "an identity file",
};
pub(crate) const RECIPIENT_LIMIT: Limit = Limit {
    bytes: 16 * 1024,
    what: "recipient.txt",
};
/// 1,000 connections make about 90 KB.
pub(crate) const CONFIG_LIMIT: Limit = Limit {
    bytes: 4 * 1024 * 1024,
    what: "config.toml",
};
/// 1,000 connections make about 800 KB.
pub(crate) const VAULT_LIMIT: Limit = Limit {
    bytes: 64 * 1024 * 1024,
    what: "a vault",
};

/// Whether a link at the path may lead to the file: yes for the files that hold the user's
/// data (a dotfiles repo or a synced folder may link them), no for zdauth's housekeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Links {
    Follow,
    Refuse,
}

#[derive(Debug, Error)]
pub enum FileError {
    #[error("{} is {found}, not a regular file: zdauth reads and writes only regular files; move it aside, or point zdauth at the real file", path.display())]
    NotRegular { path: PathBuf, found: &'static str },
    #[error("{} is a symbolic link{}, which zdauth never follows for its own files: remove the link (`rm {}`)", path.display(), target.as_ref().map(|t| format!(" to {}", t.display())).unwrap_or_default(), path.display())]
    Link {
        path: PathBuf,
        target: Option<PathBuf>,
    },
    #[error("{} is {size} bytes, over zdauth's limit of {} bytes for {}: check that it is the right file", path.display(), limit.bytes, limit.what)]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: Limit,
    },
    #[error("{} belongs to another user (uid {uid}): zdauth uses only files and directories you own; move it aside, or run zdauth as that user", path.display())]
    OtherOwner { path: PathBuf, uid: u32 },
    #[error("{} is a shared directory (its sticky bit is set, as on /tmp): zdauth keeps its files in a directory of its own; pass --config-dir with a new directory", path.display())]
    SharedDir { path: PathBuf },
    #[error("{} is {found}, not a directory: pass --config-dir with a directory", path.display())]
    NotADirectory { path: PathBuf, found: &'static str },
    /// The cause is in the message, as in [`crate::Error::Io`].
    #[error("cannot {action} {}: {cause}; check that it is a file you can read", path.display())]
    Unreadable {
        action: &'static str,
        path: PathBuf,
        cause: io::Error,
    },
}

impl FileError {
    fn unreadable(action: &'static str, path: &Path, cause: io::Error) -> Self {
        FileError::Unreadable {
            action,
            path: path.to_path_buf(),
            cause: clean_cause(cause),
        }
    }
}

/// What a file is, for a message.
pub(crate) fn describe(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_file() {
        "a regular file"
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else {
        "a special file"
    }
}

pub(crate) fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Refuses anything at `path` but a regular file, as seen by `meta` (lstat or stat).
fn check_regular(path: &Path, meta: &Metadata) -> Result<(), FileError> {
    if meta.file_type().is_symlink() {
        return Err(FileError::Link {
            path: path.to_path_buf(),
            target: fs::read_link(path).ok(),
        });
    }
    if !meta.is_file() {
        return Err(FileError::NotRegular {
            path: path.to_path_buf(),
            found: describe(meta),
        });
    }
    Ok(())
}

pub(crate) fn check_owner(path: &Path, meta: &Metadata) -> Result<(), FileError> {
    if meta.uid() != euid() {
        return Err(FileError::OtherOwner {
            path: path.to_path_buf(),
            uid: meta.uid(),
        });
    }
    Ok(())
}

/// A directory that is this user's alone to use: not another user's, not a shared one.
pub fn check_own_dir(path: &Path, meta: &Metadata) -> Result<(), FileError> {
    if !meta.is_dir() {
        return Err(FileError::NotADirectory {
            path: path.to_path_buf(),
            found: describe(meta),
        });
    }
    check_owner(path, meta)?;
    if meta.mode() & 0o1000 != 0 {
        return Err(FileError::SharedDir {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

fn flags(links: Links) -> i32 {
    // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever.
    let mut flags = OFlags::NONBLOCK | OFlags::NOCTTY;
    if links == Links::Refuse {
        flags |= OFlags::NOFOLLOW;
    }
    flags.bits().cast_signed()
}

/// The open is done; reads and writes of a regular file go back to blocking.
fn clear_nonblock(file: &File, path: &Path) -> Result<(), FileError> {
    rustix::fs::fcntl_getfl(file)
        .and_then(|f| rustix::fs::fcntl_setfl(file, f - OFlags::NONBLOCK))
        .map_err(|e| FileError::unreadable("open", path, e.into()))
}

fn link_refused(path: &Path, e: &io::Error) -> Option<FileError> {
    (e.raw_os_error() == Some(libc::ELOOP)).then(|| FileError::Link {
        path: path.to_path_buf(),
        target: fs::read_link(path).ok(),
    })
}

/// Opens `path` to read, if it is a regular file; `None` when nothing is there.
pub(crate) fn open_regular(
    path: &Path,
    links: Links,
) -> Result<Option<(File, Metadata)>, FileError> {
    // Judged before the open too: opening a device can have effects of its own.
    let before = match links {
        Links::Follow => fs::metadata(path),
        Links::Refuse => fs::symlink_metadata(path),
    };
    match before {
        Ok(meta) => check_regular(path, &meta)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FileError::unreadable("inspect", path, e)),
    }
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(flags(links))
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            let refused = (links == Links::Refuse)
                .then(|| link_refused(path, &e))
                .flatten();
            return Err(refused.unwrap_or_else(|| FileError::unreadable("open", path, e)));
        }
    };
    // What was opened, not what was looked at: the path may have changed in between.
    let meta = file
        .metadata()
        .map_err(|e| FileError::unreadable("inspect", path, e))?;
    check_regular(path, &meta)?;
    clear_nonblock(&file, path)?;
    Ok(Some((file, meta)))
}

/// The whole of `path` if it is a regular file within `limit`; `None` when nothing is there.
pub(crate) fn read(
    path: &Path,
    links: Links,
    limit: Limit,
) -> Result<Option<Zeroizing<Vec<u8>>>, FileError> {
    let Some((file, meta)) = open_regular(path, links)? else {
        return Ok(None);
    };
    let too_large = |size| FileError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit,
    };
    if meta.len() > limit.bytes {
        return Err(too_large(meta.len()));
    }
    // The whole file at once: a buffer that grew would leave an unwiped copy behind.
    let capacity = usize::try_from(meta.len()).expect("at most the cap, which fits a usize");
    let mut bytes = Zeroizing::new(Vec::with_capacity(capacity));
    // One byte past the cap tells a file that grew since the fstat.
    file.take(limit.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::unreadable("read", path, e))?;
    if bytes.len() as u64 > limit.bytes {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(Some(bytes))
}

/// [`read`] for a text file; `what` names it in the error for bytes that are not UTF-8.
pub(crate) fn read_text(
    path: &Path,
    links: Links,
    limit: Limit,
) -> Result<Option<Zeroizing<String>>, FileError> {
    let Some(mut bytes) = read(path, links, limit)? else {
        return Ok(None);
    };
    let text = String::from_utf8(std::mem::take(&mut *bytes)).map_err(|e| {
        let cause = io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text");
        // The rejected bytes may be a secret: wipe them too.
        drop(Zeroizing::new(e.into_bytes()));
        FileError::unreadable("read", path, cause)
    })?;
    Ok(Some(Zeroizing::new(text)))
}

/// Opens one of zdauth's own files for writing, creating it 0600: never through a link, and
/// only a regular file of this user's.
pub fn open_own(path: &Path, append: bool) -> Result<File, FileError> {
    match fs::symlink_metadata(path) {
        Ok(meta) => {
            check_regular(path, &meta)?;
            check_owner(path, &meta)?;
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(FileError::unreadable("inspect", path, e)),
    }
    let file = OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(false)
        .mode(0o600)
        .custom_flags(flags(Links::Refuse))
        .open(path)
        .map_err(|e| {
            link_refused(path, &e).unwrap_or_else(|| FileError::unreadable("open", path, e))
        })?;
    let meta = file
        .metadata()
        .map_err(|e| FileError::unreadable("inspect", path, e))?;
    check_regular(path, &meta)?;
    check_owner(path, &meta)?;
    clear_nonblock(&file, path)?;
    Ok(file)
}

#[cfg(test)]
mod tests;
