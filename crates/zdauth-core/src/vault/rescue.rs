//! Where a new pair goes when vault.age cannot take it, and how it comes back (checklist item
//! 31). Its refresh token is already spent at Zendesk, so the pair must land somewhere: a
//! full disk under the config dir is the usual cause, so the rescue goes to another place that
//! is the user's, and the next run merges it back before anything could replay the old token.

use std::fs::{self, OpenOptions};

use crate::safe_file::{self, Links, VAULT_LIMIT};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::payload::{Entry, VaultData};
use super::store::Vault;
use crate::error::{Error, io_error};
use crate::paths::{Paths, create_private_dir};

const PREFIX: &str = "zdauth-rescue-";
/// Rescue files of zdauth versions that wrote them beside vault.age.
const OLD_PREFIX: &str = "vault.rescue-";
/// The user's places outside the config dir, in the order a rescue tries them: the state dir,
/// the runtime dir, the home dir; the config dir itself last. Read from the environment, so
/// only a door calls it: a library user's vault keeps its rescues in its own dir.
pub fn user_places(paths: &Paths) -> Vec<PathBuf> {
    let mut places = Vec::new();
    if let Some(project) = directories::ProjectDirs::from("", "", "zdauth") {
        places.extend(project.state_dir().map(Path::to_path_buf));
        places.extend(project.runtime_dir().map(Path::to_path_buf));
    }
    if let Some(base) = directories::BaseDirs::new() {
        places.push(base.home_dir().to_path_buf());
    }
    places.push(paths.dir().to_path_buf());
    places.dedup();
    places
}

/// One rescued connection, found again.
pub struct TakenBack {
    pub(crate) name: String,
    pub(crate) file: PathBuf,
    /// false: vault.age already held this pair or a newer one; the file was only removed.
    pub(crate) merged: bool,
    /// Where it went: the team store rather than vault.age.
    pub(crate) into_store: bool,
}

impl std::fmt::Display for TakenBack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let home = if self.into_store {
            "the team store"
        } else {
            "vault.age"
        };
        if self.merged {
            write!(
                f,
                "took back {}'s new tokens from {} into {home} and removed that file",
                self.name,
                self.file.display()
            )
        } else {
            write!(
                f,
                "removed {}: {home} already holds {}'s tokens from it or newer ones",
                self.file.display(),
                self.name
            )
        }
    }
}

/// This config dir's tag in rescue file names: two config dirs never take each other's.
fn tag(paths: &Paths) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(paths.dir().as_os_str().as_encoded_bytes());
    digest[..6]
        .iter()
        .fold(String::with_capacity(12), |mut tag, b| {
            // Writing to a String cannot fail.
            let _ = write!(tag, "{b:02x}");
            tag
        })
}

fn file_name(paths: &Paths, name: &str, attempt: u32) -> String {
    let now = jiff::Timestamp::now();
    format!(
        "{PREFIX}{}-{}{:09}{attempt:02}-{name}.age",
        tag(paths),
        now.as_second(),
        now.subsec_nanosecond()
    )
}

/// What this config dir's rescue file names start with.
fn own_prefix(paths: &Paths) -> String {
    format!("{PREFIX}{}-", tag(paths))
}

/// The connection a rescue file of this config dir (whose names start with `own`) holds.
fn rescued_name(paths: &Paths, own: &str, place: &Path, file: &str) -> Option<String> {
    let rest = file.strip_suffix(".age")?;
    if let Some(rest) = rest.strip_prefix(own) {
        let (stamp, name) = rest.split_once('-')?;
        return stamp
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| name.to_owned());
    }
    // Old rescues sat beside vault.age as vault.rescue-NAME-SECONDS.age.
    let rest = rest.strip_prefix(OLD_PREFIX)?;
    let (name, stamp) = rest.rsplit_once('-')?;
    (place == paths.dir() && stamp.bytes().all(|b| b.is_ascii_digit())).then(|| name.to_owned())
}

/// Writes `entry` as a standard vault holding just `name`, encrypted to the vault's own
/// recipient, in the first place that takes it. Returns where it went.
pub(super) fn write(vault: &Vault, name: &str, entry: &Entry) -> Result<PathBuf, Error> {
    let mut data = VaultData::default();
    data.connections.insert(name.to_owned(), entry.clone());
    let ciphertext = vault.keys().encrypt(&data.to_plaintext())?;
    let mut last = None;
    for place in vault.rescue_places() {
        match write_in(vault.paths(), place, name, &ciphertext) {
            Ok(path) => return Ok(path),
            Err(e) => {
                tracing::warn!(place = %place.display(), error = %e, "cannot write a rescue file here");
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::Usage("no place to write a rescue file: set HOME or XDG_STATE_HOME".into())
    }))
}

fn write_in(paths: &Paths, place: &Path, name: &str, ciphertext: &[u8]) -> Result<PathBuf, Error> {
    create_private_dir(place)?;
    check_ours(place)?;
    for attempt in 0..100 {
        let path = place.join(file_name(paths, name, attempt));
        let mut file = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
        {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_error("create", &path, e)),
        };
        let written = file.write_all(ciphertext).and_then(|()| file.sync_all());
        if let Err(e) = written {
            drop(file);
            let _ = fs::remove_file(&path);
            return Err(io_error("write", &path, e));
        }
        fs::File::open(place)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_error("sync directory", place, e))?;
        return Ok(path);
    }
    Err(io_error(
        "create a rescue file in",
        place,
        io::ErrorKind::AlreadyExists.into(),
    ))
}

/// A place for tokens must be a real dir of this user, not a link another user could point.
fn check_ours(place: &Path) -> Result<(), Error> {
    let meta = fs::symlink_metadata(place).map_err(|e| io_error("inspect", place, e))?;
    if !meta.is_dir() || meta.uid() != my_uid() {
        return Err(io_error(
            "use",
            place,
            io::Error::other("not a directory of this user"),
        ));
    }
    Ok(())
}

fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Rescue files of this config dir for `only` (or every connection), oldest first.
fn find(vault: &Vault, only: Option<&str>) -> Vec<(String, PathBuf)> {
    let paths = vault.paths();
    let own = own_prefix(paths);
    let mut found = Vec::new();
    for place in vault.rescue_places() {
        // A rescue replaces the stored pair: one that another user could have put there
        // (their dir, or a file they own) would swap their pair in for the user's grant.
        if let Err(e) = check_ours(place) {
            tracing::debug!(place = %place.display(), error = %e, "not a rescue place");
            continue;
        }
        let Ok(entries) = fs::read_dir(place) else {
            continue;
        };
        for entry in entries.flatten() {
            let file = entry.file_name();
            let Some(name) = rescued_name(paths, &own, place, &file.to_string_lossy()) else {
                continue;
            };
            if entry.metadata().map(|m| m.uid()).ok() != Some(my_uid()) {
                tracing::warn!(file = %entry.path().display(), "a rescue file of another user, left alone");
                continue;
            }
            if only.is_none_or(|only| only == name) {
                found.push((name, entry.path()));
            }
        }
    }
    found.sort_by(|a, b| a.1.file_name().cmp(&b.1.file_name()));
    found
}

/// Merges every rescue file of this config dir back, each under its connection's lock.
pub(super) fn take_back_all(vault: &Vault) -> Result<Vec<TakenBack>, Error> {
    let mut taken = Vec::new();
    for (name, file) in find(vault, None) {
        let _lock = vault.lock_connection(&name)?;
        taken.extend(take_back_file(vault, &name, &file)?);
    }
    Ok(taken)
}

/// [`take_back_all`] for one connection whose lock the caller holds.
pub(super) fn take_back_locked(vault: &Vault, name: &str) -> Result<Vec<TakenBack>, Error> {
    let mut taken = Vec::new();
    for (name, file) in find(vault, Some(name)) {
        taken.extend(take_back_file(vault, &name, &file)?);
    }
    Ok(taken)
}

fn take_back_file(vault: &Vault, name: &str, file: &Path) -> Result<Option<TakenBack>, Error> {
    let Some(rescued) = read(vault, name, file) else {
        return Ok(None);
    };
    if let Some(shared) = vault.shared() {
        // The store's pair may be one another machine rotated to since: a rescue is pushed
        // only over an older one, and left for the user when the store's is newer.
        let merged = match super::shared_lock::push_rescued(vault, shared, name, &rescued)? {
            super::shared_lock::Pushed::Merged => true,
            super::shared_lock::Pushed::Same => false,
            super::shared_lock::Pushed::Left => return Ok(None),
        };
        return removed(name, file, merged, true);
    }
    let merged = vault.update(|data| {
        let current = data.connections.get(name);
        let newer = rescued.tokens.as_ref().is_some_and(|r| {
            current
                .and_then(|c| c.tokens.as_ref())
                .is_none_or(|c| r.obtained_at > c.obtained_at)
        });
        if newer {
            data.connections.insert(name.to_owned(), rescued);
        }
        newer
    })?;
    removed(name, file, merged, false)
}

fn removed(
    name: &str,
    file: &Path,
    merged: bool,
    into_store: bool,
) -> Result<Option<TakenBack>, Error> {
    fs::remove_file(file).map_err(|e| io_error("remove", file, e))?;
    tracing::warn!(connection = %name, file = %file.display(), merged, "rescue file taken back");
    Ok(Some(TakenBack {
        name: name.to_owned(),
        file: file.to_path_buf(),
        merged,
        into_store,
    }))
}

/// The rescued entry, or None (logged, file left for the user) when it is not a regular file
/// of ours that this identity opens.
fn read(vault: &Vault, name: &str, file: &Path) -> Option<Entry> {
    let bytes = match safe_file::read(file, Links::Refuse, VAULT_LIMIT) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!(file = %file.display(), error = %e, "cannot read a rescue file");
            return None;
        }
    };
    let entry = vault
        .keys()
        .decrypt(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|plain| VaultData::from_plaintext(&plain))
        .map(|mut data| data.connections.remove(name));
    match entry {
        Ok(Some(entry)) => Some(entry),
        Ok(None) => {
            tracing::warn!(file = %file.display(), "a rescue file without its connection");
            None
        }
        Err(reason) => {
            tracing::warn!(file = %file.display(), %reason, "cannot open a rescue file");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_other_dirs_are_not_ours() {
        let paths = Paths::at("/home/u/.config/zdauth");
        let own = own_prefix(&paths);
        let place = Path::new("/home/u/.local/state/zdauth");
        let file = file_name(&paths, "acme-2", 0);
        let name = |own: &str, place: &Path, file: &str| rescued_name(&paths, own, place, file);
        assert_eq!(name(&own, place, &file).as_deref(), Some("acme-2"));
        let other = own_prefix(&Paths::at("/elsewhere"));
        assert_eq!(name(&other, place, &file), None);
        let old = "vault.rescue-acme-1764570000.age";
        assert_eq!(name(&own, paths.dir(), old).as_deref(), Some("acme"));
        assert_eq!(name(&own, place, old), None);
        assert_eq!(name(&own, place, "notes.age"), None);
    }
}
