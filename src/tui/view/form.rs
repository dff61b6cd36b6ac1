//! The add/edit form over the list: one line per field, its error right under it, a hint for
//! the focused field, and what the save said if it failed.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding};

use super::Keep;
use super::login::words;
use super::theme::Theme;
use crate::tui::form::{ConnectionForm, FormField};

const MAX_WIDTH: u16 = 80;
const LABEL_WIDTH: usize = 15;

pub fn render(form: &ConnectionForm, theme: Theme, area: Rect, buf: &mut Buffer) {
    let width = area.width.min(MAX_WIDTH);
    // Borders and padding take four columns.
    let inner = usize::from(width.saturating_sub(4)).max(LABEL_WIDTH + 8);
    let indent = " ".repeat(LABEL_WIDTH + 2);
    let mut lines = Vec::new();
    if let (Some(base_url), None) = (&form.base_url, &form.editing) {
        lines.push(body(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!("{:<LABEL_WIDTH$}", "zendesk at"), theme.title()),
            Span::styled(base_url.clone(), theme.dim()),
        ])));
    }
    for field in FormField::ALL {
        let focused = form.focus == field;
        let value = match form.shown_around_cursor(field) {
            Some((before, after)) if focused => format!("{before}▏{after}"),
            _ => form.shown(field),
        };
        let marker = if focused { "› " } else { "  " };
        let value_style = if !form.editable(field) {
            theme.dim()
        } else if focused {
            theme.accent()
        } else {
            ratatui::style::Style::new()
        };
        let mut spans = vec![
            Span::styled(marker, theme.accent()),
            Span::styled(format!("{:<LABEL_WIDTH$}", field.label()), theme.title()),
            Span::styled(value, value_style),
        ];
        if form.text(field).is_empty() && !focused && field == FormField::Secret {
            spans.push(Span::styled(secret_blank(form), theme.dim()));
        }
        // A field with an error stays beside it: the error names no field.
        let keep = if form.errors.contains_key(&field) {
            Keep::Error
        } else {
            Keep::Body
        };
        lines.push((Line::from(spans), keep));
        if focused && form.is_full(field) {
            lines.push((
                Line::styled(
                    format!("{indent}{}", crate::tui::field::FULL_NOTE),
                    theme.warn(),
                ),
                Keep::Error,
            ));
        }
        if let Some(error) = form.errors.get(&field) {
            for part in words(error, inner - indent.len()) {
                let line = Line::styled(format!("{indent}{part}"), theme.bad());
                lines.push((line, Keep::Error));
            }
        }
    }
    lines.push((Line::default(), Keep::Spare));
    if let Some(failure) = &form.failure {
        for part in words(&format!("not saved: {failure}"), inner) {
            lines.push((Line::styled(part, theme.bad()), Keep::Error));
        }
    } else if form.saving {
        lines.push(body(Line::styled("saving…", theme.accent())));
    } else {
        for part in words(hint(form), inner) {
            lines.push((Line::styled(part, theme.dim()), Keep::Spare));
        }
    }
    let title = match &form.editing {
        None => " add a connection ".to_owned(),
        Some(connection) => format!(" edit {} ", connection.name),
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .padding(Padding::horizontal(1));
    super::dialog(area, buf, width, lines, block);
}

fn body(line: Line) -> (Line, Keep) {
    (line, Keep::Body)
}

fn secret_blank(form: &ConnectionForm) -> &'static str {
    if form.editing.is_some() {
        "(blank keeps the stored one)"
    } else {
        "(optional)"
    }
}

/// What the focused field wants.
fn hint(form: &ConnectionForm) -> &'static str {
    match form.focus {
        FormField::Name => "a-z, 0-9, _ and -: scripts use it, as in zdauth token NAME",
        FormField::Subdomain => {
            "acme, acme.zendesk.com, or a pasted https://acme.zendesk.com/... URL"
        }
        FormField::ClientId => {
            "the OAuth client's unique identifier (Admin Center > Apps and integrations > OAuth clients)"
        }
        FormField::Secret if form.editing.is_some() => {
            "typed text stays hidden; leave blank to keep the stored secret"
        }
        FormField::Secret => "typed text stays hidden; leave blank for a public client (PKCE only)",
        FormField::Grant => {
            "Space or ←/→ switches: authorization code logs in through the browser; client credentials mint tokens from a confidential client's secret (CI, servers)"
        }
        FormField::Scopes => "space-separated, e.g. read write, or tickets:read users:read",
        FormField::RedirectPort => {
            "the catcher's port: register http://127.0.0.1:PORT/callback in Zendesk"
        }
        FormField::Tags => {
            "space- or comma-separated, e.g. prod eu: / filters by them (tag:prod), --tag picks by them"
        }
    }
}
