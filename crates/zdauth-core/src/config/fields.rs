//! The rules for one field of a connection, shared by config.toml, `zdauth add` and the
//! TUI's form. Messages quote what was typed by its start only ([`quote`]).

use std::collections::HashSet;
use std::net::IpAddr;
use std::ops::Range;
use std::time::Duration;

use super::Kind;
use crate::error::quote;

/// Zendesk's access-token bounds, exclusive: more than 5 minutes, less than 48 hours.
const ACCESS_LIFETIME: Range<u64> = 300..172_800;
/// Refresh-token bounds, exclusive: more than 7 days, less than 90 days.
const REFRESH_LIFETIME: Range<u64> = 604_800..7_776_000;
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

#[derive(Debug, Clone, Copy)]
pub(crate) enum Lifetime {
    Access,
    Refresh,
}

/// Zendesk's bounds, exclusive, in whole seconds.
pub(crate) fn check_lifetime(text: &str, which: Lifetime) -> Result<Duration, String> {
    let (bounds, wanted) = match which {
        Lifetime::Access => (ACCESS_LIFETIME, "more than 5m and less than 48h"),
        Lifetime::Refresh => (REFRESH_LIFETIME, "more than 7d and less than 90d"),
    };
    let parsed = parse_duration(text)?;
    let seconds = parsed.as_secs();
    if seconds <= bounds.start || seconds >= bounds.end || parsed.subsec_nanos() != 0 {
        return Err(format!(
            "{} is outside what Zendesk accepts: give whole seconds, {wanted}",
            quote(text)
        ));
    }
    Ok(parsed)
}

pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim()).map_err(|e| {
        format!(
            "{} is not a duration ({e}): write e.g. \"30s\", \"5m\", \"2h\" or \"30d\"",
            quote(text)
        )
    })
}

pub(crate) fn check_client_id(text: &str) -> Result<String, String> {
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
            "{} looks like the numeric client id, which Zendesk rejects (invalid_client): use the client's unique identifier",
            quote(client_id)
        ));
    }
    Ok(client_id.to_owned())
}

/// 1 to `longest` of a-z, 0-9, '_' and '-', starting with a letter or digit: safe as a file
/// name, in a shell, a glob and a Prometheus label without quoting.
fn is_plain_word(text: &str, longest: usize) -> bool {
    let bytes = text.as_bytes();
    matches!(bytes.first(), Some(b) if b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes.len() <= longest
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-')
}

/// `[a-z0-9][a-z0-9_-]{0,63}`: also used as a file name for the connection's lock.
pub(crate) fn check_connection_name(name: &str) -> Result<(), String> {
    if is_plain_word(name, 64) {
        Ok(())
    } else {
        Err(format!(
            "{} is not a valid name: use 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit",
            quote(name)
        ))
    }
}

/// At most this many tags on one connection: enough to say environment, region and team.
pub const MAX_TAGS: usize = 16;

/// A tag: 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter or digit (a name's alphabet,
/// so a tag never needs quoting in a shell, a glob or a Prometheus label).
pub(crate) fn check_tag(tag: &str) -> Result<(), String> {
    if is_plain_word(tag, 32) {
        Ok(())
    } else {
        Err(format!(
            "{} is not a valid tag: use 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter or digit",
            quote(tag)
        ))
    }
}

/// The tags as written, each checked, none twice, at most [`MAX_TAGS`].
pub(crate) fn check_tags(tags: Vec<String>) -> Result<Vec<String>, String> {
    if tags.len() > MAX_TAGS {
        return Err(format!(
            "{} tags: a connection takes at most {MAX_TAGS}",
            tags.len()
        ));
    }
    let mut seen = HashSet::new();
    for tag in &tags {
        check_tag(tag)?;
        if !seen.insert(tag) {
            return Err(format!(
                "{} is listed twice: list each tag once",
                quote(tag)
            ));
        }
    }
    Ok(tags)
}

/// Splits a space- or comma-separated tag list, as a form field holds it.
pub(crate) fn parse_tags(text: &str) -> Result<Vec<String>, String> {
    check_tags(
        text.split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

/// Splits a space- or comma-separated scope list, as typed on the command line.
pub(crate) fn parse_scopes(kind: Kind, text: &str) -> Result<Vec<String>, String> {
    let scopes = text
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    check_scopes(kind, scopes)
}

pub(super) fn check_scopes(kind: Kind, scopes: Vec<String>) -> Result<Vec<String>, String> {
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
                "{} is not a {} scope{hint}: use {}",
                quote(scope),
                kind.as_str(),
                known.join(", ")
            ));
        }
        if !seen.insert(scope) {
            return Err(format!(
                "{} is listed twice: list each scope once",
                quote(scope)
            ));
        }
    }
    Ok(scopes)
}

pub(crate) fn check_port(port: i64) -> Result<u16, String> {
    match u16::try_from(port) {
        Ok(port) if port >= 1024 => Ok(port),
        _ => Err(format!(
            "{port} is not a usable port: pick one from 1024 to 65535 and register http://127.0.0.1:PORT/callback in Zendesk"
        )),
    }
}

/// A part of a parsed URL as a message shows it: the url crate has made it plain ASCII, but
/// a pasted one may still run to megabytes.
fn cut(part: &str) -> String {
    let quoted = crate::error::quote(part);
    quoted[1..quoted.len() - 1].to_owned()
}

/// https anywhere, http only on a loopback host (checklist item 21). Returned without a
/// trailing slash so paths can be appended.
pub(crate) fn check_base_url(text: &str) -> Result<String, String> {
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
                    "http to {} would send tokens in clear over a non-loopback host: use https",
                    cut(host)
                ));
            }
        }
        other => {
            return Err(format!(
                "{}:// is not allowed: use https:// (or http:// on 127.0.0.1)",
                cut(other)
            ));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}
