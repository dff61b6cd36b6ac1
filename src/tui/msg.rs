//! Everything that can happen to the TUI, as data. Time only ever arrives in a message, so
//! `update` is a pure function of the state and the message.

use std::time::Duration;

use jiff::Timestamp;

use super::keymap::Key;
use super::row::{RowTokens, Snapshot};
use zdauth_core::agent::AgentSummary;
use zdauth_core::config::Config;

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// The clock, once a second.
    Tick(Timestamp),
    Key(Key),
    /// A bracketed paste: one piece of text, not a stream of keys (its newline is no Enter).
    /// Wiped on drop: it may be a client secret pasted into the masked field.
    Paste(zeroize::Zeroizing<String>),
    /// The terminal's size: sent by the runtime before its first frame, then on every change.
    Resize {
        width: u16,
        height: u16,
    },
    /// A click or the wheel, at screen cells.
    Mouse(Mouse),
    /// The vault file changed on disk (a script ran `zdauth token`) and was re-read.
    VaultReloaded(Snapshot),
    /// config.toml changed on disk (`zdauth add`, an editor) and is valid; with the vault as
    /// read for it, unless that failed.
    ConfigReloaded {
        config: Config,
        snapshot: Option<Snapshot>,
    },
    /// config.toml changed on disk and is not valid: the last good one stays on screen.
    ConfigInvalid(String),
    /// A refresh task finished.
    Refreshed {
        name: String,
        result: Result<RowTokens, RefreshFailure>,
    },
    /// News from the running browser login.
    Login {
        name: String,
        update: LoginUpdate,
    },
    /// A copy landed in the clipboard, or did not (the text is free of secrets).
    Copied {
        name: String,
        result: Result<CopyDone, String>,
    },
    /// The copy's clear ran.
    CopyCleared {
        name: String,
        what: &'static str,
        outcome: zdauth_core::clipboard::ClearOutcome,
    },
    /// The form's connection was written (the config as it is now), or why not.
    Saved {
        name: String,
        result: Result<Config, String>,
    },
    /// What the agent for this config dir said when last asked (`None`: no agent answers).
    /// The runtime sends it when it changed.
    Agent(Option<AgentSummary>),
    /// Quitting waits for `tasks` still running; the screen says so.
    Quitting {
        tasks: usize,
    },
    /// A delete finished, or failed (a failed revoke deletes nothing).
    Deleted {
        name: String,
        result: Result<Deleted, DeleteFailure>,
    },
}

impl Msg {
    /// The config after a save, a delete or a change on disk: the loop hands it to its
    /// runner and file watcher.
    pub fn new_config(&self) -> Option<&Config> {
        match self {
            Msg::ConfigReloaded { config, .. }
            | Msg::Saved {
                result: Ok(config), ..
            } => Some(config),
            Msg::Deleted {
                result: Ok(deleted),
                ..
            } => Some(&deleted.config),
            _ => None,
        }
    }
}

/// What the mouse did, as the list needs it (column and row are screen cells from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mouse {
    Click { column: u16, row: u16 },
    WheelUp,
    WheelDown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deleted {
    pub config: Config,
    /// Tokens were stored, and are gone from the vault now.
    pub had_tokens: bool,
    /// The token was revoked at Zendesk first.
    pub revoked: bool,
    /// config.toml lost it, but the vault step failed: its tokens stay in vault.age.
    pub vault_kept: Option<String>,
}

/// A delete that failed, and how far it got: the toast must not say the tokens were kept
/// when Zendesk had already revoked them.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteFailure {
    /// The revoke at Zendesk succeeded; removing the connection here did not.
    pub revoked: bool,
    pub message: String,
}

/// Why a refresh failed, already free of secrets (engine errors are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshFailure {
    pub message: String,
    /// Zendesk refused the refresh token (`Error::LoginRequired`): only a login helps.
    pub login_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginUpdate {
    /// The authorize URL, to show in case no browser opens.
    Url(String),
    /// Something to tell the user that does not end the login (the browser did not start).
    Note(String),
    /// The code came back; it is being exchanged for tokens.
    Exchanging,
    /// This runs over SSH: `$SSH_CONNECTION` and `$USER` as the runtime read them, for the
    /// modal's `ssh -L` line (checked before it is shown).
    Ssh {
        connection: String,
        user: Option<String>,
    },
    Finished(Result<LoginDone, String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginDone {
    pub tokens: RowTokens,
    pub email: Option<String>,
}

/// A copy that landed, as the loop reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyDone {
    pub what: &'static str,
    /// Where it went ("the desktop clipboard", "tmux buffer zdauth"), as the CLI says: a copy
    /// to the wrong place (OSC 52 that Terminal.app ignores) is otherwise a silent miss.
    pub place: String,
    /// `None`: `clipboard_clear = "0s"`, kept.
    pub clears_in: Option<Duration>,
    /// Said next to the confirmation (a fallback that was taken).
    pub note: Option<String>,
}
