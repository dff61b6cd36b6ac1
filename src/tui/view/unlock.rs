//! The unlock screen: a masked passphrase field.

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::theme::Theme;
use crate::tui::format::spinner;
use crate::tui::unlock::{UnlockScreen, UnlockState};

/// `now` only turns the spinner while scrypt runs.
pub fn draw_unlock(screen: &UnlockScreen, now: Timestamp, area: Rect, buf: &mut Buffer) {
    let theme = Theme::new(!screen.no_color);
    let dots = "•".repeat(screen.typed_len());
    let status = match &screen.state {
        UnlockState::Typing if screen.is_full() => {
            Line::from(Span::styled(crate::tui::field::FULL_NOTE, theme.warn()))
        }
        UnlockState::Typing => Line::from(Span::styled("Enter unlocks · Esc quits", theme.dim())),
        UnlockState::Checking => Line::from(Span::styled(
            format!("{} checking (scrypt takes about a second)…", spinner(now)),
            theme.warn(),
        )),
        UnlockState::Failed(message) => Line::from(Span::styled(message.clone(), theme.bad())),
    };
    let lines = vec![
        Line::from(format!("Passphrase for {}", screen.identity_path)),
        Line::default(),
        Line::from(vec![Span::styled("› ", theme.accent()), Span::raw(dots)]),
        Line::default(),
        status,
    ];
    let block = Block::bordered().title(Span::styled(" zdauth: unlock the vault ", theme.title()));
    super::popup(area, buf, 72, lines, block, true);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::Key;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn screen_text(screen: &UnlockScreen) -> String {
        let mut terminal = Terminal::new(TestBackend::new(80, 12)).unwrap();
        let now: Timestamp = "2026-11-28T12:00:00Z".parse().unwrap();
        terminal
            .draw(|frame| draw_unlock(screen, now, frame.area(), frame.buffer_mut()))
            .unwrap();
        terminal.backend().to_string()
    }

    #[test]
    fn the_field_is_masked_and_a_failure_is_shown() {
        let mut screen = UnlockScreen::new("/home/ada/.config/zdauth/identity.age".into(), true);
        for c in "hunter2".chars() {
            screen.key(Key::char(c));
        }
        let typing = screen_text(&screen);
        insta::assert_snapshot!("unlock_typing", typing);
        assert!(!typing.contains("hunter2"));
        assert!(typing.contains("•••••••"));
        screen.key(Key::plain(crossterm::event::KeyCode::Enter));
        assert!(screen_text(&screen).contains("checking (scrypt"));
        screen.failed("wrong passphrase for identity.age: try again (nothing was changed)".into());
        insta::assert_snapshot!("unlock_failed", screen_text(&screen));
    }
}
