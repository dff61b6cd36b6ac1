//! `list` and `status`: what each connection's tokens look like now.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::exit;
use zdauth_core::config::{Config, Connection, Grant, Selector};
use zdauth_core::error::Error;
use zdauth_core::expiry;
use zdauth_core::expiry::humanize;
use zdauth_core::status::TokenStatus;
use zdauth_core::text::{display, display_user};
use zdauth_core::vault::{Entry, User, VaultData};

use super::args::ListFormat;
use super::context::Context;

/// One element of `list --json`; the field names are a contract with scripts. `status` and
/// `--format prometheus` build on it too.
#[derive(Debug, Serialize)]
pub(super) struct Row<'a> {
    pub(super) name: &'a str,
    pub(super) subdomain: &'a str,
    pub(super) kind: &'static str,
    /// `authorization_code` or `client_credentials`.
    pub(super) grant: &'static str,
    /// As written in config.toml.
    pub(super) tags: &'a [String],
    pub(super) status: &'static str,
    pub(super) expires_at: Option<Timestamp>,
    /// Seconds until the access token expires; 0 once it has.
    pub(super) expires_in: Option<i64>,
    pub(super) refresh_expires_at: Option<Timestamp>,
    /// Seconds until the refresh token lapses; 0 once it has; null without a refresh token or
    /// a known expiry. Beside `expires_in` so a script watching the 30-day cliff needs no clock.
    pub(super) refresh_expires_in: Option<i64>,
    /// Where `expires_at` came from: `server`, `jwt`, `current_json` or `assumed`.
    pub(super) expiry_source: Option<&'static str>,
    pub(super) has_refresh_token: bool,
    /// Cleaned for a terminal even here: the JSON is read in one too, and a vault written
    /// before zdauth cleaned users/me on arrival may hold the raw text.
    pub(super) user: Option<User>,
    pub(super) scopes: Vec<String>,
    /// What to know beyond the times, e.g. "no refresh token: log in again when it expires".
    pub(super) notes: Vec<String>,
}

pub(super) fn row<'a>(
    config: &Config,
    connection: &'a Connection,
    entry: Option<&'a Entry>,
    now: Timestamp,
) -> Row<'a> {
    let tokens = entry.and_then(|e| e.tokens.as_ref());
    let expires_at = tokens.and_then(|t| t.expires_at);
    let refresh_expires_at = tokens.and_then(|t| t.refresh_expires_at);
    let has_refresh_token = tokens.is_some_and(|t| t.refresh_token.is_some());
    Row {
        name: &connection.name,
        subdomain: &connection.subdomain,
        kind: connection.kind.as_str(),
        grant: connection.grant.as_str(),
        tags: &connection.tags,
        status: TokenStatus::of_grant(connection.grant, entry, now, config.settings.refresh_margin)
            .as_str(),
        expires_at,
        expires_in: expires_at.map(|at| at.duration_since(now).as_secs().max(0)),
        refresh_expires_at,
        // An expiry left from a pair without a refresh token would count down to nothing.
        refresh_expires_in: refresh_expires_at
            .filter(|_| has_refresh_token)
            .map(|at| at.duration_since(now).as_secs().max(0)),
        expiry_source: tokens
            .filter(|t| t.expires_at.is_some())
            .map(|t| t.expiry_source.as_str()),
        has_refresh_token,
        user: entry.and_then(|e| e.user.as_ref()).map(display_user),
        scopes: tokens
            .map_or(&connection.scopes, |t| &t.scopes)
            .iter()
            .map(|s| display(s))
            .collect(),
        notes: tokens.map_or_else(Vec::new, |t| {
            let mut notes = expiry::notes(t, config.settings.refresh_margin);
            // A client credentials token has no refresh token by design: nothing to warn of.
            if connection.grant == Grant::ClientCredentials {
                notes.retain(|note| note != expiry::NO_REFRESH_TOKEN);
            }
            notes
        }),
    }
}

pub fn list(ctx: &Context, format: ListFormat, tags: &[String]) -> anyhow::Result<u8> {
    let mut config = ctx.config()?;
    if !tags.is_empty() {
        let selector = Selector {
            tags: tags.to_vec(),
            ..Selector::default()
        };
        let picked: Vec<Connection> = selector.pick(&config)?.into_iter().cloned().collect();
        config.connections = picked;
    }
    // No connection, nothing secret to show: no passphrase needed.
    let data = if config.connections.is_empty() {
        VaultData::default()
    } else {
        ctx.unlock(&config)?.load()?
    };
    let now = Timestamp::now();
    let rows: Vec<Row> = config
        .connections
        .iter()
        .map(|c| row(&config, c, own_entry(&data, c), now))
        .collect();
    match format {
        ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&rows)?),
        ListFormat::Prometheus => out!("{}", super::prometheus::render(&rows, now)),
        ListFormat::Table => print_table(&rows),
    }
    Ok(exit::OK)
}

fn print_table(rows: &[Row]) {
    if rows.is_empty() {
        outln!(
            "no connections yet: add one with `zdauth add NAME --subdomain SUBDOMAIN --client-id ID`"
        );
        return;
    }
    print_cells(rows);
}

/// Tokens issued for what a connection named before an edit are not its tokens.
pub(super) fn own_entry<'a>(data: &'a VaultData, connection: &Connection) -> Option<&'a Entry> {
    data.connections
        .get(&connection.name)
        .filter(|e| e.issued_by(&zdauth_core::zendesk::issuer(connection)))
}

/// The table is narrow: `code` or `client`.
fn short_grant(grant: &str) -> &'static str {
    match Grant::parse(grant) {
        Some(Grant::ClientCredentials) => "client",
        _ => "code",
    }
}

fn print_cells(rows: &[Row]) {
    let header = [
        "NAME",
        "SUBDOMAIN",
        "KIND",
        "GRANT",
        "TAGS",
        "STATUS",
        "EXPIRES IN",
        "REFRESH",
        "USER",
        "NOTE",
    ];
    let cells: Vec<[String; 10]> = rows
        .iter()
        .map(|r| {
            [
                r.name.to_owned(),
                r.subdomain.to_owned(),
                r.kind.to_owned(),
                short_grant(r.grant).to_owned(),
                if r.tags.is_empty() {
                    "—".to_owned()
                } else {
                    r.tags.join(",")
                },
                r.status.to_owned(),
                r.expires_in
                    .map_or("—".to_owned(), |s| humanize(SignedDuration::from_secs(s))),
                refresh_left(r.refresh_expires_in),
                r.user.as_ref().map_or("—".to_owned(), |u| u.email.clone()),
                r.notes.join("; "),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let print_line = |line: &[String]| {
        let text: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        outln!("{}", text.join("  ").trim_end());
    };
    print_line(&header.map(str::to_owned));
    for line in &cells {
        print_line(line);
    }
}

/// The REFRESH cell: what is left before a login is needed again. "expired" rather than the
/// access column's `0s`: a dead access token is refreshed by itself, a dead refresh token is not.
fn refresh_left(seconds: Option<i64>) -> String {
    match seconds {
        None => "—".to_owned(),
        Some(0) => "expired".to_owned(),
        Some(left) => humanize(SignedDuration::from_secs(left)),
    }
}

pub fn status(ctx: &Context, name: &str) -> anyhow::Result<u8> {
    let config = ctx.config()?;
    let connection = config
        .connection(name)
        .ok_or_else(|| Error::UnknownConnection(name.to_owned()))?;
    let data = ctx.unlock(&config)?.load()?;
    let entry = own_entry(&data, connection);
    let now = Timestamp::now();
    let row = row(&config, connection, entry, now);
    let status =
        TokenStatus::of_grant(connection.grant, entry, now, config.settings.refresh_margin);
    let cc = connection.grant == Grant::ClientCredentials;

    outln!("{} ({}, {})", row.name, connection.base_url(), row.kind);
    outln!("  status:         {}", row.status);
    outln!("  grant:          {}", connection.grant.describe());
    if cc {
        let stored = entry.is_some_and(|e| e.client_secret.is_some());
        outln!(
            "  client secret:  {}",
            if stored {
                "stored in the vault"
            } else {
                "not stored: add it with --secret-stdin (see zdauth add --help)"
            }
        );
    }
    let tokens = entry.and_then(|e| e.tokens.as_ref());
    let source = tokens.map_or("", |t| t.expiry_source.describe());
    match (row.expires_at, row.expires_in, tokens) {
        (Some(at), Some(left), _) if left > 0 => outln!(
            "  access token:   expires in {} ({at}; {source})",
            humanize(SignedDuration::from_secs(left))
        ),
        (Some(at), _, _) => outln!("  access token:   expired at {at} ({source})"),
        (None, _, Some(t)) if t.refresh_token.is_some() => {
            outln!("  access token:   expiry not known");
        }
        (None, _, Some(_)) => outln!("  access token:   no expiry known"),
        (None, _, None) if cc => outln!("  access token:   none yet; the next use mints one"),
        (None, _, None) => outln!("  access token:   none; log in first"),
    }
    match (tokens, row.refresh_expires_at) {
        _ if cc => {
            outln!("  refresh token:  none (client credentials mint a new access token instead)");
        }
        (Some(t), _) if t.refresh_token.is_none() => outln!("  refresh token:  none"),
        (Some(_), Some(at)) => outln!("  refresh token:  expires {at}"),
        (Some(_), None) => outln!("  refresh token:  expiry not known"),
        (None, _) => {}
    }
    for note in &row.notes {
        outln!("  note:           {note}");
    }
    if let Some(user) = &row.user {
        outln!(
            "  user:           {} <{}>, {}",
            user.name,
            user.email,
            user.role
        );
    }
    outln!("  scopes:         {}", row.scopes.join(" "));
    if !cc {
        outln!("  redirect URI:   {}", connection.redirect_uri());
    }
    if let Some(error) = entry.and_then(|e| e.last_error.as_deref()) {
        outln!("  last error:     {}", display(error));
    }
    Ok(exit::for_status(status))
}
