//! What the TUI knows about one connection. Built from the config and the decrypted vault,
//! keeping only what the screen shows: the access token itself never enters the TUI's state,
//! only its masked first characters, so no Debug print or draw can leak it.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;

use zdauth_core::config::{Config, Connection, Grant, Kind};
use zdauth_core::expiry::ExpirySource;
use zdauth_core::status::TokenStatus;
use zdauth_core::text::display;
use zdauth_core::vault::{Entry, Tokens, VaultData};

/// How many characters of a token the screen may show.
pub const MASK_CHARS: usize = 6;

/// `abcdef…`: enough to tell two tokens apart, too little to use one.
pub fn mask(token: &str) -> String {
    let shown: String = token.chars().take(MASK_CHARS).collect();
    format!("{shown}…")
}

/// One stored pair, as the screen needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowTokens {
    pub masked: String,
    pub token_type: String,
    pub scopes: Vec<String>,
    pub obtained_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub expiry_source: ExpirySource,
    pub has_refresh_token: bool,
    pub refresh_expires_at: Option<Timestamp>,
}

impl RowTokens {
    /// The pair without its secrets, for the engine's rules (status, schedule, notes), so the
    /// TUI and `zdauth status` never disagree.
    pub fn timings(&self) -> Tokens {
        Tokens {
            access_token: zdauth_core::secret::Secret::new(""),
            refresh_token: self
                .has_refresh_token
                .then(|| zdauth_core::secret::Secret::new("")),
            token_type: String::new(),
            scopes: Vec::new(),
            obtained_at: self.obtained_at,
            expires_at: self.expires_at,
            expiry_source: self.expiry_source,
            refresh_expires_at: self.refresh_expires_at,
        }
    }
}

impl From<&Tokens> for RowTokens {
    fn from(tokens: &Tokens) -> Self {
        Self {
            masked: display(&mask(tokens.access_token.expose())),
            token_type: display(&tokens.token_type),
            scopes: tokens.scopes.iter().map(|s| display(s)).collect(),
            obtained_at: tokens.obtained_at,
            expires_at: tokens.expires_at,
            expiry_source: tokens.expiry_source,
            has_refresh_token: tokens.refresh_token.is_some(),
            refresh_expires_at: tokens.refresh_expires_at,
        }
    }
}

/// What the vault says about one connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowData {
    pub tokens: Option<RowTokens>,
    pub email: Option<String>,
    pub last_refresh: Option<Timestamp>,
    pub last_error: Option<String>,
    pub login_required: bool,
    /// Whether the vault holds the client secret (what mints a client credentials token).
    pub has_secret: bool,
}

impl From<&Entry> for RowData {
    fn from(entry: &Entry) -> Self {
        Self {
            tokens: entry.tokens.as_ref().map(RowTokens::from),
            // Cleaned here as well as on arrival: an older vault may hold raw server text.
            email: entry.user.as_ref().map(|u| display(&u.email)),
            last_refresh: entry.last_refresh,
            last_error: entry.last_error.as_deref().map(display),
            login_required: entry.login_required,
            has_secret: entry.client_secret.is_some(),
        }
    }
}

impl RowData {
    /// The engine's own reading of the state, so the TUI and `zdauth status` never disagree.
    pub fn token_status(&self, grant: Grant, now: Timestamp, margin: Duration) -> TokenStatus {
        let secret = self
            .has_secret
            .then(|| zdauth_core::secret::Secret::new(""));
        let Some(t) = &self.tokens else {
            let entry = Entry {
                client_secret: secret,
                ..Entry::default()
            };
            return TokenStatus::of_grant(grant, Some(&entry), now, margin);
        };
        let entry = Entry {
            tokens: Some(t.timings()),
            login_required: self.login_required,
            client_secret: secret,
            ..Entry::default()
        };
        TokenStatus::of_grant(grant, Some(&entry), now, margin)
    }
}

/// The vault as the TUI sees it, per connection name: what a reload sends.
pub type Snapshot = BTreeMap<String, RowData>;

/// Only entries issued for what each connection names now count as its own (as in `status`).
pub fn snapshot(config: &Config, vault: &VaultData) -> Snapshot {
    config
        .connections
        .iter()
        .filter_map(|c| {
            let entry = vault
                .connections
                .get(&c.name)
                .filter(|e| e.issued_by(&zdauth_core::zendesk::issuer(c)))?;
            Some((c.name.clone(), RowData::from(entry)))
        })
        .collect()
}

/// What the TUI is doing for a connection right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    Idle,
    Refreshing,
    LoginRunning,
    Failed(String),
    /// Zendesk refused the refresh token: only `l` helps.
    LoginRequired,
}

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    /// As config.toml has it: what the edit form starts from.
    pub connection: Connection,
    pub subdomain: String,
    pub kind: Kind,
    pub configured_scopes: Vec<String>,
    pub redirect_uri: String,
    pub data: RowData,
    pub state: ConnState,
    /// The expiry auto-refresh last fired for, so a row is auto-refreshed once per pair.
    pub auto_fired_for: Option<Option<Timestamp>>,
}

impl Row {
    pub fn new(connection: &Connection, data: RowData) -> Self {
        let state = if data.login_required {
            ConnState::LoginRequired
        } else {
            ConnState::Idle
        };
        Self {
            name: connection.name.clone(),
            connection: connection.clone(),
            subdomain: connection.subdomain.clone(),
            kind: connection.kind,
            configured_scopes: connection.scopes.clone(),
            redirect_uri: connection.redirect_uri(),
            data,
            state,
            auto_fired_for: None,
        }
    }

    /// The scopes the token has, or those the connection asks for before any login.
    pub fn scopes(&self) -> &[String] {
        self.data
            .tokens
            .as_ref()
            .map_or(&self.configured_scopes, |t| &t.scopes)
    }

    pub fn expires_at(&self) -> Option<Timestamp> {
        self.data.tokens.as_ref().and_then(|t| t.expires_at)
    }

    /// When the stored refresh token runs out, as the REFRESH column shows it: `None` with
    /// no refresh token, or when Zendesk never told.
    pub fn refresh_expires_at(&self) -> Option<Timestamp> {
        self.data
            .tokens
            .as_ref()
            .filter(|t| t.has_refresh_token)
            .and_then(|t| t.refresh_expires_at)
    }

    /// What its tokens say, by the rules of its grant.
    pub fn token_status(&self, now: Timestamp, margin: Duration) -> TokenStatus {
        self.data.token_status(self.connection.grant, now, margin)
    }

    pub fn busy(&self) -> bool {
        matches!(self.state, ConnState::Refreshing | ConnState::LoginRunning)
    }

    /// Whether a refresh could work: there is a refresh token and Zendesk has not refused it.
    /// (A client credentials row needs no refresh token: it mints from its secret.)
    pub fn refreshable(&self, now: Timestamp, margin: Duration) -> bool {
        let renewable = self.connection.grant == Grant::ClientCredentials
            || self
                .data
                .tokens
                .as_ref()
                .is_none_or(|t| t.has_refresh_token);
        renewable
            && self.state != ConnState::LoginRequired
            && !matches!(
                self.token_status(now, margin),
                TokenStatus::LoginRequired | TokenStatus::NoToken | TokenStatus::NoSecret
            )
    }

    /// The filter is words, all of which must match: `tag:prod` a tag exactly (as `--tag`
    /// does on the command line), any other word a part of the name, subdomain, user or a tag.
    pub fn matches(&self, filter_lower: &str) -> bool {
        filter_lower
            .split_whitespace()
            .all(|word| match word.strip_prefix(TAG_PREFIX) {
                // `tag:` alone is still being typed.
                Some(tag) => tag.is_empty() || self.connection.tags.iter().any(|t| t == tag),
                None => [
                    Some(&self.name),
                    Some(&self.subdomain),
                    self.data.email.as_ref(),
                ]
                .into_iter()
                .flatten()
                .chain(&self.connection.tags)
                .any(|field| field.to_lowercase().contains(word)),
            })
    }
}

/// A filter word that names a tag exactly.
pub const TAG_PREFIX: &str = "tag:";

/// The state a row shows: what the TUI is doing for it, else what its tokens say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shown {
    // In the order "sort by state" lists them: what needs the user first.
    LoginRequired,
    /// Client credentials without a stored secret: `e` stores one.
    NoSecret,
    Error,
    Expired,
    Expiring,
    LoginRunning,
    Refreshing,
    Ok,
}

impl Row {
    pub fn shown(&self, now: Timestamp, margin: Duration) -> Shown {
        match self.state {
            ConnState::Refreshing => return Shown::Refreshing,
            ConnState::LoginRunning => return Shown::LoginRunning,
            ConnState::LoginRequired => return Shown::LoginRequired,
            ConnState::Failed(_) | ConnState::Idle => {}
        }
        let tokens = match self.token_status(now, margin) {
            TokenStatus::Valid => Shown::Ok,
            TokenStatus::Expiring => Shown::Expiring,
            TokenStatus::Expired => Shown::Expired,
            TokenStatus::LoginRequired | TokenStatus::NoToken => return Shown::LoginRequired,
            TokenStatus::NoSecret => return Shown::NoSecret,
        };
        if matches!(self.state, ConnState::Failed(_)) {
            Shown::Error
        } else {
            tokens
        }
    }
}
