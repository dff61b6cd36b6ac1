//! The help overlay: every action and every key bound to it, read from the keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::theme::Theme;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::app::{DELETE_AND_REVOKE, DELETE_HERE_ONLY, KEEP};

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
    for text in [
        "form: Tab/↓ next, Shift-Tab/↑ back, Enter saves, Esc cancels".to_owned(),
        format!(
            "delete: {DELETE_AND_REVOKE} + revoke at Zendesk, {DELETE_HERE_ONLY} here only, {KEEP}/Esc keeps"
        ),
    ] {
        lines.push(Line::from(Span::styled(text, theme.dim())));
    }
    let block = Block::bordered()
        .title(Span::styled(" keys ", theme.title()))
        // The footer's own hint is under the popup at 80×24.
        .title_bottom(Span::styled(" any key closes ", theme.dim()));
    super::popup(area, buf, 78, lines, block, false);
}
