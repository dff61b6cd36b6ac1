//! The shape of config.toml exactly as written, with the position of every value so that a
//! validation error can name the line.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    #[serde(default)]
    pub settings: Option<RawSettings>,
    #[serde(default, rename = "connection")]
    pub connections: Vec<Spanned<RawConnection>>,
    /// TUI key overrides, `key = "action"`; the TUI checks the names.
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    pub refresh_margin: Option<Spanned<String>>,
    pub clipboard_clear: Option<Spanned<String>>,
    pub auto_refresh: Option<bool>,
    pub identity_file: Option<Spanned<String>>,
    pub kdf_work_factor: Option<Spanned<i64>>,
    pub http_timeout: Option<Spanned<String>>,
    pub clipboard: Option<Spanned<String>>,
    pub clipboard_command: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConnection {
    pub name: Spanned<String>,
    pub subdomain: Spanned<String>,
    pub client_id: Spanned<String>,
    pub scopes: Option<Spanned<Vec<String>>>,
    pub redirect_port: Option<Spanned<i64>>,
    pub kind: Option<Spanned<String>>,
    pub base_url: Option<Spanned<String>>,
    pub access_token_lifetime: Option<Spanned<String>>,
    pub refresh_token_lifetime: Option<Spanned<String>>,
    pub grant: Option<Spanned<String>>,
    /// Accepted by the parser only to refuse it with a message that says where secrets go.
    pub client_secret: Option<Spanned<toml::Value>>,
}
