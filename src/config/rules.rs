//! Validation of config.toml, one error per problem, naming the file, line and key.

use std::collections::HashSet;
use std::net::IpAddr;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::raw::{RawConfig, RawConnection, RawSettings};
use super::{
    Config, ConfigError, Connection, DEFAULT_REDIRECT_PORT, Kind, MAX_KDF_WORK_FACTOR,
    MIN_KDF_WORK_FACTOR, Settings,
};
use crate::subdomain;

/// Zendesk's access-token bounds, exclusive: more than 5 minutes, less than 48 hours.
const ACCESS_LIFETIME: Range<u64> = 300..172_800;
/// Refresh-token bounds, exclusive: more than 7 days, less than 90 days.
const REFRESH_LIFETIME: Range<u64> = 604_800..7_776_000;
const MAX_MARGIN: Duration = Duration::from_secs(24 * 3600);

const SUPPORT_SCOPES: &[&str] = &[
    "read",
    "write",
    "impersonate",
    "tickets:read",
    "tickets:write",
    "users:read",
    "users:write",
    "organizations:read",
    "organizations:write",
    "hc:read",
    "hc:write",
    "apps:read",
    "apps:write",
    "triggers:read",
    "triggers:write",
    "automations:read",
    "automations:write",
    "targets:read",
    "targets:write",
    "webhooks:read",
    "webhooks:write",
    "auditlogs:read",
    "zis:read",
    "zis:write",
];
const CHAT_SCOPES: &[&str] = &["read", "write", "chat"];

pub(super) struct Source<'a> {
    text: &'a str,
    file: &'a Path,
}

impl Source<'_> {
    fn line_of(&self, span: &Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text[..end].matches('\n').count() + 1
    }

    pub(super) fn error(&self, span: &Range<usize>, key: String, message: String) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_path_buf(),
            line: self.line_of(span),
            key,
            message,
        }
    }
}

pub(super) fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
    let source = Source { text, file };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        source.error(&span, String::new(), one_line(e.message()))
    })?;
    let settings = settings(&source, raw.settings)?;
    let mut names = HashSet::with_capacity(raw.connections.len());
    let mut connections = Vec::with_capacity(raw.connections.len());
    for (index, raw_connection) in raw.connections.iter().enumerate() {
        let connection = connection(&source, index, raw_connection.get_ref())?;
        if !names.insert(raw_connection.get_ref().name.get_ref().as_str()) {
            let span = raw_connection.span();
            return Err(source.error(
                &span,
                format!("connection {:?}.name", connection.name),
                "this name is used by an earlier connection; names must be unique".into(),
            ));
        }
        connections.push(connection);
    }
    let keys = raw
        .keys
        .into_iter()
        .map(|(key, action)| super::KeyBinding {
            line: source.line_of(&action.span()),
            key,
            action: action.into_inner(),
        })
        .collect();
    Ok(Config {
        settings,
        connections,
        keys,
        file: file.to_path_buf(),
    })
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn settings(source: &Source, raw: Option<RawSettings>) -> Result<Settings, ConfigError> {
    let mut settings = Settings::default();
    let Some(raw) = raw else {
        return Ok(settings);
    };
    let key = |name: &str| format!("settings.{name}");
    if let Some(value) = raw.refresh_margin {
        settings.refresh_margin = duration(source, &value, key("refresh_margin"))?;
        if settings.refresh_margin > MAX_MARGIN {
            return Err(source.error(
                &value.span(),
                key("refresh_margin"),
                "must be at most 24h: access tokens live 48 h at the most".into(),
            ));
        }
    }
    if let Some(value) = raw.clipboard_clear {
        settings.clipboard_clear = duration(source, &value, key("clipboard_clear"))?;
    }
    super::clipboard::settings(source, raw.clipboard, raw.clipboard_command, &mut settings)?;
    if let Some(value) = raw.http_timeout {
        settings.http_timeout = duration(source, &value, key("http_timeout"))?;
        if settings.http_timeout < Duration::from_secs(1)
            || settings.http_timeout > Duration::from_secs(300)
        {
            return Err(source.error(
                &value.span(),
                key("http_timeout"),
                "must be between 1s and 5m".into(),
            ));
        }
    }
    if let Some(value) = raw.auto_refresh {
        settings.auto_refresh = value;
    }
    if let Some(value) = raw.identity_file {
        if value.get_ref().trim().is_empty() {
            return Err(source.error(
                &value.span(),
                key("identity_file"),
                "is empty: give the path of an age identity file, or remove the line".into(),
            ));
        }
        settings.identity_file = Some(value.into_inner());
    }
    if let Some(value) = raw.kdf_work_factor {
        let factor = *value.get_ref();
        let allowed = i64::from(MIN_KDF_WORK_FACTOR)..=i64::from(MAX_KDF_WORK_FACTOR);
        if !allowed.contains(&factor) {
            return Err(source.error(
                &value.span(),
                key("kdf_work_factor"),
                format!(
                    "{factor} is out of range: use {MIN_KDF_WORK_FACTOR} to {MAX_KDF_WORK_FACTOR} (18 is the default, about 1 s)"
                ),
            ));
        }
        settings.kdf_work_factor = factor as u8;
    }
    Ok(settings)
}

fn duration(
    source: &Source,
    value: &Spanned<String>,
    key: String,
) -> Result<Duration, ConfigError> {
    parse_duration(value.get_ref()).map_err(|message| source.error(&value.span(), key, message))
}

fn connection(
    source: &Source,
    index: usize,
    raw: &RawConnection,
) -> Result<Connection, ConfigError> {
    let name = raw.name.get_ref().clone();
    // Built only for an error message: a config with 1,000 connections is read on every
    // `zdauth token`.
    let key = |field: &str| {
        if super::check_connection_name(&name).is_ok() {
            format!("connection {name:?}.{field}")
        } else {
            format!("connection #{}.{field}", index + 1)
        }
    };

    if let Some(secret) = &raw.client_secret {
        return Err(source.error(
            &secret.span(),
            key("client_secret"),
            format!(
                "secrets never go in config.toml: delete this line and store it with `zdauth add {name} ... --secret-stdin`"
            ),
        ));
    }
    super::check_connection_name(&name)
        .map_err(|message| source.error(&raw.name.span(), key("name"), message))?;

    let raw_subdomain = raw.subdomain.get_ref();
    if subdomain::validate(raw_subdomain).is_err() {
        let message = match subdomain::normalize(raw_subdomain) {
            Ok(bare) => format!("{raw_subdomain:?} must be the bare subdomain: write {bare:?}"),
            Err(e) => e.to_string(),
        };
        return Err(source.error(&raw.subdomain.span(), key("subdomain"), message));
    }

    let client_id = check_client_id(raw.client_id.get_ref())
        .map_err(|message| source.error(&raw.client_id.span(), key("client_id"), message))?;

    let kind = match &raw.kind {
        None => Kind::Support,
        Some(value) => Kind::parse(value.get_ref()).ok_or_else(|| {
            source.error(
                &value.span(),
                key("kind"),
                format!(
                    "{:?} is not a kind: use \"support\" or \"chat\"",
                    value.get_ref()
                ),
            )
        })?,
    };

    let scopes = match &raw.scopes {
        None => kind
            .default_scopes()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        Some(value) => check_scopes(kind, value.get_ref().clone())
            .map_err(|message| source.error(&value.span(), key("scopes"), message))?,
    };

    let redirect_port = match &raw.redirect_port {
        None => DEFAULT_REDIRECT_PORT,
        Some(value) => check_port(*value.get_ref())
            .map_err(|message| source.error(&value.span(), key("redirect_port"), message))?,
    };

    let base_url = match &raw.base_url {
        None => None,
        Some(value) => Some(
            check_base_url(value.get_ref())
                .map_err(|message| source.error(&value.span(), key("base_url"), message))?,
        ),
    };

    let access_token_lifetime = lifetime(
        source,
        raw.access_token_lifetime.as_ref(),
        || key("access_token_lifetime"),
        Lifetime::Access,
    )?;
    let refresh_token_lifetime = lifetime(
        source,
        raw.refresh_token_lifetime.as_ref(),
        || key("refresh_token_lifetime"),
        Lifetime::Refresh,
    )?;
    Ok(Connection {
        name,
        subdomain: raw_subdomain.clone(),
        client_id,
        scopes,
        redirect_port,
        kind,
        base_url,
        access_token_lifetime,
        refresh_token_lifetime,
    })
}

fn lifetime(
    source: &Source,
    value: Option<&Spanned<String>>,
    key: impl FnOnce() -> String,
    which: Lifetime,
) -> Result<Option<Duration>, ConfigError> {
    value
        .map(|value| {
            check_lifetime(value.get_ref(), which)
                .map_err(|message| source.error(&value.span(), key(), message))
        })
        .transpose()
}

#[derive(Debug, Clone, Copy)]
pub enum Lifetime {
    Access,
    Refresh,
}

/// Zendesk's bounds, exclusive, in whole seconds.
pub fn check_lifetime(text: &str, which: Lifetime) -> Result<Duration, String> {
    let (bounds, wanted) = match which {
        Lifetime::Access => (ACCESS_LIFETIME, "more than 5m and less than 48h"),
        Lifetime::Refresh => (REFRESH_LIFETIME, "more than 7d and less than 90d"),
    };
    let parsed = parse_duration(text)?;
    let seconds = parsed.as_secs();
    if seconds <= bounds.start || seconds >= bounds.end || parsed.subsec_nanos() != 0 {
        return Err(format!(
            "{text:?} is outside what Zendesk accepts: give whole seconds, {wanted}"
        ));
    }
    Ok(parsed)
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|e| {
        format!("{text:?} is not a duration ({e}): write e.g. \"30s\", \"5m\", \"2h\" or \"30d\"")
    })
}

pub fn check_client_id(text: &str) -> Result<String, String> {
    let client_id = text.trim();
    if client_id.is_empty()
        || client_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("must be the OAuth client's unique identifier (Admin Center > Apps and integrations > OAuth clients), without spaces".into());
    }
    if client_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{client_id:?} looks like the numeric client id, which Zendesk rejects (invalid_client): use the client's unique identifier"
        ));
    }
    Ok(client_id.to_owned())
}

/// `[a-z0-9][a-z0-9_-]{0,63}`: also used as a file name for the connection's lock.
pub fn check_connection_name(name: &str) -> Result<(), String> {
    let bytes = name.as_bytes();
    let ok = matches!(bytes.first(), Some(b) if b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes.len() <= 64
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a valid name: use 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit"
        ))
    }
}

/// Splits a space- or comma-separated scope list, as typed on the command line.
pub fn parse_scopes(kind: Kind, text: &str) -> Result<Vec<String>, String> {
    let scopes = text
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    check_scopes(kind, scopes)
}

fn check_scopes(kind: Kind, scopes: Vec<String>) -> Result<Vec<String>, String> {
    let known = match kind {
        Kind::Support => SUPPORT_SCOPES,
        Kind::Chat => CHAT_SCOPES,
    };
    if scopes.is_empty() {
        return Err("no scopes: give at least one, e.g. [\"read\"]".into());
    }
    let mut seen = HashSet::new();
    for scope in &scopes {
        if !known.contains(&scope.as_str()) {
            let hint = if kind == Kind::Support && scope.starts_with("chat") {
                " (chat scopes belong to kind = \"chat\" connections)"
            } else {
                ""
            };
            return Err(format!(
                "{scope:?} is not a {} scope{hint}: use {}",
                kind.as_str(),
                known.join(", ")
            ));
        }
        if !seen.insert(scope) {
            return Err(format!("{scope:?} is listed twice: list each scope once"));
        }
    }
    Ok(scopes)
}

pub fn check_port(port: i64) -> Result<u16, String> {
    match u16::try_from(port) {
        Ok(port) if port >= 1024 => Ok(port),
        _ => Err(format!(
            "{port} is not a usable port: pick one from 1024 to 65535 and register http://127.0.0.1:PORT/callback in Zendesk"
        )),
    }
}

/// https anywhere, http only on a loopback host (checklist item 21). Returned without a
/// trailing slash so paths can be appended.
pub fn check_base_url(text: &str) -> Result<String, String> {
    // Never echo the text: it may carry a password or a token in its query.
    let url = url::Url::parse(text.trim()).map_err(|e| {
        format!(
            "not a URL ({e}): write e.g. \"https://acme.zendesk.com\" or \"http://127.0.0.1:4455\""
        )
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL carries a user name or password: remove them".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(
            "the URL has a query or fragment: give only scheme, host, port and path".into(),
        );
    }
    let host = url.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err("the URL has no host".into());
    }
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = host == "localhost"
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                return Err(format!(
                    "http to {host} would send tokens in clear over a non-loopback host: use https"
                ));
            }
        }
        other => {
            return Err(format!(
                "{other}:// is not allowed: use https:// (or http:// on 127.0.0.1)"
            ));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}
