//! The shape of config.toml exactly as written, with the position of every value so that a
//! validation error can name the line.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub(crate) settings: Option<RawSettings>,
    #[serde(default, rename = "connection")]
    pub(crate) connections: Vec<Spanned<RawConnection>>,
    /// TUI key overrides, `key = "action"`; the TUI checks the names.
    #[serde(default)]
    pub(crate) keys: std::collections::BTreeMap<String, Spanned<String>>,
    /// The team store; absent: tokens stay in the local vault.
    #[serde(default)]
    pub(crate) store: Option<super::store::RawStore>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub(crate) refresh_margin: Option<Spanned<String>>,
    pub(crate) clipboard_clear: Option<Spanned<String>>,
    pub(crate) auto_refresh: Option<bool>,
    pub(crate) identity_file: Option<Spanned<String>>,
    pub(crate) kdf_work_factor: Option<Spanned<i64>>,
    pub(crate) http_timeout: Option<Spanned<String>>,
    pub(crate) clipboard: Option<Spanned<String>>,
    pub(crate) clipboard_command: Option<Spanned<String>>,
    pub(crate) agent: Option<Spanned<String>>,
    pub(crate) agent_timeout: Option<Spanned<String>>,
    pub(crate) keepalive: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConnection {
    pub(crate) name: Spanned<String>,
    pub(crate) subdomain: Spanned<String>,
    pub(crate) client_id: Spanned<String>,
    pub(crate) scopes: Option<Spanned<Vec<String>>>,
    pub(crate) redirect_port: Option<Spanned<i64>>,
    pub(crate) kind: Option<Spanned<String>>,
    pub(crate) base_url: Option<Spanned<String>>,
    pub(crate) access_token_lifetime: Option<Spanned<String>>,
    pub(crate) refresh_token_lifetime: Option<Spanned<String>>,
    pub(crate) grant: Option<Spanned<String>>,
    pub(crate) tags: Option<Spanned<Vec<String>>>,
    /// Accepted by the parser only to refuse it with a message that says where secrets go.
    pub(crate) client_secret: Option<Spanned<toml::Value>>,
}
