//! Crash-safe replacement of a file (checklist item 9): temp file in the same dir, fsync,
//! rename over the target, fsync the dir. A writer killed at any point leaves the old or the
//! new content; a leftover temp file has a name no reader opens.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, io_error};
use crate::paths::set_private;
use crate::safe_file::{self, FileError, check_owner};

/// Writes `bytes` to `path` (mode 0600). With `backup`, the content being replaced is kept
/// there first, so that `path` itself never disappears in between.
///
/// A `path` that is a symbolic link (config.toml in a dotfiles repo) is written where it
/// points, and stays a link: the temp file goes beside the target and is renamed there.
///
/// The caller holds the dir's write lock, so any temp file found here was left by a writer
/// that died, and is swept.
pub fn replace(path: &Path, bytes: &[u8], backup: Option<&Path>) -> Result<(), Error> {
    match link_target(path)? {
        Some(target) => write_at(&target, bytes, backup, &[]),
        None => write_at(path, bytes, backup, &[LEGACY_STAGING_PREFIX]),
    }
}

/// `also_sweep`: prefixes that are zdauth's only in its own dir; beside a link's target (a
/// dotfiles repo) only names made from the file's own name are swept.
fn write_at(
    path: &Path,
    bytes: &[u8],
    backup: Option<&Path>,
    also_sweep: &[&str],
) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!(".{name}.tmp");
    let staging_prefix = format!(".{name}.bak.tmp");
    let mut sweep = vec![prefix.as_str(), staging_prefix.as_str()];
    sweep.extend_from_slice(also_sweep);
    sweep_leftovers(dir, &sweep);
    let temp = tempfile::Builder::new()
        .prefix(&prefix)
        .tempfile_in(dir)
        .map_err(|e| io_error("create a temporary file in", dir, e))?;
    set_private(temp.as_file(), temp.path())?;
    // Through the File: NamedTempFile's own errors repeat the path.
    let mut file = temp.as_file();
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error("write", temp.path(), e))?;

    if let Some(backup) = backup {
        keep_backup(path, backup, &staging_prefix)?;
    }
    temp.persist(path)
        .map_err(|e| io_error("replace", path, e.error))?;
    sync_dir(dir)
}

/// Where a link at `path` points, if it is one: a regular file of this user's.
pub(crate) fn link_target(path: &Path) -> Result<Option<PathBuf>, Error> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {}
        _ => return Ok(None),
    }
    let target = fs::canonicalize(path).map_err(|e| io_error("follow the link", path, e))?;
    let meta = fs::metadata(&target).map_err(|e| io_error("inspect", &target, e))?;
    if !meta.is_file() {
        return Err(FileError::NotRegular {
            path: target,
            found: safe_file::describe(&meta),
        }
        .into());
    }
    check_owner(&target, &meta)?;
    Ok(Some(target))
}

/// The backup's staging name before it was named after its file; still swept in the config
/// dir, where an older zdauth may have left one.
const LEGACY_STAGING_PREFIX: &str = ".backup.tmp";

fn sweep_leftovers(dir: &Path, prefixes: &[&str]) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if prefixes.iter().any(|p| name.starts_with(p)) {
            tracing::debug!(file = %name, "removing a temp file left by an interrupted write");
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Points `backup` at the current content of `path` by hard link (the same inode, so no copy
/// can be torn), falling back to a synced copy where links are not supported.
fn keep_backup(path: &Path, backup: &Path, staging_prefix: &str) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let staging = tempfile::Builder::new()
        .prefix(staging_prefix)
        .make_in(dir, |staging| match fs::hard_link(path, staging) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(_) => {
                fs::copy(path, staging)?;
                fs::File::open(staging)?.sync_all()
            }
        })
        .map_err(|e| io_error("back up", path, e))?;
    if !staging.path().exists() {
        return Ok(());
    }
    let staging_path = staging.path().to_path_buf();
    staging
        .into_temp_path()
        .persist(backup)
        .map_err(|e| io_error("back up to", backup, e.error))?;
    // rename(2) between two links to one file does nothing and succeeds: a writer killed
    // after its backup step left the backup already pointing at the current vault, and the
    // staging link must then go by hand.
    let _ = fs::remove_file(&staging_path);
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<(), Error> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error("sync directory", dir, e))
}
