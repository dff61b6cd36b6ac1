//! Where a request goes. The bearer token may only go to the connection's own scheme, host and
//! port, so a URL is built by joining text below a validated base and parsing the result
//! (never `Url::join` with user text: `//evil.com` would move the host), and every URL, built
//! or given, is checked against the base once more before it is used.

use url::Url;

use crate::config::Connection;
use crate::zendesk::Endpoints;

/// Why a target or a next-page URL is refused: "it …", safe to show (it quotes nothing).
pub(super) type Refusal = String;

/// `target` as the user typed it, for `connection`: `/…` below its base, a bare path below
/// its REST API base, or a full URL on its own scheme, host and port.
pub(super) fn resolve(connection: &Connection, target: &str) -> Result<Url, Refusal> {
    check_text(target)?;
    let endpoints = Endpoints::for_connection(connection);
    let base = &endpoints.api_home;
    if has_scheme(target) {
        return full_url(base, target);
    }
    if target.starts_with("//") {
        return Err("starts with // (give a path such as /api/v2/users/me.json)".into());
    }
    let below = if target.starts_with('/') {
        base
    } else {
        &endpoints.rest
    };
    let path = target.strip_prefix('/').unwrap_or(target);
    let text = format!("{}/{path}", below.as_str().trim_end_matches('/'));
    let url = Url::parse(&text).map_err(|e| format!("does not make a URL ({e})"))?;
    within(base, &url)?;
    Ok(url)
}

/// A next page the server named: a full URL under the same rules as the user's.
pub(super) fn next_page(connection: &Connection, text: &str) -> Result<Url, Refusal> {
    check_text(text)?;
    if !has_scheme(text) {
        return Err("is not a full URL".into());
    }
    full_url(&Endpoints::for_connection(connection).api_home, text)
}

fn full_url(base: &Url, text: &str) -> Result<Url, Refusal> {
    let url = Url::parse(text).map_err(|e| format!("is not a valid URL ({e})"))?;
    within(base, &url)?;
    Ok(url)
}

/// On `base`'s origin and below its path: two connections behind one gateway
/// (`https://gw/zd-acme`, `https://gw/zd-globex`) share a host, not an account. No dot
/// segment survived `check_text` to climb out of the prefix.
fn within(base: &Url, url: &Url) -> Result<(), Refusal> {
    same_origin(base, url)?;
    let prefix = base.path().trim_end_matches('/');
    let path = url.path();
    let below = path
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if !below {
        return Err(format!(
            "leaves the connection's base path: the token goes only below {prefix}/"
        ));
    }
    Ok(())
}

fn same_origin(base: &Url, url: &Url) -> Result<(), Refusal> {
    let origin = base.origin().ascii_serialization();
    if url.scheme() != base.scheme() {
        return Err(format!(
            "is not {}: the token goes only to {origin}",
            base.scheme()
        ));
    }
    if url.host_str() != base.host_str()
        || url.port_or_known_default() != base.port_or_known_default()
    {
        return Err(format!(
            "is on another host or port: the token goes only to {origin}"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("carries a user name".into());
    }
    Ok(())
}

/// What no target may hold, however it is built: controls (a CR/LF would split the request
/// line), `\` (a URL parser reads it as `/`), a fragment, an `@` before the query (user info),
/// or a `.`/`..` segment in any encoding (`%2e%2e` climbs out of a `base_url`'s prefix).
fn check_text(text: &str) -> Result<(), Refusal> {
    if text.trim().is_empty() {
        return Err("is empty (give a path such as users/me.json)".into());
    }
    if text.chars().any(char::is_control) {
        return Err("holds a control character".into());
    }
    if text.contains('\\') {
        return Err("holds a backslash".into());
    }
    if text.contains('#') {
        return Err("holds a fragment (#…): leave it out".into());
    }
    let before_query = text.split('?').next().unwrap_or_default();
    if before_query.contains('@') {
        return Err("holds an @ before its query (write it as %40)".into());
    }
    let dot_segment = before_query.split('/').any(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    });
    if dot_segment {
        return Err("holds a . or .. segment".into());
    }
    Ok(())
}

/// `scheme:` at the start (RFC 3986 §3.1), as in `https://…`; a path's first `/`, `?` or `.`
/// before any `:` is not one.
fn has_scheme(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}
