//! Where zdauth keeps its files, and the permissions they must have (checklist item 8).

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, io_error};
use crate::safe_file::{FileError, Links, check_own_dir};

mod place;

pub(crate) const CONFIG_FILE: &str = "config.toml";
pub(crate) const VAULT_FILE: &str = "vault.age";
pub(crate) const VAULT_BACKUP_FILE: &str = "vault.age.bak";
pub(crate) const IDENTITY_FILE: &str = "identity.age";
pub(crate) const RECIPIENT_FILE: &str = "recipient.txt";
pub(crate) const LOCK_FILE: &str = "zdauth.lock";
pub(crate) const LOCKS_DIR: &str = "locks";
pub(crate) const LOG_FILE: &str = "zdauth.log";

pub(crate) const DIR_MODE: u32 = 0o700;
pub(crate) const FILE_MODE: u32 = 0o600;

#[derive(Debug, Clone)]
pub struct Paths {
    dir: PathBuf,
    log_dir: PathBuf,
}

impl Paths {
    /// `explicit` is `--config-dir` or `ZDAUTH_CONFIG_DIR`; otherwise the platform's config dir.
    /// An explicit dir also keeps the log beside it, so a throwaway dir (tests, the demo)
    /// leaves nothing behind in the user's state dir.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Self, Error> {
        if let Some(dir) = explicit {
            let dir = absolute(&dir)?;
            return Ok(Self {
                log_dir: dir.clone(),
                dir,
            });
        }
        let project = directories::ProjectDirs::from("", "", "zdauth").ok_or_else(|| {
            Error::Usage(
                "cannot find a home directory: pass --config-dir DIR or set ZDAUTH_CONFIG_DIR"
                    .into(),
            )
        })?;
        let log_dir = project
            .state_dir()
            .unwrap_or_else(|| project.cache_dir())
            .to_path_buf();
        Ok(Self {
            dir: project.config_dir().to_path_buf(),
            log_dir,
        })
    }

    pub fn at(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self {
            log_dir: dir.clone(),
            dir,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn config(&self) -> PathBuf {
        self.dir.join(CONFIG_FILE)
    }
    pub fn vault(&self) -> PathBuf {
        self.dir.join(VAULT_FILE)
    }
    /// The previous generation: beside vault.age, or beside its target when vault.age is a
    /// link (a synced folder), so that both generations live where the user put the vault.
    pub fn vault_backup(&self) -> PathBuf {
        match crate::atomic_file::link_target(&self.vault()) {
            Ok(Some(target)) => {
                let mut name = target.file_name().unwrap_or_default().to_os_string();
                name.push(".bak");
                target.with_file_name(name)
            }
            _ => self.dir.join(VAULT_BACKUP_FILE),
        }
    }
    pub fn identity(&self) -> PathBuf {
        self.dir.join(IDENTITY_FILE)
    }
    pub fn recipient(&self) -> PathBuf {
        self.dir.join(RECIPIENT_FILE)
    }
    pub fn lock(&self) -> PathBuf {
        self.dir.join(LOCK_FILE)
    }
    /// Connection names are validated (`[a-z0-9][a-z0-9_-]*`), so they are safe file names.
    pub fn connection_lock(&self, name: &str) -> PathBuf {
        self.dir.join(LOCKS_DIR).join(format!("{name}.lock"))
    }
    pub fn log_dir(&self) -> &Path {
        &self.log_dir
    }
    pub fn log_file(&self) -> PathBuf {
        self.log_dir.join(LOG_FILE)
    }

    pub(crate) fn locks_dir(&self) -> PathBuf {
        self.dir.join(LOCKS_DIR)
    }

    /// Creates the config dir (0700) if needed; an existing one must be this user's own (not
    /// shared, like /tmp) and is tightened to 0700, since it is becoming zdauth's.
    pub fn create_dir(&self) -> Result<(), Error> {
        match fs::metadata(&self.dir) {
            Ok(meta) => {
                check_own_dir(&self.dir, &meta)?;
                place::tighten_dir(&self.dir, Links::Follow)?;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => create_private_dir(&self.dir),
            Err(e) => Err(io_error("inspect", &self.dir, e)),
        }
    }

    /// Creates `locks/` if needed; it must be a directory of this user's, not a link.
    pub(crate) fn ensure_locks_dir(&self) -> Result<(), Error> {
        let dir = self.locks_dir();
        match fs::symlink_metadata(&dir) {
            Ok(meta) if meta.file_type().is_symlink() => Err(FileError::Link {
                target: fs::read_link(&dir).ok(),
                path: dir,
            }
            .into()),
            Ok(meta) => Ok(check_own_dir(&dir, &meta)?),
            Err(e) if e.kind() == io::ErrorKind::NotFound => create_private_dir(&dir),
            Err(e) => Err(io_error("inspect", &dir, e)),
        }
    }
}

pub fn create_private_dir(dir: &Path) -> Result<(), Error> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)
        .map_err(|e| io_error("create directory", dir, e))
}

/// Sets 0600 on a file this process just created or rewrote.
pub(crate) fn set_private(file: &fs::File, path: &Path) -> Result<(), Error> {
    file.set_permissions(fs::Permissions::from_mode(FILE_MODE))
        .map_err(|e| io_error("set permissions on", path, e))
}

fn absolute(dir: &Path) -> Result<PathBuf, Error> {
    if dir.as_os_str().is_empty() {
        return Err(Error::Usage(
            "the config dir is empty: pass --config-dir DIR or unset ZDAUTH_CONFIG_DIR".into(),
        ));
    }
    std::path::absolute(dir).map_err(|e| io_error("resolve", dir, e))
}

/// Expands a leading `~/` and makes a relative path relative to `base` (the config dir), so a
/// config file means the same thing whatever the working directory.
pub(crate) fn expand_user_path(raw: &str, base: &Path) -> PathBuf {
    if let Some(rest) = raw.strip_prefix("~/")
        && let Some(home) = directories::BaseDirs::new()
    {
        return home.home_dir().join(rest);
    }
    let path = PathBuf::from(raw);
    if path.is_absolute() {
        path
    } else {
        base.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_modes_are_tightened_and_reported() {
        let temp = tempfile::tempdir().unwrap();
        let paths = Paths::at(temp.path().join("cfg"));
        paths.create_dir().unwrap();
        fs::set_permissions(paths.dir(), fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(paths.vault(), b"x").unwrap();
        fs::set_permissions(paths.vault(), fs::Permissions::from_mode(0o644)).unwrap();
        fs::write(paths.config(), b"").unwrap();
        fs::set_permissions(paths.config(), fs::Permissions::from_mode(0o600)).unwrap();

        let fixed = paths.fix_permissions().unwrap();
        assert_eq!(fixed.len(), 2, "{fixed:?}");
        assert!(fixed[0].contains("was mode 755"), "{fixed:?}");
        assert!(fixed[1].contains("vault.age was mode 644"), "{fixed:?}");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(paths.dir()), 0o700);
        assert_eq!(mode(&paths.vault()), 0o600);
        assert!(paths.fix_permissions().unwrap().is_empty());
    }

    #[test]
    fn new_dir_is_private() {
        let temp = tempfile::tempdir().unwrap();
        let paths = Paths::at(temp.path().join("a/b"));
        paths.create_dir().unwrap();
        let mode = fs::metadata(paths.dir()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn relative_identity_paths_are_relative_to_the_config_dir() {
        let base = Path::new("/cfg");
        assert_eq!(expand_user_path("keys.txt", base), base.join("keys.txt"));
        assert_eq!(expand_user_path("/abs/k", base), PathBuf::from("/abs/k"));
        assert!(!expand_user_path("~/k", base).starts_with("~"));
    }
}
