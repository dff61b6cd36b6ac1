//! First-time setup, shared by `zdauth init` and the TUI's welcome screen: the config file,
//! a new identity sealed with a passphrase, and the empty vault.

use std::path::Path;

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
