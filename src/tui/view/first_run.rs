//! First run: the welcome with its keys, then the new passphrase, asked twice and masked.

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::theme::Theme;
use super::welcome::{key_line, render_with};
use crate::tui::action::Action;
use crate::tui::first_run::{CREATE, FirstRun, Stage};
use crate::tui::format::spinner;

/// `now` only turns the spinner while scrypt runs.
pub fn draw_first_run(run: &FirstRun, now: Timestamp, area: Rect, buf: &mut Buffer) {
    let theme = Theme::new(!run.no_color);
    let key = |action| {
        run.keymap
            .keys_for(action)
            .next()
            .map_or_else(|| "(unbound)".to_owned(), |k| k.to_string())
    };
    let steps = vec![
        Line::raw(
            "  No identity yet: zdauth keeps tokens in a vault that only your identity opens.",
        ),
        Line::default(),
        key_line(
            theme,
            &CREATE.to_string(),
            "create the identity (a passphrase, asked twice)",
        ),
        key_line(
            theme,
            &key(Action::Add),
            "create the identity, then add a connection",
        ),
        key_line(theme, &key(Action::Quit), "quit"),
    ];
    render_with(steps, theme, area, buf);
    if run.stage == Stage::Welcome {
        return;
    }
    let (first, second) = run.typed();
    let repeat = run.stage == (Stage::Passphrase { repeat: true });
    let field = |label: &str, text: String, focused: bool| {
        let marker = if focused { "› " } else { "  " };
        Line::from(vec![
            Span::styled(marker, theme.accent()),
            Span::styled(format!("{label:<11}"), theme.title()),
            Span::raw(text),
        ])
    };
    let status = match (&run.stage, &run.error) {
        (Stage::Creating, _) => Line::styled(
            format!("{} sealing it (scrypt takes about a second)…", spinner(now)),
            theme.warn(),
        ),
        (_, Some(error)) => Line::styled(error.clone(), theme.bad()),
        _ if first.is_full() || second.is_full() => {
            Line::styled(crate::tui::field::FULL_NOTE, theme.warn())
        }
        _ => Line::styled("Enter goes on · Esc goes back", theme.dim()),
    };
    let lines = vec![
        Line::raw(format!("A new passphrase for {}", run.identity_path)),
        Line::styled("8 characters or more; it cannot be recovered", theme.dim()),
        Line::default(),
        field("passphrase", first.shown(), !repeat),
        field("repeat it", second.shown(), repeat),
        Line::default(),
        status,
    ];
    let block =
        Block::bordered().title(Span::styled(" zdauth: create the identity ", theme.title()));
    super::popup(area, buf, 72, lines, block, true);
}
