//! config.toml: the non-secret description of every connection and the user's settings.
//! Secrets live in the vault, never here.

mod clipboard;
mod edit;
mod fields;
mod grant;
pub mod import;
mod input;
mod merge;
mod raw;
mod rules;
mod select;
mod store;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

use crate::safe_file::{self, CONFIG_LIMIT, FileError, Links};
pub(crate) use clipboard::ClipboardChoice;
pub use edit::ConfigEdit;
pub use fields::MAX_TAGS;
pub(crate) use fields::check_connection_name;
pub use grant::Grant;
pub use input::{ConnectionInput, Field};
pub(crate) use merge::merge_edit;
pub use select::Selector;
pub use store::{DEFAULT_SECRET_ID_ENV, STORE_TIMEOUT, StoreKind, StoreSettings, check_address};

/// The example written by `zdauth init`; every key is documented in it.
pub(crate) const EXAMPLE: &str = include_str!("../../../../config.example.toml");

pub(crate) const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
pub(crate) const DEFAULT_CLIPBOARD_CLEAR: Duration = Duration::from_secs(30);
pub(crate) const DEFAULT_KDF_WORK_FACTOR: u8 = 18;
pub(crate) const MIN_KDF_WORK_FACTOR: u8 = 10;
/// age refuses to decrypt above this: a larger factor costs minutes and gigabytes
/// (checklist item 12).
pub(crate) const MAX_KDF_WORK_FACTOR: u8 = 22;
pub(crate) const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_AGENT_TIMEOUT: Duration = Duration::from_secs(8 * 3600);
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(7 * 86400);
pub const DEFAULT_REDIRECT_PORT: u16 = 8765;
/// A Support connection's scopes when none are given.
pub const DEFAULT_SCOPES: &[&str] = &["read", "write"];
/// A Chat connection's: the Chat API refuses a token without `chat`.
pub(crate) const DEFAULT_CHAT_SCOPES: &[&str] = &["read", "write", "chat"];

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub settings: Settings,
    /// `[store]`: where the tokens live when a team shares them; `None`: the local vault.
    pub store: Option<StoreSettings>,
    pub connections: Vec<Connection>,
    /// `[keys]`, as written: the engine knows no actions, so the TUI validates them and
    /// reports errors with `line`.
    pub keys: Vec<KeyBinding>,
    /// Where the config came from, for errors found after loading.
    pub file: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBinding {
    pub key: String,
    pub action: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub refresh_margin: Duration,
    pub clipboard_clear: Duration,
    /// Where copies go.
    pub(crate) clipboard: ClipboardChoice,
    /// `clipboard_command`, split into words (no shell); `clipboard = "command"` needs it.
    pub(crate) clipboard_command: Option<Vec<String>>,
    pub auto_refresh: bool,
    /// As written in the file (`~` and relative paths resolved by [`crate::paths::expand_user_path`]).
    pub(crate) identity_file: Option<String>,
    pub kdf_work_factor: u8,
    /// The longest any one request to Zendesk may take.
    pub http_timeout: Duration,
    /// Whether a command that must open a sealed identity starts the agent.
    pub agent: AgentMode,
    /// The agent forgets the identity after this long without a secret being used.
    pub agent_timeout: Duration,
    /// The agent refreshes a grant whose refresh token has less than this left; zero: never.
    pub keepalive: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentMode {
    /// Start the agent the first time a sealed identity is opened, and go through it.
    Auto,
    /// Never start one; a running agent (`zdauth unlock`) is still used.
    Off,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            clipboard_clear: DEFAULT_CLIPBOARD_CLEAR,
            clipboard: ClipboardChoice::Auto,
            clipboard_command: None,
            auto_refresh: false,
            identity_file: None,
            kdf_work_factor: DEFAULT_KDF_WORK_FACTOR,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            agent: AgentMode::Auto,
            agent_timeout: DEFAULT_AGENT_TIMEOUT,
            keepalive: DEFAULT_KEEPALIVE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Support,
    Chat,
}

impl Kind {
    pub fn default_scopes(self) -> &'static [&'static str] {
        match self {
            Kind::Support => DEFAULT_SCOPES,
            Kind::Chat => DEFAULT_CHAT_SCOPES,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Support => "support",
            Kind::Chat => "chat",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "support" => Some(Kind::Support),
            "chat" => Some(Kind::Chat),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub name: String,
    pub subdomain: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub redirect_port: u16,
    pub kind: Kind,
    /// Without a trailing slash.
    pub base_url: Option<String>,
    pub access_token_lifetime: Option<Duration>,
    pub refresh_token_lifetime: Option<Duration>,
    pub grant: Grant,
    /// Labels to pick connections by (`--tag`), in the order written.
    pub tags: Vec<String>,
}

impl Connection {
    /// The URI to register in Zendesk: the IP literal, never `localhost` (RFC 8252 §8.3).
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.redirect_port)
    }

    /// `https://{subdomain}.zendesk.com`, or the configured `base_url`. The host of the built
    /// URL is checked against the subdomain so that no input can point it elsewhere.
    pub fn base_url(&self) -> url::Url {
        if let Some(base) = &self.base_url {
            return url::Url::parse(base).expect("base_url was validated on load");
        }
        let url = url::Url::parse(&format!("https://{}.zendesk.com", self.subdomain))
            .expect("a validated subdomain makes a valid URL");
        assert_eq!(
            url.host_str(),
            Some(format!("{}.zendesk.com", self.subdomain).as_str()),
            "subdomain validation let a host through"
        );
        url
    }
}

/// The connection `acme` (subdomain `acme`, client `c`) with `extra` lines of config.toml:
/// the unit tests' one way to a connection, checked by the same rules as a user's file.
#[cfg(test)]
pub(crate) fn acme_with(extra: &str) -> Connection {
    let text = format!(
        "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"c\"\n{extra}\n"
    );
    Config::parse(&text, Path::new("t.toml"))
        .expect("a valid test connection")
        .connections
        .remove(0)
}

impl Config {
    pub fn connection(&self, name: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.name == name)
    }

    /// Reads and validates `path`. A missing file is [`ConfigError::Missing`].
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::parse(&read(path)?, path)
    }

    /// Validates `text`; `file` only names the source in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Self, ConfigError> {
        rules::parse(text, file)
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    /// One problem at one place in the file.
    #[error("{}", InvalidDisplay { file, line: *line, key, message })]
    Invalid {
        file: PathBuf,
        line: usize,
        /// Empty when the parser could not tell (a syntax error).
        key: String,
        message: String,
    },
    #[error("{} does not exist: run `zdauth init` to create it", file.display())]
    Missing { file: PathBuf },
    /// Not a regular file, too large, or unreadable.
    #[error(transparent)]
    File(#[from] FileError),
}

/// config.toml's text. It may be a link (dotfiles), and is read where it points.
pub(crate) fn read(path: &Path) -> Result<String, ConfigError> {
    match safe_file::read_text(path, Links::Follow, CONFIG_LIMIT)? {
        Some(mut text) => Ok(std::mem::take(&mut *text)),
        None => Err(ConfigError::Missing {
            file: path.to_path_buf(),
        }),
    }
}

struct InvalidDisplay<'a> {
    file: &'a Path,
    line: usize,
    key: &'a str,
    message: &'a str,
}

impl fmt::Display for InvalidDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file.display(), self.line)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(self.message)
    }
}
