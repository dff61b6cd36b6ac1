//! One line of text typed into the TUI (a form field, a passphrase). Typing goes to the
//! text, never to the keymap: `q` in a field is a q. Masked fields show dots only, keep
//! their text in memory that is wiped on drop, and never print it with `Debug`.

use crossterm::event::{KeyCode, KeyModifiers};
use zeroize::Zeroizing;

use super::keymap::Key;

/// Far more than any name, URL or secret a form takes; a paste of a whole file stops here.
const MAX_CHARS: usize = 512;

#[derive(Clone, PartialEq, Eq)]
pub struct TextField {
    text: Zeroizing<String>,
    masked: bool,
}

impl std::fmt::Debug for TextField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.masked {
            f.write_str("TextField([redacted])")
        } else {
            write!(f, "TextField({:?})", self.text.as_str())
        }
    }
}

impl TextField {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: Zeroizing::new(text.into()),
            masked: false,
        }
    }

    pub fn masked() -> Self {
        Self {
            text: Zeroizing::new(String::new()),
            masked: true,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_masked(&self) -> bool {
        self.masked
    }

    /// What the screen may show: the text, or one dot per character.
    pub fn shown(&self) -> String {
        if self.masked {
            "•".repeat(self.text.chars().count())
        } else {
            self.text.to_string()
        }
    }

    pub fn clear(&mut self) {
        self.text.clear();
    }

    /// A bracketed paste: its text goes in as typed, minus line breaks and other control
    /// characters, so a copied URL's trailing newline cannot submit the form.
    pub fn paste(&mut self, pasted: &str) {
        let room = MAX_CHARS.saturating_sub(self.text.chars().count());
        self.text
            .extend(pasted.chars().filter(|c| !c.is_control()).take(room));
    }

    /// Applies an editing key; returns whether the key was one (and so was used).
    pub fn key(&mut self, key: Key) -> bool {
        match key.code {
            KeyCode::Char('u') if key.mods == KeyModifiers::CONTROL => self.text.clear(),
            KeyCode::Char(c) if key.mods.is_empty() && !c.is_control() => {
                if self.text.chars().count() < MAX_CHARS {
                    self.text.push(c);
                }
            }
            KeyCode::Backspace => {
                self.text.pop();
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_editing_and_masking() {
        let mut field = TextField::new("ac");
        for c in "me q".chars() {
            assert!(field.key(Key::char(c)));
        }
        assert!(field.key(Key::plain(KeyCode::Backspace)));
        assert_eq!(field.text(), "acme ");
        assert!(!field.key(Key::plain(KeyCode::Tab)), "not an editing key");
        assert!(!field.key(Key::ctrl('c')));
        assert!(field.key(Key::ctrl('u')));
        assert_eq!(field.text(), "");

        let mut secret = TextField::masked();
        for c in "hunter2".chars() {
            secret.key(Key::char(c));
        }
        assert_eq!(secret.shown(), "•••••••");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn a_paste_drops_line_breaks_and_stops_at_the_cap() {
        let mut field = TextField::new("x");
        field.paste("https://acme.zendesk.com/\r\n");
        assert_eq!(field.text(), "xhttps://acme.zendesk.com/");
        field.paste(&"a".repeat(MAX_CHARS * 2));
        assert_eq!(field.text().chars().count(), MAX_CHARS);
    }
}
