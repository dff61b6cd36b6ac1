//! The config dir and zdauth's files in it, judged as the start-up check would judge them
//! (`paths/place.rs`), but only looked at: a doctor that fixed modes would hide what it found.

use std::fs::{self, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::Check;
use crate::paths::{
    CONFIG_FILE, DIR_MODE, FILE_MODE, IDENTITY_FILE, LOCKS_DIR, LOG_FILE, Paths, RECIPIENT_FILE,
    VAULT_BACKUP_FILE, VAULT_FILE,
};
use crate::safe_file::{describe, euid};

/// The config dir itself; `false` beside the line when there is nothing further to look at.
pub fn config_dir(paths: &Paths) -> (Check, bool) {
    let dir = paths.dir();
    let shown = dir.display();
    let meta = match fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return (
                Check::fail(
                    format!("config dir {shown} does not exist"),
                    "run `zdauth init` to create it",
                ),
                false,
            );
        }
        Err(e) => {
            return (
                Check::fail(
                    format!("cannot inspect the config dir {shown}: {e}"),
                    "check its parent's permissions",
                ),
                false,
            );
        }
    };
    if !meta.is_dir() {
        let found = describe(&meta);
        return (
            Check::fail(
                format!("config dir {shown} is {found}"),
                "pass --config-dir with a directory",
            ),
            false,
        );
    }
    if meta.uid() != euid() {
        let uid = meta.uid();
        return (
            Check::fail(
                format!("config dir {shown} belongs to another user (uid {uid})"),
                "run zdauth as that user, or pass --config-dir with a dir of yours",
            ),
            false,
        );
    }
    if meta.mode() & 0o1000 != 0 {
        return (
            Check::fail(
                format!("config dir {shown} is a shared directory (sticky bit, as /tmp)"),
                "pass --config-dir with a new directory of its own",
            ),
            false,
        );
    }
    let linked = fs::read_link(dir)
        .ok()
        .map(|target| format!(", a link to {}", target.display()))
        .unwrap_or_default();
    let mode = meta.mode() & 0o777;
    let check = if mode & !DIR_MODE != 0 {
        Check::fail(
            format!("config dir {shown} is mode {mode:o}{linked}, open to others"),
            format!("run `chmod 700 {shown}`"),
        )
    } else {
        Check::ok(format!("config dir {shown} (mode {mode:o}{linked})"))
    };
    (check, true)
}

/// One line per data file there, and one for zdauth's own files (backup, lock, log, locks/)
/// that says which are not as they must be.
pub fn files(paths: &Paths) -> Vec<Check> {
    let dir = paths.dir();
    let config = dir.join(CONFIG_FILE);
    let mut checks = vec![data_file(&config, false).unwrap_or_else(|| {
        Check::fail(
            format!("no config file at {}", config.display()),
            "run `zdauth init`",
        )
    })];
    // (name, holds a secret); a missing one is the identity's or the vault's check to judge.
    for (name, secret) in [
        (VAULT_FILE, true),
        (IDENTITY_FILE, true),
        (RECIPIENT_FILE, false),
    ] {
        if let Some(check) = data_file(&dir.join(name), secret) {
            checks.push(check);
        }
    }
    let mut own = vec![(dir.join(VAULT_BACKUP_FILE), true), (paths.lock(), false)];
    if paths.log_dir() == dir {
        own.push((dir.join(LOG_FILE), false));
    }
    let mut problems: Vec<Check> = own
        .iter()
        .filter_map(|(path, secret)| own_file(path, *secret))
        .collect();
    problems.extend(locks_dir(&dir.join(LOCKS_DIR)));
    if problems.is_empty() {
        checks.push(Check::ok(
            "backup, lock and log files: regular files of yours, mode 600",
        ));
    }
    checks.extend(problems);
    checks
}

/// A file the user may have linked elsewhere (a dotfiles repo, a synced folder): a link is
/// fine, what it points at is judged. None: not there (the caller says what that means).
fn data_file(path: &Path, secret: bool) -> Option<Check> {
    let meta = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => return Some(unreadable(path, &e)),
        Ok(meta) => meta,
    };
    if !meta.file_type().is_symlink() {
        return Some(judge_file(path, path, &meta, secret, ""));
    }
    let shown = path.display();
    let Ok(target) = fs::canonicalize(path) else {
        let to = fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        return Some(Check::fail(
            format!("{shown} links to {to}, which does not exist"),
            format!("restore the file there, or remove the link (`rm {shown}`)"),
        ));
    };
    match fs::metadata(&target) {
        Ok(target_meta) => {
            let via = format!(", a link to {}", target.display());
            Some(judge_file(path, &target, &target_meta, secret, &via))
        }
        Err(e) => Some(unreadable(&target, &e)),
    }
}

/// `shown` is what the user knows the file as; `real` is what its mode belongs to.
fn judge_file(shown: &Path, real: &Path, meta: &Metadata, secret: bool, via: &str) -> Check {
    let name = shown.display();
    if !meta.is_file() {
        return Check::fail(
            format!("{name}{via} is {}, not a regular file", describe(meta)),
            "move it aside, or point zdauth at the real file",
        );
    }
    if meta.uid() != euid() {
        return Check::fail(
            format!("{name}{via} belongs to another user (uid {})", meta.uid()),
            "move it aside, or run zdauth as that user",
        );
    }
    let mode = meta.mode() & 0o777;
    if mode & !FILE_MODE == 0 {
        return Check::ok(format!("{name} (mode {mode:o}{via})"));
    }
    let what = format!("{name}{via} is mode {mode:o}, readable by others");
    let todo = format!("run `chmod 600 {}`", real.display());
    if secret {
        Check::fail(what, todo)
    } else {
        Check::warn(what, todo)
    }
}

/// One of zdauth's own files: never a link, a regular file of this user's.
fn own_file(path: &Path, secret: bool) -> Option<Check> {
    let meta = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => return Some(unreadable(path, &e)),
        Ok(meta) => meta,
    };
    let shown = path.display();
    if meta.file_type().is_symlink() {
        return Some(Check::fail(
            format!("{shown} is a symbolic link, which zdauth refuses for its own files"),
            format!("remove the link (`rm {shown}`)"),
        ));
    }
    let check = judge_file(path, path, &meta, secret, "");
    (check.level != super::Level::Ok).then_some(check)
}

fn locks_dir(path: &Path) -> Option<Check> {
    let meta = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => return Some(unreadable(path, &e)),
        Ok(meta) => meta,
    };
    let shown = path.display();
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return Some(Check::fail(
            format!("{shown} is {}, not a directory", describe(&meta)),
            format!("move it aside (`mv {shown} {shown}.old`); zdauth makes a new one"),
        ));
    }
    if meta.uid() != euid() {
        return Some(Check::fail(
            format!("{shown} belongs to another user (uid {})", meta.uid()),
            "move it aside; zdauth makes a new one",
        ));
    }
    let mode = meta.mode() & 0o777;
    (mode & !DIR_MODE != 0).then(|| {
        Check::warn(
            format!("{shown} is mode {mode:o}, open to others"),
            format!("run `chmod 700 {shown}`"),
        )
    })
}

fn unreadable(path: &Path, e: &io::Error) -> Check {
    Check::fail(
        format!("cannot inspect {}: {e}", path.display()),
        "check the permissions of the config dir",
    )
}
