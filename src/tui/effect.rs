//! What `update` asks the runtime to do, as data: each effect's result comes back as a
//! [`Msg`](super::Msg).

use zdauth_core::clipboard::What;
use zdauth_core::config::Connection;
use zdauth_core::secret::Secret;

/// Work for the runtime; the result comes back as a [`Msg`](super::Msg).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Refresh one connection through the engine's refresh transaction. Many at once are
    /// many of these: the runtime bounds how many run together, as `zdauth refresh --all` does.
    Refresh(String),
    /// Start the browser login.
    Login(String),
    /// Stop the running login and free its port.
    CancelLogin,
    /// The browser's final address, pasted into the login modal: the running login checks
    /// it (its state, its redirect URI) as `login --no-browser` does.
    LoginPaste(Secret),
    /// Copy to the clipboard; the loop clears it after `clipboard_clear`, and on quitting.
    Copy {
        name: String,
        what: CopyWhat,
    },
    /// Write a connection from the form to config.toml (and its secret to the vault).
    SaveConnection {
        connection: Connection,
        secret: Option<Secret>,
        /// The connection as the edit form opened on it: only the fields changed since are
        /// written, onto config.toml as it is then. `None` adds a new one.
        started_from: Option<Box<Connection>>,
    },
    /// Remove a connection, revoking its token at Zendesk first when asked.
    DeleteConnection {
        name: String,
        revoke: bool,
    },
    /// Remember the sort in the state dir for the next start.
    SaveSort(crate::tui::app::SortOrder),
    Quit,
}

/// What a copy puts in the clipboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyWhat {
    /// Through the refresh transaction, like `zdauth copy`.
    Token(What),
    /// The running login's authorize URL, for a browser on another machine.
    LoginUrl(String),
}

impl CopyWhat {
    pub fn describe(&self) -> &'static str {
        match self {
            CopyWhat::Token(what) => what.describe(),
            CopyWhat::LoginUrl(_) => "login URL",
        }
    }
}
