//! The message log over the whole screen: every toast with its time, newest at the bottom,
//! errors in the error colour, long ones wrapped whole. It scrolls by messages.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::login::words;
use super::theme::Theme;
use crate::tui::app::App;

/// `12:04:05 ` before each message.
const TIME_WIDTH: usize = 9;

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let log = app.log();
    let inner_width = usize::from(area.width.saturating_sub(2)).max(TIME_WIDTH + 8);
    let height = usize::from(area.height.saturating_sub(2));
    let end = log.len().saturating_sub(app.overlay_scroll());
    // Newest first until the screen is full, then put back in order.
    let mut blocks: Vec<Vec<Line>> = Vec::new();
    let mut used = 0;
    for entry in log.iter().take(end).rev() {
        if used >= height {
            break;
        }
        let style = if entry.error {
            theme.bad()
        } else {
            ratatui::style::Style::new()
        };
        let time = entry
            .at
            .to_zoned_datetime(app.options.time_zone.clone())
            .strftime("%H:%M:%S ")
            .to_string();
        let parts = words(&entry.text, inner_width - TIME_WIDTH);
        let mut lines = Vec::with_capacity(parts.len());
        for (i, part) in parts.into_iter().enumerate() {
            let lead = if i == 0 {
                Span::styled(time.clone(), theme.dim())
            } else {
                Span::raw(" ".repeat(TIME_WIDTH))
            };
            lines.push(Line::from(vec![lead, Span::styled(part, style)]));
        }
        used += lines.len();
        blocks.push(lines);
    }
    let mut lines: Vec<Line> = blocks.into_iter().rev().flatten().collect();
    // A long oldest message is cut at its top, so the newest stays at the bottom.
    let extra = lines.len().saturating_sub(height);
    lines.drain(..extra);
    if log.is_empty() {
        lines.push(Line::styled("nothing said yet", theme.dim()));
    }
    let position = if log.is_empty() {
        String::new()
    } else {
        format!(" {end} of {} ", log.len())
    };
    let block = Block::bordered()
        .title(Span::styled(" messages ", theme.title()))
        .title(Line::styled(position, theme.dim()).right_aligned())
        .title_bottom(Span::styled(
            " ↑/↓ PgUp/PgDn g/G scroll, Esc closes ",
            theme.dim(),
        ));
    Clear.render(area, buf);
    Paragraph::new(lines).block(block).render(area, buf);
}
