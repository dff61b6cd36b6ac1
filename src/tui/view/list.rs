//! The list: one row per connection, only the rows that fit are built, so 1,000
//! connections cost what a screenful costs.

use jiff::SignedDuration;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row as TableRow, Table, Widget};

use super::theme::Theme;
use crate::tui::action::Action;
use crate::tui::app::{App, SortMode};
use crate::tui::columns::{self, Column};
use crate::tui::format;
use crate::tui::lapse::Lapse;
use crate::tui::row::{Row, Shown};
use zdauth_core::status::TokenStatus;

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    if app.rows.is_empty() {
        let key = |action| {
            app.options
                .keymap
                .keys_for(action)
                .next()
                .map_or_else(|| "(unbound)".to_owned(), |k| k.to_string())
        };
        let (add, quit) = (key(Action::Add), key(Action::Quit));
        super::welcome::render(&add, &quit, theme, area, buf);
        return;
    }
    if app.visible.is_empty() {
        let text = format!(
            " no connection matches \"{}\": Esc clears the filter",
            app.filter
        );
        Paragraph::new(Span::styled(text, theme.dim())).render(area, buf);
        return;
    }
    let columns = columns::for_list(app, area.width, area.height);
    let height = usize::from(area.height.saturating_sub(1)).max(1);
    let selected = app.selected_position().unwrap_or(0);
    // Line by line: the window follows the cursor with a few rows of context (`update`
    // keeps the offset), so the rows around it stay where they were.
    let window = app.window(height);
    let offset = window.start;
    let page = &app.visible[window];
    let rows = page.iter().enumerate().map(|(n, &i)| {
        let style = if offset + n == selected {
            theme.selected()
        } else {
            Style::new()
        };
        table_row(app, theme, &app.rows[i], &columns, offset + n == selected).style(style)
    });
    let sorted = |mode: SortMode, title: &'static str| {
        if app.sort != mode {
            title.to_owned()
        } else if app.reverse {
            format!("{title}▴")
        } else {
            format!("{title}▾")
        }
    };
    let titles = columns.iter().map(|&(column, _)| match column {
        Column::Marker | Column::Bar => String::new(),
        Column::Name => sorted(SortMode::Name, "NAME"),
        Column::Subdomain => "SUBDOMAIN".into(),
        Column::User => "USER".into(),
        Column::Scopes => "SCOPES".into(),
        Column::Tags => "TAGS".into(),
        Column::Access => sorted(SortMode::TimeLeft, "ACCESS"),
        Column::Refresh => sorted(SortMode::RefreshLeft, "REFRESH"),
        Column::State => sorted(SortMode::State, "STATE"),
    });
    let widths = columns.iter().map(|&(_, width)| Constraint::Length(width));
    Table::new(rows, widths)
        .header(TableRow::new(titles).style(theme.title()))
        .column_spacing(columns::SPACING)
        .flex(Flex::Start)
        .render(area, buf);
}

fn table_row<'a>(
    app: &App,
    theme: Theme,
    row: &'a Row,
    columns: &[(Column, u16)],
    selected: bool,
) -> TableRow<'a> {
    let now = app.now;
    let tokens = row.data.tokens.as_ref();
    let expires_at = row.expires_at();
    let shown = app.shown(row);
    let urgency = match expires_at.map(|at| format::left(at, now)) {
        // A token Zendesk refused is dead whatever its clock says: its countdown is grey.
        _ if matches!(shown, Shown::LoginRequired | Shown::NoSecret) => theme.dim(),
        None => theme.dim(),
        Some(left) if left <= SignedDuration::from_secs(60) => theme.bad(),
        // Due by the engine's rule, which a short-lived pair reaches only at half its life.
        Some(_)
            if row.data.token_status(row.connection.grant, now, app.margin)
                == TokenStatus::Expiring =>
        {
            theme.warn()
        }
        Some(_) => theme.good(),
    };
    let bar = match (tokens, expires_at) {
        (Some(t), Some(at)) => format::bar(
            format::fraction_left(t.obtained_at, at, now),
            usize::from(columns::BAR_WIDTH),
        ),
        _ => String::new(),
    };
    let cells = columns.iter().map(|&(column, _)| match column {
        // The cursor and the mark in text too: reverse video and colour are not everywhere
        // (plain capture, NO_COLOR).
        Column::Marker => {
            let cursor = if selected { "›" } else { " " };
            let mark = if app.is_marked(&row.name) { "●" } else { " " };
            // The mark first: the cursor stays next to the name it points at.
            Cell::from(Line::from(vec![
                Span::styled(mark, theme.accent()),
                Span::raw(cursor),
            ]))
        }
        Column::Name => Cell::from(highlighted(&row.name, &app.filter, theme)),
        Column::Subdomain => Cell::from(row.subdomain.as_str()),
        Column::User => Cell::from(row.data.email.as_deref().unwrap_or("—")),
        Column::Scopes => Cell::from(row.scopes().join(" ")),
        Column::Tags => Cell::from(row.connection.tags.join(" ")),
        Column::Access => Cell::from(Span::styled(format::countdown(expires_at, now), urgency)),
        Column::Bar => Cell::from(Span::styled(bar.clone(), urgency)),
        Column::Refresh => Cell::from(refresh_cell(app, theme, row)),
        Column::State => Cell::from(state_line(app, theme, shown)),
    });
    TableRow::new(cells.collect::<Vec<_>>())
}

/// The name with each filter word it contains marked (the first place it occurs), so the
/// eye finds why a row passed. `tag:` words match tags, not the name.
fn highlighted<'a>(name: &'a str, filter: &str, theme: Theme) -> Line<'a> {
    let lower = name.to_lowercase();
    let mut marks = vec![false; name.len()];
    // Names are ASCII by the config's rule; a byte-for-byte lowercase keeps the offsets.
    if lower.len() == name.len() {
        for word in filter.to_lowercase().split_whitespace() {
            if word.starts_with(crate::tui::row::TAG_PREFIX) {
                continue;
            }
            if let Some(at) = lower.find(word) {
                marks[at..at + word.len()].fill(true);
            }
        }
    }
    let mut spans = Vec::new();
    let mut start = 0;
    for end in 1..=name.len() {
        if end == name.len() || marks[end] != marks[start] {
            if !name.is_char_boundary(start) || !name.is_char_boundary(end) {
                continue;
            }
            let text = &name[start..end];
            spans.push(if marks[start] {
                Span::styled(text, theme.highlight())
            } else {
                Span::raw(text)
            });
            start = end;
        }
    }
    Line::from(spans)
}

/// Days left on the refresh token, marked when the grant is about to lapse: by colour, or
/// under `NO_COLOR` by a word, so the cliff never hides in a colour alone.
fn refresh_cell(app: &App, theme: Theme, row: &Row) -> Span<'static> {
    let now = app.now;
    let text = row.data.tokens.as_ref().map_or("—".to_owned(), |t| {
        format::refresh_left(t.has_refresh_token, t.refresh_expires_at, now)
    });
    let (style, word) = match row.lapse(now, app.keepalive) {
        None => return Span::raw(text),
        Some(Lapse::Imminent) => (theme.bad(), "LAPSES"),
        Some(Lapse::Soon) => (theme.warn(), "soon"),
    };
    if app.options.no_color {
        Span::raw(format!("{text} {word}"))
    } else {
        Span::styled(text, style)
    }
}

fn state_line(app: &App, theme: Theme, shown: Shown) -> Line<'static> {
    let (text, style) = match shown {
        Shown::Ok => ("ok".to_owned(), theme.good()),
        Shown::Expiring => ("expiring".to_owned(), theme.warn()),
        Shown::Expired => ("expired".to_owned(), theme.bad()),
        Shown::Refreshing => (
            format!("{} refreshing", format::spinner(app.now)),
            theme.accent(),
        ),
        Shown::LoginRunning => ("login running".to_owned(), theme.accent()),
        Shown::LoginRequired => ("login required".to_owned(), theme.bad()),
        Shown::NoSecret => ("no secret".to_owned(), theme.bad()),
        Shown::Error => ("error".to_owned(), theme.bad()),
    };
    Line::from(Span::styled(text, style))
}
