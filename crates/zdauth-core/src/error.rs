//! The engine's errors. Every message is one line: the problem first, then what to do.
//! None of them ever carries a token, secret or passphrase.

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::config::ConfigError;

#[derive(Debug, Error)]
pub enum Error {
    /// A bad argument or value given on the command line.
    #[error("{0}")]
    Usage(String),

    #[error(transparent)]
    Config(#[from] ConfigError),

    #[error(transparent)]
    File(#[from] crate::safe_file::FileError),

    #[error(transparent)]
    Clipboard(#[from] crate::clipboard::ClipboardError),

    #[error("{0}")]
    Crypto(String),

    /// The team store was unreachable or refused; `problem` is its own words, sanitized.
    #[error("{store}: {problem}; {hint}")]
    Store {
        /// "openbao at https://…"
        store: String,
        problem: String,
        hint: String,
    },

    /// The store's token may not do what zdauth needs on `path`: names the policy to add.
    #[error(
        "{store} refused to {action} {path}: permission denied; add to the token's policy: path \"{policy_path}\" {{ capabilities = [{capabilities}] }}"
    )]
    StoreDenied {
        store: String,
        action: &'static str,
        path: String,
        policy_path: String,
        /// As HCL wants them: `"create", "read", "update"`.
        capabilities: String,
    },

    /// The vault cannot be opened: wrong or missing passphrase, unreadable identity.
    #[error("{0}")]
    Locked(String),

    /// The passphrase did not open the sealed identity: the one lock a door may ask again for.
    #[error("wrong passphrase for {}: try again (nothing was changed)", path.display())]
    WrongPassphrase { path: PathBuf },

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

    #[error(
        "{name} uses client credentials but no client secret is stored: pipe it into `zdauth edit {name} --secret-stdin` (or press e in the TUI)"
    )]
    NoClientSecret { name: String },

    #[error(
        "Zendesk refused {name}'s client credentials ({reason}); store the client's current secret: pipe it into `zdauth edit {name} --secret-stdin` (or press e in the TUI)"
    )]
    SecretRefused { name: String, reason: String },

    /// [`Error::SecretRefused`] as the mint this caller waited for got it: its whole message.
    #[error("{0}")]
    SecretRefusedMeanwhile(String),

    /// A 401 for the stored token, then for a newly issued one as well.
    #[error(
        "{endpoint} refused {name}'s access token (401) even after getting a new one; the stored tokens were kept: {what_next}"
    )]
    TokenRefused {
        name: String,
        endpoint: &'static str,
        what_next: String,
    },

    #[error(transparent)]
    Zendesk(#[from] crate::zendesk::ZendeskError),

    /// A Zendesk error about one connection: its hint names that connection.
    #[error("{}", error.about(name))]
    ZendeskAbout {
        name: String,
        error: crate::zendesk::ZendeskError,
    },

    /// A `zdauth api` walk of `name` stopped short of an HTTP answer; its pages so far were
    /// delivered.
    #[error("{name}: {error}")]
    Api {
        name: String,
        error: crate::api::ApiError,
    },

    #[error(transparent)]
    Login(#[from] crate::login::LoginError),

    /// Another caller's refresh, which this one waited for, failed.
    #[error("{0}")]
    RefreshFailed(String),

    #[error("the {spent} of {name} was spent, and its new pair could not be saved in vault.age ({reason}); the new pair is safe in {}: free some space, and the next zdauth command takes it back", rescue.display())]
    Rescued {
        name: String,
        spent: &'static str,
        reason: String,
        rescue: PathBuf,
    },

    #[error(
        "the {spent} of {name} was spent, and its new pair could be saved neither in vault.age ({reason}) nor in a rescue file ({rescue_error}); run `zdauth login {name}` once there is space"
    )]
    PairLost {
        name: String,
        spent: &'static str,
        reason: String,
        rescue_error: String,
    },

    #[error("no room to save a new pair in {} ({cause}): free some space; your tokens were kept", dir.display())]
    NoRoom { dir: PathBuf, cause: io::Error },

    /// A signal came while other refreshes were on the wire: this one was not started.
    #[error("interrupted before the refresh of {0} began; its tokens were kept")]
    Interrupted(String),

    #[error("Zendesk did not grant access to {name} ({error}{}); nothing was stored: log in again and choose Allow", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    LoginDenied {
        name: String,
        error: String,
        description: Option<String>,
    },

    #[error("no connection named {}; `zdauth list` shows the names", quote(.0))]
    UnknownConnection(String),

    #[error(
        "a connection named {} already exists; pick another name or `zdauth remove {}` first", quote(.0), .0
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

    /// The agent's answer, or a failure to reach it: `class` is what the same failure would
    /// be without the agent (a locked agent is [`ErrorClass::Locked`]), so the exit code
    /// does not depend on which process met it.
    #[error("{message}")]
    Agent { class: ErrorClass, message: String },
}

/// The kinds of failure a caller acts on differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// The command or its input was wrong; nothing was done.
    Usage,
    /// The identity could not be opened.
    Locked,
    /// No token, or the grant is dead: a login (or a new client secret) is needed.
    LoginRequired,
    /// Zendesk or the network failed; the stored tokens were kept.
    ZendeskOrNetwork,
    Other,
}

impl Error {
    pub(crate) fn zendesk_about(name: &str) -> impl FnOnce(crate::zendesk::ZendeskError) -> Error {
        let name = name.to_owned();
        move |error| Error::ZendeskAbout { name, error }
    }

    /// What went wrong, in the few kinds a door tells apart (the CLI: by its exit code).
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Usage(_) => ErrorClass::Usage,
            Error::Locked(_) | Error::WrongPassphrase { .. } => ErrorClass::Locked,
            Error::LoginRequired { .. }
            | Error::NoClientSecret { .. }
            | Error::SecretRefused { .. }
            | Error::SecretRefusedMeanwhile(_) => ErrorClass::LoginRequired,
            Error::Zendesk(_)
            | Error::ZendeskAbout { .. }
            | Error::RefreshFailed(_)
            | Error::TokenRefused { .. }
            | Error::Api { .. }
            | Error::Store { .. }
            | Error::StoreDenied { .. } => ErrorClass::ZendeskOrNetwork,
            Error::Agent { class, .. } => *class,
            _ => ErrorClass::Other,
        }
    }
}

pub fn io_error(action: &'static str, path: &Path, source: io::Error) -> Error {
    Error::Io {
        action,
        path: path.to_path_buf(),
        cause: clean_cause(source),
    }
}

/// The cause without the path some crates append (tempfile: "… at path \"X\""): the message
/// names the path once, itself.
pub(crate) fn clean_cause(cause: io::Error) -> io::Error {
    if cause.get_ref().is_none() {
        return cause;
    }
    let text = cause.to_string();
    match text.rfind(" at path ") {
        Some(at) => io::Error::new(cause.kind(), text[..at].to_owned()),
        None => cause,
    }
}

/// How far an error quotes what the user typed or pasted: enough to recognise it.
const QUOTED_CHARS: usize = 40;

/// User input as an error shows it: in quotes, escaped like `{:?}` (control characters and
/// bidi overrides are shown, never acted on by the terminal), and cut to its first
/// `QUOTED_CHARS` characters: a pasted megabyte must not become the message.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(QUOTED_CHARS + 8);
    out.push('"');
    for (count, c) in text.chars().enumerate() {
        if count == QUOTED_CHARS {
            out.push('…');
            break;
        }
        if is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.extend(c.escape_debug());
        }
    }
    out.push('"');
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_short_escaped_and_cut_at_a_char_boundary() {
        assert_eq!(quote("acme"), "\"acme\"");
        assert_eq!(quote("a\x1b]52;c;x\x07\n"), "\"a\\u{1b}]52;c;x\\u{7}\\n\"");
        assert_eq!(quote("x\u{202e}y"), "\"x\\u{202e}y\"");
        let pasted = "é".repeat(1_000_000);
        let quoted = quote(&pasted);
        assert_eq!(quoted, format!("\"{}…\"", "é".repeat(QUOTED_CHARS)));
    }
}
