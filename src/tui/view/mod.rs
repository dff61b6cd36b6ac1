//! Pure drawing: every function here only reads the [`App`]. The layout, top to bottom:
//! header, list, optional detail pane, toast line, footer; the login modal over the list, the help overlay
//! on top.

mod confirm;
mod detail;
pub mod first_run;
mod footer;
mod form;
mod header;
mod help;
mod list;
mod log;
mod login;
#[cfg(test)]
mod tests;
mod theme;
pub mod unlock;
mod welcome;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::app::{App, DETAIL_HEIGHT, Overlay};

pub use help::help_lines;
pub use theme::Theme;

pub fn draw(frame: &mut Frame, app: &App) {
    frame.render_widget(app, frame.area());
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = Theme::new(!self.options.no_color);
        let detail = if self.detail { DETAIL_HEIGHT } else { 0 };
        let [head, body, pane, toast, foot] = Layout::vertical([
            Constraint::Length(self.header_rows()),
            Constraint::Min(1),
            Constraint::Length(detail),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        header::render(self, theme, head, buf);
        list::render(self, theme, body, buf);
        if self.detail {
            detail::render(self, theme, pane, buf);
        }
        footer::render_toast(self, theme, toast, buf);
        footer::render(self, theme, foot, buf);
        // Over the list and the detail pane: the header, toast and footer stay readable.
        let under = Rect {
            height: body.height + pane.height,
            ..body
        };
        match &self.overlay {
            Overlay::Login { .. } => login::render(self, theme, under, buf),
            Overlay::Form(form) => form::render(form, theme, under, buf),
            Overlay::Delete(deleting) => confirm::render(deleting, theme, under, buf),
            Overlay::Log => log::render(self, theme, area, buf),
            // The question is asked on the toast line, its keys in the footer.
            Overlay::None | Overlay::Filter | Overlay::Help | Overlay::ConfirmRefresh(_) => {}
        }
        if self.overlay.shows_help() {
            help::render(self, theme, area, buf);
        }
    }
}

/// Draws `lines` in `block` over whatever is behind, centred in `area`: `width` wide and as
/// tall as the lines (plus the two border rows), both clamped to `area`. `wrap` folds long
/// lines instead of cutting them.
fn popup<'a>(
    area: Rect,
    buf: &mut Buffer,
    width: u16,
    lines: Vec<Line<'a>>,
    block: Block<'a>,
    wrap: bool,
) {
    let width = width.min(area.width);
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2)
        .min(area.height);
    let rect = centered(area, width, height);
    Clear.render(rect, buf);
    let paragraph = Paragraph::new(lines).block(block);
    let paragraph = if wrap {
        paragraph.wrap(Wrap { trim: false })
    } else {
        paragraph
    };
    paragraph.render(rect, buf);
}

/// How much a dialog's line matters when the screen is too short for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Blank lines and hints: dropped first, from the bottom.
    Spare,
    /// Fields and text: dropped next, those above the first error first.
    Body,
    /// What went wrong (an error, a failed save): never dropped.
    Error,
}

/// The lines that fit in `room`: spare ones go first, then body lines (above the first error,
/// then from the end), so a dialog never cuts its own error text for want of rows.
fn fit<'a>(mut lines: Vec<(Line<'a>, Keep)>, room: usize) -> Vec<Line<'a>> {
    let drop_one = |lines: &mut Vec<(Line<'a>, Keep)>| {
        if let Some(at) = lines.iter().rposition(|(_, k)| *k == Keep::Spare) {
            lines.remove(at);
            return true;
        }
        let first_error = lines.iter().position(|(_, k)| *k == Keep::Error);
        let above = first_error.and_then(|e| lines[..e].iter().position(|(_, k)| *k == Keep::Body));
        if let Some(at) = above.or_else(|| lines.iter().rposition(|(_, k)| *k == Keep::Body)) {
            lines.remove(at);
            return true;
        }
        false
    };
    while lines.len() > room && drop_one(&mut lines) {}
    lines.into_iter().map(|(line, _)| line).collect()
}

/// Like [`popup`], for a dialog whose lines say what may go when the screen is short.
fn dialog<'a>(
    area: Rect,
    buf: &mut Buffer,
    width: u16,
    lines: Vec<(Line<'a>, Keep)>,
    block: Block<'a>,
) {
    let room = usize::from(area.height.saturating_sub(2));
    popup(area, buf, width, fit(lines, room), block, false);
}

/// A box `width` wide for `lines` lines of text plus two borders, both clamped to `area`,
/// in its middle.
fn centered_box(area: Rect, width: u16, lines: usize) -> Rect {
    let width = width.min(area.width);
    let height = u16::try_from(lines)
        .unwrap_or(u16::MAX)
        .saturating_add(2)
        .min(area.height);
    centered(area, width, height)
}

/// A `width` × `height` box in the middle of `area` (both already clamped to it).
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
