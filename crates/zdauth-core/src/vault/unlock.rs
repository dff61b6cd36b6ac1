//! Which identity opens the vault, and opening it.

use std::path::{Path, PathBuf};

use crate::atomic_file;
use crate::config::Settings;
use crate::error::Error;
use crate::paths::{Paths, expand_user_path};
use crate::safe_file::{self, Links, RECIPIENT_LIMIT};
use crate::secret::Secret;

use super::keys::{Keys, read_identity};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySource {
    /// A plain age identity file: no passphrase.
    PlainFile(PathBuf),
    /// identity.age, sealed under the user's passphrase.
    Sealed(PathBuf),
}

/// `ZDAUTH_IDENTITY_FILE` (passed in by the door) wins over `settings.identity_file`, which
/// wins over identity.age.
pub fn identity_source(
    paths: &Paths,
    settings: &Settings,
    env_identity_file: Option<&str>,
) -> IdentitySource {
    let plain = env_identity_file
        .filter(|p| !p.is_empty())
        .or(settings.identity_file.as_deref());
    match plain {
        Some(raw) => IdentitySource::PlainFile(expand_user_path(raw, paths.dir())),
        None => IdentitySource::Sealed(paths.identity()),
    }
}

/// Opens the identity; `passphrase` is asked only for a sealed identity.
pub fn unlock(
    paths: &Paths,
    source: &IdentitySource,
    passphrase: impl FnOnce(&Path) -> Result<Secret, Error>,
) -> Result<Keys, Error> {
    let keys = match source {
        IdentitySource::PlainFile(path) => Keys::from_identity_file(path)?,
        IdentitySource::Sealed(path) => {
            if !path.exists() {
                return Err(Error::NotInitialized {
                    dir: paths.dir().to_path_buf(),
                });
            }
            let sealed = read_identity(path)?;
            let passphrase = passphrase(path)?;
            Keys::unseal(&sealed, &passphrase, path)?
        }
    };
    check_recipient(paths, &keys)?;
    tracing::debug!(recipient = keys.recipient(), "identity unlocked");
    Ok(keys)
}

/// recipient.txt records whom the vault is encrypted to; an identity that does not match it
/// would write a vault the user's other tools cannot open.
pub fn check_recipient(paths: &Paths, keys: &Keys) -> Result<(), Error> {
    let path = paths.recipient();
    let Some(recorded) = safe_file::read_text(&path, Links::Follow, RECIPIENT_LIMIT)? else {
        return Ok(());
    };
    let recorded: Vec<&str> = recorded
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    if recorded.join("\n") == keys.recipient() {
        Ok(())
    } else {
        Err(Error::Locked(format!(
            "this identity ({}) is not the one recorded in {}: use the identity the vault was made with, or move vault.age and recipient.txt aside to start over",
            keys.recipient(),
            path.display()
        )))
    }
}

pub fn write_recipient(paths: &Paths, keys: &Keys) -> Result<(), Error> {
    let text = format!(
        "# zdauth encrypts vault.age to this age recipient\n{}\n",
        keys.recipient()
    );
    atomic_file::replace(&paths.recipient(), text.as_bytes(), None)
}
