//! Welcome screens: no connections yet (in the TUI), and no identity yet (before the vault
//! exists). Both say which key does what, and point at the demo.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::theme::Theme;

/// No connections yet: `add` and `quit` are the keys the keymap binds to them.
pub fn render(add: &str, quit: &str, theme: Theme, area: Rect, buf: &mut Buffer) {
    let steps = vec![
        Line::raw("  No connections yet."),
        Line::default(),
        key_line(
            theme,
            add,
            "add one (a pasted Zendesk URL works as its subdomain)",
        ),
        Line::raw("      then press l on it to log in through the browser"),
        key_line(theme, quit, "quit"),
    ];
    render_with(steps, theme, area, buf);
}

/// The frame both welcomes share: a title, the steps, the demo.
pub fn render_with(steps: Vec<Line<'static>>, theme: Theme, area: Rect, buf: &mut Buffer) {
    let mut lines = vec![
        Line::default(),
        Line::styled("  Welcome to zdauth", theme.title()),
        Line::default(),
    ];
    lines.extend(steps);
    lines.extend([
        Line::default(),
        Line::raw("  Or look around first, with four connections to a fake Zendesk:"),
        Line::default(),
        Line::styled("    zdauth demo", theme.accent()),
    ]);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(area, buf);
}

/// `  a     what it does`
pub fn key_line(theme: Theme, key: &str, text: &str) -> Line<'static> {
    Line::from(vec![
        Span::raw("  "),
        Span::styled(format!("{key:<4}"), theme.title()),
        Span::raw(text.to_owned()),
    ])
}
