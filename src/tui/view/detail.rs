//! The detail pane: everything known about the selected connection. The token appears only
//! masked: the row never held more than its first characters.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

use super::theme::Theme;
use crate::config::Grant;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::row::{ConnState, Row};

pub fn render(app: &App, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some(row) = app.selected_row() else {
        return;
    };
    let now = app.now;
    let tz = &app.options.time_zone;
    let local = |at| format::local_and_utc(at, tz);
    let field = |name: &'static str, value: String| {
        Line::from(vec![
            Span::styled(format!("{name:<14}"), theme.dim()),
            Span::raw(value),
        ])
    };
    let tokens = row.data.tokens.as_ref();
    let cc = row.connection.grant == Grant::ClientCredentials;
    let expiry = |at: Option<jiff::Timestamp>| match at {
        Some(at) => format!("{} · {}", local(at), format::countdown(Some(at), now)),
        None => "not told".to_owned(),
    };
    let error = match (&row.state, &row.data.last_error) {
        (ConnState::Failed(e), _) | (_, Some(e)) => e.clone(),
        _ => "none".to_owned(),
    };
    let lines = vec![
        field(
            "user",
            format!(
                "{}   subdomain {} ({})",
                row.data.email.as_deref().unwrap_or("unknown"),
                row.subdomain,
                row.kind.as_str()
            ),
        ),
        field("grant", grant_line(row)),
        field(
            "token",
            tokens.map_or(no_token(row).to_owned(), |t| {
                format!(
                    "{} ({}, scopes {})",
                    t.masked,
                    t.token_type,
                    t.scopes.join(" ")
                )
            }),
        ),
        field(
            "obtained",
            tokens.map_or("—".into(), |t| local(t.obtained_at)),
        ),
        field(
            "expires",
            tokens.map_or("—".into(), |t| expiry(t.expires_at)),
        ),
        field(
            "refresh token",
            match tokens {
                _ if cc => "none: a new access token is minted from the secret".into(),
                None => "—".into(),
                Some(t) if !t.has_refresh_token => "none".into(),
                Some(t) => expiry(t.refresh_expires_at),
            },
        ),
        field(
            "last refresh",
            row.data.last_refresh.map_or("never".into(), local),
        ),
        field("last error", error),
        field("redirect URI", row.redirect_uri.clone()),
    ];
    Paragraph::new(lines)
        .block(
            Block::new()
                .borders(Borders::TOP)
                .title(Span::styled(format!(" {} ", row.name), theme.title())),
        )
        .wrap(ratatui::widgets::Wrap { trim: false })
        .render(area, buf);
}

fn grant_line(row: &Row) -> String {
    let grant = row.connection.grant;
    match grant {
        Grant::AuthorizationCode => grant.describe().to_owned(),
        Grant::ClientCredentials if row.data.has_secret => {
            format!("{} · secret stored", grant.describe())
        }
        Grant::ClientCredentials => format!("{} · no secret stored: press e", grant.describe()),
    }
}

fn no_token(row: &Row) -> &'static str {
    match row.connection.grant {
        Grant::AuthorizationCode => "none: log in with l",
        Grant::ClientCredentials => "none yet: r mints one",
    }
}
