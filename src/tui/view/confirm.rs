//! The delete dialog: what goes, what stays valid at Zendesk, and the keys for each choice.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding};

use super::login::words;
use super::theme::Theme;
use crate::tui::app::{DELETE_AND_REVOKE, DELETE_HERE_ONLY, Deleting, KEEP};

const MAX_WIDTH: u16 = 72;

pub fn render(deleting: &Deleting, theme: Theme, area: Rect, buf: &mut Buffer) {
    let width = area.width.min(MAX_WIDTH);
    let inner = usize::from(width.saturating_sub(4)).max(20);
    let name = &deleting.name;
    let mut lines: Vec<Line> = words(
        &format!("{name} leaves config.toml, and its secret and tokens leave the vault."),
        inner,
    )
    .into_iter()
    .map(Line::raw)
    .collect();
    lines.push(Line::default());
    let choice = |key: String, text: String| {
        Line::from(vec![
            Span::styled(format!("{key:<6}"), theme.title()),
            Span::raw(text),
        ])
    };
    match deleting.running {
        Some(true) => lines.push(Line::styled(
            "revoking at Zendesk, then deleting…",
            theme.accent(),
        )),
        Some(false) => lines.push(Line::styled("deleting…", theme.accent())),
        None if deleting.has_tokens => {
            lines.push(choice(
                DELETE_AND_REVOKE.to_string(),
                "revoke the token at Zendesk, then delete".into(),
            ));
            lines.push(choice(
                DELETE_HERE_ONLY.to_string(),
                "delete here only (the token stays valid until it expires)".into(),
            ));
            lines.push(choice(format!("{KEEP}/Esc"), "keep it".into()));
        }
        None => {
            lines.push(choice(
                DELETE_AND_REVOKE.to_string(),
                "delete (no token is stored: nothing to revoke)".into(),
            ));
            lines.push(choice(format!("{KEEP}/Esc"), "keep it".into()));
        }
    }
    let block = Block::bordered()
        .title(Span::styled(format!(" delete {name}? "), theme.title()))
        .padding(Padding::horizontal(1));
    super::popup(area, buf, width, lines, block, false);
}
