//! `[store]`: the team store (OpenBao or HashiCorp Vault KV v2) that holds the tokens when it
//! is configured. Without the table nothing changes: the local vault holds them.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::ConfigError;
use super::rules::Source;

/// `openbao` and `vault` speak the same API; the kind only names the server in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    OpenBao,
    Vault,
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::OpenBao => "openbao",
            StoreKind::Vault => "vault",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSettings {
    pub kind: StoreKind,
    /// As written; `None`: from `BAO_ADDR` / `VAULT_ADDR` when the store is opened.
    pub address: Option<String>,
    /// A PEM file of the CA that signed the store's certificate (else the system roots).
    pub ca_cert: Option<String>,
    /// A KV version 2 mount.
    pub mount: String,
    /// Every connection is `<mount>/data/<prefix>/<name>`.
    pub prefix: String,
    /// age recipients (`age1…`) every payload is encrypted to, beside the local vault's own.
    pub recipients: Vec<String>,
    /// AppRole login: the role id (not a secret); the secret id comes from stdin or
    /// `secret_id_env`, never from argv or this file.
    pub role_id: Option<String>,
    pub secret_id_env: String,
    /// The AppRole auth mount.
    pub approle_mount: String,
}

pub const DEFAULT_SECRET_ID_ENV: &str = "ZDAUTH_STORE_SECRET_ID";
/// How long a store request may take before the store counts as unreachable.
pub const STORE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStore {
    kind: Option<Spanned<String>>,
    address: Option<Spanned<String>>,
    ca_cert: Option<Spanned<String>>,
    mount: Option<Spanned<String>>,
    prefix: Option<Spanned<String>>,
    recipients: Option<Spanned<Vec<String>>>,
    role_id: Option<Spanned<String>>,
    secret_id_env: Option<Spanned<String>>,
    approle_mount: Option<Spanned<String>>,
}

pub(super) fn store(source: &Source, raw: RawStore) -> Result<StoreSettings, ConfigError> {
    let key = |name: &str| format!("store.{name}");
    let kind = match raw.kind {
        None => StoreKind::OpenBao,
        Some(kind) => match kind.get_ref().trim() {
            "openbao" => StoreKind::OpenBao,
            "vault" => StoreKind::Vault,
            _ => {
                return Err(source.error(
                    &kind.span(),
                    key("kind"),
                    "must be \"openbao\" or \"vault\"".into(),
                ));
            }
        },
    };
    let address = match raw.address {
        Some(address) => {
            check_address(address.get_ref())
                .map_err(|why| source.error(&address.span(), key("address"), why))?;
            Some(address.into_inner())
        }
        None => None,
    };
    let path_part = |value: Option<Spanned<String>>, name: &str, default: &str| {
        let Some(value) = value else {
            return Ok(default.to_owned());
        };
        let text = value.get_ref().trim().trim_matches('/');
        if text.is_empty()
            || !text.split('/').all(|part| {
                !part.is_empty()
                    && part != "."
                    && part != ".."
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            })
        {
            return Err(source.error(
                &value.span(),
                key(name),
                "must be path words of letters, digits, '-', '_' or '.', separated by '/'".into(),
            ));
        }
        Ok(text.to_owned())
    };
    let mount = path_part(raw.mount, "mount", "secret")?;
    let prefix = path_part(raw.prefix, "prefix", "zdauth")?;
    let approle_mount = path_part(raw.approle_mount, "approle_mount", "approle")?;
    let recipients = match raw.recipients {
        None => Vec::new(),
        Some(list) => {
            for recipient in list.get_ref() {
                if recipient.trim().parse::<age::x25519::Recipient>().is_err() {
                    return Err(source.error(
                        &list.span(),
                        key("recipients"),
                        "each entry must be an age recipient (age1…), as `age-keygen -y` prints it"
                            .into(),
                    ));
                }
            }
            list.into_inner()
                .into_iter()
                .map(|r| r.trim().to_owned())
                .collect()
        }
    };
    let secret_id_env = match raw.secret_id_env {
        None => DEFAULT_SECRET_ID_ENV.to_owned(),
        Some(name) => {
            let text = name.get_ref().trim();
            if text.is_empty() || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(source.error(
                    &name.span(),
                    key("secret_id_env"),
                    "must be an environment variable's name (letters, digits, '_')".into(),
                ));
            }
            text.to_owned()
        }
    };
    let role_id = raw.role_id.map(|r| r.into_inner().trim().to_owned());
    Ok(StoreSettings {
        kind,
        address,
        ca_cert: raw.ca_cert.map(Spanned::into_inner),
        mount,
        prefix,
        recipients,
        role_id,
        secret_id_env,
        approle_mount,
    })
}

/// https anywhere; http only to a loopback host, where nothing crosses a network.
pub fn check_address(address: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(address.trim())
        .map_err(|e| format!("is not a URL ({e}); write it as https://HOST:PORT"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "must not carry a user or password; the token comes from the environment".into(),
        );
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(
                "is plain http to a host that is not loopback; use https (tokens would cross the network in the clear)"
                    .into(),
            );
        }
        other => return Err(format!("has scheme {other:?}; use https://HOST:PORT")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("names no host; write it as https://HOST:PORT".into());
    }
    Ok(url)
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}
