//! The top line: where the vault is, how many connections need attention, auto-refresh, clock.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::theme::Theme;
use crate::tui::app::App;
use crate::tui::format;

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let counts = app.counts();
    let auto = if app.auto_refresh { "on" } else { "off" };
    let clock = format!("{} UTC ", format::clock(app.now));
    // The path goes last: on a narrow terminal it is what gets cut.
    let left = Line::from(vec![
        Span::styled(" zdauth  ", theme.title()),
        Span::styled(format!("{} valid", counts.valid), theme.good()),
        Span::raw(" · "),
        Span::styled(format!("{} expiring", counts.expiring), theme.warn()),
        Span::raw(" · "),
        Span::styled(format!("{} expired", counts.expired), theme.bad()),
        Span::raw(" · "),
        Span::styled(format!("{} need login", counts.need_login), theme.bad()),
        // The footer calls it "auto" too; the long name only where it fits.
        Span::raw(if area.width >= 100 {
            format!("  auto-refresh {auto}  ")
        } else {
            format!("  auto {auto}  ")
        }),
        Span::styled(app.options.vault_path.clone(), theme.dim()),
    ]);
    let clock_width = u16::try_from(clock.chars().count()).unwrap_or(u16::MAX);
    let left_area = Rect {
        // One blank column keeps a cut path from running into the clock.
        width: area.width.saturating_sub(clock_width + 1),
        ..area
    };
    Paragraph::new(left).render(left_area, buf);
    Paragraph::new(Span::styled(clock, theme.title()))
        .alignment(Alignment::Right)
        .render(area, buf);
}
