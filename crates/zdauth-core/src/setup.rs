//! First-time setup, shared by `zdauth init` and the TUI's welcome screen: the config file,
//! a new identity sealed with a passphrase or a plain identity file, and the empty vault.

use std::path::{Path, PathBuf};

use crate::atomic_file;
use crate::config;
use crate::error::Error;
use crate::paths::Paths;
use crate::secret::Secret;
use crate::vault::{self, DirLock, Keys, Vault};

const MIN_PASSPHRASE_CHARS: usize = 8;

/// The rule for a new passphrase, whichever door asks for it.
pub fn check_new_passphrase(passphrase: &Secret) -> Result<(), Error> {
    if passphrase.expose().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::Usage(format!(
            "the passphrase is shorter than {MIN_PASSPHRASE_CHARS} characters: nothing was changed; choose a longer one"
        )));
    }
    Ok(())
}

/// The config `init` goes by before it writes anything: config.toml, or the example that
/// [`ensure_config`] would write.
pub fn config_or_example(paths: &Paths) -> Result<config::Config, Error> {
    let path = paths.config();
    let config = if path.exists() {
        config::Config::load(&path)?
    } else {
        config::Config::parse(config::EXAMPLE, &path)?
    };
    Ok(config)
}

/// Creates the config dir and writes the documented example config.toml unless one is
/// there. Returns whether it wrote one.
pub fn ensure_config(paths: &Paths) -> Result<bool, Error> {
    paths.create_dir()?;
    let _lock = DirLock::acquire(paths)?;
    let path = paths.config();
    if path.exists() {
        return Ok(false);
    }
    atomic_file::replace(&path, config::EXAMPLE.as_bytes(), None)?;
    Ok(true)
}

/// Generates an identity, seals it into `path` (never replacing one) with the passphrase
/// `passphrase` gives once every check passed, records its recipient and creates the vault
/// if there is none. The prompt and scrypt run before the dir lock is taken, so other
/// processes keep working meanwhile.
pub fn seal_new_identity(
    paths: &Paths,
    path: &Path,
    passphrase: impl FnOnce() -> Result<Secret, Error>,
    work_factor: u8,
) -> Result<Vault, Error> {
    if path.exists() {
        return Err(Error::IdentityExists {
            path: path.to_path_buf(),
        });
    }
    let keys = Keys::generate();
    vault::check_recipient(paths, &keys)?;
    let vault = Vault::new(paths.clone(), keys);
    if paths.vault().exists() {
        vault.load()?;
    }
    let passphrase = passphrase()?;
    check_new_passphrase(&passphrase)?;
    let sealed = vault.keys().seal(&passphrase, work_factor)?;
    let lock = DirLock::acquire(paths)?;
    if path.exists() {
        return Err(Error::IdentityExists {
            path: path.to_path_buf(),
        });
    }
    atomic_file::replace(path, &sealed, None)?;
    create_vault(&vault, &lock)?;
    vault::write_recipient(paths, vault.keys())?;
    Ok(vault)
}

/// Writes an empty vault unless one exists; returns whether it wrote one.
pub fn create_vault(vault: &Vault, lock: &DirLock) -> Result<bool, Error> {
    if vault.paths().vault().exists() {
        return Ok(false);
    }
    vault.update_locked(lock, |_| ())?;
    Ok(true)
}

/// What [`use_identity_file`] did, for the door to report.
#[derive(Debug)]
pub struct IdentityFileSetup {
    pub vault: Vault,
    /// config.toml was written (it was not there).
    pub wrote_config: bool,
    /// The identity file was made here (nothing was at its path).
    pub created_identity: bool,
    /// The stored connections of a vault that was there already; `None`: a new one was written.
    pub kept_connections: Option<usize>,
}

/// Sets the config dir up with the plain age identity file `file`; with `may_create`, one is
/// generated there (0600) when nothing is at that path yet, for hosts nobody types a
/// passphrase on. With `record`, config.toml's `settings.identity_file` names it.
///
/// Everything that can be checked is checked before the first write, and a write that fails
/// after that takes back what this call wrote: a failed init leaves no half-made dir and no
/// stray key.
pub fn use_identity_file(
    paths: &Paths,
    file: &Path,
    record: bool,
    may_create: bool,
) -> Result<IdentityFileSetup, Error> {
    check_dir_is_usable(paths)?;
    let (keys, new_identity) = match identity_file::inspect(file)? {
        identity_file::Found::Nothing if may_create => {
            let (keys, text) = identity_file::generate(file)?;
            (keys, Some(text))
        }
        _ => (Keys::from_identity_file(file)?, None),
    };
    vault::check_recipient(paths, &keys)?;
    let vault = Vault::new(paths.clone(), keys);
    let kept_connections = if paths.vault().exists() {
        Some(vault.load()?.connections.len())
    } else {
        None
    };

    // Declared before the dir lock, so that it undoes only once the lock is let go.
    let mut undo = Rollback::new(paths);
    if let Some(text) = &new_identity {
        identity_file::create(file, text)?;
        undo.created.push(file.to_path_buf());
    }
    let wrote_config = ensure_config(paths)?;
    if wrote_config {
        undo.created.push(paths.config());
    }
    if record {
        undo.restore_config = Some(
            std::fs::read(paths.config())
                .map_err(|e| crate::error::io_error("read", &paths.config(), e))?,
        );
        let mut edit = config::ConfigEdit::open(&paths.config())?;
        edit.set_identity_file(&file.to_string_lossy());
        edit.save()?;
    }
    let lock = DirLock::acquire(paths)?;
    let had_recipient = paths.recipient().exists();
    if create_vault(&vault, &lock)? {
        undo.created.push(paths.vault());
    }
    vault::write_recipient(paths, vault.keys())?;
    if !had_recipient {
        undo.created.push(paths.recipient());
    }
    drop(lock);
    undo.commit();
    Ok(IdentityFileSetup {
        vault,
        wrote_config,
        created_identity: new_identity.is_some(),
        kept_connections,
    })
}

/// The config dir, if it is there, must be this user's own before anything is made for it;
/// `ensure_config` would refuse it too, but only after the key was made.
fn check_dir_is_usable(paths: &Paths) -> Result<(), Error> {
    match std::fs::metadata(paths.dir()) {
        Ok(meta) => Ok(crate::safe_file::check_own_dir(paths.dir(), &meta)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(crate::error::io_error("inspect", paths.dir(), e)),
    }
}

/// What a failed setup takes back, newest first; nothing once committed.
struct Rollback {
    paths: Paths,
    dir_existed: bool,
    created: Vec<PathBuf>,
    restore_config: Option<Vec<u8>>,
    committed: bool,
}

impl Rollback {
    fn new(paths: &Paths) -> Self {
        Self {
            paths: paths.clone(),
            dir_existed: paths.dir().exists(),
            created: Vec::new(),
            restore_config: None,
            committed: false,
        }
    }

    fn commit(mut self) {
        self.committed = true;
    }
}

impl Drop for Rollback {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        if let Some(old) = &self.restore_config {
            let _ = atomic_file::replace(&self.paths.config(), old, None);
        }
        for path in self.created.iter().rev() {
            tracing::debug!(path = %path.display(), "setup failed: removing what it made");
            let _ = std::fs::remove_file(path);
        }
        if !self.dir_existed {
            // Only what this call put there: the lock file, then the dir if that emptied it.
            let _ = std::fs::remove_file(self.paths.lock());
            let _ = std::fs::remove_dir(self.paths.dir());
        }
    }
}

mod identity_file;
