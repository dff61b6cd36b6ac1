//! The help overlay: every action and every key bound to it, read from the keymap. Taller
//! than the screen, it scrolls with the keymap's moves.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::theme::Theme;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::app::{DELETE_AND_REVOKE, DELETE_HERE_ONLY, KEEP};

/// The lines under the actions: keys that are not the keymap's.
fn notes() -> [String; 5] {
    [
        "form: Tab/↓ next, Shift-Tab/↑ back, Enter saves, Esc or Ctrl-C cancels".to_owned(),
        "typing: ←/→ Home/End Ctrl-A/E move, Ctrl-W word, Ctrl-U/Ctrl-K to start/end".to_owned(),
        format!(
            "delete: {DELETE_AND_REVOKE} + revoke at Zendesk, {DELETE_HERE_ONLY} here only, {KEEP}/Esc keeps"
        ),
        "login: paste the browser's final address, Enter hands it over; Esc cancels".to_owned(),
        "help and log: ↑/↓ PgUp/PgDn g/G scroll".to_owned(),
    ]
}

/// How many lines the help has: the app scrolls it by them.
pub fn help_lines() -> usize {
    Action::ALL.len() + notes().len()
}

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let keymap = &app.options.keymap;
    let mut lines: Vec<Line> = Action::ALL
        .iter()
        .map(|&action| {
            let keys: Vec<String> = keymap.keys_for(action).map(|k| k.to_string()).collect();
            let keys = if keys.is_empty() {
                "(unbound)".to_owned()
            } else {
                keys.join(" ")
            };
            Line::from(vec![
                Span::styled(format!("{keys:<14}"), theme.title()),
                Span::raw(action.describe()),
            ])
        })
        .collect();
    for text in notes() {
        lines.push(Line::from(Span::styled(text, theme.dim())));
    }
    let total = lines.len();
    let rect = super::centered_box(area, 78, total);
    let shown = usize::from(rect.height.saturating_sub(2));
    let offset = app.overlay_scroll().min(total.saturating_sub(shown));
    let hint = if shown < total {
        let last = (offset + shown).min(total);
        format!(
            " {}–{last} of {total}: ↑/↓ scroll, other keys close ",
            offset + 1
        )
    } else {
        // The footer's own hint is under the popup at 80×24.
        " any key closes ".to_owned()
    };
    let block = Block::bordered()
        .title(Span::styled(" keys ", theme.title()))
        .title_bottom(Span::styled(hint, theme.dim()));
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .block(block)
        .scroll((u16::try_from(offset).unwrap_or(u16::MAX), 0))
        .render(rect, buf);
}
