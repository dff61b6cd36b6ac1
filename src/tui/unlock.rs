//! The unlock screen: the passphrase of identity.age typed into the TUI itself (masked), with
//! a retry after a wrong one. Pure: the loop runs the scrypt check and reports back.

use super::field::TextField;
use super::keymap::Key;
use crossterm::event::KeyCode;
use zdauth_core::secret::Secret;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnlockState {
    Typing,
    /// scrypt is running (about a second at the default work factor).
    Checking,
    /// The last try failed; the message says why.
    Failed(String),
}

pub enum UnlockStep {
    Stay,
    Submit(Secret),
    Quit,
}

pub struct UnlockScreen {
    pub identity_path: String,
    /// Sized up front and wiped on drop (see [`TextField`]).
    typed: TextField,
    pub state: UnlockState,
    pub no_color: bool,
}

impl std::fmt::Debug for UnlockScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnlockScreen")
            .field("identity_path", &self.identity_path)
            .field("typed", &"[redacted]")
            .field("state", &self.state)
            .field("no_color", &self.no_color)
            .finish()
    }
}

impl UnlockScreen {
    pub fn new(identity_path: String, no_color: bool) -> Self {
        Self {
            identity_path,
            typed: TextField::masked(),
            state: UnlockState::Typing,
            no_color,
        }
    }

    /// How many characters are typed: the screen shows that many dots, never the text.
    pub fn typed_len(&self) -> usize {
        self.typed.len()
    }

    /// The last key was refused: the passphrase is as long as the screen takes.
    pub fn is_full(&self) -> bool {
        self.typed.is_full()
    }

    pub fn key(&mut self, key: Key) -> UnlockStep {
        if key == Key::ctrl('c') || key.code == KeyCode::Esc {
            return UnlockStep::Quit;
        }
        if self.state == UnlockState::Checking || !key.mods.is_empty() {
            return UnlockStep::Stay;
        }
        match key.code {
            KeyCode::Enter if !self.typed.is_empty() => {
                self.state = UnlockState::Checking;
                let secret = Secret::new(self.typed.text());
                self.typed.clear();
                return UnlockStep::Submit(secret);
            }
            KeyCode::Backspace => {
                self.typed.key(key);
            }
            KeyCode::Char(_) => {
                self.typed.key(key);
                if matches!(self.state, UnlockState::Failed(_)) {
                    self.state = UnlockState::Typing;
                }
            }
            _ => {}
        }
        UnlockStep::Stay
    }

    pub fn failed(&mut self, message: String) {
        self.state = UnlockState::Failed(message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_text(screen: &mut UnlockScreen, text: &str) {
        for c in text.chars() {
            assert!(matches!(screen.key(Key::char(c)), UnlockStep::Stay));
        }
    }

    #[test]
    fn typing_then_enter_submits_and_clears() {
        let mut screen = UnlockScreen::new("/c/identity.age".into(), false);
        assert!(
            matches!(screen.key(Key::plain(KeyCode::Enter)), UnlockStep::Stay),
            "empty"
        );
        type_text(&mut screen, "secretx");
        screen.key(Key::plain(KeyCode::Backspace));
        assert_eq!(screen.typed_len(), 6);
        match screen.key(Key::plain(KeyCode::Enter)) {
            UnlockStep::Submit(secret) => assert_eq!(secret.expose(), "secret"),
            _ => panic!("no submit"),
        }
        assert_eq!(screen.state, UnlockState::Checking);
        assert_eq!(screen.typed_len(), 0);
        assert!(matches!(screen.key(Key::char('x')), UnlockStep::Stay));
        assert_eq!(screen.typed_len(), 0, "keys wait while scrypt runs");
    }

    #[test]
    fn a_failure_lets_the_user_retry_and_esc_quits() {
        let mut screen = UnlockScreen::new("/c/identity.age".into(), false);
        type_text(&mut screen, "wrong");
        screen.key(Key::plain(KeyCode::Enter));
        screen.failed("wrong passphrase".into());
        assert_eq!(screen.state, UnlockState::Failed("wrong passphrase".into()));
        type_text(&mut screen, "r");
        assert_eq!(screen.state, UnlockState::Typing);
        assert!(matches!(
            screen.key(Key::plain(KeyCode::Esc)),
            UnlockStep::Quit
        ));
        assert!(matches!(screen.key(Key::ctrl('c')), UnlockStep::Quit));
    }

    #[test]
    fn a_passphrase_past_the_buffer_is_refused_and_said() {
        let mut screen = UnlockScreen::new("/c/identity.age".into(), false);
        type_text(&mut screen, &"p".repeat(crate::tui::field::MAX_CHARS));
        assert!(!screen.is_full());
        type_text(&mut screen, "q");
        assert!(screen.is_full());
        assert_eq!(screen.typed_len(), crate::tui::field::MAX_CHARS);
    }

    #[test]
    fn debug_never_shows_what_was_typed() {
        let mut screen = UnlockScreen::new("/c/identity.age".into(), false);
        type_text(&mut screen, "hunter2");
        assert!(!format!("{screen:?}").contains("hunter2"));
    }
}
