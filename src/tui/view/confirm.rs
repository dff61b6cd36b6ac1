//! The delete dialog: what goes, what stays valid at Zendesk, and the keys for each choice;
//! for a selection of several, one question for all of them and how far the deletes are.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding};

use super::login::words;
use super::theme::Theme;
use crate::tui::app::{DELETE_AND_REVOKE, DELETE_HERE_ONLY, Deleting, KEEP, delete_question};

const MAX_WIDTH: u16 = 72;

pub fn render(deleting: &Deleting, theme: Theme, area: Rect, buf: &mut Buffer) {
    let width = area.width.min(MAX_WIDTH);
    let inner = usize::from(width.saturating_sub(4)).max(20);
    let name = &deleting.name;
    let many = deleting.many.len();
    // A selection: the question on its own lines, then what it means.
    let intro: Vec<String> = if many == 0 {
        vec![format!(
            "{name} leaves config.toml, and its secret and tokens leave the vault."
        )]
    } else {
        vec![
            delete_question(&deleting.many),
            "They leave config.toml; their secrets and tokens leave the vault.".to_owned(),
        ]
    };
    let mut lines: Vec<Line> = intro
        .iter()
        .flat_map(|text| words(text, inner))
        .map(Line::raw)
        .collect();
    lines.push(Line::default());
    let choice = |key: String, text: String| {
        Line::from(vec![
            Span::styled(format!("{key:<6}"), theme.title()),
            Span::raw(text),
        ])
    };
    // Of a selection: which one of how many is under way.
    let progress = if many == 0 {
        String::new()
    } else {
        format!(" ({} of {many}: {name})", deleting.done + 1)
    };
    let (it, token, stays) = if many == 0 {
        ("it", "the token", "the token stays valid until it expires")
    } else {
        (
            "them",
            "their tokens",
            "the tokens stay valid until they expire",
        )
    };
    match deleting.running {
        Some(true) => lines.push(Line::styled(
            format!("revoking at Zendesk, then deleting…{progress}"),
            theme.accent(),
        )),
        Some(false) => lines.push(Line::styled(format!("deleting…{progress}"), theme.accent())),
        None if deleting.has_tokens => {
            lines.push(choice(
                DELETE_AND_REVOKE.to_string(),
                format!("revoke {token} at Zendesk, then delete"),
            ));
            lines.push(choice(
                DELETE_HERE_ONLY.to_string(),
                format!("delete here only ({stays})"),
            ));
            lines.push(choice(format!("{KEEP}/Esc"), format!("keep {it}")));
        }
        None => {
            lines.push(choice(
                DELETE_AND_REVOKE.to_string(),
                "delete (no token is stored: nothing to revoke)".into(),
            ));
            lines.push(choice(format!("{KEEP}/Esc"), format!("keep {it}")));
        }
    }
    let title = if many == 0 {
        format!(" delete {name}? ")
    } else {
        format!(" delete {many} connections? ")
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .padding(Padding::horizontal(1));
    super::popup(area, buf, width, lines, block, false);
}
