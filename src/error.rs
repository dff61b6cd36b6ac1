//! The engine's errors. Every message is one line: the problem first, then what to do.
//! None of them ever carries a token, secret or passphrase.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::config::ConfigError;
use crate::exit;

#[derive(Debug, Error)]
pub enum Error {
    /// A bad argument or value given on the command line.
    #[error("{0}")]
    Usage(String),

    #[error(transparent)]
    Config(#[from] ConfigError),

    #[error(transparent)]
    Clipboard(#[from] crate::clipboard::ClipboardError),

    #[error("{0}")]
    Crypto(String),

    /// The vault cannot be opened: wrong or missing passphrase, unreadable identity.
    #[error("{0}")]
    Locked(String),

    // The cause is part of the message, not a `#[source]` (hence not named `source`, which
    // thiserror would take as one): the door prints the chain, and the line must end with
    // what to do.
    #[error("cannot {action} {}: {cause}; check that the path exists, is yours and the disk is not full", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        cause: io::Error,
    },

    #[error("{} is damaged ({reason}); nothing was changed: {hint}", path.display())]
    CorruptVault {
        path: PathBuf,
        reason: String,
        hint: String,
    },

    #[error(
        "{} is missing, though recipient.txt shows a vault was made here; nothing was changed: {restore}, or move recipient.txt aside to start with an empty vault",
        path.display()
    )]
    MissingVault { path: PathBuf, restore: String },

    #[error(
        "{} was written by a newer zdauth (vault format {found}, this one knows {known}); upgrade zdauth before changing it",
        path.display()
    )]
    NewerVault {
        path: PathBuf,
        found: u32,
        known: u32,
    },

    #[error(
        "another zdauth process has held {} for over {seconds} s; wait for it to finish, or end it and try again",
        path.display()
    )]
    LockTimeout { path: PathBuf, seconds: u64 },

    #[error("{name} needs a login ({reason}): run `zdauth login {name}`")]
    LoginRequired { name: String, reason: String },

    #[error(transparent)]
    Zendesk(#[from] crate::zendesk::ZendeskError),

    #[error(transparent)]
    Login(#[from] crate::login::LoginError),

    /// Another caller's refresh, which this one waited for, failed.
    #[error("{0}")]
    RefreshFailed(String),

    #[error("the new tokens for {name} could not be saved in vault.age ({reason}); they are safe in {}: fix the cause, then copy that file over vault.age (it is a vault holding just {name})", rescue.display())]
    Rescued {
        name: String,
        reason: String,
        rescue: PathBuf,
    },

    #[error("Zendesk did not grant access to {name} ({error}{}); nothing was stored: log in again and choose Allow", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    LoginDenied {
        name: String,
        error: String,
        description: Option<String>,
    },

    #[error("no connection named {0:?}; `zdauth list` shows the names")]
    UnknownConnection(String),

    #[error(
        "a connection named {0:?} already exists; pick another name or `zdauth remove {0}` first"
    )]
    DuplicateConnection(String),

    /// A form's save met a change another writer made to the same fields meanwhile.
    #[error(
        "{name}'s {changed} changed in config.toml since this form opened; nothing was saved: press Esc and edit {name} again to start from the file as it is now"
    )]
    EditConflict { name: String, changed: String },

    #[error("zdauth is not set up in {}: run `zdauth init` first", dir.display())]
    NotInitialized { dir: PathBuf },

    #[error(
        "{} already exists; zdauth init never replaces an identity (use `zdauth passwd` to change its passphrase)",
        path.display()
    )]
    IdentityExists { path: PathBuf },
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => exit::USAGE,
            Error::Locked(_) => exit::VAULT_LOCKED,
            Error::LoginRequired { .. } => exit::LOGIN_REQUIRED,
            Error::Zendesk(e) => e.exit_code(),
            Error::RefreshFailed(_) => exit::ZENDESK_OR_NETWORK,
            _ => exit::OTHER,
        }
    }
}

pub fn io_error(action: &'static str, path: &Path, source: io::Error) -> Error {
    Error::Io {
        action,
        path: path.to_path_buf(),
        cause: source,
    }
}
