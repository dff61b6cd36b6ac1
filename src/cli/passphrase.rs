//! Passphrases come from the terminal (hidden) or the environment, never from argv.

use std::io;
use std::path::Path;

use zdauth_core::error::Error;
use zdauth_core::secret::Secret;

pub const PASSPHRASE_VAR: &str = zdauth_core::secret::PASSPHRASE_VARS[0];
pub const NEW_PASSPHRASE_VAR: &str = zdauth_core::secret::PASSPHRASE_VARS[1];
pub const IDENTITY_FILE_VAR: &str = "ZDAUTH_IDENTITY_FILE";

/// The passphrase of an existing identity.age.
pub fn existing(path: &Path) -> Result<Secret, Error> {
    if let Some(secret) = from_env(PASSPHRASE_VAR) {
        return Ok(secret);
    }
    prompt(
        &format!("Passphrase for {}: ", path.display()),
        PASSPHRASE_VAR,
    )
}

/// The passphrase for a running agent that is locked: without a terminal or
/// `ZDAUTH_PASSPHRASE`, the way out is `zdauth unlock`.
pub fn for_agent(path: &Path) -> Result<Secret, Error> {
    existing(path).map_err(|e| match e {
        Error::Locked(_) => Error::Locked(format!(
            "the agent is locked and there is no passphrase to open {} with: run `zdauth unlock` (or set {PASSPHRASE_VAR})",
            path.display()
        )),
        other => other,
    })
}

/// A new passphrase: from `var`, or typed twice.
pub fn new(var: &str) -> Result<Secret, Error> {
    let secret = if let Some(secret) = from_env(var) {
        secret
    } else {
        let first = prompt("New passphrase: ", var)?;
        let second = prompt("Repeat it: ", var)?;
        if first != second {
            return Err(Error::Usage(
                "the two passphrases differ: nothing was changed; run the command again".into(),
            ));
        }
        first
    };
    zdauth_core::setup::check_new_passphrase(&secret)?;
    Ok(secret)
}

fn from_env(var: &str) -> Option<Secret> {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .map(Secret::new)
}

fn prompt(text: &str, var: &str) -> Result<Secret, Error> {
    match rpassword::prompt_password(text) {
        Ok(typed) => Ok(Secret::new(typed)),
        Err(e) if no_terminal(&e) => Err(Error::Locked(format!(
            "no terminal to ask for the passphrase: set {var}, or set {IDENTITY_FILE_VAR} to a plain age identity file"
        ))),
        Err(e) => Err(Error::Locked(format!(
            "cannot read the passphrase from the terminal ({e}): set {var} instead"
        ))),
    }
}

fn no_terminal(e: &io::Error) -> bool {
    // Opening /dev/tty without a controlling terminal gives ENXIO; some systems say NotFound.
    matches!(e.kind(), io::ErrorKind::NotFound) || e.raw_os_error() == Some(6)
}
