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

/// A `width` × `height` box in the middle of `area` (both already clamped to it).
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
