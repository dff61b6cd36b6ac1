//! The list: one row per connection, only the rows that fit are built, so 1,000
//! connections cost what a screenful costs.

use jiff::SignedDuration;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row as TableRow, Table, Widget};

use super::theme::Theme;
use crate::tui::action::Action;
use crate::tui::app::{App, SortMode};
use crate::tui::format;
use crate::tui::lapse::Lapse;
use crate::tui::row::{Row, Shown};
use zdauth_core::status::TokenStatus;

/// From this width on, the scopes get a column, and the tags one when any connection has tags.
const WIDE: u16 = 110;
const BAR_WIDTH: usize = 5;
/// `expired`, `30d`; under `NO_COLOR` the words `<1d LAPSES` need more.
const REFRESH_WIDTH: u16 = 7;
const REFRESH_WIDTH_IN_WORDS: u16 = 10;

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
    let wide = area.width >= WIDE;
    let tags = wide && app.rows.iter().any(|r| !r.connection.tags.is_empty());
    let height = usize::from(area.height.saturating_sub(1)).max(1);
    let selected = app.selected_position().unwrap_or(0);
    // Page by page: the window is a pure function of the selection, no scroll state needed.
    let offset = selected / height * height;
    let page = &app.visible[offset..(offset + height).min(app.visible.len())];
    // Wider only while a word is shown, so a calm list looks the same with and without colour.
    let refresh_width = if app.options.no_color
        && page
            .iter()
            .any(|&i| app.rows[i].lapse(app.now, app.keepalive).is_some())
    {
        REFRESH_WIDTH_IN_WORDS
    } else {
        REFRESH_WIDTH
    };
    let rows = page.iter().enumerate().map(|(n, &i)| {
        let style = if offset + n == selected {
            theme.selected()
        } else {
            Style::new()
        };
        let columns = Columns { wide, tags };
        table_row(app, theme, &app.rows[i], columns, offset + n == selected).style(style)
    });
    let sorted = |mode: SortMode, title: &'static str| {
        if app.sort == mode {
            format!("{title}▾")
        } else {
            title.to_owned()
        }
    };
    let mut titles = vec![
        String::new(),
        sorted(SortMode::Name, "NAME"),
        "SUBDOMAIN".into(),
        "USER".into(),
    ];
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Fill(2),
        Constraint::Fill(2),
        Constraint::Fill(3),
    ];
    if wide {
        titles.push("SCOPES".into());
        widths.push(Constraint::Fill(2));
    }
    if tags {
        titles.push("TAGS".into());
        widths.push(Constraint::Fill(2));
    }
    titles.extend([
        sorted(SortMode::TimeLeft, "ACCESS"),
        String::new(),
        sorted(SortMode::RefreshLeft, "REFRESH"),
        sorted(SortMode::State, "STATE"),
    ]);
    widths.extend([
        Constraint::Length(7),
        Constraint::Length(u16::try_from(BAR_WIDTH).unwrap_or(u16::MAX)),
        Constraint::Length(refresh_width),
        Constraint::Length(14),
    ]);
    Table::new(rows, widths)
        .header(TableRow::new(titles).style(theme.title()))
        .column_spacing(1)
        .render(area, buf);
}

/// The optional columns a page shows.
#[derive(Clone, Copy)]
struct Columns {
    wide: bool,
    tags: bool,
}

fn table_row<'a>(
    app: &App,
    theme: Theme,
    row: &'a Row,
    columns: Columns,
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
        (Some(t), Some(at)) => {
            format::bar(format::fraction_left(t.obtained_at, at, now), BAR_WIDTH)
        }
        _ => String::new(),
    };
    let refresh = refresh_cell(app, theme, row);
    // The marker keeps the selection visible where reverse video is not (plain text, NO_COLOR).
    let marker = if selected { "›" } else { " " };
    let mut cells = vec![
        Cell::from(marker),
        Cell::from(row.name.as_str()),
        Cell::from(row.subdomain.as_str()),
        Cell::from(row.data.email.as_deref().unwrap_or("—")),
    ];
    if columns.wide {
        cells.push(Cell::from(row.scopes().join(" ")));
    }
    if columns.tags {
        cells.push(Cell::from(row.connection.tags.join(" ")));
    }
    cells.extend([
        Cell::from(Span::styled(format::countdown(expires_at, now), urgency)),
        Cell::from(Span::styled(bar, urgency)),
        Cell::from(refresh),
        Cell::from(state_line(app, theme, shown)),
    ]);
    TableRow::new(cells)
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
