//! The start-up check of the config dir (checklist items 8 and 30): loose modes are tightened,
//! but only on regular files and dirs this user owns, through a descriptor opened without
//! following links; anything else where zdauth keeps a file is refused. A dir that holds none
//! of zdauth's files is not zdauth's (yet), and is left as it is.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use super::{
    CONFIG_FILE, DIR_MODE, FILE_MODE, IDENTITY_FILE, LOG_FILE, Paths, RECIPIENT_FILE,
    VAULT_BACKUP_FILE, VAULT_FILE,
};
use crate::error::{Error, io_error};
use crate::safe_file::{self, FileError, Links, check_own_dir, check_owner};

/// The files that make a dir zdauth's.
const MARKERS: [&str; 5] = [
    CONFIG_FILE,
    VAULT_FILE,
    VAULT_BACKUP_FILE,
    IDENTITY_FILE,
    RECIPIENT_FILE,
];

/// Files that hold the user's data, which may be links (a dotfiles repo, a synced folder):
/// (name, holds a secret).
const DATA_FILES: [(&str, bool); 4] = [
    (CONFIG_FILE, false),
    (VAULT_FILE, true),
    (IDENTITY_FILE, true),
    (RECIPIENT_FILE, false),
];

impl Paths {
    /// Whether any of zdauth's files is in the config dir.
    pub(crate) fn holds_zdauth_files(&self) -> bool {
        MARKERS
            .iter()
            .any(|name| fs::symlink_metadata(self.dir.join(name)).is_ok())
    }

    /// Whether the config dir is zdauth's: this user's own, not shared, holding its files.
    pub fn is_zdauth_dir(&self) -> bool {
        fs::metadata(&self.dir).is_ok_and(|meta| check_own_dir(&self.dir, &meta).is_ok())
            && self.holds_zdauth_files()
    }

    /// Checks the config dir and tightens any file or dir that is readable by others; returns
    /// one line per fix (or per loose mode it may not fix) so the door can warn the user.
    pub fn fix_permissions(&self) -> Result<Vec<String>, Error> {
        // A linked config dir is judged by its target: the user chose where it lives.
        let meta = match fs::metadata(&self.dir) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_error("inspect", &self.dir, e)),
        };
        if !meta.is_dir() {
            return Err(FileError::NotADirectory {
                path: self.dir.clone(),
                found: safe_file::describe(&meta),
            }
            .into());
        }
        if !self.holds_zdauth_files() {
            return Ok(Vec::new());
        }
        check_own_dir(&self.dir, &meta)?;
        let mut notes = Vec::new();
        notes.extend(tighten_dir(&self.dir, Links::Follow)?);
        for (name, secret) in DATA_FILES {
            notes.extend(check_data_file(&self.dir.join(name), secret)?);
        }
        let mut own = vec![self.dir.join(VAULT_BACKUP_FILE), self.lock()];
        if self.log_dir == self.dir {
            own.push(self.dir.join(LOG_FILE));
        }
        for path in own {
            notes.extend(tighten_own_file(&path)?);
        }
        let locks = self.locks_dir();
        match fs::symlink_metadata(&locks) {
            Ok(meta) if meta.is_dir() => notes.extend(tighten_dir(&locks, Links::Refuse)?),
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(FileError::Link {
                    target: fs::read_link(&locks).ok(),
                    path: locks,
                }
                .into());
            }
            Ok(meta) => {
                return Err(FileError::NotADirectory {
                    path: locks,
                    found: safe_file::describe(&meta),
                }
                .into());
            }
            Err(_) => {}
        }
        Ok(notes)
    }
}

/// A data file: a regular file here is tightened; a link is followed only to look, and its
/// target, which zdauth did not place, is reported rather than changed.
fn check_data_file(path: &Path, secret: bool) -> Result<Option<String>, Error> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("inspect", path, e)),
    };
    if !meta.file_type().is_symlink() {
        return tighten_own_file(path);
    }
    let Ok(target) = fs::canonicalize(path) else {
        // Dangling: the reader says the file is missing.
        return Ok(None);
    };
    let target_meta = fs::metadata(&target).map_err(|e| io_error("inspect", &target, e))?;
    if !target_meta.is_file() {
        return Err(FileError::NotRegular {
            path: target,
            found: safe_file::describe(&target_meta),
        }
        .into());
    }
    check_owner(&target, &target_meta)?;
    let mode = target_meta.mode() & 0o777;
    if secret && mode & !FILE_MODE != 0 {
        return Ok(Some(format!(
            "{} links to {}, mode {mode:o}, readable by others; zdauth changes no mode through a link: run `chmod 600 {}`",
            path.display(),
            target.display(),
            target.display()
        )));
    }
    Ok(None)
}

/// One of zdauth's files in its dir: a regular file of this user's, or nothing.
fn tighten_own_file(path: &Path) -> Result<Option<String>, Error> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("inspect", path, e)),
    };
    // A directory where a file belongs is the loader's to report; a file mode would lock its
    // owner out of it.
    if meta.is_dir() {
        return Ok(None);
    }
    let Some((file, opened)) = safe_file::open_regular(path, Links::Refuse)? else {
        return Ok(None);
    };
    check_owner(path, &opened)?;
    tighten(&file, path, opened.mode(), FILE_MODE)
}

/// Opens a dir (following a link only for the config dir itself) and tightens it by its fd.
pub(super) fn tighten_dir(path: &Path, links: Links) -> Result<Option<String>, Error> {
    let mut flags = libc::O_DIRECTORY;
    if links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    let dir = OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|e| io_error("open directory", path, e))?;
    let meta = dir.metadata().map_err(|e| io_error("inspect", path, e))?;
    check_own_dir(path, &meta)?;
    tighten(&dir, path, meta.mode(), DIR_MODE)
}

/// fchmod on what was opened, so a path swapped for a link in between changes nothing else.
fn tighten(file: &File, path: &Path, mode: u32, wanted: u32) -> Result<Option<String>, Error> {
    let mode = mode & 0o777;
    if mode & !wanted == 0 {
        return Ok(None);
    }
    file.set_permissions(fs::Permissions::from_mode(wanted))
        .map_err(|e| io_error("fix permissions of", path, e))?;
    tracing::warn!(path = %path.display(), from = format!("{mode:o}"), "loosened mode fixed");
    Ok(Some(format!(
        "{} was mode {mode:o}, readable by others; set it to {wanted:o}",
        path.display()
    )))
}
