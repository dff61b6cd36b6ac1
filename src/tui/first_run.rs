//! First run, before any identity exists: a welcome that says what to press, then the new
//! passphrase typed twice (masked), as `zdauth init` asks it. Pure: the loop seals the
//! identity with the engine's setup and reports back.

use crossterm::event::KeyCode;

use super::action::Action;
use super::field::TextField;
use super::keymap::{Key, Keymap};
use zdauth_core::secret::Secret;

/// The welcome's key for "create the identity": not a list action, so not in the keymap.
pub const CREATE: char = 'i';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Welcome,
    /// Typing the passphrase (`repeat`: the second time).
    Passphrase {
        repeat: bool,
    },
    /// scrypt is sealing the new identity.
    Creating,
}

pub enum FirstRunStep {
    Stay,
    /// Seal a new identity with this passphrase; then open the add form if `then_add`.
    Create {
        passphrase: Secret,
        then_add: bool,
    },
    Quit,
}

#[derive(Debug)]
pub struct FirstRun {
    pub identity_path: String,
    pub no_color: bool,
    pub keymap: Keymap,
    pub stage: Stage,
    first: TextField,
    second: TextField,
    pub error: Option<String>,
    then_add: bool,
}

impl FirstRun {
    pub fn new(identity_path: String, keymap: Keymap, no_color: bool) -> Self {
        Self {
            identity_path,
            no_color,
            keymap,
            stage: Stage::Welcome,
            first: TextField::masked(),
            second: TextField::masked(),
            error: None,
            then_add: false,
        }
    }

    /// The field being typed into, for the screen (dots only).
    pub fn typed(&self) -> (&TextField, &TextField) {
        (&self.first, &self.second)
    }

    /// Whether `a` was the way in: the add form opens once the identity exists.
    pub fn then_add(&self) -> bool {
        self.then_add
    }

    pub fn key(&mut self, key: Key) -> FirstRunStep {
        if key == Key::ctrl('c') {
            return FirstRunStep::Quit;
        }
        match self.stage {
            Stage::Creating => FirstRunStep::Stay,
            Stage::Welcome => self.welcome_key(key),
            Stage::Passphrase { repeat } => self.passphrase_key(key, repeat),
        }
    }

    fn welcome_key(&mut self, key: Key) -> FirstRunStep {
        let action = self.keymap.action(key);
        if action == Some(Action::Quit) || key.code == KeyCode::Esc {
            return FirstRunStep::Quit;
        }
        if key == Key::char(CREATE) || action == Some(Action::Add) {
            self.then_add = action == Some(Action::Add);
            self.stage = Stage::Passphrase { repeat: false };
            self.error = None;
        }
        FirstRunStep::Stay
    }

    fn passphrase_key(&mut self, key: Key, repeat: bool) -> FirstRunStep {
        match key.code {
            KeyCode::Esc => {
                self.restart();
                self.stage = Stage::Welcome;
            }
            KeyCode::Enter if !repeat => {
                if let Err(e) =
                    zdauth_core::setup::check_new_passphrase(&Secret::new(self.first.text()))
                {
                    self.error = Some(e.to_string());
                    self.first.clear();
                } else {
                    self.error = None;
                    self.stage = Stage::Passphrase { repeat: true };
                }
            }
            KeyCode::Enter => {
                if self.first.text() == self.second.text() {
                    let passphrase = Secret::new(self.first.text());
                    self.first.clear();
                    self.second.clear();
                    self.stage = Stage::Creating;
                    return FirstRunStep::Create {
                        passphrase,
                        then_add: self.then_add,
                    };
                }
                self.restart();
                self.error = Some("the two passphrases differ: type it again".into());
            }
            _ => {
                let field = if repeat {
                    &mut self.second
                } else {
                    &mut self.first
                };
                field.key(key);
            }
        }
        FirstRunStep::Stay
    }

    /// Sealing failed: say why and ask again.
    pub fn failed(&mut self, message: String) {
        self.restart();
        self.error = Some(message);
    }

    fn restart(&mut self) {
        self.first.clear();
        self.second.clear();
        self.stage = Stage::Passphrase { repeat: false };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(run: &mut FirstRun, text: &str) {
        for c in text.chars() {
            assert!(matches!(run.key(Key::char(c)), FirstRunStep::Stay));
        }
    }

    fn first_run() -> FirstRun {
        FirstRun::new("/c/identity.age".into(), Keymap::default(), false)
    }

    fn enter(run: &mut FirstRun) -> FirstRunStep {
        run.key(Key::plain(KeyCode::Enter))
    }

    #[test]
    fn i_asks_the_passphrase_twice_and_creates() {
        let mut run = first_run();
        typed(&mut run, "xi");
        assert_eq!(run.stage, Stage::Passphrase { repeat: false });
        // q is typed into the passphrase, it does not quit.
        typed(&mut run, "q-correct horse");
        assert!(matches!(enter(&mut run), FirstRunStep::Stay));
        assert_eq!(run.stage, Stage::Passphrase { repeat: true });
        typed(&mut run, "q-correct horse");
        assert_eq!(run.typed().1.shown(), "•".repeat(15));
        match enter(&mut run) {
            FirstRunStep::Create {
                passphrase,
                then_add,
            } => {
                assert_eq!(passphrase.expose(), "q-correct horse");
                assert!(!then_add);
            }
            _ => panic!("no create"),
        }
        assert_eq!(run.stage, Stage::Creating);
        assert!(!format!("{run:?}").contains("correct"));
    }

    #[test]
    fn a_short_or_mismatched_passphrase_is_asked_again() {
        let mut run = first_run();
        typed(&mut run, "a");
        assert!(run.then_add());
        typed(&mut run, "short");
        enter(&mut run);
        assert!(run.error.as_deref().unwrap().contains("shorter than 8"));
        assert_eq!(run.stage, Stage::Passphrase { repeat: false });
        typed(&mut run, "long enough");
        enter(&mut run);
        typed(&mut run, "long enougH");
        assert!(matches!(enter(&mut run), FirstRunStep::Stay));
        assert!(run.error.as_deref().unwrap().contains("differ"));
        assert_eq!(run.stage, Stage::Passphrase { repeat: false });
        assert_eq!(run.typed().0.text(), "");
        run.failed("cannot write identity.age".into());
        assert_eq!(run.error.as_deref(), Some("cannot write identity.age"));
    }

    #[test]
    fn esc_goes_back_then_quits() {
        let mut run = first_run();
        typed(&mut run, "i");
        typed(&mut run, "abc");
        run.key(Key::plain(KeyCode::Esc));
        assert_eq!(run.stage, Stage::Welcome);
        assert!(matches!(
            run.key(Key::plain(KeyCode::Esc)),
            FirstRunStep::Quit
        ));
        assert!(matches!(run.key(Key::char('q')), FirstRunStep::Quit));
    }
}
