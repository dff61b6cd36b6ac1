//! Validation of config.toml, one error per problem, naming the file, line and key.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::fields::{
    Lifetime, check_base_url, check_client_id, check_lifetime, check_port, check_scopes,
    parse_duration,
};
use super::raw::{RawConfig, RawConnection, RawSettings};
use super::{
    AgentMode, Config, ConfigError, Connection, DEFAULT_REDIRECT_PORT, Grant, Kind,
    MAX_KDF_WORK_FACTOR, MIN_KDF_WORK_FACTOR, Settings,
};
use crate::error::quote;
use crate::subdomain;

const MAX_MARGIN: Duration = Duration::from_secs(24 * 3600);

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
    let store = raw
        .store
        .map(|store| super::store::store(&source, store))
        .transpose()?;
    let mut names = HashSet::with_capacity(raw.connections.len());
    let mut connections = Vec::with_capacity(raw.connections.len());
    for (index, raw_connection) in raw.connections.iter().enumerate() {
        let connection = connection(&source, index, raw_connection.get_ref())?;
        if !names.insert(raw_connection.get_ref().name.get_ref().as_str()) {
            let span = raw_connection.span();
            return Err(source.error(
                &span,
                format!("connection {}.name", quote(&connection.name)),
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
        store,
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
    agent_settings(source, &raw, &mut settings)?;
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
    super::clipboard::settings(
        source,
        raw.clipboard,
        raw.clipboard_command.as_ref(),
        &mut settings,
    )?;
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
        settings.kdf_work_factor = u8::try_from(factor).expect("checked against the range above");
    }
    Ok(settings)
}

fn agent_settings(
    source: &Source,
    raw: &RawSettings,
    settings: &mut Settings,
) -> Result<(), ConfigError> {
    let key = |name: &str| format!("settings.{name}");
    if let Some(value) = &raw.agent {
        settings.agent = match value.get_ref().trim() {
            "auto" => AgentMode::Auto,
            "off" => AgentMode::Off,
            other => {
                return Err(source.error(
                    &value.span(),
                    key("agent"),
                    format!("{} is not a choice: use \"auto\" or \"off\"", quote(other)),
                ));
            }
        };
    }
    if let Some(value) = &raw.agent_timeout {
        settings.agent_timeout = duration(source, value, key("agent_timeout"))?;
        if settings.agent_timeout.is_zero() {
            return Err(source.error(
                &value.span(),
                key("agent_timeout"),
                "must be longer than 0s: use e.g. \"8h\"; to keep no agent, set agent = \"off\""
                    .into(),
            ));
        }
    }
    if let Some(value) = &raw.keepalive {
        settings.keepalive = duration(source, value, key("keepalive"))?;
    }
    Ok(())
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
            Ok(bare) => format!(
                "{} must be the bare subdomain: write {bare:?}",
                quote(raw_subdomain)
            ),
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
                    "{} is not a kind: use \"support\" or \"chat\"",
                    quote(value.get_ref())
                ),
            )
        })?,
    };

    let scopes = match &raw.scopes {
        None => kind
            .default_scopes()
            .iter()
            .map(|&s| s.to_owned())
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
    let grant = match &raw.grant {
        None => Grant::AuthorizationCode,
        Some(value) => Grant::checked(value.get_ref(), kind, refresh_token_lifetime)
            .map_err(|message| source.error(&value.span(), key("grant"), message))?,
    };
    let tags = tags(source, raw.tags.as_ref(), || key("tags"))?;
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
        grant,
        tags,
    })
}

fn tags(
    source: &Source,
    value: Option<&Spanned<Vec<String>>>,
    key: impl FnOnce() -> String,
) -> Result<Vec<String>, ConfigError> {
    value.map_or(Ok(Vec::new()), |value| {
        super::fields::check_tags(value.get_ref().clone())
            .map_err(|message| source.error(&value.span(), key(), message))
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
