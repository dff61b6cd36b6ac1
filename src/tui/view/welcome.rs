//! First run: no connections yet. Says what to type next, since the list has nothing to act on.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::theme::Theme;

pub fn render(theme: &Theme, area: Rect, buf: &mut Buffer) {
    let command = |text: &'static str| Line::styled(format!("    {text}"), theme.accent());
    let lines = vec![
        Line::default(),
        Line::styled("  Welcome to zdauth", theme.title()),
        Line::default(),
        Line::raw("  No connections yet. Add one from a shell (adding from here comes later):"),
        Line::default(),
        command("zdauth add NAME --subdomain SUBDOMAIN --client-id ID"),
        Line::default(),
        Line::raw("  then run zdauth again and press l to log in to it."),
        Line::default(),
        Line::raw("  Or look around first, with four connections to a fake Zendesk:"),
        Line::default(),
        command("zdauth demo"),
        Line::default(),
        Line::from(vec![
            Span::raw("  "),
            Span::styled("zdauth add --help", theme.accent()),
            Span::raw(" explains each option."),
        ]),
    ];
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}
